// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_cmdline.c - read a guest's UUID and name from its VMM's command line.
 *
 * KVM does not know the guest's SMBIOS UUID: only the VMM does, and qemu
 * takes it from its command line. Read in process context, through the
 * VMM's pages as /proc/PID/cmdline does; the parser is shared with
 * vmsync-guests (statedump/vmm_args.c).
 */
#include "compat/pr_fmt.h"

#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kvm_tsc_change.h"
#include "vmm_args.h"
#include "vmm_cmdline.h"

#define ARGS_MAX (64 * 1024)

static_assert(VMM_UUID_LEN == KVM_TSC_UUID_LEN);
static_assert(VMM_NAME_LEN == KVM_TSC_GUEST_NAME_LEN);

int vmm_cmdline_read(pid_t pid, const struct mm_struct *vm_mm, pid_t *tgid,
		     char *uuid, char *name)
{
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long len;
	char *buf;
	int ret;

	/* KVM's pids are global ones, whoever loads this module. */
	rcu_read_lock();
	task = pid_task(find_pid_ns(pid, &init_pid_ns), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return -ESRCH;
	*tgid = task->tgid;
	mm = get_task_mm(task);
	ret = -ESRCH;
	if (!mm || mm != vm_mm)
		goto out_task;
	len = min(mm->arg_end - mm->arg_start, (unsigned long)ARGS_MAX);
	ret = -ENOMEM;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		goto out_mm;
	ret = access_process_vm(task, mm->arg_start, buf, len, FOLL_FORCE);
	if (ret >= 0) {
		vmm_args_parse(buf, ret, uuid, name);
		ret = 0;
	}
	kvfree(buf);
out_mm:
	mmput(mm);
out_task:
	put_task_struct(task);
	return ret;
}
