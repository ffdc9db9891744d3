/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tsc_clock_id.h - the identity of vmsync's raw-TSC trace clock, shared by
 * the kernel plugin (lttng-clock-tsc) and the user-space one
 * (liblttng-ust-clock-tsc.so): both must write the same clock block into
 * their traces, so that babeltrace2 correlates them without being forced.
 *
 * The UUID is derived from the boot id (/proc/sys/kernel/random/boot_id):
 * one per boot of one machine, as the TSC itself, and never equal to the
 * boot id, which LTTng's default (monotonic) clock uses as its UUID.
 * Plain C, no kernel or libc types: included by both sides.
 */
#ifndef TSC_CLOCK_ID_H
#define TSC_CLOCK_ID_H

#define TSC_CLOCK_NAME "vmsync_tsc"
#define TSC_CLOCK_DESCRIPTION \
	"Raw TSC in cycles (vmsync; constant, non-stop TSC)"
#define TSC_CLOCK_UUID_LEN 37	/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */

static inline int tsc_clock_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The clock's UUID for the boot id @boot_id (its 36 characters, case
 * insensitive), into @uuid (TSC_CLOCK_UUID_LEN bytes). Each of the 32 hex
 * digits is XORed with a fixed key, then the version nibble is set to 8
 * (RFC 9562's vendor-specific UUID) and the variant to RFC 4122's.
 * Returns 0, or -1 if @boot_id is not a UUID.
 */
static inline int tsc_clock_uuid_from_boot_id(const char *boot_id, char *uuid)
{
	static const char key[] = "766d73796e635f7473635f636c6f636b"; /* vmsync_tsc_clock */
	static const char digits[] = "0123456789abcdef";
	int i, k = 0;

	for (i = 0; i < TSC_CLOCK_UUID_LEN - 1; i++) {
		int d;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (boot_id[i] != '-')
				return -1;
			uuid[i] = '-';
			continue;
		}
		d = tsc_clock_hex(boot_id[i]);
		if (d < 0)
			return -1;
		d ^= tsc_clock_hex(key[k]);
		if (i == 14)		/* version */
			d = 8;
		else if (i == 19)	/* variant: 10xx */
			d = 8 | (d & 3);
		uuid[i] = digits[d];
		k++;
	}
	uuid[TSC_CLOCK_UUID_LEN - 1] = '\0';
	return 0;
}

#endif /* TSC_CLOCK_ID_H */
