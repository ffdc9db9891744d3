// SPDX-License-Identifier: GPL-2.0
/* net.c - see net.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

bool net_resolve(const char *host, char *out, size_t len)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	bool ok;

	if (getaddrinfo(host, NULL, &hints, &ai) || !ai)
		return false;
	ok = inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, out,
		       (socklen_t)len) != NULL;
	freeaddrinfo(ai);
	return ok;
}

bool net_is_loopback(const char *host)
{
	struct in_addr a;

	return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

void tcp_keepalive(int fd)
{
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 }, sizeof(int));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &(int){ 10 }, sizeof(int));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &(int){ 5 }, sizeof(int));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &(int){ 4 }, sizeof(int));
}

int tcp_connect(const char *host, uint16_t port, double timeout_s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	char ip[INET_ADDRSTRLEN];
	struct pollfd p;
	int fd, e = 0;
	socklen_t el = sizeof(e);

	if (!net_resolve(host, ip, sizeof(ip)) || inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		errno = EHOSTUNREACH;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* Bounded: a guest not up yet must not hold vmsync record for minutes. */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		p = (struct pollfd){ fd, POLLOUT, 0 };
		if (poll(&p, 1, (int)(timeout_s * 1000)) <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e) {
			errno = e ? e : errno;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		goto fail;
	tcp_keepalive(fd);
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

bool tcp_port_open(const char *host, uint16_t port)
{
	int fd = tcp_connect(host, port, 10);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

int tcp_listen_any(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1, e, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
