// SPDX-License-Identifier: GPL-2.0
/*
 * tscmark: marker events bracketed by raw TSC reads, the ground truth of
 * the clock tests. For each mark i it reads the TSC (t0), writes
 * "vmsync-mark i" to /proc/lttng-logger (kernel event lttng_logger), reads
 * the TSC again (t1); with --ust it then does the same around the
 * LTTng-UST event vmsync_test:mark (seq = i). Prints one line per event:
 *   kmark I T0 T1
 *   umark I T0 T1
 * --msg TEXT writes "TEXT i" instead, --first N numbers from N (1).
 * Usage: tscmark [--ust] [--gap-us U] [--msg TEXT] [--first N] COUNT
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x86intrin.h>

#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#include "tscmark_tp.h"

static uint64_t tsc(void)
{
	_mm_lfence();
	return __rdtsc();
}

int main(int argc, char **argv)
{
	unsigned int gap_us = 20000;
	const char *text = "vmsync-mark";
	bool ust = false;
	int count = 0, first = 1, fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ust"))
			ust = true;
		else if (!strcmp(argv[i], "--gap-us") && i + 1 < argc)
			gap_us = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--msg") && i + 1 < argc)
			text = argv[++i];
		else if (!strcmp(argv[i], "--first") && i + 1 < argc)
			first = atoi(argv[++i]);
		else
			count = atoi(argv[i]);
	}
	if (count < 1) {
		fprintf(stderr, "usage: tscmark [--ust] [--gap-us U] [--msg TEXT] [--first N] COUNT\n");
		return 2;
	}
	fd = open("/proc/lttng-logger", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("tscmark: /proc/lttng-logger (are LTTng's modules loaded?)");
		return 1;
	}
	for (int i = first; i < first + count; i++) {
		char msg[128];
		int len = snprintf(msg, sizeof(msg), "%s %d", text, i);
		uint64_t t0, t1;

		if (len < 0 || (size_t)len >= sizeof(msg)) {
			fprintf(stderr, "tscmark: --msg is too long\n");
			return 2;
		}
		t0 = tsc();
		if (write(fd, msg, (size_t)len) != len) {
			perror("tscmark: write /proc/lttng-logger");
			return 1;
		}
		t1 = tsc();
		printf("kmark %d %" PRIu64 " %" PRIu64 "\n", i, t0, t1);
		if (ust) {
			t0 = tsc();
			lttng_ust_tracepoint(vmsync_test, mark, i);
			t1 = tsc();
			printf("umark %d %" PRIu64 " %" PRIu64 "\n", i, t0, t1);
		}
		usleep(gap_us);
	}
	close(fd);
	return 0;
}
