// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_link.c - take KVM's tracepoints and TSC capabilities by name.
 *
 * Nothing here is a stable kernel interface: the prototypes of KVM's
 * tracepoints (arch/x86/kvm/trace.h) and struct kvm_caps (arch/x86/kvm/x86.h,
 * not shipped in the headers packages) change between releases. The build
 * is gated on the releases this was checked against; porting to another one
 * means checking both, then extending the gate (see doc/porting.md).
 */
#include <linux/module.h>
#include <linux/version.h>

#include "kvm_link.h"

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || \
	LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#error "kvm_tsc_offset is checked on Linux 6.1 only: check kvm_entry, kvm_exit, kvm_write_tsc_offset and struct kvm_caps for this kernel, then extend this gate (doc/porting.md)"
#endif

/* The head of 6.1's struct kvm_caps; validated at load time. */
struct kvm_caps_head {
	bool has_tsc_control;
	u32 max_guest_tsc_khz;
	u8 tsc_scaling_ratio_frac_bits;
	u64 max_tsc_scaling_ratio;
	u64 default_tsc_scaling_ratio;
};

static const char *const kvm_symbols[] = {
	"__tracepoint_kvm_entry",
	"__tracepoint_kvm_write_tsc_offset",
	"kvm_caps",
	"kvm_debugfs_dir",
	"kvm_get_kvm_safe",
	"kvm_put_kvm",
	"__tracepoint_kvm_exit",
};

static void put_symbols(int n)
{
	while (n-- > 0)
		__symbol_put(kvm_symbols[n]);
}

int kvm_link_get(struct kvm_link *link)
{
	void *sym[ARRAY_SIZE(kvm_symbols)];
	const struct kvm_caps_head *caps;
	int i;

	for (i = 0; i < ARRAY_SIZE(kvm_symbols); i++) {
		sym[i] = __symbol_get(kvm_symbols[i]);
		if (!sym[i]) {
			put_symbols(i);
			pr_err("kvm_tsc_offset: kvm is not loaded (no %s): load kvm_intel or kvm_amd first\n",
			       kvm_symbols[i]);
			return -ENODEV;
		}
	}
	link->entry = sym[0];
	link->write_tsc_offset = sym[1];
	caps = sym[2];
	link->debugfs_dir = sym[3];
	link->get_kvm_safe = sym[4];
	link->put_kvm = sym[5];
	link->exit = sym[6];

	link->frac_bits = caps->tsc_scaling_ratio_frac_bits;
	link->default_ratio = caps->default_tsc_scaling_ratio;
	if (!link->frac_bits && !link->default_ratio) {
		/* kvm_caps is filled in by the vendor module's setup. */
		put_symbols(ARRAY_SIZE(kvm_symbols));
		pr_err("kvm_tsc_offset: kvm is loaded but neither kvm_intel nor kvm_amd is: load one first\n");
		return -ENODEV;
	}
	if ((link->frac_bits != 32 && link->frac_bits != 48) ||
	    link->default_ratio != 1ULL << link->frac_bits) {
		put_symbols(ARRAY_SIZE(kvm_symbols));
		pr_err("kvm_tsc_offset: unsupported kernel: struct kvm_caps does not have the 6.1 layout (frac_bits %u, default ratio %#llx)\n",
		       link->frac_bits, link->default_ratio);
		return -EINVAL;
	}
	return 0;
}

void kvm_link_put(struct kvm_link *link)
{
	put_symbols(ARRAY_SIZE(kvm_symbols));
	memset(link, 0, sizeof(*link));
}
