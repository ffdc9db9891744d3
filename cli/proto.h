/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proto.h - what vmsync record and vmsync agent say to each other over
 * vsock (or TCP, for a guest reached over its network): one line per
 * command or answer, words separated by spaces, arguments as KEY=VALUE
 * (values have no spaces: event names, numbers, addresses).
 *
 *   record -> agent                        agent -> record
 *   HELLO vmsync 1                         HELLO vmsync 1 HOSTNAME
 *   START name=S clock=tsc|default         OK | ERR MESSAGE
 *         ctrl=VPORT data=VPORT live=US
 *         kernel=E,E|- ust=E,E|-
 *         [via=net [relay=ADDRESS]]
 *   STOP                                   OK discarded=N lost=N | ERR MESSAGE
 *
 * The agent's session streams to the host's vsock ports ctrl and data
 * (CID 2), which vmsync record carries on to the relay daemon. With
 * via=net (commands over TCP only), ctrl and data are the relay daemon's
 * TCP ports, at ADDRESS, or else at the address the commands came from.
 */
#ifndef VMSYNC_CLI_PROTO_H
#define VMSYNC_CLI_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define VMSYNC_PROTO_VERSION "1"
/* The agent's vsock port (and TCP port, --net), and the host's for the guests' streams. */
#define VMSYNC_AGENT_PORT 5340
#define VMSYNC_RELAY_VPORT_CTRL 5342
#define VMSYNC_RELAY_VPORT_DATA 5343
/* LTTng's own default relay daemon ports (control; data and live follow). */
#define VMSYNC_RELAYD_PORT 5342

/* Send @line (no newline) and a newline; false on error (EMSGSIZE: too long). */
bool proto_send(int fd, const char *line);
/*
 * Read one line into @buf (newline removed) within @timeout_s seconds;
 * false at the end of the stream or on a connection error (errno ECONNRESET),
 * on another error, or on timeout (errno ETIMEDOUT).
 */
bool proto_recv(int fd, char *buf, size_t len, double timeout_s);
/*
 * The value of KEY=VALUE word @key in @line, copied into @out; false when
 * absent or too long (tell them apart with proto_has()).
 */
bool proto_arg(const char *line, const char *key, char *out, size_t len);
/* Whether @line has a KEY=VALUE word @key. */
bool proto_has(const char *line, const char *key);

#endif /* VMSYNC_CLI_PROTO_H */
