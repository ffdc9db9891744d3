// SPDX-License-Identifier: GPL-2.0
/*
 * vm_registry.c - the running VMs, with what a statedump needs to say about
 * them: VMM pid, debugfs name, system UUID and name.
 *
 * LTTng runs statedump hooks in atomic context, and a VM's UUID lives in its
 * VMM's memory, which may need sleeping to read. So the UUID is read when
 * the VM is created (or, for VMs older than this module, at load) and kept
 * here; a statedump only walks this list.
 *
 * Entries come from a kprobe on kvm_arch_create_vm_debugfs and from
 * vm_discover.c at load. The kprobe runs in the VMM's creating thread but
 * cannot sleep, so it queues a task work: the thread reads its own
 * arguments and announces the guest on its way back to user space, that is
 * before it holds the VM's fd and so before any vCPU of it exists; the read
 * may fault pages in, as /proc/PID/cmdline does. (Before 5.15 the kprobe
 * is on the first vCPU's debugfs creation, in the vCPU-creating ioctl,
 * before that vCPU can run: compat_kvm.h.) They go in a kprobe on
 * kvm_arch_destroy_vm, which runs on every path that frees a VM that had a
 * debugfs directory, before its vCPUs are freed: holding the list lock
 * therefore keeps every listed VM and its vCPUs alive.
 */
#include "compat/pr_fmt.h"

#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <asm/msr.h>

#include "compat/compat_kvm.h"
#include "kvm_tsc_change.h"
#include "kvm_tsc_trace.h"
#include "vm_registry.h"
#include "vmm_cmdline.h"

/* More VMs than this are not announced (a bound on atomic allocations). */
#define VMS_MAX 4096

struct vm_entry {
	struct list_head node;
	struct kvm *kvm;		/* identity; alive while listed */
	const struct mm_struct *mm;	/* the VMM's, to check a late read */
	struct callback_head announce;	/* task work in the creating thread */
	bool ready;			/* UUID and name known, announced */
	bool reading;			/* announce queued or running */
	bool gone;			/* unlisted while reading: it frees */
	struct kvm_tsc_guest g;
};

static LIST_HEAD(vms);
static DEFINE_RAW_SPINLOCK(vms_lock);
static unsigned int vm_count;
module_param_named(tracked_vms, vm_count, uint, 0444);
MODULE_PARM_DESC(tracked_vms, "VMs currently known (entries are dropped when KVM destroys a VM)");
/* Task works queued and not yet finished; the module waits for them. */
static atomic_t announces_pending = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(announces_done);
static u8 registry_frac_bits;

static struct vm_entry *vm_find(const struct kvm *kvm)
{
	struct vm_entry *e;

	list_for_each_entry(e, &vms, node)
		if (e->kvm == kvm)
			return e;
	return NULL;
}

void kvm_tsc_vm_name(const struct kvm *kvm, char *buf)
{
	/* KVM's debugfs directory is never renamed while the VM lives. */
	const struct dentry *d = kvm->debugfs_dentry;

	if (IS_ERR_OR_NULL(d))
		buf[0] = '\0';
	else
		strscpy(buf, d->d_name.name, KVM_TSC_VM_NAME_LEN);
}

/* List @e unless its VM is listed already; false if it was not listed. */
static bool vm_insert(struct vm_entry *e)
{
	unsigned long flags;
	bool added = false;

	raw_spin_lock_irqsave(&vms_lock, flags);
	if (vm_count < VMS_MAX && !vm_find(e->kvm)) {
		list_add_tail(&e->node, &vms);
		vm_count++;
		added = true;
	}
	raw_spin_unlock_irqrestore(&vms_lock, flags);
	return added;
}

/* Task work: in the VMM's thread, which may sleep here. */
static void announce_work(struct callback_head *cb)
{
	struct vm_entry *e = container_of(cb, struct vm_entry, announce);
	char uuid[KVM_TSC_UUID_LEN] = "", name[KVM_TSC_GUEST_NAME_LEN] = "";
	struct kvm_tsc_guest g;
	unsigned long flags;
	pid_t tgid;
	bool gone;

	/* While reading is set, the entry is ours to free if unlisted. */
	vmm_cmdline_read(e->g.qemu_pid, e->mm, &tgid, uuid, name);
	raw_spin_lock_irqsave(&vms_lock, flags);
	gone = e->gone;
	e->reading = false;
	if (!gone) {
		memcpy(e->g.uuid, uuid, sizeof(uuid));
		memcpy(e->g.name, name, sizeof(name));
		e->ready = true;
		g = e->g;
	}
	raw_spin_unlock_irqrestore(&vms_lock, flags);
	if (gone)
		kfree(e);
	else
		trace_kvm_tsc_guest(&g);
	/* vm_registry_stop() waits for this reader before freeing our code. */
	rcu_read_lock();
	if (atomic_dec_and_test(&announces_pending))
		wake_up(&announces_done);
	rcu_read_unlock();
}

static struct vm_entry *vm_alloc(struct kvm *kvm, pid_t pid, gfp_t gfp)
{
	struct vm_entry *e = kzalloc(sizeof(*e), gfp | __GFP_NOWARN);

	if (!e)
		return NULL;
	e->kvm = kvm;
	e->mm = kvm->mm;
	e->g.qemu_pid = pid;
	kvm_tsc_vm_name(kvm, e->g.vm);
	init_task_work(&e->announce, announce_work);
	return e;
}

/* kvm_arch_create_vm_debugfs(kvm): a new VM, in its VMM's creating thread. */
static int vm_create_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct kvm *kvm = vmsync_vm_create_kvm(regs);
	struct vm_entry *e = vm_alloc(kvm, current->tgid, GFP_ATOMIC);

	if (!e)
		return 0;
	e->reading = true;
	atomic_inc(&announces_pending);
	/* Fails only for a thread that is exiting: its VM goes with it. */
	if (task_work_add(current, &e->announce, TWA_RESUME)) {
		kfree(e);
		goto out_pending;
	}
	/* The VM cannot be destroyed before this returns: the ioctl holds it. */
	if (!vm_insert(e))
		e->gone = true;	/* listed already: the task work frees it */
	return 0;
out_pending:
	if (atomic_dec_and_test(&announces_pending))
		wake_up(&announces_done);
	return 0;
}

/* kvm_arch_destroy_vm(kvm): before its vCPUs are freed. */
static int vm_destroy_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct kvm *kvm = vmsync_vm_destroy_kvm(regs);
	struct kvm_tsc_guest g;
	struct vm_entry *e;
	unsigned long flags;
	bool announced = false, free_it = false;

	raw_spin_lock_irqsave(&vms_lock, flags);
	e = vm_find(kvm);
	if (e) {
		list_del(&e->node);
		vm_count--;
		announced = e->ready;
		g = e->g;
		g.nr_vcpus = atomic_read(&e->kvm->online_vcpus);
		e->gone = true;
		free_it = !e->reading;
	}
	raw_spin_unlock_irqrestore(&vms_lock, flags);
	if (announced)
		trace_kvm_tsc_guest_exit(&g);
	if (free_it)
		kfree(e);
	return 0;
}

static struct kprobe vm_create_kp = {
	.symbol_name = VMSYNC_VM_CREATE_SYMBOL,
	.pre_handler = vm_create_pre,
};

static struct kprobe vm_destroy_kp = {
	.symbol_name = VMSYNC_VM_DESTROY_SYMBOL,
	.pre_handler = vm_destroy_pre,
};

void vm_registry_add_existing(struct kvm *kvm)
{
	struct vm_entry *e;
	pid_t pid = kvm->userspace_pid;

	e = vm_alloc(kvm, 0, GFP_KERNEL);
	if (!e)
		return;
	/* userspace_pid is the creating thread; qemu_pid is its process. */
	if (vmm_cmdline_read(pid, kvm->mm, &e->g.qemu_pid, e->g.uuid,
			     e->g.name))
		e->g.qemu_pid = pid;
	e->ready = true;
	if (vm_insert(e))
		trace_kvm_tsc_guest(&e->g);	/* the caller's reference keeps it */
	else
		kfree(e);
}

static void dump_vcpu(const void *session, const struct vm_entry *e,
		      struct kvm_vcpu *vcpu)
{
	struct kvm_tsc_vcpu v = {
		.session = session,
		.qemu_pid = e->g.qemu_pid,
		.vcpu = vcpu->vcpu_id,
	};
	struct kvm_tsc_change c = {
		.session = session,
		.qemu_pid = e->g.qemu_pid,
		.vcpu = vcpu->vcpu_id,
		.frac_bits = registry_frac_bits,
		.reason = KVM_TSC_REASON_STATEDUMP,
	};

	v.vcpu_tid = vmsync_vcpu_tid(vcpu);
	memcpy(v.vm, e->g.vm, KVM_TSC_VM_NAME_LEN);
	trace_kvm_tsc_vcpu(&v);

	c.vcpu_tid = v.vcpu_tid;
	memcpy(c.vm, e->g.vm, KVM_TSC_VM_NAME_LEN);
	c.host_tsc = rdtsc_ordered();
	c.offset = vmsync_vcpu_l1_tsc_offset(vcpu);
	c.ratio = vmsync_vcpu_l1_tsc_ratio(vcpu, registry_frac_bits);
	c.prev_offset = c.offset;
	c.prev_ratio = c.ratio;
	trace_kvm_tsc_offset(&c);
}

void vm_registry_statedump(const void *session)
{
	struct kvm_tsc_guest g;
	struct kvm_vcpu *vcpu;
	struct vm_entry *e;
	unsigned long flags, i;
	u32 n = 0;

	/* Held throughout: no VM in the list can be freed meanwhile. */
	raw_spin_lock_irqsave(&vms_lock, flags);
	list_for_each_entry(e, &vms, node)
		n += e->ready;
	trace_kvm_tsc_statedump_start(session, n);
	list_for_each_entry(e, &vms, node) {
		if (!e->ready)
			continue;	/* announced when its VMM is read */
		g = e->g;
		g.session = session;
		g.nr_vcpus = atomic_read(&e->kvm->online_vcpus);
		trace_kvm_tsc_guest(&g);
		kvm_for_each_vcpu(i, vcpu, e->kvm)
			dump_vcpu(session, e, vcpu);
	}
	trace_kvm_tsc_statedump_end(session, n);
	raw_spin_unlock_irqrestore(&vms_lock, flags);
}

int vm_registry_start(const struct kvm_link *link)
{
	int ret;

	registry_frac_bits = link->frac_bits;
	ret = register_kprobe(&vm_destroy_kp);
	if (ret) {
		pr_err("cannot kprobe %s (%d)\n", VMSYNC_VM_DESTROY_SYMBOL, ret);
		return ret;
	}
	ret = register_kprobe(&vm_create_kp);
	if (ret) {
		pr_err("cannot kprobe %s (%d)\n", VMSYNC_VM_CREATE_SYMBOL, ret);
		unregister_kprobe(&vm_destroy_kp);
	}
	return ret;
}

void vm_registry_stop(void)
{
	struct vm_entry *e, *tmp;

	unregister_kprobe(&vm_create_kp);
	/*
	 * Queued announcements run as their threads leave the creation ioctl
	 * (or exit): wait for them, they run our code and may free entries,
	 * then for the read-side section around their final wake_up.
	 */
	wait_event(announces_done, !atomic_read(&announces_pending));
	synchronize_rcu();
	unregister_kprobe(&vm_destroy_kp);
	list_for_each_entry_safe(e, tmp, &vms, node) {
		list_del(&e->node);
		kfree(e);
	}
	vm_count = 0;
}
