// SPDX-License-Identifier: GPL-2.0
/*
 * agent.c - vmsync agent: in a guest, record for vmsync record on the host.
 * It listens on vsock, takes commands from the host only (CID 2), loads the
 * modules the clock mode needs before LTTng's, starts the guest's session,
 * and carries its stream to the host's relay daemon over vsock: the guest
 * needs no network. With --net HOST it also listens on TCP, taking commands
 * from HOST's address only, and its session then streams to the relay
 * daemon over the network (at the address the command came from, unless
 * vmsync record names the relay daemon's).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "net.h"
#include "proto.h"
#include "proxy.h"
#include "session.h"
#include "util.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

struct recording {		/* what one START set up, undone at its end */
	char name[128];
	char url[400];		/* where its session streams */
	pid_t sessiond;
	struct proxy *ctrl, *data;
	const char *loaded[4];	/* modules loaded for it, in order */
	size_t nr_loaded;
	bool started;
};

static bool load(struct recording *r, const char *mod, char *err, size_t len)
{
	int st = module_load(mod, NULL);

	if (st < 0) {
		snprintf(err, len, "cannot load module %s in the guest: install vmsync's modules there ('make install' in vmsync's tree, or its DKMS package)%s",
			 mod, strcmp(mod, "lttng-clock-tsc") ? "" :
			 "; on a CPU without an invariant TSC, load it first with assume_invariant=1 if the TSC is known to be stable");
		return false;
	}
	if (st > 0)
		r->loaded[r->nr_loaded++] = mod;
	return true;
}

/* Set up and start the guest's session for START line @cmd. */
static bool start(struct recording *r, const char *cmd, const char *peer, char *err, size_t len)
{
	char clock[16], ctrl[16], data[16], live[16], kern[2048], ust[2048], *url = r->url;
	char via[16], relay[256] = "";
	struct strlist kernel = { 0 }, user = { 0 };
	unsigned long cport, dport, live_us = 0;
	uint16_t lc, ld;
	bool ok = false, tsc, net = proto_has(cmd, "via");	/* via=net: checked below */

	if (!proto_arg(cmd, "name", r->name, sizeof(r->name)) ||
	    !proto_arg(cmd, "clock", clock, sizeof(clock)) ||
	    !proto_arg(cmd, "ctrl", ctrl, sizeof(ctrl)) || !proto_arg(cmd, "data", data, sizeof(data)) ||
	    !proto_arg(cmd, "kernel", kern, sizeof(kern)) || !proto_arg(cmd, "ust", ust, sizeof(ust)) ||
	    !parse_uint(ctrl, 1, UINT32_MAX, &cport) || !parse_uint(data, 1, UINT32_MAX, &dport) ||
	    /* Optional, but whole when there. */
	    (proto_has(cmd, "live") && (!proto_arg(cmd, "live", live, sizeof(live)) ||
					!parse_uint(live, 0, UINT32_MAX, &live_us))) ||
	    (net && (!proto_arg(cmd, "via", via, sizeof(via)) || strcmp(via, "net"))) ||
	    (proto_has(cmd, "relay") && (!proto_arg(cmd, "relay", relay, sizeof(relay)) ||
					 !relay[0])) ||
	    (net && (cport > 65535 || dport > 65535)) ||
	    (strcmp(clock, "tsc") && strcmp(clock, "default"))) {
		snprintf(err, len, "malformed START command (vmsync record and agent of different versions?): %.200s",
			 cmd);
		return false;
	}
	tsc = !strcmp(clock, "tsc");
	if (net && !peer) {
		snprintf(err, len, "a guest commanded over vsock streams over vsock (via=net asked)");
		return false;
	}
	if ((strcmp(kern, "-") && !strlist_add_split(&kernel, kern)) ||
	    (strcmp(ust, "-") && !strlist_add_split(&user, ust))) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	/* The clock plugin goes in before LTTng's tracer takes its clock. */
	if (tsc ? !load(r, "lttng-clock-tsc", err, len) : !load(r, "kvm_tsc_sync", err, len))
		goto out;
	if (!tsc && !strlist_add(&kernel, "kvm_tsc_sync")) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	if (!sessiond_ensure(tsc ? NULL : "kvm-tsc", tsc ? ust_clock_plugin() : NULL, &r->sessiond,
			     err, len))
		goto out;
	if (tsc && user.n && (!r->sessiond || !ust_clock_plugin()))
		vs_err("user-space events in exact mode: %s", r->sessiond ?
		       "no liblttng-ust-clock-tsc.so found (make install): they are on LTTng's clock" :
		       "a session daemon was running: its user-space packets are on the TSC clock only if it was started with LTTNG_UST_CLOCK_PLUGIN (doc/clocks.md)");
	if (!tsc && !r->sessiond && !load(r, "lttng-probe-kvm-tsc", err, len))
		goto out;
	if (net) {
		/* Straight to the relay daemon, over the guest's network. */
		snprintf(url, sizeof(r->url), "net://%s:%lu:%lu", relay[0] ? relay : peer, cport, dport);
	} else {
		r->ctrl = proxy_tcp_to_vsock(&lc, VMADDR_CID_HOST, (uint32_t)cport);
		r->data = r->ctrl ? proxy_tcp_to_vsock(&ld, VMADDR_CID_HOST, (uint32_t)dport) :
			  NULL;
		if (!r->data) {
			snprintf(err, len, "cannot listen on a local TCP port for the stream: %s",
				 strerror(errno));
			goto out;
		}
		snprintf(url, sizeof(r->url), "net://127.0.0.1:%u:%u", lc, ld);
	}
	ok = session_start(&(struct session_spec){ r->name, url, (unsigned int)live_us,
						   &kernel, &user }, err, len);
	r->started = ok;
out:
	strlist_free(&kernel);
	strlist_free(&user);
	return ok;
}

/* Undo what start() did, in reverse; the session's counts in @c. */
static bool finish(struct recording *r, struct session_counts *c, char *err, size_t len)
{
	bool ok = true;

	if (r->started)
		ok = session_end(r->name, c, err, len);
	r->started = false;
	/* The relay daemon closes the streams once the session ended. */
	proxy_close(r->data, 10);
	proxy_close(r->ctrl, 10);
	r->data = r->ctrl = NULL;
	sessiond_stop(r->sessiond);
	r->sessiond = 0;
	while (r->nr_loaded)
		if (!module_unload(r->loaded[--r->nr_loaded]))
			vs_err("module %s stays loaded (in use)", r->loaded[r->nr_loaded]);
	return ok;
}

/*
 * One connection from the host: a whole recording. @peer: the host's IPv4
 * address when it came over the network, NULL over vsock. Whether the host
 * asked for a recording (START), however it went: a connection that ends
 * before is no recording (a port forwarder delivers connections the host
 * gave up on while the guest booted).
 */
static bool serve(int fd, const char *hostname, const char *peer)
{
	struct recording r = { 0 };
	char line[8192], err[1024], reply[1200];
	bool asked = false;

	if (!proto_recv(fd, line, sizeof(line), 30) ||
	    strcmp(line, "HELLO vmsync " VMSYNC_PROTO_VERSION)) {
		vs_err("a connection from the host without vmsync's greeting: closed");
		return false;
	}
	snprintf(reply, sizeof(reply), "HELLO vmsync %s %s", VMSYNC_PROTO_VERSION, hostname);
	if (!proto_send(fd, reply))
		return false;
	while (!stopping) {
		struct session_counts c = { 0 };

		/* A second at a time: a SIGTERM between two looks is seen soon. */
		if (!proto_recv(fd, line, sizeof(line), 1)) {
			if (errno == EINTR || errno == ETIMEDOUT)
				continue;
			/* The host went away: keep what was recorded, end cleanly. */
			if (r.started)
				vs_err("the host closed the connection mid-recording: ending session %s",
				       r.name);
			else if (!asked)
				vs_info("the host closed the connection before asking for a recording: waiting for another");
			break;
		}
		if (!strncmp(line, "START ", 6) && !r.started) {
			asked = true;
			err[0] = '\0';
			if (start(&r, line, peer, err, sizeof(err))) {
				vs_info("recording session %s for the host, streaming to %s%s", r.name,
					r.url, peer ? "" : " (over vsock)");
				proto_send(fd, "OK");
			} else {
				finish(&r, &c, reply, sizeof(reply));
				vs_err("%s", err);
				snprintf(reply, sizeof(reply), "ERR %s", err);
				proto_send(fd, reply);
			}
		} else if (!strcmp(line, "STOP") && r.started) {
			if (finish(&r, &c, err, sizeof(err)))
				snprintf(reply, sizeof(reply), "OK discarded=%llu lost=%llu",
					 (unsigned long long)c.discarded,
					 (unsigned long long)c.lost_packets);
			else
				snprintf(reply, sizeof(reply), "ERR %s", err);
			vs_info("session %s ended: %s", r.name, reply);
			proto_send(fd, reply);
			break;
		} else {
			snprintf(reply, sizeof(reply), "ERR unexpected command: %.100s", line);
			proto_send(fd, reply);
		}
	}
	{
		struct session_counts c = { 0 };

		if (!finish(&r, &c, err, sizeof(err)))
			vs_err("%s", err);
	}
	return asked;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsync agent [--port VPORT] [--net HOST [--tcp-port PORT]] [--once] [-q]\n"
		"In a guest: wait for vmsync record on the host (vsock CID 2) and record for it.\n"
		"  --port VPORT     vsock port to listen on (%u)\n"
		"  --net HOST       also take commands over the network, from HOST's address only\n"
		"                   (the host as this guest sees it); the guest's session then\n"
		"                   streams to the relay daemon over the network\n"
		"  --tcp-port PORT  the TCP port for --net (%u)\n"
		"  --once           end after one recording (asked for, even if it failed)\n"
		"  -q               print only errors\n", VMSYNC_AGENT_PORT, VMSYNC_AGENT_PORT);
}

static int listen_vsock(uint32_t port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				 .svm_port = port };
	int e, fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0)) {
		e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	return fd;
}

/*
 * Take one connection on @lfd if it comes from the host (vsock CID 2, or
 * IPv4 @allowed); the peer's address in @peer for TCP, "" for vsock.
 */
static int accept_host(int lfd, bool tcp, const char *allowed, char *peer, size_t len)
{
	union {
		struct sockaddr_vm vm;
		struct sockaddr_in in;
	} a;
	socklen_t alen = sizeof(a);
	int fd = accept4(lfd, (struct sockaddr *)&a, &alen, SOCK_CLOEXEC);

	peer[0] = '\0';
	if (fd < 0)
		return -1;
	if (!tcp) {
		if (a.vm.svm_cid == VMADDR_CID_HOST)
			return fd;
		vs_err("refused a connection from CID %u: only the host (CID 2) commands the agent",
		       a.vm.svm_cid);
	} else {
		inet_ntop(AF_INET, &a.in.sin_addr, peer, (socklen_t)len);
		if (!strcmp(peer, allowed)) {
			tcp_keepalive(fd);
			return fd;
		}
		vs_err("refused a connection from %s: only the host (--net %s) commands the agent",
		       peer, allowed);
	}
	close(fd);
	return -1;
}

int cmd_agent(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "net", required_argument, NULL, 'n' },
		{ "tcp-port", required_argument, NULL, 't' },
		{ "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char hostname[256] = "", allowed[INET_ADDRSTRLEN] = "";
	uint32_t vport = VMSYNC_AGENT_PORT;
	uint16_t tport = VMSYNC_AGENT_PORT;
	const char *net = NULL;
	unsigned long v;
	bool once = false, asked;
	int c, lfd[2] = { -1, -1 };	/* vsock, TCP */

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_uint(optarg, 1, UINT32_MAX - 1, &v)) {
				vs_err("--port: '%s' is not a vsock port (1 to 4294967294)", optarg);
				return 2;
			}
			vport = (uint32_t)v;
			break;
		case 'n':
			net = optarg;
			break;
		case 't':
			if (!parse_uint(optarg, 1, 65535, &v)) {
				vs_err("--tcp-port: '%s' is not a TCP port (1 to 65535)", optarg);
				return 2;
			}
			tport = (uint16_t)v;
			break;
		case '1':
			once = true;
			break;
		case 'q':
			vs_verbose = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (net && !net_resolve(net, allowed, sizeof(allowed))) {
		vs_err("--net %s: no IPv4 address for it: give the host's address as this guest sees it",
		       net);
		return 2;
	}
	gethostname(hostname, sizeof(hostname) - 1);
	for (char *p = hostname; *p; p++)	/* one word of the protocol */
		if (*p == ' ')
			*p = '_';
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (tport != VMSYNC_AGENT_PORT && !net) {
		vs_err("--tcp-port: the agent listens on TCP only with --net HOST");
		return 2;
	}
	lfd[0] = listen_vsock(vport);
	if (lfd[0] < 0 && net) {
		/* Without vsock, an agent reached over the network still serves. */
		vs_info("not listening on vsock port %u (%s): over the network only",
			vport, strerror(errno));
	} else if (lfd[0] < 0) {
		vs_err("cannot listen on vsock port %u: %s%s", vport, strerror(errno),
		       errno == EAFNOSUPPORT || errno == ENODEV ?
		       " (no vsock in this guest: give its VM a vhost-vsock-pci device and load vmw_vsock_virtio_transport)" :
		       errno == EADDRINUSE ? " (another agent runs)" : "");
		return 1;
	} else {
		vs_info("listening on vsock port %u for vmsync record on the host", vport);
	}
	if (net) {
		lfd[1] = tcp_listen_any(tport);
		if (lfd[1] < 0) {
			vs_err("cannot listen on TCP port %u: %s%s", tport, strerror(errno),
			       errno == EADDRINUSE ? " (another agent runs? --tcp-port)" : "");
			if (lfd[0] >= 0)
				close(lfd[0]);
			return 1;
		}
		vs_info("listening on TCP port %u for vmsync record on %s", tport, allowed);
	}
	while (!stopping) {
		struct pollfd p[2] = { { lfd[0], POLLIN, 0 }, { lfd[1], POLLIN, 0 } };
		char peer[INET_ADDRSTRLEN];
		int fd = -1;

		if (poll(p, 2, 500) <= 0)
			continue;
		for (int i = 0; i < 2 && fd < 0; i++)
			if (p[i].revents & POLLIN)
				fd = accept_host(lfd[i], i == 1, allowed, peer, sizeof(peer));
		if (fd < 0)
			continue;
		asked = serve(fd, hostname, peer[0] ? peer : NULL);
		close(fd);
		if (once && asked)
			break;
	}
	for (int i = 0; i < 2; i++)
		if (lfd[i] >= 0)
			close(lfd[i]);
	return 0;
}
