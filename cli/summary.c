// SPDX-License-Identifier: GPL-2.0
/* summary.c - see summary.h. */
#define _GNU_SOURCE
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "summary.h"

static struct strlist traces;	/* every directory with a CTF metadata file */

static int found(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	if (type == FTW_F && !strcmp(path + f->base, "metadata")) {
		char *dir = strndup(path, (size_t)f->base - 1);

		if (!dir || !strlist_add(&traces, dir)) {
			free(dir);
			return 1;
		}
		free(dir);
	}
	return 0;
}

/*
 * Whether trace @path belongs to session @name: the relay daemon writes
 * HOST/NAME-YYYYmmdd-HHMMSS/DOMAIN...
 */
static bool of_session(const char *path, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(path, name); p; p = strstr(p + 1, name)) {
		const char *t = p + n;

		if (p[-1] != '/' || t[0] != '-')
			continue;
		t++;
		if (strspn(t, "0123456789") == 8 && t[8] == '-' && strspn(t + 9, "0123456789") == 6 &&
		    (t[15] == '/' || !t[15]))
			return true;
	}
	return false;
}

/* Events in trace @path (sink.utils.counter), or -1 when it cannot be read. */
static long long count_events(const char *path)
{
	char cmd[8192], line[256];
	long long n = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "babeltrace2 '%s' -c sink.utils.counter 2>/dev/null", path);
	if (strchr(path, '\''))
		return -1;
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "Event messages"))
			n = strtoll(line, NULL, 10);
	if (f && pclose(f))
		n = -1;
	return n;
}

/*
 * Print the traces of session @name; false when there is none (@remote:
 * they are elsewhere, none is looked for).
 */
static bool print_traces(const char *label, const char *name, const struct session_counts *c,
			 bool counts_known, const char *msg, bool remote)
{
	bool any = remote;

	for (size_t i = 0; i < traces.n; i++) {
		long long n;

		if (!of_session(traces.v[i], name))
			continue;
		n = count_events(traces.v[i]);
		any = true;
		if (n < 0)
			printf("  %-24s unreadable trace: %s\n", label, traces.v[i]);
		else
			printf("  %-24s %lld events%s  %s\n", label, n,
			       counts_known ? "" : " (discarded: unknown)", traces.v[i]);
	}
	if (counts_known)
		printf("  %-24s %" PRIu64 " events discarded, %" PRIu64 " packets lost\n", label,
		       c->discarded, c->lost_packets);
	if (msg && *msg)
		printf("  %-24s %s\n", label, msg);
	if (!any)
		printf("  %-24s no trace\n", label);
	return any;
}

bool summary_print(const char *dir, const char *host_session, const struct session_counts *host,
		   const struct guest *guests, size_t nr_guests)
{
	char label[400];
	bool ok;

	strlist_free(&traces);
	if (dir) {
		nftw(dir, found, 16, FTW_PHYS);
		printf("vmsync record: traces in %s:\n", dir);
	} else {
		printf("vmsync record: traces on the relay daemon, under its output directory (HOSTNAME/%s-DATE-TIME, and each guest's):\n",
		       host_session);
	}
	ok = print_traces("host", host_session, host, true, NULL, !dir);
	for (size_t i = 0; i < nr_guests; i++) {
		const struct guest *g = &guests[i];

		snprintf(label, sizeof(label), "guest %s (%s)", g->name, g->where);
		if (g->state == GUEST_FAILED) {
			printf("  %-24s not recorded: %s\n", label, g->msg);
			ok = false;
			continue;
		}
		if (!print_traces(label, g->session, &g->counts, g->counts_known, g->msg, !dir))
			ok = false;
	}
	printf("Merge them: vmsync merge %s\n", dir ? dir : "DIR (the relay daemon's)");
	strlist_free(&traces);
	return ok;
}
