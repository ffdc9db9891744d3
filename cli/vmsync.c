// SPDX-License-Identifier: GPL-2.0
/*
 * vmsync.c - the vmsync command: one entry point with subcommands, in the
 * way of trace-cmd and perf. record and agent are here; merge, check and
 * guests run the tools that do them (vmsync-merge, vmsync-guests), found
 * beside this program, in the build tree or in PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "util.h"

/* Run tool @name with @argv[1..] (after @extra, if any). */
static int run_tool(const char *name, const char *extra, int argc, char **argv)
{
	char path[PATH_MAX + 64];
	char **args = calloc((size_t)argc + 3, sizeof(*args));
	int k = 0;

	if (!args)
		return 1;
	args[k++] = (char *)name;
	if (extra)
		args[k++] = (char *)extra;
	for (int i = 1; i < argc; i++)
		args[k++] = argv[i];
	execvp(tool_path(name, path, sizeof(path)), args);
	vs_err("cannot run %s: %s (install vmsync's tools: make install-tools)", name,
	       strerror(errno));
	free(args);
	return 127;
}

static int cmd_merge(int argc, char **argv)
{
	return run_tool("vmsync-merge", NULL, argc, argv);
}

static int cmd_check(int argc, char **argv)
{
	return run_tool("vmsync-merge", "--check", argc, argv);
}

static int cmd_report(int argc, char **argv)
{
	return run_tool("vmsync-merge", "--report", argc, argv);
}

/* Sessions already running, live: their relay daemon's URLs to vmsync-merge. */
static int cmd_live(int argc, char **argv)
{
	bool url = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: vmsync live [vmsync merge's options] URL...\n"
			       "Show live LTTng sessions (a host's and its guests') on one timeline as they\n"
			       "record: each URL net://RELAY[:PORT]/host/HOSTNAME/SESSION, of sessions\n"
			       "created with 'lttng create --live' (vmsync record --live shows its own).\n");
			return 0;
		}
		url = url || !strncmp(argv[i], "net://", 6) || !strncmp(argv[i], "net4://", 7) ||
		      !strncmp(argv[i], "net6://", 7);
	}
	if (!url) {
		vs_err("give the live sessions' URLs, net://RELAY[:PORT]/host/HOSTNAME/SESSION ('lttng list' on each machine gives SESSION; vmsync record --live shows its own)");
		return 2;
	}
	return run_tool("vmsync-merge", NULL, argc, argv);
}

static int cmd_guests(int argc, char **argv)
{
	return run_tool("vmsync-guests", NULL, argc, argv);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "record", cmd_record, "record a KVM host and its guests (through lttng-relayd)" },
	{ "merge", cmd_merge, "put guest traces on their host's time, in one timeline" },
	{ "check", cmd_check, "measure a merged timeline against the host's VM entries and exits" },
	{ "report", cmd_report, "why was a guest late: its latencies explained by what the host did to its vCPUs" },
	{ "live", cmd_live, "show live sessions of a host and its guests on one timeline, as they record" },
	{ "guests", cmd_guests, "list the host's VMs and vCPU threads (statedump)" },
	{ "agent", cmd_agent, "in a guest: record for 'vmsync record' on the host, over vsock" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsync COMMAND [ARGS...]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'vmsync COMMAND --help' tells more; man vmsync.\n");
}

int main(int argc, char **argv)
{
	static char prog[64];

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			snprintf(prog, sizeof(prog), "vmsync %s", argv[1]);
			vs_prog = prog;
			return commands[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "vmsync: no command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
