/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracepoints of trace system kvm_vcpu: a vCPU thread entering and
 * leaving guest mode, with the vCPU's id and thread, so that an analysis
 * knows, for any host time, whether a vCPU could run guest code (vmsync's
 * accuracy check, sink.vmsync.check). They are apart from kvm_tsc so that
 * 'kvm_tsc_*' stays cheap: these come at every VM exit. Module kvm_tsc_sync
 * defines them; kvm_tsc_offset emits them from KVM's kvm_entry and kvm_exit.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_vcpu

#if !defined(KVM_VCPU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KVM_VCPU_TRACE_H

#include <linux/tracepoint.h>
#include "kvm_tsc_consumers.h"

DECLARE_EVENT_CLASS(kvm_vcpu_mode,
	TP_PROTO(pid_t qemu_pid, pid_t vcpu_tid, u32 vcpu),
	TP_ARGS(qemu_pid, vcpu_tid, vcpu),

	TP_STRUCT__entry(
		__field(pid_t, qemu_pid)
		__field(pid_t, vcpu_tid)
		__field(u32, vcpu)
	),

	TP_fast_assign(
		__entry->qemu_pid = qemu_pid;
		__entry->vcpu_tid = vcpu_tid;
		__entry->vcpu = vcpu;
	),

	TP_printk("qemu_pid=%d vcpu_tid=%d vcpu=%u", __entry->qemu_pid,
		  __entry->vcpu_tid, __entry->vcpu)
);

/* Last thing before the guest runs (after any kvm_tsc_offset for it). */
DEFINE_EVENT_FN(kvm_vcpu_mode, kvm_vcpu_entry,
	TP_PROTO(pid_t qemu_pid, pid_t vcpu_tid, u32 vcpu),
	TP_ARGS(qemu_pid, vcpu_tid, vcpu),
	kvm_vcpu_entry_reg, kvm_vcpu_entry_unreg);

/* First thing after the guest stopped running. */
DEFINE_EVENT_FN(kvm_vcpu_mode, kvm_vcpu_exit,
	TP_PROTO(pid_t qemu_pid, pid_t vcpu_tid, u32 vcpu),
	TP_ARGS(qemu_pid, vcpu_tid, vcpu),
	kvm_vcpu_exit_reg, kvm_vcpu_exit_unreg);

#endif /* KVM_VCPU_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kvm_vcpu_trace
#include <trace/define_trace.h>
