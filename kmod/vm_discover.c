// SPDX-License-Identifier: GPL-2.0
/*
 * vm_discover.c - find the VMs that were created before this module loaded,
 * through KVM's debugfs directory (one <pid>-<fd> directory per VM).
 *
 * KVM's list of VMs is not exported; its debugfs directory can be looked
 * up. The VM of a directory is found as KVM's own stat files find it (their
 * inodes point to a struct kvm_stat_data: compat_kvm.c), and a reference is
 * taken as kvm_get_kvm_safe() does, which fails once the VM is dying. That
 * pointer stays valid while we hold the lock of KVM's directory: a dying VM
 * frees its stat data only after removing its directory from there, which
 * takes that lock.
 */
#include "compat/pr_fmt.h"

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat/compat_kvm.h"
#include "vm_discover.h"
#include "vm_registry.h"

#define DISCOVER_MAX 4096

void vm_discover(const struct kvm_link *link)
{
	struct dentry *dir = vmsync_kvm_debugfs_dir();
	struct dentry *vmdir;
	struct kvm **found;
	int n = 0, i;

	if (!dir) {
		pr_notice("KVM has no debugfs directory: VMs created before this module are not announced\n");
		return;
	}
	found = kvmalloc_array(DISCOVER_MAX, sizeof(*found), GFP_KERNEL);
	if (!found) {
		dput(dir);
		return;
	}

	inode_lock(d_inode(dir));
	spin_lock(&dir->d_lock);
	vmsync_for_each_child(vmdir, dir) {
		struct kvm *kvm;

		if (n == DISCOVER_MAX)
			break;
		spin_lock_nested(&vmdir->d_lock, DENTRY_D_LOCK_NESTED);
		kvm = simple_positive(vmdir) && d_is_dir(vmdir) ?
			vmsync_debugfs_dir_vm(vmdir) : NULL;
		spin_unlock(&vmdir->d_lock);
		if (kvm && vmsync_kvm_get_safe(link, kvm))
			found[n++] = kvm;
	}
	spin_unlock(&dir->d_lock);
	inode_unlock(d_inode(dir));
	dput(dir);

	/* Our references keep them alive; dropping one may destroy a VM. */
	for (i = 0; i < n; i++) {
		vm_registry_add_existing(found[i]);
		link->put_kvm(found[i]);
	}
	kvfree(found);
}
