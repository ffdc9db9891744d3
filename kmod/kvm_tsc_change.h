/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One observed change of a vCPU's L1 TSC offset or scaling ratio: what the
 * kvm_tsc_offset tracepoint (ftrace, perf) and the LTTng probe both record.
 */
#ifndef KVM_TSC_CHANGE_H
#define KVM_TSC_CHANGE_H

#include <linux/types.h>

/* Why the event was emitted. Values are ABI: traces store the number. */
enum kvm_tsc_reason {
	KVM_TSC_REASON_CREATE = 0,	/* a new vCPU, before its first entry */
	KVM_TSC_REASON_ATTACH = 1,	/* first sight of a running vCPU after load */
	KVM_TSC_REASON_WRITE = 2,	/* L1 offset written (VMM, guest, KVM catch-up) */
	KVM_TSC_REASON_RATIO = 3,	/* L1 scaling ratio changed (KVM_SET_TSC_KHZ) */
	KVM_TSC_REASON_STATEDUMP = 4,	/* current value, dumped at trace start */
};

/* Why a kvm_tsc_sync beacon was emitted. */
enum kvm_tsc_sync_reason {
	KVM_TSC_SYNC_PERIODIC = 0,	/* every period_ms on every CPU */
	KVM_TSC_SYNC_STATEDUMP = 1,	/* once into a session at its statedump */
};

#define KVM_TSC_VM_NAME_LEN 32		/* "<pid>-<fd>", KVM's debugfs name */
#define KVM_TSC_UUID_LEN 37		/* 36 characters and the NUL */
#define KVM_TSC_GUEST_NAME_LEN 64	/* qemu's -name, truncated */

/*
 * Every event structure starts with the LTTng session a statedump emits it
 * for; NULL (live events) means every session. ftrace ignores it.
 */
struct kvm_tsc_change {
	const void *session;
	s64 offset;
	s64 prev_offset;
	u64 ratio;
	u64 prev_ratio;
	u64 host_tsc;		/* raw host TSC when offset and ratio were read */
	pid_t qemu_pid;		/* tgid of the VMM */
	pid_t vcpu_tid;		/* host thread that runs the vCPU */
	u32 vcpu;		/* vcpu_id given by the VMM */
	u8 frac_bits;		/* fraction bits of ratio */
	u8 reason;		/* enum kvm_tsc_reason */
	char vm[KVM_TSC_VM_NAME_LEN];
};

/* A VM: announced at statedump, at creation (kvm_tsc_guest) and at exit. */
struct kvm_tsc_guest {
	const void *session;
	pid_t qemu_pid;
	u32 nr_vcpus;		/* online vCPUs at the time of the event */
	char vm[KVM_TSC_VM_NAME_LEN];
	char uuid[KVM_TSC_UUID_LEN];	/* SMBIOS system UUID, "" if none */
	char name[KVM_TSC_GUEST_NAME_LEN];	/* -name, "" if none */
};

/* A vCPU and the host thread that runs it (kvm_tsc_vcpu). */
struct kvm_tsc_vcpu {
	const void *session;
	pid_t qemu_pid;
	pid_t vcpu_tid;		/* 0 until the vCPU first ran */
	u32 vcpu;
	char vm[KVM_TSC_VM_NAME_LEN];
};

#endif /* KVM_TSC_CHANGE_H */
