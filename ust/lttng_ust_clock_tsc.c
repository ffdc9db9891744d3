// SPDX-License-Identifier: GPL-2.0
/*
 * liblttng-ust-clock-tsc.so - LTTng-UST trace clock plugin: the raw TSC,
 * with the same name, UUID and frequency as the kernel's lttng-clock-tsc,
 * so that the kernel and user-space traces of one machine share one clock.
 *
 * Use: LTTNG_UST_CLOCK_PLUGIN=/path/liblttng-ust-clock-tsc.so, set for
 * lttng-sessiond and for the traced applications (doc/clocks.md).
 *
 * The frequency is the kernel plugin's (its read-only freq parameter).
 * Without it, the plugin calibrates the TSC against CLOCK_MONOTONIC_RAW and
 * says so on stderr and in the clock's description: such a trace is still
 * on the TSC, but its frequency is an estimate; and then, on a CPU that
 * does not declare an invariant TSC, it refuses and LTTng-UST keeps its
 * default clock. (With the kernel plugin loaded, the kernel has judged.)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <inttypes.h>
#include <lttng/ust-clock.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "../kmod/tsc_clock_id.h"

#define KERNEL_FREQ_PATH "/sys/module/lttng_clock_tsc/parameters/freq"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define CALIBRATION_NS 100000000ull	/* 100 ms */
#define WHO "liblttng-ust-clock-tsc"

static uint64_t tsc_freq;
static char clock_uuid[TSC_CLOCK_UUID_LEN];
static const char *description = TSC_CLOCK_DESCRIPTION;

/* Exported for bench/ust-clock-read; LTTng-UST calls it through its hook. */
uint64_t vmsync_tsc_clock_read64(void)
{
	_mm_lfence();		/* no earlier load may pass the read */
	return __rdtsc();
}

static uint64_t clock_freq(void)
{
	return tsc_freq;
}

static int clock_uuid_cb(char *uuid)
{
	memcpy(uuid, clock_uuid, TSC_CLOCK_UUID_LEN);
	return 0;
}

static const char *clock_name(void)
{
	return TSC_CLOCK_NAME;
}

static const char *clock_description(void)
{
	return description;
}

/* CPUID 0x80000007 EDX bit 8: constant and non-stop (invariant) TSC. */
static bool tsc_is_invariant(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(0x80000007, &a, &b, &c, &d))
		return false;
	return d & (1u << 8);
}

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok;
}

static uint64_t mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* TSC ticks over ~100 ms of CLOCK_MONOTONIC_RAW, rounded to the kHz. */
static uint64_t calibrate_freq(void)
{
	uint64_t t0 = mono_raw_ns(), c0 = vmsync_tsc_clock_read64(), t1, c1;
	struct timespec pause = { 0, (long)CALIBRATION_NS };

	nanosleep(&pause, NULL);
	t1 = mono_raw_ns();
	c1 = vmsync_tsc_clock_read64();
	return (uint64_t)((double)(c1 - c0) * 1e9 / (double)(t1 - t0) / 1e3 + 0.5) * 1000;
}

static uint64_t kernel_freq(void)
{
	char line[32];

	if (!read_line(KERNEL_FREQ_PATH, line, sizeof(line)))
		return 0;
	return strtoull(line, NULL, 10);
}

/* The kernel plugin's frequency when it is loaded (@from_kernel), else a calibration. */
static bool set_freq(uint64_t from_kernel)
{
	tsc_freq = from_kernel;
	if (tsc_freq)
		return true;
	tsc_freq = calibrate_freq();
	if (!tsc_freq)
		return false;
	description = TSC_CLOCK_DESCRIPTION " (frequency calibrated in user space)";
	fprintf(stderr, WHO ": lttng-clock-tsc is not loaded (no %s): TSC frequency calibrated against CLOCK_MONOTONIC_RAW: %" PRIu64 " Hz; load lttng-clock-tsc for the kernel's exact value\n",
		KERNEL_FREQ_PATH, tsc_freq);
	return true;
}

static bool set_uuid(void)
{
	char boot_id[64];

	return read_line(BOOT_ID_PATH, boot_id, sizeof(boot_id)) &&
	       strlen(boot_id) >= TSC_CLOCK_UUID_LEN - 1 &&
	       !tsc_clock_uuid_from_boot_id(boot_id, clock_uuid);
}

/* Called by LTTng-UST after it loads LTTNG_UST_CLOCK_PLUGIN. */
void lttng_ust_clock_plugin_init(void);
void lttng_ust_clock_plugin_init(void)
{
	uint64_t from_kernel = kernel_freq();

	if (!from_kernel && !tsc_is_invariant()) {
		fprintf(stderr, WHO ": this CPU has no invariant TSC (constant_tsc, nonstop_tsc): not a trace clock; LTTng-UST keeps its default clock\n");
		return;
	}
	if (!set_uuid()) {
		fprintf(stderr, WHO ": cannot read the boot id from %s; LTTng-UST keeps its default clock\n",
			BOOT_ID_PATH);
		return;
	}
	if (!set_freq(from_kernel)) {
		fprintf(stderr, WHO ": cannot calibrate the TSC; LTTng-UST keeps its default clock\n");
		return;
	}
	if (lttng_ust_trace_clock_set_read64_cb(vmsync_tsc_clock_read64) ||
	    lttng_ust_trace_clock_set_freq_cb(clock_freq) ||
	    lttng_ust_trace_clock_set_uuid_cb(clock_uuid_cb) ||
	    lttng_ust_trace_clock_set_name_cb(clock_name) ||
	    lttng_ust_trace_clock_set_description_cb(clock_description) ||
	    lttng_ust_enable_trace_clock_override()) {
		fprintf(stderr, WHO ": LTTng-UST refused the clock plugin\n");
		return;
	}
}
