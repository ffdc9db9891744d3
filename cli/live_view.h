/* SPDX-License-Identifier: GPL-2.0 */
/*
 * live_view.h - vmsync record --live's view: vmsync-merge on the live
 * sessions' URLs (babeltrace2's source.ctf.lttng-live through the filter),
 * printing the merged timeline on standard output while they record.
 */
#ifndef VMSYNC_CLI_LIVE_VIEW_H
#define VMSYNC_CLI_LIVE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct live_view {
	pid_t pid;		/* 0: not running */
	char *shown;		/* the URLs of the sessions it shows, each + '\n' */
};

/*
 * Show the @n sessions of @urls, stopping the running view first (a relay
 * daemon takes one viewer per session), after a line saying so on standard
 * output. A view started again shows what the relay daemon gives a new
 * viewer; the recording itself keeps everything.
 */
bool live_view_start(struct live_view *v, char *const urls[], size_t n);
/* Let it end (its sessions were destroyed) for up to @wait_s, then stop it. */
void live_view_stop(struct live_view *v, double wait_s);
/* Whether the running view shows every one of the @n sessions of @urls. */
bool live_view_shows(const struct live_view *v, char *const urls[], size_t n);

#endif /* VMSYNC_CLI_LIVE_VIEW_H */
