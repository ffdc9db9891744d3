// SPDX-License-Identifier: GPL-2.0
/* live_view.c - see live_view.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live_view.h"
#include "util.h"

/* Whether it ended within @wait_s (reaped). */
static bool ended_within(pid_t pid, double wait_s)
{
	double end = now_s() + wait_s;

	do {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		usleep(50000);
	} while (now_s() < end);
	return false;
}

void live_view_stop(struct live_view *v, double wait_s)
{
	if (v->pid <= 0)
		return;
	if (!ended_within(v->pid, wait_s)) {
		/* babeltrace2 ends its graph cleanly on SIGINT. */
		kill(v->pid, SIGINT);
		if (!ended_within(v->pid, 5)) {
			kill(v->pid, SIGKILL);
			waitpid(v->pid, NULL, 0);
		}
	}
	v->pid = 0;
	free(v->shown);
	v->shown = NULL;
}

bool live_view_shows(const struct live_view *v, char *const urls[], size_t n)
{
	char line[600];

	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s\n", urls[i]);
		if (v->pid <= 0 || !v->shown || !strstr(v->shown, line))
			return false;
	}
	return true;
}

bool live_view_start(struct live_view *v, char *const urls[], size_t n)
{
	char path[PATH_MAX + 64];
	char **argv = calloc(n + 2, sizeof(*argv));
	size_t len = 1;
	pid_t pid;

	if (!argv)
		return false;
	live_view_stop(v, 0);
	for (size_t i = 0; i < n; i++)
		len += strlen(urls[i]) + 1;
	v->shown = calloc(len, 1);
	if (!v->shown) {
		free(argv);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		strcat(v->shown, urls[i]);
		strcat(v->shown, "\n");
	}
	/* In the view's own output: where a view (again) begins, and of what. */
	printf("-- vmsync record: live view of %zu session%s:", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		printf(" %s", urls[i]);
	printf(" --\n");
	fflush(stdout);
	argv[0] = "vmsync-merge";
	memcpy(argv + 1, urls, n * sizeof(*urls));
	tool_path("vmsync-merge", path, sizeof(path));
	pid = fork();
	if (!pid) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(path, argv);
		fprintf(stderr, "vmsync record: cannot run vmsync-merge for the live view: %s\n",
			strerror(errno));
		_exit(127);
	}
	free(argv);
	if (pid < 0) {
		vs_err("cannot start the live view: %s", strerror(errno));
		free(v->shown);
		v->shown = NULL;
		return false;
	}
	v->pid = pid;
	vs_info("live view of %zu session%s (vmsync-merge %s%s)", n, n == 1 ? "" : "s", urls[0],
		n > 1 ? " ..." : "");
	return true;
}
