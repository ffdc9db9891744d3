/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_tsc_consumers.h - which of the events fed from KVM's VM-entry and
 * VM-exit paths something records (an LTTng session, ftrace, perf, BPF),
 * so that kvm_tsc_offset has a probe on those paths only while it does.
 *
 * Module kvm_tsc_sync defines the tracepoints. The kernel calls their
 * registration callbacks below when an event gets its first probe and when
 * it loses its last one, with its tracepoint mutex held (so no probe may be
 * registered from there) and before the new probe is in place; they call
 * the hook kvm_tsc_offset set, which queues its work.
 */
#ifndef VMSYNC_KVM_TSC_CONSUMERS_H
#define VMSYNC_KVM_TSC_CONSUMERS_H

#include <linux/bits.h>
#include <linux/types.h>

/* One bit per event, in kvm_tsc_recorded_events(). */
enum kvm_tsc_fed_event {
	KVM_TSC_FED_OFFSET,		/* kvm_tsc_offset */
	KVM_TSC_FED_VCPU,		/* kvm_tsc_vcpu */
	KVM_TSC_FED_ENTRY,		/* kvm_vcpu_entry */
	KVM_TSC_FED_EXIT,		/* kvm_vcpu_exit */
};

/* The events the VM-entry probe feeds, and the one the VM-exit probe does. */
#define KVM_TSC_FED_BY_ENTRY (BIT(KVM_TSC_FED_OFFSET) | BIT(KVM_TSC_FED_VCPU) | \
			      BIT(KVM_TSC_FED_ENTRY))
#define KVM_TSC_FED_BY_EXIT BIT(KVM_TSC_FED_EXIT)
/* The events whose new consumers need every running vCPU announced. */
#define KVM_TSC_FED_ANNOUNCE (BIT(KVM_TSC_FED_OFFSET) | BIT(KVM_TSC_FED_VCPU))

/* Tracepoint registration callbacks (kvm_tsc_trace.h, kvm_vcpu_trace.h). */
int kvm_tsc_offset_reg(void);
void kvm_tsc_offset_unreg(void);
int kvm_tsc_vcpu_reg(void);
void kvm_tsc_vcpu_unreg(void);
int kvm_vcpu_entry_reg(void);
void kvm_vcpu_entry_unreg(void);
int kvm_vcpu_exit_reg(void);
void kvm_vcpu_exit_unreg(void);

/* The events that have at least one probe (bits of kvm_tsc_fed_event). */
unsigned long kvm_tsc_recorded_events(void);
/*
 * Moves each time kvm_tsc_offset or kvm_tsc_vcpu gets a first consumer:
 * running vCPUs are then announced again at their next VM entry.
 */
unsigned long kvm_tsc_announce_gen(void);
/* Called (atomic context) on every change above; NULL to stop. */
void kvm_tsc_consumers_hook(void (*changed)(void));

#endif /* VMSYNC_KVM_TSC_CONSUMERS_H */
