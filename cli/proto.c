// SPDX-License-Identifier: GPL-2.0
/* proto.c - see proto.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"

bool proto_send(int fd, const char *line)
{
	char buf[8192];		/* the longest line proto_recv() callers take */
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EMSGSIZE;
		return false;
	}
	for (int off = 0; off < n;) {
		ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		off += (int)w;
	}
	return true;
}

/* One byte at a time: a line is short, and nothing after it is taken. */
bool proto_recv(int fd, char *buf, size_t len, double timeout_s)
{
	double end = now_s() + timeout_s;
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		double left = end - now_s();
		int r;
		char c;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return false;
		}
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			return false;	/* a signal: the caller decides */
		if (r <= 0)
			continue;
		r = (int)read(fd, &c, 1);
		if (r <= 0) {
			/* A keepalive's ETIMEDOUT is the peer's end, not our timeout. */
			if (!r || errno == ETIMEDOUT)
				errno = ECONNRESET;
			return false;
		}
		if (c == '\n') {
			buf[n] = '\0';
			return true;
		}
		buf[n++] = c;
	}
	errno = EMSGSIZE;
	return false;
}

/* The value of word @key in @line, or NULL. */
static const char *find_arg(const char *line, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = line; p && *p; p = strchr(p, ' '), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == '=')
			return p + k + 1;
	return NULL;
}

bool proto_has(const char *line, const char *key)
{
	return find_arg(line, key) != NULL;
}

bool proto_arg(const char *line, const char *key, char *out, size_t len)
{
	const char *v = find_arg(line, key);
	size_t n = v ? strcspn(v, " ") : 0;

	if (!v || n >= len)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}
