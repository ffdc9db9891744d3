// SPDX-License-Identifier: GPL-2.0
/* session.c - see session.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <lttng/lttng.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session.h"
#include "util.h"

/* How long a stopped session's data may take to reach its relay daemon. */
#define SESSION_FLUSH_S 60

bool sessiond_ensure(const char *probes, const char *ust_clock, pid_t *started, char *err,
		     size_t len)
{
	char opt[256];
	double end;
	pid_t pid;

	*started = 0;
	if (lttng_session_daemon_alive() == 1)
		return true;
	snprintf(opt, sizeof(opt), "--extra-kmod-probes=%s", probes ? probes : "");
	pid = fork();
	if (pid < 0) {
		snprintf(err, len, "cannot start lttng-sessiond: %s", strerror(errno));
		return false;
	}
	if (!pid) {
		char *argv[] = { "lttng-sessiond", "--quiet", opt, NULL };

		if (!probes || !*probes)
			argv[2] = NULL;
		setsid();	/* a Ctrl-C for vmsync is not for it: vmsync stops it */
		if (ust_clock)
			setenv("LTTNG_UST_CLOCK_PLUGIN", ust_clock, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	/* Under emulation its start can take many seconds. */
	for (end = now_s() + 60; now_s() < end; usleep(100000)) {
		int st;

		if (lttng_session_daemon_alive() == 1) {
			*started = pid;
			return true;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			snprintf(err, len, "lttng-sessiond exited at its start (status %d): is LTTng installed (lttng-tools, lttng-modules-dkms)? run 'lttng-sessiond -v' to see why",
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			return false;
		}
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(err, len, "lttng-sessiond did not answer within 60 s");
	return false;
}

void sessiond_stop(pid_t pid)
{
	double end = now_s() + 30;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (now_s() < end) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static bool enable(const char *session, enum lttng_domain_type type, bool live,
		   const struct strlist *events, char *err, size_t len)
{
	struct lttng_domain dom = { .type = type };
	struct lttng_channel ch = { .name = "channel0", .enabled = 1 };
	struct lttng_handle *h;
	bool ok = true;
	int r;

	if (!events || !events->n)
		return true;
	dom.buf_type = type == LTTNG_DOMAIN_UST ? LTTNG_BUFFER_PER_UID : LTTNG_BUFFER_GLOBAL;
	h = lttng_create_handle(session, &dom);
	if (!h) {
		snprintf(err, len, "session %s: no handle for its domain", session);
		return false;
	}
	/*
	 * Sub-buffers sent every second even when not full (a live session's
	 * timer does it already): a machine that dies mid-recording loses at
	 * most its last second.
	 */
	lttng_channel_set_default_attr(&dom, &ch.attr);
	if (!live)
		ch.attr.switch_timer_interval = 1000000;
	r = lttng_enable_channel(h, &ch);
	if (r < 0) {
		snprintf(err, len, "session %s: cannot create its channel: %s", session,
			 lttng_strerror(r));
		lttng_destroy_handle(h);
		return false;
	}
	for (size_t i = 0; ok && i < events->n; i++) {
		struct lttng_event *ev = lttng_event_create();

		if (!ev) {
			snprintf(err, len, "out of memory");
			ok = false;
			break;
		}
		ev->type = LTTNG_EVENT_TRACEPOINT;
		snprintf(ev->name, sizeof(ev->name), "%s", events->v[i]);
		r = lttng_enable_event(h, ev, ch.name);
		if (r < 0) {
			snprintf(err, len, "session %s: cannot enable %s event '%s': %s%s",
				 session, type == LTTNG_DOMAIN_KERNEL ? "kernel" : "user-space",
				 events->v[i], lttng_strerror(r),
				 type == LTTNG_DOMAIN_KERNEL ?
				 " (is the probe module that has it loaded? 'lttng list -k' lists those there are)" : "");
			ok = false;
		}
		lttng_event_destroy(ev);
	}
	lttng_destroy_handle(h);
	return ok;
}

bool session_start(const struct session_spec *s, char *err, size_t len)
{
	int r;

	/* A session of this name left by an earlier run must not stop this one. */
	lttng_destroy_session_no_wait(s->name);
	r = s->live_us ? lttng_create_session_live(s->name, s->url, s->live_us) :
	    lttng_create_session(s->name, s->url);
	if (r < 0) {
		snprintf(err, len, "cannot create session %s streaming to %s: %s", s->name, s->url,
			 lttng_strerror(r));
		return false;
	}
	if (!enable(s->name, LTTNG_DOMAIN_KERNEL, s->live_us, s->kernel, err, len) ||
	    !enable(s->name, LTTNG_DOMAIN_UST, s->live_us, s->ust, err, len))
		goto fail;
	r = lttng_start_tracing(s->name);
	if (r < 0) {
		snprintf(err, len, "cannot start session %s: %s", s->name, lttng_strerror(r));
		goto fail;
	}
	return true;
fail:
	lttng_destroy_session(s->name);
	return false;
}

static void count(const char *session, enum lttng_domain_type type, struct session_counts *c)
{
	struct lttng_domain dom = { .type = type };
	struct lttng_handle *h = lttng_create_handle(session, &dom);
	struct lttng_channel *ch = NULL;
	int n = h ? lttng_list_channels(h, &ch) : 0;

	for (int i = 0; i < n; i++) {
		uint64_t d = 0, l = 0;

		if (!lttng_channel_get_discarded_event_count(&ch[i], &d))
			c->discarded += d;
		if (!lttng_channel_get_lost_packet_count(&ch[i], &l))
			c->lost_packets += l;
	}
	free(ch);
	if (h)
		lttng_destroy_handle(h);
}

bool session_regenerate_statedump(const char *name, char *err, size_t len)
{
	int r = lttng_regenerate_statedump(name);

	if (r < 0)
		snprintf(err, len, "cannot regenerate the statedump of session %s: %s", name,
			 lttng_strerror(r));
	return r >= 0;
}

bool session_end(const char *name, struct session_counts *c, char *err, size_t len)
{
	/* Stop, then wait for its data to be out, for a while: never for ever. */
	int r = lttng_stop_tracing_no_wait(name);
	double end = now_s() + SESSION_FLUSH_S;
	bool ok = true;

	if (r < 0 && r != -LTTNG_ERR_TRACE_ALREADY_STOPPED) {
		snprintf(err, len, "cannot stop session %s: %s", name, lttng_strerror(r));
		ok = false;
	}
	while (ok && lttng_data_pending(name) == 1 && now_s() < end)
		usleep(100000);
	if (ok && lttng_data_pending(name) == 1) {
		snprintf(err, len, "session %s: its last data was still on its way to the relay daemon after %d s: the trace may lack its last packets",
			 name, SESSION_FLUSH_S);
		ok = false;
	}
	count(name, LTTNG_DOMAIN_KERNEL, c);
	count(name, LTTNG_DOMAIN_UST, c);
	r = lttng_destroy_session(name);
	if (r < 0 && ok) {
		snprintf(err, len, "cannot destroy session %s: %s", name, lttng_strerror(r));
		ok = false;
	}
	return ok;
}
