/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmsync_format.h - the names vmsync's traces are read and written by: the
 * kernel module's events (doc/kvm_tsc_offset.md, doc/statedump.md), the
 * trace environment entries LTTng writes and those a rebased guest trace
 * gains (doc/plugin.md). One place, for the filter, the copy and the check.
 */
#ifndef VMSYNC_FORMAT_H
#define VMSYNC_FORMAT_H

/* Events of the host's module (trace system kvm_tsc), and their prefix. */
#define EV_KVM_TSC_PREFIX	"kvm_tsc_"
#define EV_OFFSET		"kvm_tsc_offset"
#define EV_GUEST		"kvm_tsc_guest"
#define EV_VCPU			"kvm_tsc_vcpu"
#define EV_STATEDUMP_START	"kvm_tsc_statedump_start"
#define EV_STATEDUMP_END	"kvm_tsc_statedump_end"
#define EV_BEACON		"kvm_tsc_sync"
#define EV_VCPU_ENTRY		"kvm_vcpu_entry"
#define EV_VCPU_EXIT		"kvm_vcpu_exit"

/* The name of vmsync's raw-TSC trace clock (lttng-clock-tsc). */
#define TSC_CLOCK_NAME		"vmsync_tsc"

/* LTTng's environment entries, and the per-CPU packet context member. */
#define ENV_HOSTNAME		"hostname"
#define ENV_PRODUCT_UUID	"product_uuid"
/* LTTng's own: the session's name and the tracer's domain (kernel, ust). */
#define ENV_LTTNG_SESSION	"trace_name"
#define ENV_LTTNG_DOMAIN	"domain"
#define PACKET_CPU_ID		"cpu_id"

/* What a rebased guest trace's environment says (ir_copy.c). */
#define ENV_REBASED		"vmsync_rebased"
#define ENV_HOST_TRACE		"vmsync_host_trace"
#define ENV_HOST_HOSTNAME	"vmsync_host_hostname"
#define ENV_HOST_VM		"vmsync_host_vm"
#define ENV_HOST_UUID		"vmsync_host_uuid"

#endif /* VMSYNC_FORMAT_H */
