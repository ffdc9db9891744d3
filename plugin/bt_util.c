// SPDX-License-Identifier: GPL-2.0
/*
 * bt_util.c - see bt_util.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "vmsync_format.h"

/* The stream a message is about, or NULL (inactivity). */
const bt_stream *msg_stream(const bt_message *m)
{
	switch (bt_message_get_type(m)) {
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		return bt_message_stream_beginning_borrow_stream_const(m);
	case BT_MESSAGE_TYPE_STREAM_END:
		return bt_message_stream_end_borrow_stream_const(m);
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		return bt_packet_borrow_stream_const(
			bt_message_packet_beginning_borrow_packet_const(m));
	case BT_MESSAGE_TYPE_PACKET_END:
		return bt_packet_borrow_stream_const(
			bt_message_packet_end_borrow_packet_const(m));
	case BT_MESSAGE_TYPE_EVENT:
		return bt_event_borrow_stream_const(
			bt_message_event_borrow_event_const(m));
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		return bt_message_discarded_events_borrow_stream_const(m);
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		return bt_message_discarded_packets_borrow_stream_const(m);
	default:
		return NULL;
	}
}

/*
 * The default clock snapshot (the first, for a range) of message @m, of
 * stream @s (NULL: inactivity), or NULL.
 */
const bt_clock_snapshot *msg_clock(const bt_message *m, const bt_stream *s)
{
	const bt_clock_snapshot *cs = NULL;
	const bt_stream_class *sc = s ? bt_stream_borrow_class_const(s) : NULL;

	switch (bt_message_get_type(m)) {
	case BT_MESSAGE_TYPE_EVENT:
		return bt_stream_class_borrow_default_clock_class_const(sc) ?
			bt_message_event_borrow_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		return bt_stream_class_packets_have_beginning_default_clock_snapshot(sc) ?
			bt_message_packet_beginning_borrow_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_PACKET_END:
		return bt_stream_class_packets_have_end_default_clock_snapshot(sc) ?
			bt_message_packet_end_borrow_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		return bt_stream_class_discarded_events_have_default_clock_snapshots(sc) ?
			bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		return bt_stream_class_discarded_packets_have_default_clock_snapshots(sc) ?
			bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		if (bt_message_stream_beginning_borrow_default_clock_snapshot_const(m, &cs) ==
		    BT_MESSAGE_STREAM_CLOCK_SNAPSHOT_STATE_KNOWN)
			return cs;
		return NULL;
	case BT_MESSAGE_TYPE_STREAM_END:
		if (bt_message_stream_end_borrow_default_clock_snapshot_const(m, &cs) ==
		    BT_MESSAGE_STREAM_CLOCK_SNAPSHOT_STATE_KNOWN)
			return cs;
		return NULL;
	case BT_MESSAGE_TYPE_MESSAGE_ITERATOR_INACTIVITY:
		return bt_message_message_iterator_inactivity_borrow_clock_snapshot_const(m);
	}
	return NULL;
}

bool ns_of(const bt_clock_snapshot *cs, int64_t *ns)
{
	if (bt_clock_snapshot_get_ns_from_origin(cs, ns) ==
	    BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK)
		return true;
	/* Out of range: ours to handle, and the library's error must not stay set. */
	bt_current_thread_clear_error();
	return false;
}

/* Clocks are the same when they say so with a UUID (16 bytes). */
bool same_clock(const bt_clock_class *a, const bt_clock_class *b)
{
	bt_uuid x = a ? bt_clock_class_get_uuid(a) : NULL;
	bt_uuid y = b ? bt_clock_class_get_uuid(b) : NULL;

	return x && y && !memcmp(x, y, 16);
}

const char *env_str(const bt_trace *t, const char *name)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, name);

	return v && bt_value_is_string(v) ? bt_value_string_get(v) : NULL;
}

/*
 * Its name; source.ctf.fs names a trace without env.hostname '', which
 * would say nothing in an error: say then how to give it one.
 */
const char *trace_name(const bt_trace *t)
{
	/* A few at once, for one message naming several traces. */
	static char names[8][160];
	static unsigned int next;
	const char *name = bt_trace_get_name(t), *host, *session, *domain;
	char *buf;

	if (name && name[0])
		return name;
	/*
	 * source.ctf.lttng-live names none: an LTTng trace's env says whose
	 * it is, as the relay daemon's path does (HOST/SESSION), and its domain.
	 */
	host = env_str(t, ENV_HOSTNAME);
	session = env_str(t, ENV_LTTNG_SESSION);
	domain = env_str(t, ENV_LTTNG_DOMAIN);
	if (!host || !host[0])
		return "(unnamed trace: give vmsync-merge its path, or source.ctf.fs trace-name=NAME)";
	buf = names[next++ % 8];
	snprintf(buf, sizeof(names[0]), "%s%s%s%s%s", host, session ? "/" : "",
		 session ? session : "", domain ? "/" : "", domain ? domain : "");
	return buf;
}

/* A clock's time in ns from origin, about: @base_ns + cycles * @ns_per_cycle. */
void clock_about(const bt_clock_class *cc, double *base_ns, double *ns_per_cycle)
{
	int64_t sec;
	uint64_t cycles;

	bt_clock_class_get_offset(cc, &sec, &cycles);
	*ns_per_cycle = 1e9 / (double)bt_clock_class_get_frequency(cc);
	*base_ns = (double)sec * 1e9 + (double)cycles * *ns_per_cycle;
}

/* The time in ns from origin of cycles @tsc of clock @cc. */
bool clock_ns(const bt_clock_class *cc, uint64_t tsc, int64_t *ns)
{
	int64_t sec;
	uint64_t cycles;

	bt_clock_class_get_offset(cc, &sec, &cycles);
	if (bt_util_clock_cycles_to_ns_from_origin(tsc, bt_clock_class_get_frequency(cc),
						   sec, cycles, ns) ==
	    BT_UTIL_CLOCK_CYCLES_TO_NS_FROM_ORIGIN_STATUS_OK)
		return true;
	bt_current_thread_clear_error();
	return false;
}

uint32_t packet_cpu(const bt_packet *p, bool *known)
{
	const bt_field *ctx = p ? bt_packet_borrow_context_field_const(p) : NULL;
	const bt_field *cpu = ctx ?
		bt_field_structure_borrow_member_field_by_name_const(ctx, PACKET_CPU_ID) : NULL;

	*known = cpu && bt_field_class_type_is(bt_field_get_class_type(cpu),
					       BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER);
	return *known ? (uint32_t)bt_field_integer_unsigned_get_value(cpu) : 0;
}

const bt_field *payload_member(const bt_event *ev, const char *name)
{
	const bt_field *p = bt_event_borrow_payload_field_const(ev);

	return p ? bt_field_structure_borrow_member_field_by_name_const(p, name) : NULL;
}

bool field_int(const bt_field *f, int64_t *v)
{
	bt_field_class_type t;

	if (!f)
		return false;
	t = bt_field_get_class_type(f);
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER))
		*v = bt_field_integer_signed_get_value(f);
	else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
		*v = (int64_t)bt_field_integer_unsigned_get_value(f);
	else
		return false;
	return true;
}

bool payload_int(const bt_event *ev, const char *name, int64_t *v)
{
	return field_int(payload_member(ev, name), v);
}

void payload_str(const bt_event *ev, const char *name, char *buf, size_t len)
{
	const bt_field *f = payload_member(ev, name);

	buf[0] = '\0';
	if (f && bt_field_get_class_type(f) == BT_FIELD_CLASS_TYPE_STRING)
		snprintf(buf, len, "%s", bt_field_string_get_value(f));
}

const char *fmt_secs(int64_t ns, char *buf, size_t len)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	if (ns == INT64_MIN || ns == INT64_MAX)
		snprintf(buf, len, "%s", ns == INT64_MIN ? "its start" : "its end");
	else
		snprintf(buf, len, "%s%" PRIu64 ".%09" PRIu64 " s", ns < 0 ? "-" : "",
			 a / 1000000000, a % 1000000000);
	return buf;
}
