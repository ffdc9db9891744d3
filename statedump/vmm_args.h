/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's SMBIOS system UUID and name from its VMM's command line (qemu's
 * -uuid, -smbios type=1,uuid=, -name [guest=]NAME[,...]). One parser for the
 * kernel module and vmsync-guests: the tests compare their results.
 */
#ifndef VMM_ARGS_H
#define VMM_ARGS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#endif

#define VMM_UUID_LEN 37		/* 36 characters and the NUL */
#define VMM_NAME_LEN 64		/* truncated, as the kernel's */

/* Parse argv as /proc/PID/cmdline holds it (NUL-separated, len bytes). */
void vmm_args_parse(const char *args, size_t len, char uuid[VMM_UUID_LEN],
		    char name[VMM_NAME_LEN]);

#endif /* VMM_ARGS_H */
