/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h - a guest that vmsync record records through its vmsync agent:
 * reached over vsock, waited for while it is not up, followed until the
 * recording ends or the guest does.
 */
#ifndef VMSYNC_CLI_GUEST_H
#define VMSYNC_CLI_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"
#include "util.h"

enum guest_state {
	GUEST_WAITING,		/* its agent has not answered yet */
	GUEST_RECORDING,
	GUEST_GONE,		/* it stopped answering mid-recording */
	GUEST_STOPPED,		/* its session ended when asked */
	GUEST_FAILED,		/* never recorded: why in msg */
};

struct guest {
	char name[64];
	uint32_t cid;
	enum guest_state state;
	int fd;
	double first_try;	/* when it was first tried (now_s()) */
	char hostname[256];
	char session[96];	/* its session's name, in the relay daemon's tree */
	struct session_counts counts;
	bool counts_known;
	char msg[1024];
};

struct guest_config {		/* what every guest records */
	bool tsc;
	const struct strlist *kernel, *ust;
	double wait_s;		/* how long a guest's agent is waited for */
	unsigned int live_us;	/* live sessions' timer; 0: not live */
};

/* "NAME@CID" (CID 3 and up); false, saying why, when malformed. */
bool guest_parse(struct guest *g, const char *arg);
/* Try its agent if still waited for; notice if it went away. */
void guest_poll(struct guest *g, const struct guest_config *c);
/* End its session, if it records: its counts, or why not. */
void guest_stop(struct guest *g);

#endif /* VMSYNC_CLI_GUEST_H */
