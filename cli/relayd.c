// SPDX-License-Identifier: GPL-2.0
/* relayd.c - see relayd.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "relayd.h"
#include "util.h"

bool relayd_start(struct relayd *r, const char *dir, uint16_t base, bool any, char *err,
		  size_t len)
{
	const char *listen = any ? "0.0.0.0" : "127.0.0.1";
	char c[64], d[64], l[64], log[4096], path[4096];
	int fd;
	double end;

	r->pid = 0;
	snprintf(r->host, sizeof(r->host), "127.0.0.1");
	r->ctrl = base;
	r->data = (uint16_t)(base + 1);
	r->live = (uint16_t)(base + 2);
	for (uint16_t p = base; p < base + 3; p++)
		if (tcp_port_open(r->host, p)) {
			snprintf(err, len, "TCP port %u on 127.0.0.1 is in use (another lttng-relayd?): give vmsync record --relayd-port a free base port (it takes three), or --relayd URL to use that relay daemon",
				 p);
			return false;
		}
	snprintf(c, sizeof(c), "tcp://%s:%u", listen, r->ctrl);
	snprintf(d, sizeof(d), "tcp://%s:%u", listen, r->data);
	snprintf(l, sizeof(l), "tcp://127.0.0.1:%u", r->live);
	/* Its messages: kept beside the traces, for the user to read. */
	snprintf(path, sizeof(path), "%s/lttng-relayd.log", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, len, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	r->pid = fork();
	if (r->pid < 0) {
		snprintf(err, len, "cannot start lttng-relayd: %s", strerror(errno));
		return false;
	}
	if (!r->pid) {
		char *argv[] = { "lttng-relayd", "-o", (char *)dir, "-C", c, "-D", d, "-L", l, NULL };

		dup2(fd, 1);
		dup2(fd, 2);
		setsid();	/* stopped by vmsync, after the sessions' ends */
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run lttng-relayd: %s (install lttng-tools)\n", strerror(errno));
		_exit(127);
	}
	for (end = now_s() + 30; now_s() < end; usleep(50000)) {
		int st;

		(void)st;
		if (tcp_port_open(r->host, r->ctrl) && tcp_port_open(r->host, r->data)) {
			close(fd);
			return true;
		}
		if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
			ssize_t n = pread(fd, log, sizeof(log) - 1, 0);

			log[n > 0 ? n : 0] = '\0';
			for (char *p = log; *p; p++)
				if (*p == '\n')
					*p = ' ';
			snprintf(err, len, "lttng-relayd exited at its start (ports %u-%u): %s",
				 r->ctrl, r->live, log[0] ? log : "no message");
			r->pid = 0;
			close(fd);
			return false;
		}
	}
	close(fd);
	relayd_stop(r);
	snprintf(err, len, "lttng-relayd did not listen on port %u within 30 s", r->ctrl);
	return false;
}

bool relayd_use(struct relayd *r, const char *url, char *err, size_t len)
{
	char host[256];
	unsigned long c = 5342, d = 5343;
	const char *p = strncmp(url, "net://", 6) ? url : url + 6;
	size_t n = strcspn(p, ":");
	char ports[32], *colon;

	memset(r, 0, sizeof(*r));
	if (!n || n >= sizeof(host)) {
		snprintf(err, len, "--relayd %s: give [net://]HOST[:CTRL_PORT[:DATA_PORT]]", url);
		return false;
	}
	memcpy(host, p, n);
	host[n] = '\0';
	p += n;
	if (*p == ':') {
		snprintf(ports, sizeof(ports), "%s", p + 1);
		colon = strchr(ports, ':');
		if (colon)
			*colon++ = '\0';
		if (!parse_uint(ports, 1, 65535, &c) || (colon && !parse_uint(colon, 1, 65535, &d)) ||
		    (!colon && c == 65535)) {
			snprintf(err, len, "--relayd %s: its ports are not TCP ports (1 to 65535)", url);
			return false;
		}
		if (!colon)
			d = c + 1;
	}
	if (!net_resolve(host, r->host, sizeof(r->host))) {
		snprintf(err, len, "--relayd %s: no IPv4 address for '%s'", url, host);
		return false;
	}
	r->ctrl = (uint16_t)c;
	r->data = (uint16_t)d;
	r->live = (uint16_t)(d < 65535 ? d + 1 : d);	/* LTTng's layout: 5342, 5343, 5344 */
	if (!tcp_port_open(r->host, r->ctrl)) {
		snprintf(err, len, "--relayd %s: no relay daemon answers at %s:%u: start one there ('lttng-relayd -d -o DIR'), or leave --relayd out for one of vmsync record's own",
			 url, r->host, r->ctrl);
		return false;
	}
	return true;
}

void relayd_stop(struct relayd *r)
{
	double end = now_s() + 30;

	if (r->pid <= 0)
		return;
	kill(r->pid, SIGTERM);
	while (now_s() < end) {
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid) {
			r->pid = 0;
			return;
		}
		usleep(100000);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
}
