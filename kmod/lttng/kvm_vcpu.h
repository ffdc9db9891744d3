/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LTTng description of the kvm_vcpu tracepoints (provider kvm_vcpu),
 * compiled against lttng-modules by lttng-probe-kvm-vcpu.c.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_vcpu

#if !defined(LTTNG_TRACE_KVM_VCPU_H) || defined(TRACE_HEADER_MULTI_READ)
#define LTTNG_TRACE_KVM_VCPU_H

#include <lttng/tracepoint-event.h>

LTTNG_TRACEPOINT_EVENT_CLASS(kvm_vcpu_mode,
	TP_PROTO(pid_t qemu_pid, pid_t vcpu_tid, u32 vcpu),
	TP_ARGS(qemu_pid, vcpu_tid, vcpu),
	TP_FIELDS(
		ctf_integer(pid_t, qemu_pid, qemu_pid)
		ctf_integer(pid_t, vcpu_tid, vcpu_tid)
		ctf_integer(u32, vcpu, vcpu)
	)
)

LTTNG_TRACEPOINT_EVENT_INSTANCE(kvm_vcpu_mode, kvm_vcpu_entry,
	TP_PROTO(pid_t qemu_pid, pid_t vcpu_tid, u32 vcpu),
	TP_ARGS(qemu_pid, vcpu_tid, vcpu))

LTTNG_TRACEPOINT_EVENT_INSTANCE(kvm_vcpu_mode, kvm_vcpu_exit,
	TP_PROTO(pid_t qemu_pid, pid_t vcpu_tid, u32 vcpu),
	TP_ARGS(qemu_pid, vcpu_tid, vcpu))

#endif /* LTTNG_TRACE_KVM_VCPU_H */

#include <lttng/define_trace.h>
