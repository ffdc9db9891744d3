/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VM_DISCOVER_H
#define VM_DISCOVER_H

struct kvm_link;

/* Register the VMs that were running before this module loaded. */
void vm_discover(const struct kvm_link *link);

#endif /* VM_DISCOVER_H */
