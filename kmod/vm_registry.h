/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VM_REGISTRY_H
#define VM_REGISTRY_H

#include <linux/types.h>

struct kvm;
struct kvm_link;

int vm_registry_start(const struct kvm_link *link);
void vm_registry_stop(void);

/* A VM that ran before we loaded (process context, caller holds a ref). */
void vm_registry_add_existing(struct kvm *kvm);

/* KVM's debugfs name of the VM, "<pid>-<fd>" ("" without debugfs). */
void kvm_tsc_vm_name(const struct kvm *kvm, char *buf);

/* Dump every known guest, vCPU and offset into @session. Atomic-safe. */
void vm_registry_statedump(const void *session);

#endif /* VM_REGISTRY_H */
