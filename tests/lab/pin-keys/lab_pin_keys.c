// SPDX-License-Identifier: GPL-2.0
/*
 * lab_pin_keys - for the lab host only, never shipped: hold static keys
 * that KVM switches on and off as VMs come and go, on for as long as the
 * lab host runs, so that their jump labels are never patched again.
 *
 * Under qemu's multi-threaded TCG, patching code another CPU is running
 * now and then leaves that CPU stuck there (doc/lab.md). Two such keys
 * hung the lab:
 *   - the scheduler's preempt-notifier key, which KVM turns on at its first
 *     VM and off at its last (preempt_notifier_inc/dec): a jump label in
 *     finish_task_switch(), which every CPU runs at every context switch
 *     (soft lockups at finish_task_switch+0x9f); the lab's tests create and
 *     destroy VMs by the hundred;
 *   - KVM's local APIC keys, apic_hw_disabled and apic_sw_disabled, on
 *     while some vCPU's APIC is disabled (each new vCPU, until its guest
 *     enables its APIC at boot), off (deferred) once none is: jump labels
 *     in the code that delivers every interrupt to a guest (two nested
 *     guests booting at once: soft lockups at __apic_accept_irq+0x72).
 *     They are not exported: found through kallsyms (itself found through
 *     a kprobe) whenever kvm is loaded, and forgotten when it goes.
 */
#include <linux/jump_label_ratelimit.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/preempt.h>

static const char *const apic_keys[] = { "apic_hw_disabled", "apic_sw_disabled" };
static struct static_key_false_deferred *pinned[ARRAY_SIZE(apic_keys)];
static unsigned long (*lookup)(const char *name);

/* @loaded: kvm is known to be there (else a key not found is no news). */
static void pin_apic_keys(bool loaded)
{
	size_t i;

	for (i = 0; lookup && i < ARRAY_SIZE(apic_keys); i++) {
		pinned[i] = (void *)lookup(apic_keys[i]);
		if (pinned[i])
			static_branch_inc(&pinned[i]->key);
		else if (loaded)
			pr_warn("lab_pin_keys: kvm has no %s\n", apic_keys[i]);
	}
}

static int kvm_comes_and_goes(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;
	size_t i;

	if (strcmp(mod->name, "kvm"))
		return NOTIFY_DONE;
	if (state == MODULE_STATE_LIVE)
		pin_apic_keys(true);
	else if (state == MODULE_STATE_GOING)	/* its keys go with it */
		for (i = 0; i < ARRAY_SIZE(pinned); i++)
			pinned[i] = NULL;
	return NOTIFY_DONE;
}

static struct notifier_block kvm_nb = { .notifier_call = kvm_comes_and_goes };

static int __init lab_pin_keys_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

	preempt_notifier_inc();
	if (register_kprobe(&kp) < 0) {
		pr_warn("lab_pin_keys: no kallsyms_lookup_name: KVM's APIC keys are not pinned\n");
	} else {
		lookup = (void *)kp.addr;
		unregister_kprobe(&kp);
	}
	/* Loaded before kvm in the lab: the notifier pins them; else now. */
	pin_apic_keys(false);
	register_module_notifier(&kvm_nb);
	return 0;
}

static void __exit lab_pin_keys_exit(void)
{
	size_t i;

	unregister_module_notifier(&kvm_nb);
	for (i = 0; i < ARRAY_SIZE(pinned); i++)
		if (pinned[i])
			static_branch_dec(&pinned[i]->key);
	preempt_notifier_dec();
}

module_init(lab_pin_keys_init);
module_exit(lab_pin_keys_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lab only: hold the static keys KVM switches as VMs come and go (vmsync's lab, doc/lab.md)");
