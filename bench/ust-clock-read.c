// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark: cycles per clock read of the TSC plugin
 * (liblttng-ust-clock-tsc.so) against LTTng-UST's default clock, both
 * called through the read hook LTTng-UST itself uses, in one process,
 * interleaved round by round. Prints every round, the medians and the
 * ratio; target: the plugin costs at most the default.
 * Usage: ust-clock-read PLUGIN.so [ROUNDS]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <lttng/ust-clock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

#define READS 1000000
#define MAX_ROUNDS 101

static volatile uint64_t sink;

static double cycles_per_read(lttng_ust_clock_read64_function read)
{
	uint64_t t0, t1, acc = 0;

	_mm_lfence();
	t0 = __rdtsc();
	for (int i = 0; i < READS; i++)
		acc += read();
	_mm_lfence();
	t1 = __rdtsc();
	sink = acc;
	return (double)(t1 - t0) / READS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	lttng_ust_clock_read64_function def, tsc;
	double a[MAX_ROUNDS], b[MAX_ROUNDS];
	int rounds = argc > 2 ? atoi(argv[2]) : 11;
	void (*init)(void);
	void *h;

	if (argc < 2 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: ust-clock-read PLUGIN.so [ROUNDS (1-%d)]\n",
			MAX_ROUNDS);
		return 2;
	}
	if (lttng_ust_trace_clock_get_read64_cb(&def)) {
		fprintf(stderr, "ust-clock-read: LTTng-UST gives no default clock reader\n");
		return 1;
	}
	h = dlopen(argv[1], RTLD_NOW);
	init = h ? (void (*)(void))dlsym(h, "lttng_ust_clock_plugin_init") : NULL;
	if (!init) {
		fprintf(stderr, "ust-clock-read: cannot load %s: %s (run 'make')\n",
			argv[1], dlerror());
		return 1;
	}
	init();
	if (lttng_ust_trace_clock_get_read64_cb(&tsc) || tsc == def) {
		fprintf(stderr, "ust-clock-read: the plugin did not install its clock (see its message above)\n");
		return 1;
	}
	printf("round  default(cycles/read)  tsc-plugin(cycles/read)\n");
	for (int r = 0; r < rounds; r++) {
		/* Alternate the order, so that drift does not favour one. */
		if (r % 2) {
			b[r] = cycles_per_read(tsc);
			a[r] = cycles_per_read(def);
		} else {
			a[r] = cycles_per_read(def);
			b[r] = cycles_per_read(tsc);
		}
		printf("%5d  %20.1f  %23.1f\n", r + 1, a[r], b[r]);
	}
	qsort(a, (size_t)rounds, sizeof(a[0]), cmp_double);
	qsort(b, (size_t)rounds, sizeof(b[0]), cmp_double);
	printf("median: default %.1f, tsc plugin %.1f cycles per read; ratio plugin/default %.2f (target: <= 1)\n",
	       a[rounds / 2], b[rounds / 2], b[rounds / 2] / a[rounds / 2]);
	return 0;
}
