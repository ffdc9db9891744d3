// SPDX-License-Identifier: GPL-2.0
/*
 * lttng-probe-kvm-tsc - LTTng probe for the kvm_tsc tracepoints, so that
 * 'lttng enable-event -k kvm_tsc_offset' (or kvm_tsc_sync, ...) records
 * them. lttng-sessiond loads it with --extra-kmod-probes=kvm-tsc (or
 * LTTNG_EXTRA_KMOD_PROBES). It loads anywhere, KVM or not: LTTng attaches
 * it to the tracepoints by name once module kvm_tsc_sync brings them.
 */
#include <linux/module.h>
#include <lttng/tracer.h>

/* The kernel-side declaration, so LTTng's macros are checked against it. */
#include "kvm_tsc_trace.h"

#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define LTTNG_PACKAGE_BUILD
#define CREATE_TRACE_POINTS
#define TRACE_INCLUDE_PATH lttng
#define TRACE_INCLUDE_FILE kvm_tsc
#include "lttng/kvm_tsc.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("LTTng probe for vmsync's kvm_tsc_offset tracepoint");
