// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_consumers.c - count the consumers of the events kvm_tsc_offset feeds
 * from KVM's VM-entry and VM-exit paths, and tell it when they come and go
 * (kvm_tsc_consumers.h says why).
 */
#include "compat/pr_fmt.h"

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/spinlock.h>

#include "kvm_tsc_consumers.h"

static unsigned long recorded;		/* bits of kvm_tsc_fed_event */
static atomic_long_t announce_gen = ATOMIC_LONG_INIT(0);
static DEFINE_SPINLOCK(hook_lock);
static void (*hook)(void);

static void changed(void)
{
	unsigned long flags;

	spin_lock_irqsave(&hook_lock, flags);
	if (hook)
		hook();
	spin_unlock_irqrestore(&hook_lock, flags);
}

static int fed_reg(enum kvm_tsc_fed_event ev)
{
	if (BIT(ev) & KVM_TSC_FED_ANNOUNCE)
		atomic_long_inc(&announce_gen);
	set_bit(ev, &recorded);
	changed();
	return 0;
}

static void fed_unreg(enum kvm_tsc_fed_event ev)
{
	clear_bit(ev, &recorded);
	changed();
}

int kvm_tsc_offset_reg(void)
{
	return fed_reg(KVM_TSC_FED_OFFSET);
}

void kvm_tsc_offset_unreg(void)
{
	fed_unreg(KVM_TSC_FED_OFFSET);
}

int kvm_tsc_vcpu_reg(void)
{
	return fed_reg(KVM_TSC_FED_VCPU);
}

void kvm_tsc_vcpu_unreg(void)
{
	fed_unreg(KVM_TSC_FED_VCPU);
}

int kvm_vcpu_entry_reg(void)
{
	return fed_reg(KVM_TSC_FED_ENTRY);
}

void kvm_vcpu_entry_unreg(void)
{
	fed_unreg(KVM_TSC_FED_ENTRY);
}

int kvm_vcpu_exit_reg(void)
{
	return fed_reg(KVM_TSC_FED_EXIT);
}

void kvm_vcpu_exit_unreg(void)
{
	fed_unreg(KVM_TSC_FED_EXIT);
}

unsigned long kvm_tsc_recorded_events(void)
{
	return READ_ONCE(recorded);
}
EXPORT_SYMBOL_GPL(kvm_tsc_recorded_events);

unsigned long kvm_tsc_announce_gen(void)
{
	return atomic_long_read(&announce_gen);
}
EXPORT_SYMBOL_GPL(kvm_tsc_announce_gen);

void kvm_tsc_consumers_hook(void (*fn)(void))
{
	unsigned long flags;

	spin_lock_irqsave(&hook_lock, flags);
	hook = fn;
	spin_unlock_irqrestore(&hook_lock, flags);
}
EXPORT_SYMBOL_GPL(kvm_tsc_consumers_hook);
