// SPDX-License-Identifier: GPL-2.0
/*
 * lttng-clock-tsc - an LTTng kernel trace clock plugin that reads the raw
 * TSC. On a raw-TSC clock, a guest's timestamps map onto its host's with
 * integer arithmetic (host = (guest - offset) scaled back), exactly.
 *
 * LTTng takes its clock once, when lttng-tracer loads: this module must be
 * loaded before it (before lttng-sessiond starts), and refuses to load
 * after it with a line in dmesg saying what to do (doc/clocks.md). It also
 * refuses a TSC that the CPU does not declare constant and non-stop, or
 * that the kernel marked unstable: that TSC cannot serve as a clock.
 * assume_invariant=1 skips the CPU flags (not the kernel's verdict), for
 * emulators whose TSC is steady but undeclared, such as the lab's TCG.
 */
#include "compat/pr_fmt.h"

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include <lttng/clock.h>

#include "tsc_clock_id.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

static unsigned long freq;
module_param(freq, ulong, 0444);
MODULE_PARM_DESC(freq, "TSC frequency in Hz that traces on this clock declare (read-only: user space uses the same)");

static bool assume_invariant;
module_param(assume_invariant, bool, 0444);
MODULE_PARM_DESC(assume_invariant, "Trust a TSC the CPU does not declare constant and non-stop (emulators only)");

static char clock_uuid[TSC_CLOCK_UUID_LEN];

static u64 tsc_clock_read64(void)
{
	return rdtsc_ordered();
}

static u64 tsc_clock_freq(void)
{
	return freq;
}

static int tsc_clock_uuid(char *uuid)
{
	memcpy(uuid, clock_uuid, TSC_CLOCK_UUID_LEN);
	return 0;
}

static const char *tsc_clock_name(void)
{
	return TSC_CLOCK_NAME;
}

static const char *tsc_clock_description(void)
{
	return TSC_CLOCK_DESCRIPTION;
}

static struct lttng_trace_clock tsc_clock = {
	.read64 = tsc_clock_read64,
	.freq = tsc_clock_freq,
	.uuid = tsc_clock_uuid,
	.name = tsc_clock_name,
	.description = tsc_clock_description,
};

/* The boot id, as user space reads it, so both sides derive one UUID. */
static int read_boot_id(char *boot_id)
{
	struct file *f = filp_open(BOOT_ID_PATH, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, boot_id, TSC_CLOCK_UUID_LEN - 1, &pos);
	filp_close(f, NULL);
	if (n != TSC_CLOCK_UUID_LEN - 1)
		return -EINVAL;
	boot_id[n] = '\0';
	return 0;
}

static int __init tsc_clock_init(void)
{
	bool invariant = boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
			 boot_cpu_has(X86_FEATURE_NONSTOP_TSC);
	char boot_id[TSC_CLOCK_UUID_LEN];
	int ret;

	if (!tsc_khz || check_tsc_unstable()) {
		pr_err("the kernel does not use the TSC as a stable clock: it cannot be a trace clock; trace on LTTng's default clock with kvm_tsc_sync beacons instead\n");
		return -ENODEV;
	}
	if (!invariant && !assume_invariant) {
		pr_err("this CPU does not declare a constant, non-stop TSC (constant_tsc and nonstop_tsc in /proc/cpuinfo): it cannot be a trace clock; trace on LTTng's default clock with kvm_tsc_sync beacons instead\n");
		return -ENODEV;
	}
	ret = read_boot_id(boot_id);
	if (!ret && tsc_clock_uuid_from_boot_id(boot_id, clock_uuid))
		ret = -EINVAL;
	if (ret) {
		pr_err("cannot read the boot id from %s (%d)\n",
		       BOOT_ID_PATH, ret);
		return ret;
	}
	freq = tsc_khz * 1000UL;
	ret = lttng_clock_register_plugin(&tsc_clock, THIS_MODULE);
	if (ret == -EBUSY)
		pr_err("loaded after lttng-tracer, which already took its clock; stop lttng-sessiond, unload LTTng's modules (modprobe -r lttng-tracer), then load lttng-clock-tsc before starting lttng-sessiond\n");
	else if (ret)
		pr_err("LTTng refused the clock plugin (%d): is another clock plugin loaded?\n",
		       ret);
	else
		pr_info("LTTng traces will use the raw TSC, %lu Hz, clock uuid %s\n",
			freq, clock_uuid);
	return ret;
}

static void __exit tsc_clock_exit(void)
{
	lttng_clock_unregister_plugin(&tsc_clock, THIS_MODULE);
}

module_init(tsc_clock_init);
module_exit(tsc_clock_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("LTTng trace clock plugin: the raw TSC (vmsync)");
