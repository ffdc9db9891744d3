/* SPDX-License-Identifier: GPL-2.0 */
/*
 * relayd.h - an lttng-relayd of vmsync's own: it receives the host's and
 * the guests' streams and writes every trace under one directory.
 */
#ifndef VMSYNC_CLI_RELAYD_H
#define VMSYNC_CLI_RELAYD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct relayd {
	pid_t pid;			/* 0: not ours (--relayd) */
	char host[64];			/* its IPv4 address */
	uint16_t ctrl, data, live;	/* its TCP ports */
};

/*
 * Start lttng-relayd writing under @dir, listening on ports @base, @base + 1
 * and @base + 2 (control, data, live): on 127.0.0.1, or for control and data
 * on every address when @any (guests that stream over their network); wait
 * until it accepts connections. False with the reason in @err (a port in
 * use says which).
 */
bool relayd_start(struct relayd *r, const char *dir, uint16_t base, bool any, char *err,
		  size_t len);
/*
 * Stop it once its sessions ended: it writes what it received, then
 * exits on SIGTERM.
 */
void relayd_stop(struct relayd *r);
/*
 * A relay daemon that runs elsewhere: @url is [net://]HOST[:CTRL[:DATA]]
 * (LTTng's default ports when left out). False with @err when malformed,
 * unknown, or when nothing answers there.
 */
bool relayd_use(struct relayd *r, const char *url, char *err, size_t len);

#endif /* VMSYNC_CLI_RELAYD_H */
