/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat_kernel.h - the kernel internals (not KVM's) that vmsync's modules
 * use and that changed between Linux 5.10 and 7.3. With compat_kvm.h, the
 * only place in kmod/ that knows a kernel version (doc/porting.md); which
 * versions the build accepts is checked before anything compiles, in
 * compat/Kbuild.gate.
 */
#ifndef VMSYNC_COMPAT_KERNEL_H
#define VMSYNC_COMPAT_KERNEL_H

#include <linux/dcache.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/ptrace.h>
#include <linux/version.h>

/*
 * Argument @n (from 0) of the probed function, in a kprobe pre-handler at
 * its first instruction: the calling convention, not a register name.
 */
static inline unsigned long vmsync_kprobe_arg(struct pt_regs *regs,
					      unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/*
 * The children of debugfs directory @parent; the caller holds
 * @parent->d_lock. 6.8 turned d_subdirs/d_child into the hlist
 * d_children/d_sib.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define vmsync_for_each_child(child, parent) \
	hlist_for_each_entry(child, &(parent)->d_children, d_sib)
#else
#define vmsync_for_each_child(child, parent) \
	list_for_each_entry(child, &(parent)->d_subdirs, d_child)
#endif

/* hrtimer_setup() (6.13) replaced hrtimer_init() and ->function (gone in 6.15). */
static inline void vmsync_hrtimer_setup(struct hrtimer *t,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(t, fn, clock, mode);
#else
	hrtimer_init(t, clock, mode);
	t->function = fn;
#endif
}

#endif /* VMSYNC_COMPAT_KERNEL_H */
