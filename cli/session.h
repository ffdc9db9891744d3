/* SPDX-License-Identifier: GPL-2.0 */
/*
 * session.h - an LTTng recording session through liblttng-ctl: the session
 * daemon, a session streaming to a relay daemon, its events, its end.
 */
#ifndef VMSYNC_CLI_SESSION_H
#define VMSYNC_CLI_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/*
 * A root session daemon: the running one, or one started here with
 * @probes (LTTng probe names, comma-separated, for --extra-kmod-probes)
 * and, when @ust_clock is not NULL, LTTNG_UST_CLOCK_PLUGIN=@ust_clock (its
 * consumer daemon stamps the user-space packets it flushes with that
 * clock: it must be the applications'). Its pid in *@started when started
 * here (0 when one was running), for sessiond_stop(). False, with the
 * reason in @err, when none is up.
 */
bool sessiond_ensure(const char *probes, const char *ust_clock, pid_t *started, char *err,
		     size_t len);
void sessiond_stop(pid_t pid);

struct session_spec {
	const char *name;
	const char *url;		/* net://HOST:CTRL:DATA */
	unsigned int live_us;		/* live timer; 0: not a live session */
	const struct strlist *kernel;	/* kernel events (names, wildcards) */
	const struct strlist *ust;	/* user-space events */
};

/* Create the session, enable its events, start it; false with @err. */
bool session_start(const struct session_spec *s, char *err, size_t len);

/*
 * Have the session's kernel tracer dump the system's state again (with it,
 * vmsync's statedump: VMs, vCPUs, offsets); false with @err.
 */
bool session_regenerate_statedump(const char *name, char *err, size_t len);

struct session_counts {
	uint64_t discarded;	/* events the ring buffers had no room for */
	uint64_t lost_packets;
};

/*
 * Stop the session (its data flushed to where it streams), add up what
 * its channels lost into *@c, destroy it. False with @err.
 */
bool session_end(const char *name, struct session_counts *c, char *err, size_t len);

#endif /* VMSYNC_CLI_SESSION_H */
