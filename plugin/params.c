// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - see params.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "params.h"

/* Value @v in words, for an error: "the string \"one\"", "-5". */
static void describe(const bt_value *v, char *buf, size_t len)
{
	switch (bt_value_get_type(v)) {
	case BT_VALUE_TYPE_NULL:
		snprintf(buf, len, "null");
		break;
	case BT_VALUE_TYPE_BOOL:
		snprintf(buf, len, "the boolean %s", bt_value_bool_get(v) ? "true" : "false");
		break;
	case BT_VALUE_TYPE_UNSIGNED_INTEGER:
		snprintf(buf, len, "%" PRIu64, bt_value_integer_unsigned_get(v));
		break;
	case BT_VALUE_TYPE_SIGNED_INTEGER:
		snprintf(buf, len, "%" PRId64, bt_value_integer_signed_get(v));
		break;
	case BT_VALUE_TYPE_REAL:
		snprintf(buf, len, "the real number %g", bt_value_real_get(v));
		break;
	case BT_VALUE_TYPE_STRING:
		snprintf(buf, len, "the string \"%.60s%s\"", bt_value_string_get(v),
			 strlen(bt_value_string_get(v)) > 60 ? "..." : "");
		break;
	case BT_VALUE_TYPE_ARRAY:
		snprintf(buf, len, "an array");
		break;
	case BT_VALUE_TYPE_MAP:
		snprintf(buf, len, "a map");
		break;
	default:
		snprintf(buf, len, "a value of another type");
		break;
	}
}

/* What parameter @p accepts, in words. */
static void accepts(const struct param_spec *p, char *buf, size_t len)
{
	switch (p->type) {
	case PARAM_UINT:
		if (p->max == UINT64_MAX)
			snprintf(buf, len, "an unsigned integer of at least %" PRIu64
				 " (%s; default %" PRIu64 ")", p->min, p->what, p->dflt);
		else
			snprintf(buf, len, "an unsigned integer from %" PRIu64 " to %" PRIu64
				 " (%s; default %" PRIu64 ")", p->min, p->max, p->what, p->dflt);
		break;
	case PARAM_STRING:
		snprintf(buf, len, "a string: %s", p->what);
		break;
	case PARAM_BOOL:
		snprintf(buf, len, "a boolean (yes or no; default %s)", p->dflt ? "yes" : "no");
		break;
	}
}

/* Reads @v into @out as @p says: false when it does not fit. */
static bool read_one(const struct param_spec *p, const bt_value *v,
		     struct param_value *out, char *why, size_t len)
{
	why[0] = '\0';
	switch (p->type) {
	case PARAM_UINT:
		if (bt_value_is_unsigned_integer(v))
			out->u = bt_value_integer_unsigned_get(v);
		else if (bt_value_is_signed_integer(v) && bt_value_integer_signed_get(v) >= 0)
			out->u = (uint64_t)bt_value_integer_signed_get(v);
		else
			return false;
		return out->u >= p->min && out->u <= p->max;
	case PARAM_STRING:
		if (!bt_value_is_string(v))
			return false;
		out->s = bt_value_string_get(v);
		if (p->check) {
			const char *bad = p->check(out->s, why, len);

			if (bad && bad != why)
				snprintf(why, len, "%s", bad);
			return !bad;
		}
		return true;
	case PARAM_BOOL:
		if (!bt_value_is_bool(v))
			return false;
		out->u = bt_value_bool_get(v);
		return true;
	}
	return false;
}

/* The names of all parameters, ", "-separated, into @buf. */
static void names(const struct param_spec *specs, size_t n, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
				       specs[i].name);
}

/* The known name @key means, written with '_' for '-', or NULL. */
static const char *meant(const struct param_spec *specs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = specs[i].name, *b = key;

		while (*a && (*a == *b || (*a == '-' && *b == '_')))
			a++, b++;
		if (!*a && !*b)
			return specs[i].name;
	}
	return NULL;
}

/*
 * The first few names of a map that are not parameters: reported once the
 * walk is over (babeltrace2 forbids an error cause appended during it).
 */
struct unknown {
	const struct param_spec *specs;
	size_t n, nr_keys;
	const char *keys[8];
};

static bt_value_map_foreach_entry_const_func_status
note_unknown(const char *key, const bt_value *v, void *data)
{
	struct unknown *u = data;
	size_t i;

	(void)v;
	for (i = 0; i < u->n && strcmp(u->specs[i].name, key); i++)
		;
	if (i == u->n && u->nr_keys < sizeof(u->keys) / sizeof(u->keys[0]))
		u->keys[u->nr_keys++] = key;
	return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_OK;
}

bool params_read(bt_self_component *self, const char *who, const bt_value *params,
		 const struct param_spec *specs, size_t n, struct param_value *out)
{
	struct unknown u = { specs, n, 0, { NULL } };
	char got[96], want[320], why[160], known[256];
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		out[i] = (struct param_value){ .u = specs[i].dflt };
	if (!params || bt_value_is_null(params))
		return true;
	if (!bt_value_is_map(params)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
			"%s: its parameters are not a map", who);
		return false;
	}
	(void)bt_value_map_foreach_entry_const(params, note_unknown, &u);
	names(specs, n, known, sizeof(known));
	for (size_t k = 0; k < u.nr_keys; k++) {
		const char *m = meant(specs, n, u.keys[k]);

		if (!n)
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"%s: unknown parameter '%s': it takes no parameters",
				who, u.keys[k]);
		else
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
				"%s: unknown parameter '%s'%s%s%s; its parameters are %s (see 'babeltrace2 help %s')",
				who, u.keys[k], m ? " (did you mean '" : "", m ? m : "",
				m ? "'?)" : "", known, who);
		ok = false;
	}
	for (size_t i = 0; i < n; i++) {
		const bt_value *v = bt_value_map_borrow_entry_value_const(params,
									  specs[i].name);

		if (!v)
			continue;
		out[i].given = true;
		if (read_one(&specs[i], v, &out[i], why, sizeof(why)))
			continue;
		describe(v, got, sizeof(got));
		accepts(&specs[i], want, sizeof(want));
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
			"%s: bad parameter '%s': got %s%s%s; it takes %s (see 'babeltrace2 help %s')",
			who, specs[i].name, got, why[0] ? ": " : "", why, want, who);
		ok = false;
	}
	return ok;
}
