// SPDX-License-Identifier: GPL-2.0
/* live_view.c - see live_view.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live_view.h"
#include "util.h"

/* lttng-live's URL of session @session of machine @hostname. */
static char *live_url(const struct relayd *r, const char *hostname, const char *session)
{
	char *url;

	return asprintf(&url, "net://%s:%u/host/%s/%s", r->host, r->live, hostname, session) < 0 ?
	       NULL : url;
}

pid_t live_view_start(const struct relayd *r, const char *host_session,
		      const struct guest *guests, size_t nr_guests)
{
	char host[256] = "", **argv = calloc(nr_guests + 4, sizeof(*argv));
	size_t n = 0, shown = 0;
	pid_t pid = -1;
	bool ok = argv != NULL;

	gethostname(host, sizeof(host) - 1);
	if (ok) {
		argv[n++] = "vmsync";
		argv[n++] = "merge";
		ok = (argv[n++] = live_url(r, host, host_session)) != NULL;
	}
	for (size_t i = 0; ok && i < nr_guests; i++) {
		if (guests[i].state != GUEST_RECORDING)
			continue;
		ok = (argv[n++] = live_url(r, guests[i].hostname, guests[i].session)) != NULL;
		shown++;
	}
	if (ok)
		pid = fork();
	if (!pid) {
		signal(SIGINT, SIG_IGN);	/* it ends with the sessions */
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (pid < 0)
		vs_err("cannot start the live view: %s", ok ? strerror(errno) : "out of memory");
	else
		vs_info("live view of the host and %zu guest(s), merged on host time; a guest that joins later is recorded, not shown",
			shown);
	for (size_t i = 2; argv && i < n; i++)
		free(argv[i]);
	free(argv);
	return pid > 0 ? pid : 0;
}

void live_view_stop(pid_t viewer)
{
	double end = now_s() + 30;

	if (viewer <= 0)
		return;
	while (waitpid(viewer, NULL, WNOHANG) != viewer) {
		if (now_s() >= end) {
			vs_err("the live view did not end with the sessions: stopping it");
			kill(viewer, SIGTERM);
			waitpid(viewer, NULL, 0);
			return;
		}
		usleep(100000);
	}
}
