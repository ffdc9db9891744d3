// SPDX-License-Identifier: GPL-2.0
/*
 * compat_kvm.c - take what kvm_tsc_offset needs from KVM, on every kernel
 * from 5.10 to 7.3, without a hard symbol dependency (a missing kvm module
 * is then one clear error, not a list of unknown symbols), and keep KVM
 * loaded while it is held.
 *
 * KVM's tracepoints are taken through their exported symbols where KVM
 * exports them, else found by name: in the kernel (KVM built in) or in
 * module kvm, through the tracepoint module notifier (5.10 exports no
 * kvm_entry). kvm_get_kvm_safe() exists from 5.15 only. KVM's capabilities
 * (kvm_caps from 6.0, exported only to KVM's own modules from 6.18; globals
 * before 6.0) are not read: the TSC ratio's fraction bits are 48 on VMX and
 * 32 on SVM on every kernel.
 */
#include "pr_fmt.h"

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include "compat_kvm.h"

struct tp_lookup {
	const char *name;
	struct vmsync_kvm_tp *out;
};

/* Built-in tracepoints (KVM built into the kernel). */
static void find_builtin(struct tracepoint *tp, void *priv)
{
	struct tp_lookup *l = priv;

	if (!l->out->tp && !strcmp(tp->name, l->name))
		l->out->tp = tp;
}

static struct tp_lookup *module_lookup;

/* Called for every loaded module with tracepoints, at registration. */
static int find_in_module(struct notifier_block *nb, unsigned long val,
			  void *data)
{
	struct tp_module *tp_mod = data;
	struct module *mod = tp_mod->mod;
	struct tp_lookup *l = module_lookup;
	unsigned int i;

	if (val != MODULE_STATE_COMING || l->out->tp || strcmp(mod->name, "kvm"))
		return NOTIFY_OK;
	for (i = 0; i < mod->num_tracepoints; i++) {
		struct tracepoint *tp =
			tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]);

		if (strcmp(tp->name, l->name))
			continue;
		if (try_module_get(mod)) {
			l->out->tp = tp;
			l->out->owner = mod;
		}
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block find_nb = {
	.notifier_call = find_in_module,
};

static DEFINE_MUTEX(lookup_mutex);

static int kvm_tp_get(struct vmsync_kvm_tp *t, const char *name,
		      const char *symbol)
{
	struct tp_lookup l = { .name = name, .out = t };

	memset(t, 0, sizeof(*t));
	t->tp = __symbol_get(symbol);
	if (t->tp) {
		t->symbol = symbol;
		return 0;
	}
	for_each_kernel_tracepoint(find_builtin, &l);
	if (t->tp)
		return 0;
	mutex_lock(&lookup_mutex);
	module_lookup = &l;
	/* Calls us for every module already loaded, then nothing to undo. */
	if (!register_tracepoint_module_notifier(&find_nb))
		unregister_tracepoint_module_notifier(&find_nb);
	module_lookup = NULL;
	mutex_unlock(&lookup_mutex);
	return t->tp ? 0 : -ENODEV;
}

static void kvm_tp_put(struct vmsync_kvm_tp *t)
{
	if (t->symbol)
		__symbol_put(t->symbol);
	if (t->owner)
		module_put(t->owner);
	memset(t, 0, sizeof(*t));
}

/*
 * KVM's debugfs directory exists once a vendor module (kvm_intel, kvm_amd)
 * has initialized KVM (kvm_init() creates it), on every kernel.
 */
static bool kvm_vendor_loaded(void)
{
	struct dentry *dir;

	if (!debugfs_initialized())
		return true;	/* cannot tell: VMs will show it */
	dir = vmsync_kvm_debugfs_dir();
	if (!dir)
		return false;
	dput(dir);
	return true;
}

/* KVM's TSC scaling ratio fraction bits, as kvm_intel or kvm_amd set them. */
static u8 kvm_frac_bits(void)
{
	bool amd = boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;

	if (amd && boot_cpu_has(X86_FEATURE_SVM))
		return 32;
	if (boot_cpu_has(X86_FEATURE_VMX))
		return 48;
	if (boot_cpu_has(X86_FEATURE_SVM))
		return 32;
	return 0;
}

int kvm_link_get(struct kvm_link *link)
{
	static const char *const names[] = {
		"kvm_entry", "kvm_write_tsc_offset", "kvm_exit",
	};
	static const char *const symbols[] = {
		"__tracepoint_kvm_entry", "__tracepoint_kvm_write_tsc_offset",
		"__tracepoint_kvm_exit",
	};
	struct vmsync_kvm_tp *tps[] = {
		&link->entry, &link->write_tsc_offset, &link->exit,
	};
	int i;

	memset(link, 0, sizeof(*link));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (kvm_tp_get(tps[i], names[i], symbols[i])) {
			pr_err("kvm is not loaded (no %s): load kvm_intel or kvm_amd first\n",
			       symbols[i]);
			goto out_put;
		}
	}
	link->put_kvm = __symbol_get("kvm_put_kvm");
	if (!link->put_kvm) {
		pr_err("kvm is not loaded (no kvm_put_kvm): load kvm_intel or kvm_amd first\n");
		goto out_put;
	}
	link->get_kvm_safe = __symbol_get("kvm_get_kvm_safe");
	link->frac_bits = kvm_frac_bits();
	if (!link->frac_bits || !kvm_vendor_loaded()) {
		pr_err("kvm is loaded but neither kvm_intel nor kvm_amd is: load one first\n");
		goto out_put;
	}
	return 0;
out_put:
	kvm_link_put(link);
	return -ENODEV;
}

void kvm_link_put(struct kvm_link *link)
{
	if (link->get_kvm_safe)
		__symbol_put("kvm_get_kvm_safe");
	if (link->put_kvm)
		__symbol_put("kvm_put_kvm");
	kvm_tp_put(&link->exit);
	kvm_tp_put(&link->write_tsc_offset);
	kvm_tp_put(&link->entry);
	memset(link, 0, sizeof(*link));
}

struct dentry *vmsync_kvm_debugfs_dir(void)
{
	struct dentry *dir = debugfs_lookup("kvm", NULL);

	return IS_ERR(dir) ? NULL : dir;
}

/* A VM-wide statistic every VM directory has from 5.10 to 7.3. */
#define STAT_FILE "remote_tlb_flush"

struct kvm *vmsync_debugfs_dir_vm(struct dentry *vmdir)
{
	struct dentry *f;

	vmsync_for_each_child(f, vmdir) {
		struct inode *inode = READ_ONCE(f->d_inode);

		if (inode && S_ISREG(inode->i_mode) &&
		    !strcmp(f->d_name.name, STAT_FILE)) {
			const struct kvm_stat_data *sd = inode->i_private;

			return sd ? sd->kvm : NULL;
		}
	}
	return NULL;
}
