/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proxy.h - carry byte streams between vsock and TCP: how a guest's LTTng
 * session reaches the host's relay daemon without a network. In the guest,
 * LTTng streams to a local TCP port that goes over vsock to the host (CID
 * 2); on the host, a vsock port goes on to the relay daemon's TCP port.
 * Each accepted connection gets a thread that copies both ways until
 * both sides closed.
 */
#ifndef VMSYNC_CLI_PROXY_H
#define VMSYNC_CLI_PROXY_H

#include <stdbool.h>
#include <stdint.h>

struct proxy;

/*
 * Listen on vsock port @vport (any CID; only @peer_cid may connect unless
 * it is 0) and forward each connection to TCP @host:@port. NULL on error,
 * with errno set.
 */
struct proxy *proxy_vsock_to_tcp(uint32_t vport, uint32_t peer_cid, const char *host,
				 uint16_t port);
/*
 * Listen on TCP 127.0.0.1 (an ephemeral port, in *@port) and forward each
 * connection to vsock @cid:@vport.
 */
struct proxy *proxy_tcp_to_vsock(uint16_t *port, uint32_t cid, uint32_t vport);
/*
 * Stop accepting, wait up to @grace_s seconds for the open connections
 * to end by themselves, then cut them; free @p.
 */
void proxy_close(struct proxy *p, double grace_s);

#endif /* VMSYNC_CLI_PROXY_H */
