// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - vmsync record: on a KVM host, record the host's kvm_tsc_*
 * events (and the events asked for) and its guests' traces, through a relay
 * daemon of its own, into one directory that vmsync merge takes as it is.
 * Guests are reached through their vmsync agent over vsock, or over their
 * network (guest.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "guest.h"
#include "live_view.h"
#include "net.h"
#include "proto.h"
#include "proxy.h"
#include "relayd.h"
#include "session.h"
#include "summary.h"
#include "util.h"

#define HOST_SESSION "vmsync-host"

static volatile sig_atomic_t stop_asked;

static void on_signal(int sig)
{
	(void)sig;
	stop_asked = 1;
}

struct options {
	struct strlist kernel, ust;
	struct guest *guests;
	size_t nr_guests;
	bool tsc, modes, live;
	const char *out;
	uint16_t relayd_port;
	const char *relayd_url;		/* a relay daemon elsewhere, or NULL */
	double wait_guest_s;
	char **command;
};

/* What is up, to take down in reverse whatever happens. */
struct state {
	const char *loaded[8];
	size_t nr_loaded;
	pid_t sessiond;
	struct relayd relayd;
	struct proxy *ctrl, *data;
	bool host_started, recorded;
	struct session_counts host;
	pid_t child;
	struct live_view view;	/* --live */
	double regen_at[2];	/* --live: when to dump the host's state again (now_s()) */
};

/* LTTng's live timer: what a live session's viewer sees is this old at most. */
#define LIVE_TIMER_US 1000000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmsync record [-A GUEST@CID|GUEST@ADDRESS[:PORT]]... [-e EVENT]...\n"
		"                     [-u UST_EVENT]...\n"
		"                     [--clock tsc|default] [--modes] [--live] [-o DIR]\n"
		"                     [--relayd-port PORT | --relayd URL] [--wait-guest S] [-q]\n"
		"                     [-- COMMAND...]\n"
		"On a KVM host: record the host's kvm_tsc_* events and the guests named with -A\n"
		"(each runs 'vmsync agent'), until COMMAND ends or Ctrl-C, into DIR.\n"
		"  -A GUEST@CID      a guest and its vsock CID; one not up yet is waited for\n"
		"  -A GUEST@ADDRESS[:PORT]  a guest reached over its network instead (its agent\n"
		"                    runs with --net): it streams to the relay daemon directly\n"
		"  -e EVENT          a kernel event to record on the host and in the guests\n"
		"                    (wildcards as lttng's; guests record lttng_logger without -e)\n"
		"  -u UST_EVENT      a user-space (LTTng-UST) event, on the host and in the guests\n"
		"  --clock tsc       exact mode (default): every machine on vmsync's TSC clock\n"
		"  --clock default   LTTng's clock, with kvm_tsc_sync beacons on every machine\n"
		"  --modes           also every VM entry and exit (kvm_vcpu_*), for vmsync check\n"
		"  --live            live sessions, and their merged timeline on standard\n"
		"                    output while they record (vmsync live on their URLs)\n"
		"  -o DIR            where the traces go (vmsync-record-DATE-TIME)\n"
		"  --relayd-port P   the relay daemon's ports: P, P+1, P+2 (%u)\n"
		"  --relayd URL      record into the relay daemon at [net://]HOST[:CTRL[:DATA]]\n"
		"                    (a central one, for several hosts) instead of one of its own\n"
		"  --wait-guest S    how long to wait for a guest's agent (60 s)\n"
		"  -q                print only warnings and errors\n",
		VMSYNC_RELAYD_PORT);
}

static bool parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "clock", required_argument, NULL, 'c' },
		{ "modes", no_argument, NULL, 'm' },
		{ "live", no_argument, NULL, 'L' },
		{ "relayd-port", required_argument, NULL, 'P' },
		{ "relayd", required_argument, NULL, 'R' },
		{ "wait-guest", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	o->tsc = true;
	o->relayd_port = VMSYNC_RELAYD_PORT;
	o->wait_guest_s = 60;
	while ((c = getopt_long(argc, argv, "+A:e:u:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'A': {
			struct guest *g = realloc(o->guests, (o->nr_guests + 1) * sizeof(*g));

			if (!g)
				return false;
			o->guests = g;
			if (!guest_parse(&g[o->nr_guests], optarg))
				return false;
			for (size_t i = 0; i < o->nr_guests; i++)
				if (!strcmp(g[i].where, g[o->nr_guests].where) ||
				    !strcmp(g[i].name, g[o->nr_guests].name)) {
					vs_err("-A %s: guest %s or %s is named twice", optarg,
					       g[i].name, g[i].where);
					return false;
				}
			o->nr_guests++;
			break;
		}
		case 'e':
			if (!strlist_add_split(&o->kernel, optarg))
				return false;
			break;
		case 'u':
			if (!strlist_add_split(&o->ust, optarg))
				return false;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'c':
			if (strcmp(optarg, "tsc") && strcmp(optarg, "default")) {
				vs_err("--clock: '%s' is not a clock mode: tsc (exact) or default (beacons)",
				       optarg);
				return false;
			}
			o->tsc = !strcmp(optarg, "tsc");
			break;
		case 'm':
			o->modes = true;
			break;
		case 'L':
			o->live = true;
			break;
		case 'P':
			if (!parse_uint(optarg, 1, 65533, &v)) {
				vs_err("--relayd-port: '%s' is not a TCP port from 1 to 65533 (it takes three)",
				       optarg);
				return false;
			}
			o->relayd_port = (uint16_t)v;
			break;
		case 'R':
			o->relayd_url = optarg;
			break;
		case 'w':
			if (!parse_uint(optarg, 0, 86400, &v)) {
				vs_err("--wait-guest: '%s' is not a number of seconds (0 to 86400)", optarg);
				return false;
			}
			o->wait_guest_s = (double)v;
			break;
		case 'q':
			vs_verbose = false;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return false;
		}
	}
	o->command = optind < argc ? argv + optind : NULL;
	return true;
}

static bool load(struct state *s, const char *mod, const char *why)
{
	int st = module_load(mod, NULL);

	if (st < 0) {
		vs_err("cannot load %s (%s): install vmsync's modules for this kernel ('make install' in vmsync's tree, or 'make dkms-add'); 'modprobe %s' says why",
		       mod, why, mod);
		return false;
	}
	if (st > 0)
		s->loaded[s->nr_loaded++] = mod;
	return true;
}

/* How many guests are reached over vsock, and over the network. */
static size_t vsock_guests(const struct options *o)
{
	size_t n = 0;

	for (size_t i = 0; i < o->nr_guests; i++)
		n += o->guests[i].cid != 0;
	return n;
}

static size_t net_guests(const struct options *o)
{
	return o->nr_guests - vsock_guests(o);
}

/* The modules the mode needs, before LTTng's session daemon. */
static bool host_modules(const struct options *o, struct state *s)
{
	/* The clock plugin goes in before LTTng's tracer takes its clock. */
	return (o->tsc ? load(s, "lttng-clock-tsc", "vmsync's TSC clock for LTTng, --clock tsc") :
		load(s, "kvm_tsc_sync", "the beacons of --clock default")) &&
	       load(s, "kvm_tsc_offset", "vmsync's kvm_tsc_* events") &&
	       (!vsock_guests(o) || load(s, "vhost_vsock", "vsock to the guests' agents"));
}

/* A session daemon with vmsync's probes: ours, or the one running. */
static bool host_sessiond(const struct options *o, struct state *s)
{
	bool tsc_probe = module_loaded("lttng-probe-kvm-tsc");
	bool vcpu_probe = module_loaded("lttng-probe-kvm-vcpu");
	char err[1024];

	if (!sessiond_ensure(o->modes ? "kvm-tsc,kvm-vcpu" : "kvm-tsc",
			     o->tsc ? ust_clock_plugin() : NULL, &s->sessiond, err, sizeof(err))) {
		vs_err("%s", err);
		return false;
	}
	if (o->tsc && o->ust.n && (!s->sessiond || !ust_clock_plugin()))
		vs_err("user-space events in exact mode: %s", s->sessiond ?
		       "no liblttng-ust-clock-tsc.so found (make install): they are on LTTng's clock" :
		       "a session daemon was running: its user-space packets are on the TSC clock only if it was started with LTTNG_UST_CLOCK_PLUGIN (doc/clocks.md)");
	/* The probes a session daemon of ours loaded go with it. */
	if (s->sessiond && !tsc_probe)
		s->loaded[s->nr_loaded++] = "lttng-probe-kvm-tsc";
	if (s->sessiond && o->modes && !vcpu_probe)
		s->loaded[s->nr_loaded++] = "lttng-probe-kvm-vcpu";
	/* One was running: its probes are ours to load. */
	return s->sessiond || (load(s, "lttng-probe-kvm-tsc", "LTTng's probe of kvm_tsc_*") &&
			       (!o->modes || load(s, "lttng-probe-kvm-vcpu",
						  "LTTng's probe of kvm_vcpu_*")));
}

/* The relay daemon, and the vsock ports that carry the guests' streams to it. */
static bool host_relay(const struct options *o, struct state *s)
{
	char err[1024];

	if (o->relayd_url ? !relayd_use(&s->relayd, o->relayd_url, err, sizeof(err)) :
	    !relayd_start(&s->relayd, o->out, o->relayd_port, net_guests(o) > 0, err,
			  sizeof(err))) {
		vs_err("%s", err);
		return false;
	}
	if (!o->relayd_url && net_guests(o))
		vs_info("the relay daemon takes streams on every address (ports %u and %u), for the guests reached over their network",
			s->relayd.ctrl, s->relayd.data);
	if (!vsock_guests(o))
		return true;
	s->ctrl = proxy_vsock_to_tcp(VMSYNC_RELAY_VPORT_CTRL, 0, s->relayd.host, s->relayd.ctrl);
	s->data = s->ctrl ? proxy_vsock_to_tcp(VMSYNC_RELAY_VPORT_DATA, 0, s->relayd.host,
					       s->relayd.data) : NULL;
	if (!s->data) {
		vs_err("cannot listen on vsock ports %u and %u for the guests' streams: %s",
		       VMSYNC_RELAY_VPORT_CTRL, VMSYNC_RELAY_VPORT_DATA, strerror(errno));
		return false;
	}
	return true;
}

/* The host's session: kvm_tsc_* (and kvm_vcpu_*) and the events asked for. */
static bool host_session(const struct options *o, struct state *s)
{
	struct strlist kernel = { 0 };
	char err[1024], url[128];
	bool ok;

	ok = strlist_add(&kernel, "kvm_tsc_*") && (!o->modes || strlist_add(&kernel, "kvm_vcpu_*"));
	for (size_t i = 0; ok && i < o->kernel.n; i++)
		ok = strlist_add(&kernel, o->kernel.v[i]);
	snprintf(url, sizeof(url), "net://%s:%u:%u", s->relayd.host, s->relayd.ctrl, s->relayd.data);
	if (ok)
		ok = session_start(&(struct session_spec){ HOST_SESSION, url,
							   o->live ? LIVE_TIMER_US : 0, &kernel,
							   &o->ust }, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "out of memory");
	strlist_free(&kernel);
	if (!ok) {
		vs_err("host: %s", err);
		return false;
	}
	s->host_started = s->recorded = true;
	if (o->relayd_url)
		vs_info("recording the host into the relay daemon at %s:%u", s->relayd.host,
			s->relayd.ctrl);
	else
		vs_info("recording the host into %s (relay daemon on 127.0.0.1:%u)", o->out,
			s->relayd.ctrl);
	return true;
}

/* The host, in order; take_down() undoes whatever of it is up. */
static bool set_up(const struct options *o, struct state *s)
{
	if (geteuid()) {
		vs_err("recording the kernel needs root: run it with sudo");
		return false;
	}
	if (!o->relayd_url && mkdir(o->out, 0755) < 0 && errno != EEXIST) {
		vs_err("-o %s: cannot create it: %s", o->out, strerror(errno));
		return false;
	}
	return host_modules(o, s) && host_sessiond(o, s) && host_relay(o, s) &&
	       host_session(o, s);
}

static void take_down(const struct options *o, struct state *s)
{
	char err[1024];

	for (size_t i = 0; i < o->nr_guests; i++)
		guest_stop(&o->guests[i]);
	if (s->host_started && !session_end(HOST_SESSION, &s->host, err, sizeof(err)))
		vs_err("host: %s", err);
	s->host_started = false;
	/* Its sessions destroyed, the view ends by itself once it read them. */
	live_view_stop(&s->view, 10);
	/* The guests' streams end once their sessions did; then the relay daemon's. */
	proxy_close(s->data, 30);
	proxy_close(s->ctrl, 30);
	s->data = s->ctrl = NULL;
	relayd_stop(&s->relayd);
	sessiond_stop(s->sessiond);
	s->sessiond = 0;
	while (s->nr_loaded)
		if (!module_unload(s->loaded[--s->nr_loaded]))
			vs_err("module %s stays loaded (in use by another tracing session?)",
			       s->loaded[s->nr_loaded]);
}

/* COMMAND, in exact mode with its user-space events on the TSC clock. */
static pid_t start_command(char **argv, bool tsc)
{
	pid_t pid = fork();

	if (!pid) {
		const char *clock = ust_clock_plugin();

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (tsc && clock)
			setenv("LTTNG_UST_CLOCK_PLUGIN", clock, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "vmsync record: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * --live: the view shows the host's session and every guest's that records;
 * started again when a guest begins (one viewer per session: the old first).
 */
static void live_view_update(const struct options *o, struct state *s)
{
	char *urls[1 + 64], buf[1 + 64][512], host[256] = "localhost";
	size_t n = 0;

	gethostname(host, sizeof(host) - 1);
	snprintf(buf[n], sizeof(buf[n]), "net://%s:%u/host/%s/%s", s->relayd.host,
		 s->relayd.live, host, HOST_SESSION);
	urls[n] = buf[n];
	n++;
	for (size_t i = 0; i < o->nr_guests && n < sizeof(urls) / sizeof(urls[0]); i++)
		if (o->guests[i].state == GUEST_RECORDING) {
			snprintf(buf[n], sizeof(buf[n]), "net://%s:%u/host/%s/%s", s->relayd.host,
				 s->relayd.live, o->guests[i].hostname, o->guests[i].session);
			urls[n] = buf[n];
			n++;
		}
	/* A guest that went away drops out of the next view, not this one. */
	if (!live_view_shows(&s->view, urls, n) && live_view_start(&s->view, urls, n)) {
		/*
		 * A new viewer sees what is recorded from when it attached: the
		 * host's VMs and offsets, dumped at its start, are dumped again
		 * once it had time to attach (a few seconds), and later again.
		 */
		s->regen_at[0] = now_s() + 3;
		s->regen_at[1] = now_s() + 15;
	}
	for (size_t i = 0; i < 2; i++)
		if (s->regen_at[i] && now_s() >= s->regen_at[i]) {
			char err[512];

			s->regen_at[i] = 0;
			if (!session_regenerate_statedump(HOST_SESSION, err, sizeof(err)))
				vs_err("live view: %s: the view may not know the host's VMs", err);
		}
}

/* Until COMMAND ends or a stop is asked; guests come and go meanwhile. */
static int record_loop(const struct options *o, struct state *s)
{
	/*
	 * A relay daemon elsewhere is streamed to at its address; vmsync
	 * record's own, or one on this host's loopback, at this host's address
	 * as each guest sees it (its agent knows it).
	 */
	struct guest_config gc = { o->tsc, &o->kernel, &o->ust, o->wait_guest_s,
				   o->live ? LIVE_TIMER_US : 0,
				   o->relayd_url && !net_is_loopback(s->relayd.host) ?
				   s->relayd.host : NULL, s->relayd.ctrl, s->relayd.data };
	int status = 0;

	if (o->command) {
		s->child = start_command(o->command, o->tsc);
		if (s->child < 0) {
			vs_err("cannot start %s: %s", o->command[0], strerror(errno));
			return 1;
		}
	} else {
		vs_info("recording until Ctrl-C");
	}
	for (;;) {
		int st;

		for (size_t i = 0; i < o->nr_guests; i++)
			guest_poll(&o->guests[i], &gc);
		if (o->live)
			live_view_update(o, s);
		if (stop_asked) {
			vs_info("stopping");
			break;
		}
		if (s->child > 0 && waitpid(s->child, &st, WNOHANG) == s->child) {
			s->child = 0;
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			vs_info("%s ended (status %d): stopping", o->command[0], status);
			break;
		}
		usleep(200000);
	}
	if (s->child > 0) {	/* stopped by a signal: COMMAND got it too, if it was Ctrl-C */
		kill(s->child, SIGTERM);
		waitpid(s->child, NULL, 0);
		s->child = 0;
	}
	return status;
}

int cmd_record(int argc, char **argv)
{
	struct options o = { 0 };
	struct state s = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char out[64];
	int status = 1;

	if (!parse(argc, argv, &o))
		goto out;
	if (!o.out) {
		time_t t = time(NULL);

		strftime(out, sizeof(out), "vmsync-record-%Y%m%d-%H%M%S", localtime(&t));
		o.out = out;
	}
	/* From here on a Ctrl-C stops cleanly: nothing is left behind. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (set_up(&o, &s) && !stop_asked)
		status = record_loop(&o, &s);
	take_down(&o, &s);
	/* Recorded, even in part: say what, and whether all of it. */
	if (s.recorded && !summary_print(o.relayd_url ? NULL : o.out, HOST_SESSION, &s.host,
					 o.guests, o.nr_guests) && !status)
		status = 1;
out:
	strlist_free(&o.kernel);
	strlist_free(&o.ust);
	free(o.guests);
	return status;
}
