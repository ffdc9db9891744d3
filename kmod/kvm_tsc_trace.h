/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kvm_tsc_offset tracepoint, trace system kvm_tsc: a plain Linux
 * tracepoint, so ftrace, trace-cmd and perf see it; lttng-probe-kvm-tsc
 * records it into LTTng sessions.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_tsc

#if !defined(KVM_TSC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KVM_TSC_TRACE_H

#include <linux/tracepoint.h>
#include "kvm_tsc_change.h"

TRACE_DEFINE_ENUM(KVM_TSC_REASON_CREATE);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_ATTACH);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_WRITE);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_RATIO);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_STATEDUMP);

TRACE_EVENT(kvm_tsc_offset,
	TP_PROTO(const struct kvm_tsc_change *c),
	TP_ARGS(c),

	TP_STRUCT__entry(
		__field(pid_t, qemu_pid)
		__array(char, vm, KVM_TSC_VM_NAME_LEN)
		__field(u32, vcpu)
		__field(pid_t, vcpu_tid)
		__field(s64, offset)
		__field(s64, prev_offset)
		__field(u64, ratio)
		__field(u64, prev_ratio)
		__field(u8, frac_bits)
		__field(u64, host_tsc)
		__field(u8, reason)
	),

	TP_fast_assign(
		__entry->qemu_pid = c->qemu_pid;
		memcpy(__entry->vm, c->vm, KVM_TSC_VM_NAME_LEN);
		__entry->vcpu = c->vcpu;
		__entry->vcpu_tid = c->vcpu_tid;
		__entry->offset = c->offset;
		__entry->prev_offset = c->prev_offset;
		__entry->ratio = c->ratio;
		__entry->prev_ratio = c->prev_ratio;
		__entry->frac_bits = c->frac_bits;
		__entry->host_tsc = c->host_tsc;
		__entry->reason = c->reason;
	),

	TP_printk("qemu_pid=%d vm=%s vcpu=%u vcpu_tid=%d offset=%lld prev_offset=%lld ratio=%llu prev_ratio=%llu frac_bits=%u host_tsc=%llu reason=%s",
		  __entry->qemu_pid, __entry->vm, __entry->vcpu,
		  __entry->vcpu_tid, __entry->offset, __entry->prev_offset,
		  __entry->ratio, __entry->prev_ratio, __entry->frac_bits,
		  __entry->host_tsc,
		  __print_symbolic(__entry->reason,
				   { KVM_TSC_REASON_CREATE, "create" },
				   { KVM_TSC_REASON_ATTACH, "attach" },
				   { KVM_TSC_REASON_WRITE, "write" },
				   { KVM_TSC_REASON_RATIO, "ratio" },
				   { KVM_TSC_REASON_STATEDUMP, "statedump" }))
);

#endif /* KVM_TSC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kvm_tsc_trace
#include <trace/define_trace.h>
