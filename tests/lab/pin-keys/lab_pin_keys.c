// SPDX-License-Identifier: GPL-2.0
/*
 * lab_pin_keys - for the lab host only, never shipped: hold the scheduler's
 * preempt-notifier static key on for as long as the lab host runs.
 *
 * KVM turns that key on when the first VM is created and off when the last
 * goes (preempt_notifier_inc/dec), and so patches a jump label in
 * finish_task_switch(), which every CPU runs at every context switch. The
 * lab's tests create and destroy VMs by the hundred; under qemu's
 * multi-threaded TCG, patching code another CPU is running now and then
 * leaves that CPU stuck there (soft lockups at finish_task_switch+0x9f,
 * doc/lab.md). With the key held on, VMs come and go without patching it.
 */
#include <linux/module.h>
#include <linux/preempt.h>

static int __init lab_pin_keys_init(void)
{
	preempt_notifier_inc();
	return 0;
}

static void __exit lab_pin_keys_exit(void)
{
	preempt_notifier_dec();
}

module_init(lab_pin_keys_init);
module_exit(lab_pin_keys_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lab only: hold the preempt-notifier static key on (vmsync's lab, doc/lab.md)");
