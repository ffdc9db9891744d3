/* SPDX-License-Identifier: GPL-2.0 */
/*
 * live_view.h - vmsync record --live: the host's and its guests' live
 * sessions followed as they record, merged on host time ('vmsync merge'
 * of their lttng-live URLs), printed on vmsync record's stdout.
 */
#ifndef VMSYNC_CLI_LIVE_VIEW_H
#define VMSYNC_CLI_LIVE_VIEW_H

#include <stddef.h>
#include <sys/types.h>

#include "guest.h"
#include "relayd.h"

/*
 * Follow host session @host_session and the sessions of the @guests that
 * record, through relay daemon @r: the viewer's pid, 0 when it could not
 * start (said why).
 */
pid_t live_view_start(const struct relayd *r, const char *host_session,
		      const struct guest *guests, size_t nr_guests);
/*
 * Wait for the view to end, which it does once the sessions it follows
 * were destroyed; stop it after 30 s.
 */
void live_view_stop(pid_t viewer);

#endif /* VMSYNC_CLI_LIVE_VIEW_H */
