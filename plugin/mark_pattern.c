// SPDX-License-Identifier: GPL-2.0
/* mark_pattern.c - see mark_pattern.h. */
#define _POSIX_C_SOURCE 200809L	/* strndup */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "mark_pattern.h"

const char *mark_pattern_syntax(const char *s, char *buf, size_t len)
{
	const char *comma = strchr(s, ','), *eq;

	if (!s[0] || comma == s)
		return "no event name pattern before any ','";
	if (!comma)
		return NULL;
	eq = strchr(comma + 1, '=');
	if (!eq || eq == comma + 1) {
		snprintf(buf, len, "'%s' after the ',' is not FIELD=VALUE", comma + 1);
		return buf;
	}
	return NULL;
}

bool mark_pattern_parse(const char *s, struct mark_pattern *p)
{
	const char *comma = strchr(s, ','), *eq = comma ? strchr(comma + 1, '=') : NULL;

	memset(p, 0, sizeof(*p));
	p->text = strdup(s);
	p->event = comma ? strndup(s, (size_t)(comma - s)) : strdup(s);
	if (eq) {
		p->field = strndup(comma + 1, (size_t)(eq - comma - 1));
		p->value = strdup(eq + 1);
	}
	return p->text && p->event && (!eq || (p->field && p->value));
}

bool mark_pattern_name(const struct mark_pattern *p, const char *name)
{
	return p->event && !fnmatch(p->event, name, 0);
}

bool mark_pattern_fields(const struct mark_pattern *p, const bt_event *ev)
{
	const bt_field *f;

	if (!p->field)
		return true;
	f = payload_member(ev, p->field);
	return f && bt_field_get_class_type(f) == BT_FIELD_CLASS_TYPE_STRING &&
	       !fnmatch(p->value, bt_field_string_get_value(f), 0);
}

void mark_pattern_fini(struct mark_pattern *p)
{
	free(p->text);
	free(p->event);
	free(p->field);
	free(p->value);
	memset(p, 0, sizeof(*p));
}
