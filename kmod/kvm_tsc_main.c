// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_tsc_offset - record every change of KVM vCPUs' TSC offset and ratio.
 *
 * Defines the kvm_tsc_offset tracepoint (trace system kvm_tsc) and attaches
 * to KVM's tracepoints to feed it. See tsc_watch.c for how changes are found
 * and doc/ for what the fields mean.
 */
#include <linux/module.h>

#include "kvm_link.h"
#include "tsc_watch.h"

#define CREATE_TRACE_POINTS
#include "kvm_tsc_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(kvm_tsc_offset);

static struct kvm_link link;

static int __init kvm_tsc_offset_init(void)
{
	int ret = kvm_link_get(&link);

	if (ret)
		return ret;
	ret = tsc_watch_start(&link);
	if (ret) {
		pr_err("kvm_tsc_offset: cannot attach to KVM's tracepoints (%d)\n",
		       ret);
		kvm_link_put(&link);
	}
	return ret;
}

static void __exit kvm_tsc_offset_exit(void)
{
	tsc_watch_stop(&link);
	kvm_link_put(&link);
}

module_init(kvm_tsc_offset_init);
module_exit(kvm_tsc_offset_exit);
MODULE_SOFTDEP("pre: kvm");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Trace every change of KVM vCPUs' TSC offset and scaling ratio");
