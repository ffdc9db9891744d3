/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_link: what this module takes from KVM at load time (its exported
 * tracepoints and TSC capabilities), without a hard symbol dependency, so
 * that a missing kvm module is one clear error instead of a list of unknown
 * symbols. Holding them also pins kvm in memory while we are attached.
 */
#ifndef KVM_LINK_H
#define KVM_LINK_H

#include <linux/tracepoint.h>
#include <linux/types.h>

struct dentry;
struct kvm;

struct kvm_link {
	struct tracepoint *entry;		/* kvm_entry(vcpu[, force_exit]) */
	struct tracepoint *exit;		/* kvm_exit(vcpu, isa) */
	struct tracepoint *write_tsc_offset;	/* kvm_write_tsc_offset(id, prev, next) */
	struct dentry **debugfs_dir;		/* kvm_debugfs_dir: <pid>-<fd>/ */
	bool (*get_kvm_safe)(struct kvm *kvm);	/* false if the VM is dying */
	void (*put_kvm)(struct kvm *kvm);	/* may destroy it: may sleep */
	u8 frac_bits;				/* of the TSC scaling ratio */
	u64 default_ratio;			/* 1 << frac_bits */
};

int kvm_link_get(struct kvm_link *link);
void kvm_link_put(struct kvm_link *link);

#endif /* KVM_LINK_H */
