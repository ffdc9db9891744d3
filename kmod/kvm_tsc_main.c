// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_tsc_offset - record every change of KVM vCPUs' TSC offset and ratio,
 * and which guests and vCPU threads exist.
 *
 * Attaches to KVM to feed the kvm_tsc tracepoints (defined by module
 * kvm_tsc_sync, which needs no KVM, so that LTTng's probe loads in guests):
 * see tsc_watch.c for how changes are found, vm_registry.c for the guests
 * and lttng_statedump_hook.c for the statedump; doc/ says what fields mean.
 */
#include "compat/pr_fmt.h"

#include <linux/module.h>

#include "compat/compat_kvm.h"
#include "lttng_statedump_hook.h"
#include "tsc_watch.h"
#include "vm_discover.h"
#include "vm_registry.h"

static struct kvm_link link;

static int __init kvm_tsc_offset_init(void)
{
	int ret = kvm_link_get(&link);

	if (ret)
		return ret;
	ret = tsc_watch_start(&link);
	if (ret) {
		pr_err("cannot attach to KVM's tracepoints (%d)\n",
		       ret);
		goto out_link;
	}
	ret = vm_registry_start(&link);
	if (ret)
		goto out_watch;
	vm_discover(&link);
	ret = lttng_statedump_hook_start(vm_registry_statedump);
	if (ret) {
		pr_err("cannot watch for LTTng's statedump (%d)\n",
		       ret);
		goto out_registry;
	}
	return 0;
out_registry:
	vm_registry_stop();
out_watch:
	tsc_watch_stop(&link);
out_link:
	kvm_link_put(&link);
	return ret;
}

static void __exit kvm_tsc_offset_exit(void)
{
	lttng_statedump_hook_stop();
	vm_registry_stop();
	tsc_watch_stop(&link);
	kvm_link_put(&link);
}

module_init(kvm_tsc_offset_init);
module_exit(kvm_tsc_offset_exit);
MODULE_SOFTDEP("pre: kvm");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Trace every change of KVM vCPUs' TSC offset and scaling ratio");
