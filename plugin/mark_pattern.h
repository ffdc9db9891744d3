/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mark_pattern.h - the report's begin/end patterns: EVENT[,FIELD=VALUE],
 * shell patterns (fnmatch) of a guest event's name and, optionally, of one
 * of its string payload fields, so that events of one name tell begin from
 * end: 'lttng_logger,msg=request start*' (every lttng-logger write is an
 * lttng_logger event; its text is its msg field).
 */
#ifndef VMSYNC_MARK_PATTERN_H
#define VMSYNC_MARK_PATTERN_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>

struct mark_pattern {
	char *text;		/* as given */
	char *event;		/* the name's pattern */
	char *field, *value;	/* NULL: any event of that name */
};

/* NULL when @s is well formed, else what is wrong (params.c's check). */
const char *mark_pattern_syntax(const char *s, char *buf, size_t len);
/* False: out of memory (@s was checked). */
bool mark_pattern_parse(const char *s, struct mark_pattern *p);
bool mark_pattern_name(const struct mark_pattern *p, const char *name);
/* The field part, for an event whose name matched. */
bool mark_pattern_fields(const struct mark_pattern *p, const bt_event *ev);
void mark_pattern_fini(struct mark_pattern *p);

#endif /* VMSYNC_MARK_PATTERN_H */
