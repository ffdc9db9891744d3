/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracepoints of trace system kvm_tsc: plain Linux tracepoints, so
 * ftrace, trace-cmd and perf see them; lttng-probe-kvm-tsc records them into
 * LTTng sessions. kvm_tsc_offset is every change of a vCPU's offset or
 * ratio; the others say which guests and vCPU threads exist (at statedump,
 * and as they come and go); kvm_tsc_sync is a beacon that pairs the trace's
 * own clock (its timestamp) with the raw TSC (its tsc field), for traces on
 * LTTng's default clock. Module kvm_tsc_sync defines them all.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_tsc

#if !defined(KVM_TSC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KVM_TSC_TRACE_H

#include <linux/tracepoint.h>
#include "kvm_tsc_change.h"
#include "kvm_tsc_consumers.h"

TRACE_DEFINE_ENUM(KVM_TSC_REASON_CREATE);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_ATTACH);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_WRITE);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_RATIO);
TRACE_DEFINE_ENUM(KVM_TSC_REASON_STATEDUMP);
TRACE_DEFINE_ENUM(KVM_TSC_SYNC_PERIODIC);
TRACE_DEFINE_ENUM(KVM_TSC_SYNC_STATEDUMP);

/* Its consumers need the VM-entry probe: kvm_tsc_consumers.h. */
TRACE_EVENT_FN(kvm_tsc_offset,
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
				   { KVM_TSC_REASON_STATEDUMP, "statedump" })),

	kvm_tsc_offset_reg, kvm_tsc_offset_unreg
);

/* A guest: announced (in a dump, or created) and gone, with one layout. */
DECLARE_EVENT_CLASS(kvm_tsc_guest_class,
	TP_PROTO(const struct kvm_tsc_guest *g),
	TP_ARGS(g),

	TP_STRUCT__entry(
		__field(pid_t, qemu_pid)
		__array(char, vm, KVM_TSC_VM_NAME_LEN)
		__array(char, uuid, KVM_TSC_UUID_LEN)
		__array(char, name, KVM_TSC_GUEST_NAME_LEN)
		__field(u32, nr_vcpus)
	),

	TP_fast_assign(
		__entry->qemu_pid = g->qemu_pid;
		memcpy(__entry->vm, g->vm, KVM_TSC_VM_NAME_LEN);
		memcpy(__entry->uuid, g->uuid, KVM_TSC_UUID_LEN);
		memcpy(__entry->name, g->name, KVM_TSC_GUEST_NAME_LEN);
		__entry->nr_vcpus = g->nr_vcpus;
	),

	TP_printk("qemu_pid=%d vm=%s uuid=%s name=%s nr_vcpus=%u",
		  __entry->qemu_pid, __entry->vm, __entry->uuid, __entry->name,
		  __entry->nr_vcpus)
);

DEFINE_EVENT(kvm_tsc_guest_class, kvm_tsc_guest,
	TP_PROTO(const struct kvm_tsc_guest *g),
	TP_ARGS(g));

DEFINE_EVENT(kvm_tsc_guest_class, kvm_tsc_guest_exit,
	TP_PROTO(const struct kvm_tsc_guest *g),
	TP_ARGS(g));

TRACE_EVENT_FN(kvm_tsc_vcpu,
	TP_PROTO(const struct kvm_tsc_vcpu *v),
	TP_ARGS(v),

	TP_STRUCT__entry(
		__field(pid_t, qemu_pid)
		__array(char, vm, KVM_TSC_VM_NAME_LEN)
		__field(u32, vcpu)
		__field(pid_t, vcpu_tid)
	),

	TP_fast_assign(
		__entry->qemu_pid = v->qemu_pid;
		memcpy(__entry->vm, v->vm, KVM_TSC_VM_NAME_LEN);
		__entry->vcpu = v->vcpu;
		__entry->vcpu_tid = v->vcpu_tid;
	),

	TP_printk("qemu_pid=%d vm=%s vcpu=%u vcpu_tid=%d", __entry->qemu_pid,
		  __entry->vm, __entry->vcpu, __entry->vcpu_tid),

	kvm_tsc_vcpu_reg, kvm_tsc_vcpu_unreg
);

/* Bracket one statedump: an analysis knows the dump between is complete. */
DECLARE_EVENT_CLASS(kvm_tsc_statedump_marker,
	TP_PROTO(const void *session, u32 nr_guests),
	TP_ARGS(session, nr_guests),
	TP_STRUCT__entry(__field(u32, nr_guests)),
	TP_fast_assign(__entry->nr_guests = nr_guests;),
	TP_printk("nr_guests=%u", __entry->nr_guests)
);

DEFINE_EVENT(kvm_tsc_statedump_marker, kvm_tsc_statedump_start,
	TP_PROTO(const void *session, u32 nr_guests),
	TP_ARGS(session, nr_guests));

DEFINE_EVENT(kvm_tsc_statedump_marker, kvm_tsc_statedump_end,
	TP_PROTO(const void *session, u32 nr_guests),
	TP_ARGS(session, nr_guests));

/* @session: the statedump's (recorded there only), or NULL (everywhere). */
TRACE_EVENT(kvm_tsc_sync,
	TP_PROTO(const void *session, u64 tsc, u8 reason),
	TP_ARGS(session, tsc, reason),

	TP_STRUCT__entry(
		__field(u64, tsc)
		__field(u8, reason)
	),

	TP_fast_assign(
		__entry->tsc = tsc;
		__entry->reason = reason;
	),

	TP_printk("tsc=%llu reason=%s", __entry->tsc,
		  __print_symbolic(__entry->reason,
				   { KVM_TSC_SYNC_PERIODIC, "periodic" },
				   { KVM_TSC_SYNC_STATEDUMP, "statedump" }))
);

#endif /* KVM_TSC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kvm_tsc_trace
#include <trace/define_trace.h>
