/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net.h - the IPv4 TCP that vmsync record and agent use besides vsock: to
 * reach a relay daemon, and a guest's agent over the guest's network.
 */
#ifndef VMSYNC_CLI_NET_H
#define VMSYNC_CLI_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* @host's IPv4 address (a name or dotted quad), dotted in @out (16 bytes). */
bool net_resolve(const char *host, char *out, size_t len);
/* Whether IPv4 @host is a loopback address (127.0.0.0/8). */
bool net_is_loopback(const char *host);
/*
 * Connect to @host (a name or dotted quad) at TCP @port within @timeout_s
 * seconds: the socket (tcp_keepalive()), or -1 with errno set
 * (EHOSTUNREACH when @host has no IPv4 address).
 */
int tcp_connect(const char *host, uint16_t port, double timeout_s);
/*
 * Probe the peer when the connection is idle, so that one gone silently (a
 * guest killed, a host or network gone) ends it within about 30 s.
 */
void tcp_keepalive(int fd);
/* Whether something at @host accepts connections on TCP @port (within 10 s). */
bool tcp_port_open(const char *host, uint16_t port);
/* A listening TCP socket on every IPv4 address at @port; -1, errno set. */
int tcp_listen_any(uint16_t port);

#endif /* VMSYNC_CLI_NET_H */
