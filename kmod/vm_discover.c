// SPDX-License-Identifier: GPL-2.0
/*
 * vm_discover.c - find the VMs that were created before this module loaded,
 * through KVM's debugfs directory (one <pid>-<fd> directory per VM).
 *
 * KVM's list of VMs is not exported; its debugfs directory is. The VM of a
 * directory is found as KVM's own stat files find it: their inodes point to
 * a struct kvm_stat_data, and a reference is taken with kvm_get_kvm_safe(),
 * which fails once the VM is dying. That pointer stays valid while we hold
 * the lock of KVM's directory: a dying VM frees its stat data only after
 * removing its directory from there, which takes that lock.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kvm_link.h"
#include "vm_discover.h"
#include "vm_registry.h"

#define DISCOVER_MAX 4096
/* A VM-wide statistic every 6.1 VM directory has (KVM_GENERIC_VM_STATS). */
#define STAT_FILE "remote_tlb_flush"

/*
 * The VM of a <pid>-<fd> directory, or NULL. Called with its d_lock held
 * (a spinlock: an RCU read-side section, and inodes are freed after one).
 */
static struct kvm *dir_vm(struct dentry *vmdir)
{
	struct dentry *f;

	list_for_each_entry(f, &vmdir->d_subdirs, d_child) {
		struct inode *inode = READ_ONCE(f->d_inode);

		if (inode && S_ISREG(inode->i_mode) &&
		    !strcmp(f->d_name.name, STAT_FILE)) {
			const struct kvm_stat_data *sd = inode->i_private;

			return sd ? sd->kvm : NULL;
		}
	}
	return NULL;
}

void vm_discover(const struct kvm_link *link)
{
	struct dentry *dir = *link->debugfs_dir;
	struct dentry *vmdir;
	struct kvm **found;
	int n = 0, i;

	if (IS_ERR_OR_NULL(dir)) {
		pr_notice("kvm_tsc_offset: KVM has no debugfs directory: VMs created before this module are not announced\n");
		return;
	}
	found = kvmalloc_array(DISCOVER_MAX, sizeof(*found), GFP_KERNEL);
	if (!found)
		return;

	inode_lock(d_inode(dir));
	spin_lock(&dir->d_lock);
	list_for_each_entry(vmdir, &dir->d_subdirs, d_child) {
		struct kvm *kvm;

		if (n == DISCOVER_MAX)
			break;
		spin_lock_nested(&vmdir->d_lock, DENTRY_D_LOCK_NESTED);
		kvm = simple_positive(vmdir) && d_is_dir(vmdir) ?
			dir_vm(vmdir) : NULL;
		spin_unlock(&vmdir->d_lock);
		if (kvm && link->get_kvm_safe(kvm))
			found[n++] = kvm;
	}
	spin_unlock(&dir->d_lock);
	inode_unlock(d_inode(dir));

	/* Our references keep them alive; dropping one may destroy a VM. */
	for (i = 0; i < n; i++) {
		vm_registry_add_existing(found[i]);
		link->put_kvm(found[i]);
	}
	kvfree(found);
}
