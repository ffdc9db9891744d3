// SPDX-License-Identifier: GPL-2.0
/*
 * lttng-probe-kvm-vcpu - LTTng probe for the kvm_vcpu tracepoints (a vCPU
 * entering and leaving guest mode), so that 'lttng enable-event -k
 * kvm_vcpu_entry,kvm_vcpu_exit' records them. lttng-sessiond loads it with
 * --extra-kmod-probes=kvm-tsc,kvm-vcpu. Like lttng-probe-kvm-tsc, it loads
 * anywhere; LTTng attaches it once module kvm_tsc_sync brings the
 * tracepoints, and kvm_tsc_offset emits them.
 */
#include <linux/module.h>
#include <lttng/tracer.h>

/* The kernel-side declaration, so LTTng's macros are checked against it. */
#include "kvm_vcpu_trace.h"

#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define LTTNG_PACKAGE_BUILD
#define CREATE_TRACE_POINTS
#define TRACE_INCLUDE_PATH lttng
#define TRACE_INCLUDE_FILE kvm_vcpu
#include "lttng/kvm_vcpu.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("LTTng probe for vmsync's kvm_vcpu_entry and kvm_vcpu_exit tracepoints");
