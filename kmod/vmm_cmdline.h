/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm_cmdline: a guest's SMBIOS system UUID and name, from its VMM's command
 * line (qemu's -uuid, -smbios type=1,uuid=, -name). The UUID is what the
 * guest sees as its product_uuid: the key that ties its traces to its VM.
 */
#ifndef VMM_CMDLINE_H
#define VMM_CMDLINE_H

#include <linux/types.h>

struct mm_struct;

/*
 * Process context: the command line of thread @pid, if its memory is @mm
 * (the VM's; guards against pid reuse). Stores the VMM's tgid in @tgid.
 */
int vmm_cmdline_read(pid_t pid, const struct mm_struct *mm, pid_t *tgid,
		     char *uuid, char *name);

#endif /* VMM_CMDLINE_H */
