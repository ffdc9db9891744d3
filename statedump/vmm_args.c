// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_args.c - see vmm_args.h. Built twice: into vmsync-guests and into the
 * kvm_tsc_offset module (kmod/build-for copies it), so both read a VMM's
 * command line by the same rules.
 */
#ifdef __KERNEL__
#include <linux/ctype.h>
#include <linux/string.h>
#else
#include <ctype.h>
#include <string.h>
#endif

#include "vmm_args.h"

static void take_uuid(const char *s, size_t len, char *uuid)
{
	size_t i;

	if (len != VMM_UUID_LEN - 1)
		return;
	for (i = 0; i < len; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return;
	}
	for (i = 0; i < len; i++)
		uuid[i] = (char)tolower((unsigned char)s[i]);
	uuid[len] = '\0';
}

/* The value of key in "k1=v1,k2=v2" and its length, or NULL. */
static const char *option(const char *opts, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = opts;

	while (*p) {
		const char *end = strchr(p, ',');

		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == '=') {
			*len = (size_t)(end - p) - klen - 1;
			return p + klen + 1;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

static void take_smbios_uuid(const char *opts, char *uuid)
{
	size_t len;
	const char *type = option(opts, "type", &len);
	const char *v;

	if (!type || len != 1 || type[0] != '1')
		return;
	v = option(opts, "uuid", &len);
	if (v)
		take_uuid(v, len, uuid);
}

static void take_name(const char *opts, char *name)
{
	size_t len;
	const char *v = option(opts, "guest", &len);

	if (!v) {
		const char *comma = strchr(opts, ',');

		v = opts;
		len = comma ? (size_t)(comma - opts) : strlen(opts);
		if (memchr(v, '=', len))
			return;
	}
	if (len > VMM_NAME_LEN - 1)
		len = VMM_NAME_LEN - 1;
	memcpy(name, v, len);
	name[len] = '\0';
}

void vmm_args_parse(const char *args, size_t len, char uuid[VMM_UUID_LEN],
		    char name[VMM_NAME_LEN])
{
	const char *end = args + len;
	const char *arg = args;

	uuid[0] = '\0';
	name[0] = '\0';
	while (arg < end) {
		const char *next = memchr(arg, '\0', (size_t)(end - arg));
		const char *val, *opt;

		if (!next)
			break;
		val = next + 1;
		opt = arg[0] == '-' ? arg + 1 + (arg[1] == '-') : NULL;
		if (opt && val < end && memchr(val, '\0', (size_t)(end - val))) {
			if (!strcmp(opt, "uuid"))
				take_uuid(val, strlen(val), uuid);
			else if (!strcmp(opt, "smbios"))
				take_smbios_uuid(val, uuid);
			else if (!strcmp(opt, "name"))
				take_name(val, name);
		}
		arg = next + 1;
	}
}
