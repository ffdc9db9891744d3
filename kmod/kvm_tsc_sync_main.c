// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_tsc_sync - sync beacons for traces on LTTng's default clock.
 *
 * A kvm_tsc_sync event carries the raw TSC read just before it is recorded;
 * its timestamp is the session's clock. Pairs of (timestamp, tsc) let an
 * analysis map that clock to TSC time (and, with kvm_tsc_offset, a guest's
 * TSC to its host's) by interpolating between beacons. They are emitted on
 * every CPU every period_ms, from a pinned timer, and once into a session
 * at each of its statedumps (lttng start, lttng regenerate statedump).
 *
 * Needs no KVM: load it on hosts and in guests alike. It also defines all
 * the kvm_tsc tracepoints, those about guests included (kvm_tsc_offset,
 * which needs KVM, fires them): one trace system and one LTTng provider,
 * kvm_tsc, whose event names all start with it, as LTTng requires.
 */
#include "compat/pr_fmt.h"

#include <linux/cpuhotplug.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <asm/msr.h>

#include "compat/compat_kernel.h"
#include "lttng_statedump_hook.h"

#define CREATE_TRACE_POINTS
#include "kvm_tsc_trace.h"
#include "kvm_vcpu_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_sync);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_offset);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_guest);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_guest_exit);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_vcpu);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_statedump_start);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_statedump_end);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_vcpu_entry);
EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_vcpu_exit);

static unsigned int period_ms = 100;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "Period of the beacons on each CPU, in ms (1 to 60000; default 100)");

static DEFINE_PER_CPU(struct hrtimer, beacon_timer);
static enum cpuhp_state online_state;

static void emit_beacon(const void *session, u8 reason)
{
	trace_kvm_tsc_sync(session, rdtsc_ordered(), reason);
}

static enum hrtimer_restart beacon_tick(struct hrtimer *t)
{
	emit_beacon(NULL, KVM_TSC_SYNC_PERIODIC);
	hrtimer_forward_now(t, ms_to_ktime(period_ms));
	return HRTIMER_RESTART;
}

static void statedump_beacon(const void *session)
{
	emit_beacon(session, KVM_TSC_SYNC_STATEDUMP);
}

/* CPU hotplug callbacks: they run on the CPU concerned. */
static int beacon_cpu_online(unsigned int cpu)
{
	struct hrtimer *t = this_cpu_ptr(&beacon_timer);

	vmsync_hrtimer_setup(t, beacon_tick, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED);
	hrtimer_start(t, ms_to_ktime(period_ms), HRTIMER_MODE_REL_PINNED);
	return 0;
}

static int beacon_cpu_offline(unsigned int cpu)
{
	hrtimer_cancel(this_cpu_ptr(&beacon_timer));
	return 0;
}

static int __init kvm_tsc_sync_init(void)
{
	int ret;

	if (period_ms < 1 || period_ms > 60000) {
		pr_err("period_ms=%u is out of range: give 1 to 60000\n",
		       period_ms);
		return -EINVAL;
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "kvm_tsc_sync:online",
				beacon_cpu_online, beacon_cpu_offline);
	if (ret < 0)
		return ret;
	online_state = ret;
	ret = lttng_statedump_hook_start(statedump_beacon);
	if (ret)
		cpuhp_remove_state(online_state);
	return ret;
}

static void __exit kvm_tsc_sync_exit(void)
{
	lttng_statedump_hook_stop();
	cpuhp_remove_state(online_state);
}

module_init(kvm_tsc_sync_init);
module_exit(kvm_tsc_sync_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sync beacons (trace clock, raw TSC) for traces on LTTng's default clock (vmsync)");
