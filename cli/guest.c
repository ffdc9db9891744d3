// SPDX-License-Identifier: GPL-2.0
/* guest.c - see guest.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "guest.h"
#include "net.h"
#include "proto.h"

/* The part after '@': a CID (digits only), or ADDRESS[:PORT]. */
static bool parse_where(struct guest *g, const char *w)
{
	const char *colon = strchr(w, ':');
	size_t n = colon ? (size_t)(colon - w) : strlen(w);
	unsigned long v = VMSYNC_AGENT_PORT;

	if (w[strspn(w, "0123456789")] == '\0') {
		if (!parse_uint(w, 3, UINT32_MAX - 1, &v))
			return false;
		g->cid = (uint32_t)v;
		snprintf(g->where, sizeof(g->where), "CID %u", g->cid);
		return true;
	}
	if (!n || n >= sizeof(g->addr) || strspn(w, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n ||
	    (colon && !parse_uint(colon + 1, 1, 65535, &v)))
		return false;
	memcpy(g->addr, w, n);
	g->port = (uint16_t)v;
	snprintf(g->where, sizeof(g->where), "%s:%u", g->addr, g->port);
	return true;
}

bool guest_parse(struct guest *g, const char *arg)
{
	const char *at = strrchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : 0;

	memset(g, 0, sizeof(*g));
	g->fd = -1;
	if (!at || !n || n >= sizeof(g->name) || !parse_where(g, at + 1)) {
		vs_err("-A %s: give GUEST@CID, a name for the guest and its vsock CID (3 or more: the guest-cid of its vhost-vsock-pci device), or GUEST@ADDRESS[:PORT] for a guest reached over its network (an IPv4 address or host name; its agent's port, %u by default)",
		       arg, VMSYNC_AGENT_PORT);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!((arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= 'A' && arg[i] <= 'Z') ||
		      (arg[i] >= '0' && arg[i] <= '9') || arg[i] == '-' || arg[i] == '_' ||
		      arg[i] == '.')) {
			vs_err("-A %s: a guest's name takes letters, digits, '-', '_' and '.'", arg);
			return false;
		}
	memcpy(g->name, arg, n);
	if (!strcmp(g->name, "host")) {	/* the host's session is vmsync-host */
		vs_err("-A %s: 'host' names the host's own trace: give the guest another name", arg);
		return false;
	}
	snprintf(g->session, sizeof(g->session), "vmsync-%s", g->name);
	return true;
}

static int agent_connect(const struct guest *g)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = g->cid,
				 .svm_port = VMSYNC_AGENT_PORT };
	struct timeval tv = { 2, 0 };
	int fd;

	if (!g->cid)
		return tcp_connect(g->addr, g->port, 2);
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void fail(struct guest *g, const char *why)
{
	snprintf(g->msg, sizeof(g->msg), "%s", why);
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->state = GUEST_FAILED;
	vs_err("guest %s (%s): %s", g->name, g->where, g->msg);
}

/*
 * Something took the connection: greet it, within @greet_s seconds, and
 * start its session. What does not answer is waited for still (see
 * enum guest_unanswered), unless it is a vsock agent that hangs up.
 */
static void start(struct guest *g, const struct guest_config *c, double greet_s)
{
	char line[8192], kern[2048] = "-", ust[2048] = "-", msg[1024], relay[300];
	struct strlist k = { 0 };
	double wait_s;
	bool ok;

	if (!proto_send(g->fd, "HELLO vmsync " VMSYNC_PROTO_VERSION) ||
	    !proto_recv(g->fd, line, sizeof(line), greet_s)) {
		int e = errno;

		close(g->fd);
		g->fd = -1;
		if (e == EINTR)		/* a stop asked: the caller sees it */
			return;
		if (g->cid && e != ETIMEDOUT) {
			fail(g, "what answers on the agent's port hung up on vmsync's greeting: is it a vmsync agent of this version?");
			return;
		}
		g->unanswered = e == ETIMEDOUT ? GUEST_SILENT : GUEST_HUNG_UP;
		return;
	}
	if (sscanf(line, "HELLO vmsync " VMSYNC_PROTO_VERSION " %255s", g->hostname) != 1) {
		fail(g, "what answers on the agent's port is not a vmsync agent of this version");
		return;
	}
	/* Without -e, guests record the lttng-logger's lines (marks, echo). */
	ok = c->kernel->n ? strlist_join(c->kernel, ',', kern, sizeof(kern)) :
	     (strlist_add(&k, "lttng_logger") && strlist_join(&k, ',', kern, sizeof(kern)));
	strlist_free(&k);
	if (!ok || (c->ust->n && !strlist_join(c->ust, ',', ust, sizeof(ust)))) {
		fail(g, "too many events for one command to the agent");
		return;
	}
	/* Over vsock, to vmsync record's ports; over the network, to the relay daemon's. */
	snprintf(relay, sizeof(relay), " via=net%s%s", c->relay_host ? " relay=" : "",
		 c->relay_host ? c->relay_host : "");
	snprintf(line, sizeof(line), "START name=%s clock=%s ctrl=%u data=%u live=%u kernel=%s ust=%s%s",
		 g->session, c->tsc ? "tsc" : "default",
		 g->cid ? VMSYNC_RELAY_VPORT_CTRL : c->relay_ctrl,
		 g->cid ? VMSYNC_RELAY_VPORT_DATA : c->relay_data, c->live_us, kern, ust,
		 g->cid ? "" : relay);
	/*
	 * Loading modules and starting LTTng in a guest can take a while (over
	 * two minutes in a nested guest under emulation): as long as the guest
	 * itself is waited for, and two minutes at least.
	 */
	wait_s = c->wait_s > 120 ? c->wait_s : 120;
	if (!proto_send(g->fd, line) || !proto_recv(g->fd, line, sizeof(line), wait_s)) {
		if (errno == ETIMEDOUT)
			snprintf(msg, sizeof(msg), "its agent did not answer the start of its session within %.0f s (--wait-guest)",
				 wait_s);
		else if (errno == EMSGSIZE)
			snprintf(msg, sizeof(msg), "too many events for one command to the agent");
		else
			snprintf(msg, sizeof(msg), "its agent's connection ended before it answered the start of its session (%s): did the guest shut down or die?",
				 strerror(errno));
		fail(g, msg);
		return;
	}
	if (strcmp(line, "OK")) {
		snprintf(msg, sizeof(msg), "its agent could not start recording: %.900s",
			 strncmp(line, "ERR ", 4) ? line : line + 4);
		fail(g, msg);
		return;
	}
	g->state = GUEST_RECORDING;
	vs_info("guest %s (%s, host name %s): recording", g->name, g->where, g->hostname);
}

void guest_poll(struct guest *g, const struct guest_config *c)
{
	double now = now_s();

	if (g->state == GUEST_WAITING) {
		if (!g->first_try)
			g->first_try = now;
		double left = g->first_try + c->wait_s - now;

		g->fd = agent_connect(g);
		if (g->fd >= 0)
			/* An agent answers at once: a short wait keeps the loop going. */
			start(g, c, left < 1 ? 1 : left < 5 ? left : 5);
		else
			g->unanswered = GUEST_NO_CONNECTION;
		if (g->state == GUEST_WAITING && now - g->first_try >= c->wait_s) {
			char why[768];

			if (g->unanswered == GUEST_SILENT)
				snprintf(why, sizeof(why), "its agent's port at %s took connections but did not answer vmsync's greeting for %.0f s: is its agent busy with another vmsync record, or the guest not up behind a port forwarder?",
					 g->where, c->wait_s);
			else if (g->cid)
				snprintf(why, sizeof(why), "its agent did not answer on vsock port %u within %.0f s: is the guest up, with a vhost-vsock-pci device of guest-cid %u, and 'vmsync agent' running in it ('systemctl start vmsync-agent')?",
					 VMSYNC_AGENT_PORT, c->wait_s, g->cid);
			else if (!net_resolve(g->addr, why, sizeof(why)))
				snprintf(why, sizeof(why), "no IPv4 address for '%s' within %.0f s: give its address, or a name this host resolves",
					 g->addr, c->wait_s);
			else if (g->unanswered == GUEST_HUNG_UP)
				snprintf(why, sizeof(why), "its agent's port at %s took connections but hung up unanswered for %.0f s: is the guest up, and 'vmsync agent --net HOST' of this vmsync's version running in it, HOST being this host's address as the guest sees it (the agent takes commands from that address only)?",
					 g->where, c->wait_s);
			else
				snprintf(why, sizeof(why), "its agent did not answer at %s within %.0f s: is the guest up and reachable there, and 'vmsync agent --net HOST' running in it (HOST: this host's address as the guest sees it)?",
					 g->where, c->wait_s);
			fail(g, why);
		}
		return;
	}
	if (g->state == GUEST_RECORDING) {
		struct pollfd p = { g->fd, POLLIN, 0 };
		char b;

		/* The agent says nothing unasked: anything here is its end. */
		if (poll(&p, 1, 0) > 0 && recv(g->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
			close(g->fd);
			g->fd = -1;
			g->state = GUEST_GONE;
			snprintf(g->msg, sizeof(g->msg), "it stopped answering mid-recording (shut down or died): its trace up to then is kept");
			vs_err("guest %s (%s): %s", g->name, g->where, g->msg);
		}
	}
}

void guest_stop(struct guest *g)
{
	char line[1024];
	unsigned long long d, l;

	if (g->state == GUEST_WAITING) {
		snprintf(g->msg, sizeof(g->msg), "its agent never answered before the recording ended");
		g->state = GUEST_FAILED;
		return;
	}
	if (g->state != GUEST_RECORDING)
		return;
	if (!proto_send(g->fd, "STOP") || !proto_recv(g->fd, line, sizeof(line), 120)) {
		snprintf(g->msg, sizeof(g->msg), "its agent did not answer the end of its session: what reached the host is kept");
		g->state = GUEST_GONE;
	} else if (sscanf(line, "OK discarded=%llu lost=%llu", &d, &l) == 2) {
		g->counts.discarded = d;
		g->counts.lost_packets = l;
		g->counts_known = true;
		g->state = GUEST_STOPPED;
	} else {
		snprintf(g->msg, sizeof(g->msg), "its session ended with an error: %.900s",
			 strncmp(line, "ERR ", 4) ? line : line + 4);
		g->state = GUEST_GONE;
	}
	if (g->state == GUEST_GONE)
		vs_err("guest %s (%s): %s", g->name, g->where, g->msg);
	close(g->fd);
	g->fd = -1;
}
