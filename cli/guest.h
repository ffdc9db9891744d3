/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h - a guest that vmsync record records through its vmsync agent:
 * reached over vsock (its stream carried to the relay daemon over vsock
 * too), or over the guest's network (GUEST@ADDRESS: it streams to the
 * relay daemon directly); waited for while it is not up, followed until the
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
	uint32_t cid;		/* its vsock CID; 0: reached over the network */
	char addr[256];		/* its agent's network address (a name or IPv4) */
	uint16_t port;		/* and TCP port */
	char where[300];	/* "CID 3" or "ADDRESS:PORT", for messages */
	enum guest_state state;
	int fd;
	double first_try;	/* when it was first tried (now_s()) */
	enum guest_unanswered {	/* how its last try went, while waited for */
		GUEST_NO_CONNECTION,	/* its port took none */
		GUEST_SILENT,		/* took one, no greeting back in time */
		GUEST_HUNG_UP,		/* took one, closed it (a port forwarder) */
	} unanswered;
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
	/*
	 * Where a network guest streams: the relay daemon's TCP ports, at
	 * relay_host, or, when that is NULL, at the address its agent saw
	 * vmsync record's connection come from.
	 */
	const char *relay_host;
	uint16_t relay_ctrl, relay_data;
};

/*
 * "NAME@CID" (CID 3 and up) or "NAME@ADDRESS[:PORT]" (a host name or IPv4
 * address, the agent's TCP port 5340 by default); false, saying why, when
 * malformed.
 */
bool guest_parse(struct guest *g, const char *arg);
/* Try its agent if still waited for; notice if it went away. */
void guest_poll(struct guest *g, const struct guest_config *c);
/* End its session, if it records: its counts, or why not. */
void guest_stop(struct guest *g);

#endif /* VMSYNC_CLI_GUEST_H */
