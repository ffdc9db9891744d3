/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LTTng description of the kvm_tsc tracepoints (provider kvm_tsc), compiled
 * against lttng-modules by lttng-probe-kvm-tsc.c.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_tsc

#if !defined(LTTNG_TRACE_KVM_TSC_H) || defined(TRACE_HEADER_MULTI_READ)
#define LTTNG_TRACE_KVM_TSC_H

#include <lttng/tracepoint-event.h>
#include "../kvm_tsc_change.h"

#include "session_filter.h"

/*
 * Text fields are never empty in LTTng traces: babeltrace2 up to 2.0.4
 * (Debian 12's) shows an empty text field with the value it had in the
 * previous event of the class, so a guest without -uuid would read as the
 * previous guest's. "None given" is written as the nil UUID (as SMBIOS
 * says it) and as "(none)" for names; doc/statedump.md tells readers.
 */
#define KVM_TSC_NIL_UUID "00000000-0000-0000-0000-000000000000"
#define KVM_TSC_NONE "(none)"
#define kvm_tsc_text(s, none) ((s)[0] ? (const char *)(s) : (none))

LTTNG_TRACEPOINT_ENUM(kvm_tsc_reason,
	TP_ENUM_VALUES(
		ctf_enum_value("create", KVM_TSC_REASON_CREATE)
		ctf_enum_value("attach", KVM_TSC_REASON_ATTACH)
		ctf_enum_value("write", KVM_TSC_REASON_WRITE)
		ctf_enum_value("ratio", KVM_TSC_REASON_RATIO)
		ctf_enum_value("statedump", KVM_TSC_REASON_STATEDUMP)
	)
)

LTTNG_TRACEPOINT_EVENT_CODE(kvm_tsc_offset,
	TP_PROTO(const struct kvm_tsc_change *c),
	TP_ARGS(c),
	TP_locvar(),
	TP_code_pre(
		if (kvm_tsc_other_session(__event, c->session))
			return;
	),
	TP_FIELDS(
		ctf_integer(pid_t, qemu_pid, c->qemu_pid)
		ctf_string(vm, kvm_tsc_text(c->vm, KVM_TSC_NONE))
		ctf_integer(u32, vcpu, c->vcpu)
		ctf_integer(pid_t, vcpu_tid, c->vcpu_tid)
		ctf_integer(s64, offset, c->offset)
		ctf_integer(s64, prev_offset, c->prev_offset)
		ctf_integer(u64, ratio, c->ratio)
		ctf_integer(u64, prev_ratio, c->prev_ratio)
		ctf_integer(u8, frac_bits, c->frac_bits)
		ctf_integer(u64, host_tsc, c->host_tsc)
		ctf_enum(kvm_tsc_reason, u8, reason, c->reason)
	),
	TP_code_post()
)

LTTNG_TRACEPOINT_EVENT_CLASS_CODE(kvm_tsc_guest_class,
	TP_PROTO(const struct kvm_tsc_guest *g),
	TP_ARGS(g),
	TP_locvar(),
	TP_code_pre(
		if (kvm_tsc_other_session(__event, g->session))
			return;
	),
	TP_FIELDS(
		ctf_integer(pid_t, qemu_pid, g->qemu_pid)
		ctf_string(vm, kvm_tsc_text(g->vm, KVM_TSC_NONE))
		ctf_string(uuid, kvm_tsc_text(g->uuid, KVM_TSC_NIL_UUID))
		ctf_string(name, kvm_tsc_text(g->name, KVM_TSC_NONE))
		ctf_integer(u32, nr_vcpus, g->nr_vcpus)
	),
	TP_code_post()
)

LTTNG_TRACEPOINT_EVENT_INSTANCE(kvm_tsc_guest_class, kvm_tsc_guest,
	TP_PROTO(const struct kvm_tsc_guest *g),
	TP_ARGS(g)
)

LTTNG_TRACEPOINT_EVENT_INSTANCE(kvm_tsc_guest_class, kvm_tsc_guest_exit,
	TP_PROTO(const struct kvm_tsc_guest *g),
	TP_ARGS(g)
)

LTTNG_TRACEPOINT_EVENT_CODE(kvm_tsc_vcpu,
	TP_PROTO(const struct kvm_tsc_vcpu *v),
	TP_ARGS(v),
	TP_locvar(),
	TP_code_pre(
		if (kvm_tsc_other_session(__event, v->session))
			return;
	),
	TP_FIELDS(
		ctf_integer(pid_t, qemu_pid, v->qemu_pid)
		ctf_string(vm, kvm_tsc_text(v->vm, KVM_TSC_NONE))
		ctf_integer(u32, vcpu, v->vcpu)
		ctf_integer(pid_t, vcpu_tid, v->vcpu_tid)
	),
	TP_code_post()
)

LTTNG_TRACEPOINT_EVENT_CLASS_CODE(kvm_tsc_statedump_marker,
	TP_PROTO(const void *session, u32 nr_guests),
	TP_ARGS(session, nr_guests),
	TP_locvar(),
	TP_code_pre(
		if (kvm_tsc_other_session(__event, session))
			return;
	),
	TP_FIELDS(
		ctf_integer(u32, nr_guests, nr_guests)
	),
	TP_code_post()
)

LTTNG_TRACEPOINT_EVENT_INSTANCE(kvm_tsc_statedump_marker,
	kvm_tsc_statedump_start,
	TP_PROTO(const void *session, u32 nr_guests),
	TP_ARGS(session, nr_guests)
)

LTTNG_TRACEPOINT_EVENT_INSTANCE(kvm_tsc_statedump_marker,
	kvm_tsc_statedump_end,
	TP_PROTO(const void *session, u32 nr_guests),
	TP_ARGS(session, nr_guests)
)

LTTNG_TRACEPOINT_ENUM(kvm_tsc_sync_reason,
	TP_ENUM_VALUES(
		ctf_enum_value("periodic", KVM_TSC_SYNC_PERIODIC)
		ctf_enum_value("statedump", KVM_TSC_SYNC_STATEDUMP)
	)
)

LTTNG_TRACEPOINT_EVENT_CODE(kvm_tsc_sync,
	TP_PROTO(const void *session, u64 tsc, u8 reason),
	TP_ARGS(session, tsc, reason),
	TP_locvar(),
	TP_code_pre(
		if (kvm_tsc_other_session(__event, session))
			return;
	),
	TP_FIELDS(
		ctf_integer(u64, tsc, tsc)
		ctf_enum(kvm_tsc_sync_reason, u8, reason, reason)
	),
	TP_code_post()
)

#endif /* LTTNG_TRACE_KVM_TSC_H */

/* This part must be outside protection */
#include <lttng/define_trace.h>
