// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_watch.c - emit kvm_tsc_offset for every change of a vCPU's L1 TSC
 * offset or scaling ratio, before the vCPU runs guest code with it.
 *
 * KVM has no tracepoint for ratio changes and its kvm_write_tsc_offset has
 * no VM identity, so the L1 values are compared where they take effect: on
 * every VM entry. Reading the L1 values (not the current ones) keeps the
 * stream quiet while a vCPU runs a nested guest.
 *
 * Fast path (VM entry, IRQs off): each CPU remembers the vCPU that last
 * entered on it and the values last emitted for that vCPU. Same vCPU, same
 * values and an unchanged global generation mean nothing changed: no lock,
 * no allocation, no lookup. The generation moves whenever an event is
 * emitted anywhere (another CPU's memory of that vCPU may be stale) and on
 * every L1 offset write (a new vCPU may reuse a freed one's address).
 *
 * Slow path: a hash table of the values last emitted per vCPU, under a raw
 * spinlock. Records are dropped when KVM destroys the vCPU (a kprobe on
 * kvm_arch_vcpu_destroy; KVM has no tracepoint there). As a second line, a
 * record is stale when its vCPU's exit counter went backwards: a vCPU exits
 * at least once between two entries, so the counter only grows for one vCPU
 * and restarts at 0 for a new one at the same address.
 *
 * Nothing of this runs while nothing records: the VM-entry probe is there
 * only while kvm_tsc_offset, kvm_tsc_vcpu or kvm_vcpu_entry has a consumer,
 * the VM-exit probe only while kvm_vcpu_exit has one (kvm_tsc_consumers.h).
 * A new consumer of kvm_tsc_offset or kvm_tsc_vcpu has every vCPU announced
 * again (reason attach) at its next VM entry, as a load does: the values
 * remembered may have changed unseen, or been emitted to nobody.
 */
#include "compat/pr_fmt.h"

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/msr.h>

#include "compat/compat_kvm.h"
#include "kvm_tsc_change.h"
#include "kvm_tsc_consumers.h"
#include "kvm_tsc_trace.h"
#include "kvm_vcpu_trace.h"
#include "tsc_watch.h"
#include "vm_registry.h"

/* Beyond this many vCPUs remembered, changes are emitted without memory. */
#define SEEN_MAX 65536

struct seen_vcpu {
	struct hlist_node node;
	const struct kvm_vcpu *vcpu;
	const struct kvm *kvm;
	u64 exits;
	u64 offset;
	u64 ratio;
};

struct entry_cache {
	const struct kvm_vcpu *vcpu;
	u64 offset;
	u64 ratio;
	long gen;
};

static DEFINE_PER_CPU(struct entry_cache, entry_cache);
static atomic_long_t watch_gen = ATOMIC_LONG_INIT(1);
static DEFINE_HASHTABLE(seen, 10);
static DEFINE_RAW_SPINLOCK(seen_lock);
static unsigned int seen_count;
/* Read-only, for leak checks: vCPUs the module currently holds a record of. */
module_param_named(tracked_vcpus, seen_count, uint, 0444);
MODULE_PARM_DESC(tracked_vcpus, "vCPUs currently tracked (records are dropped when KVM destroys a vCPU)");
static u8 watch_frac_bits;

static struct seen_vcpu *seen_find(const struct kvm_vcpu *vcpu)
{
	struct seen_vcpu *s;

	hash_for_each_possible(seen, s, node, (unsigned long)vcpu)
		if (s->vcpu == vcpu)
			return s;
	return NULL;
}

static noinline void watch_slow(struct kvm_vcpu *vcpu, struct entry_cache *ec)
{
	u64 offset = vmsync_vcpu_l1_tsc_offset(vcpu);
	u64 ratio = vmsync_vcpu_l1_tsc_ratio(vcpu, watch_frac_bits);
	u64 exits = vcpu->stat.exits;
	struct kvm_tsc_change c = { .prev_offset = 0, .prev_ratio = 0 };
	struct seen_vcpu *s;
	unsigned long flags;
	bool emit = true;

	c.reason = exits ? KVM_TSC_REASON_ATTACH : KVM_TSC_REASON_CREATE;
	raw_spin_lock_irqsave(&seen_lock, flags);
	s = seen_find(vcpu);
	if (s && s->kvm == vcpu->kvm && exits > s->exits) {
		if (s->offset == offset && s->ratio == ratio) {
			emit = false;
		} else {
			c.reason = s->offset != offset ? KVM_TSC_REASON_WRITE :
							 KVM_TSC_REASON_RATIO;
			c.prev_offset = s->offset;
			c.prev_ratio = s->ratio;
		}
	} else if (!s && seen_count < SEEN_MAX) {
		s = kmalloc(sizeof(*s), GFP_ATOMIC | __GFP_NOWARN);
		if (s) {
			hash_add(seen, &s->node, (unsigned long)vcpu);
			seen_count++;
		}
	}
	if (s) {
		s->vcpu = vcpu;
		s->kvm = vcpu->kvm;
		s->exits = exits;
		s->offset = offset;
		s->ratio = ratio;
	}
	if (emit)
		atomic_long_inc(&watch_gen);
	/* Even without a record, this CPU remembers what it just emitted. */
	ec->vcpu = vcpu;
	ec->offset = offset;
	ec->ratio = ratio;
	ec->gen = atomic_long_read(&watch_gen);
	raw_spin_unlock_irqrestore(&seen_lock, flags);

	if (!emit)
		return;
	c.host_tsc = rdtsc_ordered();
	c.offset = offset;
	c.ratio = ratio;
	c.frac_bits = watch_frac_bits;
	c.qemu_pid = current->tgid;
	c.vcpu_tid = current->pid;
	c.vcpu = vcpu->vcpu_id;
	kvm_tsc_vm_name(vcpu->kvm, c.vm);
	if (c.reason == KVM_TSC_REASON_CREATE ||
	    c.reason == KVM_TSC_REASON_ATTACH) {
		/* A new vCPU for the trace: which thread runs it. */
		struct kvm_tsc_vcpu v = {
			.qemu_pid = c.qemu_pid,
			.vcpu_tid = c.vcpu_tid,
			.vcpu = c.vcpu,
		};

		memcpy(v.vm, c.vm, KVM_TSC_VM_NAME_LEN);
		trace_kvm_tsc_vcpu(&v);
	}
	trace_kvm_tsc_offset(&c);
}

/* kvm_exit: the guest stopped running on this vCPU (IRQs still off). */
static void probe_kvm_exit(VMSYNC_KVM_EXIT_ARGS)
{
	trace_kvm_vcpu_exit(current->tgid, current->pid, vcpu->vcpu_id);
}

/*
 * kvm_entry: IRQs are off, the vCPU is about to enter the guest. Its second
 * argument, where the kernel has it (compat_kvm.h), is unused here.
 */
static void probe_kvm_entry(VMSYNC_KVM_ENTRY_ARGS)
{
	struct entry_cache *ec = this_cpu_ptr(&entry_cache);

	if (unlikely(ec->vcpu != vcpu ||
		     ec->gen != atomic_long_read(&watch_gen) ||
		     ec->offset != vmsync_vcpu_l1_tsc_offset(vcpu) ||
		     ec->ratio != vmsync_vcpu_l1_tsc_ratio(vcpu, watch_frac_bits)))
		watch_slow(vcpu, ec);
	/* After any kvm_tsc_offset: the guest runs with that value. */
	trace_kvm_vcpu_entry(current->tgid, current->pid, vcpu->vcpu_id);
}

/*
 * Which of KVM's VM-entry and VM-exit paths have a probe of ours, changed
 * only by probes_sync() under probes_mutex. Read-only parameters, for tests.
 */
static const struct kvm_link *watch_link;
static DEFINE_MUTEX(probes_mutex);
static bool entry_probe_on;
module_param_named(entry_probe, entry_probe_on, bool, 0444);
MODULE_PARM_DESC(entry_probe, "Attached to KVM's kvm_entry (only while kvm_tsc_offset, kvm_tsc_vcpu or kvm_vcpu_entry is recorded)");
static bool exit_probe_on;
module_param_named(exit_probe, exit_probe_on, bool, 0444);
MODULE_PARM_DESC(exit_probe, "Attached to KVM's kvm_exit (only while kvm_vcpu_exit is recorded)");
static unsigned long announced_gen;

/* Forget every vCPU: each is announced again at its next VM entry. */
static void forget_all(void)
{
	struct seen_vcpu *s;
	struct hlist_node *tmp;
	unsigned long flags;
	HLIST_HEAD(gone);
	int bkt;

	raw_spin_lock_irqsave(&seen_lock, flags);
	hash_for_each_safe(seen, bkt, tmp, s, node) {
		hash_del(&s->node);
		hlist_add_head(&s->node, &gone);
	}
	seen_count = 0;
	atomic_long_inc(&watch_gen);
	raw_spin_unlock_irqrestore(&seen_lock, flags);
	hlist_for_each_entry_safe(s, tmp, &gone, node)
		kfree(s);
}

/* Is every event counted as recorded there for its consumer already? */
static bool consumers_in_place(unsigned long recorded)
{
	return (!(recorded & BIT(KVM_TSC_FED_OFFSET)) || trace_kvm_tsc_offset_enabled()) &&
	       (!(recorded & BIT(KVM_TSC_FED_VCPU)) || trace_kvm_tsc_vcpu_enabled()) &&
	       (!(recorded & BIT(KVM_TSC_FED_ENTRY)) || trace_kvm_vcpu_entry_enabled()) &&
	       (!(recorded & BIT(KVM_TSC_FED_EXIT)) || trace_kvm_vcpu_exit_enabled());
}

static int probe_set(bool *on, bool want, const char *what,
		     int (*attach)(void), int (*detach)(void))
{
	int ret;

	if (*on == want)
		return 0;
	ret = want ? attach() : detach();
	if (ret)
		pr_warn_ratelimited("cannot %s KVM's %s (%d): vmsync's events from it are missing\n",
				    want ? "attach to" : "detach from", what, ret);
	else
		WRITE_ONCE(*on, want);
	return ret;
}

static int entry_attach(void)
{
	return vmsync_kvm_entry_register(watch_link, probe_kvm_entry);
}

static int entry_detach(void)
{
	return vmsync_kvm_entry_unregister(watch_link, probe_kvm_entry);
}

static int exit_attach(void)
{
	return vmsync_kvm_exit_register(watch_link, probe_kvm_exit);
}

static int exit_detach(void)
{
	return vmsync_kvm_exit_unregister(watch_link, probe_kvm_exit);
}

/*
 * Attach to or detach from KVM's paths as the consumers say. -EAGAIN: a
 * consumer is still being registered (its registration callback runs
 * before its probe is in place, and announcing vCPUs before then would
 * lose the announcements); try again a little later. @force: go on anyway
 * (at load, where nothing is being registered, and when a registration
 * that failed after its callback left an event counted forever).
 */
static int probes_sync(bool force)
{
	unsigned long recorded = kvm_tsc_recorded_events();
	unsigned long gen = kvm_tsc_announce_gen();
	bool want_entry = recorded & KVM_TSC_FED_BY_ENTRY;
	bool was_on;
	int ret;

	if (!force && !consumers_in_place(recorded))
		return -EAGAIN;
	mutex_lock(&probes_mutex);
	was_on = entry_probe_on;
	/* What was remembered before a detach may have changed unseen since. */
	if (want_entry && (gen != announced_gen || !was_on)) {
		forget_all();
		announced_gen = gen;
	}
	ret = probe_set(&entry_probe_on, want_entry, "kvm_entry",
			entry_attach, entry_detach);
	ret = probe_set(&exit_probe_on, recorded & KVM_TSC_FED_BY_EXIT,
			"kvm_exit", exit_attach, exit_detach) ?: ret;
	mutex_unlock(&probes_mutex);
	/* No probe of the last attachment may still run at the next one. */
	if (was_on && !entry_probe_on)
		tracepoint_synchronize_unregister();
	return ret;
}

/* A registration takes a few ms (it patches code): wait at most 1 s. */
#define SYNC_TRIES 100
static atomic_t sync_tries = ATOMIC_INIT(0);
static void probes_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(probes_work, probes_work_fn);

static void probes_work_fn(struct work_struct *work)
{
	bool force = atomic_inc_return(&sync_tries) > SYNC_TRIES;

	if (probes_sync(force) == -EAGAIN)
		schedule_delayed_work(&probes_work, msecs_to_jiffies(10));
}

/* The consumers changed (atomic context, tracepoint mutex held). */
static void consumers_changed(void)
{
	atomic_set(&sync_tries, 0);
	mod_delayed_work(system_wq, &probes_work, 0);
}

/* kvm_write_tsc_offset(vcpu_id, prev, next): an L1 offset write, any cause. */
static void probe_kvm_write_tsc_offset(VMSYNC_KVM_WRITE_TSC_OFFSET_ARGS)
{
	atomic_long_inc(&watch_gen);
}

/* kvm_arch_vcpu_destroy(vcpu): forget the vCPU before its memory is freed. */
static int vcpu_destroy_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct kvm_vcpu *vcpu = vmsync_vcpu_destroy_vcpu(regs);
	struct seen_vcpu *s;
	unsigned long flags;

	raw_spin_lock_irqsave(&seen_lock, flags);
	s = seen_find(vcpu);
	if (s) {
		hash_del(&s->node);
		seen_count--;
	}
	/* Per-CPU caches may still name this vCPU. */
	atomic_long_inc(&watch_gen);
	raw_spin_unlock_irqrestore(&seen_lock, flags);
	kfree(s);
	return 0;
}

static struct kprobe vcpu_destroy_kp = {
	.symbol_name = VMSYNC_VCPU_DESTROY_SYMBOL,
	.pre_handler = vcpu_destroy_pre,
};
static bool vcpu_destroy_hooked;

/* Detach from KVM's paths (unload, or a failed load). */
static void probes_stop(void)
{
	kvm_tsc_consumers_hook(NULL);
	/* Nothing queues the work any more. */
	cancel_delayed_work_sync(&probes_work);
	mutex_lock(&probes_mutex);
	probe_set(&entry_probe_on, false, "kvm_entry", entry_attach,
		  entry_detach);
	probe_set(&exit_probe_on, false, "kvm_exit", exit_attach, exit_detach);
	mutex_unlock(&probes_mutex);
}

int tsc_watch_start(const struct kvm_link *link)
{
	int ret;

	watch_frac_bits = link->frac_bits;
	watch_link = link;
	entry_probe_on = false;
	exit_probe_on = false;
	announced_gen = kvm_tsc_announce_gen();
	vcpu_destroy_hooked = !register_kprobe(&vcpu_destroy_kp);
	if (!vcpu_destroy_hooked)
		pr_notice("no kprobe on kvm_arch_vcpu_destroy: records of destroyed vCPUs are kept until unload\n");
	ret = vmsync_kvm_write_tsc_offset_register(link,
						   probe_kvm_write_tsc_offset);
	if (ret)
		goto out_kprobe;
	kvm_tsc_consumers_hook(consumers_changed);
	/*
	 * Consumers there before the load get their vCPUs announced before
	 * modprobe returns, as they always did; one being registered right
	 * now gets them from the work, once it is in place.
	 */
	ret = probes_sync(false);
	if (ret == -EAGAIN) {
		consumers_changed();
		ret = 0;
	}
	if (!ret)
		return 0;
	probes_stop();
	vmsync_kvm_write_tsc_offset_unregister(link, probe_kvm_write_tsc_offset);
	tracepoint_synchronize_unregister();
out_kprobe:
	if (vcpu_destroy_hooked)
		unregister_kprobe(&vcpu_destroy_kp);
	vcpu_destroy_hooked = false;
	return ret;
}

void tsc_watch_stop(const struct kvm_link *link)
{
	probes_stop();
	vmsync_kvm_write_tsc_offset_unregister(link, probe_kvm_write_tsc_offset);
	/* No probe of ours runs any more, nor the kprobe below after it. */
	tracepoint_synchronize_unregister();
	if (vcpu_destroy_hooked)
		unregister_kprobe(&vcpu_destroy_kp);
	vcpu_destroy_hooked = false;
	forget_all();
}
