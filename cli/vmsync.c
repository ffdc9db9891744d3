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
	char self[PATH_MAX], path[PATH_MAX + 64], *dir;
	char **args = calloc((size_t)argc + 3, sizeof(*args));
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	/* Beside it (installed), or where the build tree keeps it. */
	static const char *const where[] = { "%s/%s", "%s/../../plugin/%s", "%s/../../build/bin/%s" };
	int k = 0;

	if (!args)
		return 1;
	args[k++] = (char *)name;
	if (extra)
		args[k++] = (char *)extra;
	for (int i = 1; i < argc; i++)
		args[k++] = argv[i];
	if (n > 0) {
		self[n] = '\0';
		dir = strrchr(self, '/');
		if (dir)
			*dir = '\0';
		for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
			snprintf(path, sizeof(path), where[i], self, name);
			if (!access(path, X_OK))
				execv(path, args);
		}
	}
	execvp(name, args);
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
