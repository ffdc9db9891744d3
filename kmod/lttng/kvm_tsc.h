/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LTTng description of the kvm_tsc_offset tracepoint (provider kvm_tsc),
 * compiled against lttng-modules by lttng-probe-kvm-tsc.c.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_tsc

#if !defined(LTTNG_TRACE_KVM_TSC_H) || defined(TRACE_HEADER_MULTI_READ)
#define LTTNG_TRACE_KVM_TSC_H

#include <lttng/tracepoint-event.h>
#include "../kvm_tsc_change.h"

LTTNG_TRACEPOINT_ENUM(kvm_tsc_reason,
	TP_ENUM_VALUES(
		ctf_enum_value("create", KVM_TSC_REASON_CREATE)
		ctf_enum_value("attach", KVM_TSC_REASON_ATTACH)
		ctf_enum_value("write", KVM_TSC_REASON_WRITE)
		ctf_enum_value("ratio", KVM_TSC_REASON_RATIO)
		ctf_enum_value("statedump", KVM_TSC_REASON_STATEDUMP)
	)
)

LTTNG_TRACEPOINT_EVENT(kvm_tsc_offset,
	TP_PROTO(const struct kvm_tsc_change *c),
	TP_ARGS(c),
	TP_FIELDS(
		ctf_integer(pid_t, qemu_pid, c->qemu_pid)
		ctf_string(vm, c->vm)
		ctf_integer(u32, vcpu, c->vcpu)
		ctf_integer(pid_t, vcpu_tid, c->vcpu_tid)
		ctf_integer(s64, offset, c->offset)
		ctf_integer(s64, prev_offset, c->prev_offset)
		ctf_integer(u64, ratio, c->ratio)
		ctf_integer(u64, prev_ratio, c->prev_ratio)
		ctf_integer(u8, frac_bits, c->frac_bits)
		ctf_integer(u64, host_tsc, c->host_tsc)
		ctf_enum(kvm_tsc_reason, u8, reason, c->reason)
	)
)

#endif /* LTTNG_TRACE_KVM_TSC_H */

/* This part must be outside protection */
#include <lttng/define_trace.h>
