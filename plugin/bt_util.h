/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bt_util.h - small babeltrace2 helpers: a message's stream and time, a
 * trace's environment and name, clock conversions, a packet's CPU, an
 * event's payload members.
 */
#ifndef VMSYNC_BT_UTIL_H
#define VMSYNC_BT_UTIL_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

const bt_stream *msg_stream(const bt_message *m);
const bt_clock_snapshot *msg_clock(const bt_message *m, const bt_stream *s);
bool ns_of(const bt_clock_snapshot *cs, int64_t *ns);
bool same_clock(const bt_clock_class *a, const bt_clock_class *b);
const char *env_str(const bt_trace *t, const char *name);
const char *trace_name(const bt_trace *t);
void clock_about(const bt_clock_class *cc, double *base_ns, double *ns_per_cycle);
bool clock_ns(const bt_clock_class *cc, uint64_t tsc, int64_t *ns);
uint32_t packet_cpu(const bt_packet *p, bool *known);

/* Member @name of event @ev's payload, or NULL. */
const bt_field *payload_member(const bt_event *ev, const char *name);
/* Its value, when it is an integer (signed or not): false otherwise. */
/* Integer field @f (signed or not; NULL: false) in @v. */
bool field_int(const bt_field *f, int64_t *v);
bool payload_int(const bt_event *ev, const char *name, int64_t *v);
/* Its value into @buf, when it is a string; else "". */
void payload_str(const bt_event *ev, const char *name, char *buf, size_t len);

/*
 * "12.345678901 s" of @ns (ns from a clock's origin) for messages into @buf;
 * INT64_MIN and INT64_MAX (unknown ends) say "its start" and "its end".
 */
const char *fmt_secs(int64_t ns, char *buf, size_t len);

#endif /* VMSYNC_BT_UTIL_H */
