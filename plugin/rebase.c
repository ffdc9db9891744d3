// SPDX-License-Identifier: GPL-2.0
/*
 * rebase.c - a guest message copied onto host time (through ir_copy).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "tsc_iter.h"

/*
 * Copy guest message @m, of time @cs (or NULL), onto host time: @h, in the
 * host clock's cycles, which release_held() converted; an event whose host
 * time cannot be vouched for says why in its member IR_UNVERIFIED_MEMBER
 * (@unverified, else NULL). NULL on error.
 */
const bt_message *rebase(struct tsc_iter *it, struct stream_info *si, bt_message_type type,
			 const bt_message *m, const bt_clock_snapshot *cs,
			 uint64_t h, const char *unverified)
{
	struct ir_stream *s = si->ir;
	bt_self_message_iterator *self = it->self;
	bt_message *out = NULL;
	uint64_t h_end = 0;
	const bt_packet *p;
	bt_packet *op;

	if (!s) {
		s = ir_copy_stream(&it->copy, msg_stream(m), si->t->out_clock,
				   &si->t->note);
		if (!s) {
			iter_error(it, "filter.vmsync.tsc: guest trace '%s': %s",
				   trace_name(si->t->trace), it->copy.error);
			return NULL;
		}
		si->ir = s;
	}
	switch (type) {
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		out = bt_message_stream_beginning_create(self, s->out);
		break;
	case BT_MESSAGE_TYPE_STREAM_END:
		out = bt_message_stream_end_create(self, s->out);
		break;
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		p = bt_message_packet_beginning_borrow_packet_const(m);
		op = ir_copy_packet(&it->copy, s, p);
		if (!op)
			break;
		out = cs ? bt_message_packet_beginning_create_with_default_clock_snapshot(self, op, h)
			 : bt_message_packet_beginning_create(self, op);
		break;
	case BT_MESSAGE_TYPE_PACKET_END:
		op = s->out_packet;
		out = cs ? bt_message_packet_end_create_with_default_clock_snapshot(self, op, h)
			 : bt_message_packet_end_create(self, op);
		break;
	case BT_MESSAGE_TYPE_EVENT: {
		const bt_event *ev = bt_message_event_borrow_event_const(m);
		const bt_event_class *in_ec = bt_event_borrow_class_const(ev);
		bt_event_class *ec;
		const bt_field *f;
		bt_event *oe;

		if (unverified) {
			ec = ir_copy_event_class_unverified(&it->copy, in_ec);
		} else if (in_ec == s->last_in_ec) {
			ec = s->last_out_ec;
		} else {
			ec = ir_copy_event_class(&it->copy, in_ec);
			s->last_in_ec = ec ? in_ec : NULL;
			s->last_out_ec = ec;
		}

		if (!ec)
			break;
		if (s->packets)
			out = bt_message_event_create_with_packet_and_default_clock_snapshot(
				self, ec, s->out_packet, h);
		else
			out = bt_message_event_create_with_default_clock_snapshot(
				self, ec, s->out, h);
		if (!out)
			break;
		oe = bt_message_event_borrow_event(out);
		if (((f = bt_event_borrow_common_context_field_const(ev)) &&
		     !ir_copy_struct(f, bt_event_borrow_common_context_field(oe))) ||
		    ((f = bt_event_borrow_specific_context_field_const(ev)) &&
		     !ir_copy_struct(f, bt_event_borrow_specific_context_field(oe))) ||
		    ((f = bt_event_borrow_payload_field_const(ev)) &&
		     !ir_copy_struct(f, bt_event_borrow_payload_field(oe))) ||
		    (unverified && bt_field_string_set_value(
			bt_field_structure_borrow_member_field_by_name(
				bt_event_borrow_specific_context_field(oe), IR_UNVERIFIED_MEMBER),
			unverified))) {
			bt_message_put_ref(out);
			out = NULL;
		}
		break;
	}
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS: {
		bool ev = bt_message_get_type(m) == BT_MESSAGE_TYPE_DISCARDED_EVENTS;
		uint64_t count;

		if (cs && !convert_cs(it, si, ev ?
			bt_message_discarded_events_borrow_end_default_clock_snapshot_const(m) :
			bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(m),
			&h_end))
			return NULL;
		if (ev) {
			out = cs ? bt_message_discarded_events_create_with_default_clock_snapshots(self, s->out, h, h_end)
				 : bt_message_discarded_events_create(self, s->out);
			if (out && bt_message_discarded_events_get_count(m, &count) ==
			    BT_PROPERTY_AVAILABILITY_AVAILABLE)
				bt_message_discarded_events_set_count(out, count);
		} else {
			out = cs ? bt_message_discarded_packets_create_with_default_clock_snapshots(self, s->out, h, h_end)
				 : bt_message_discarded_packets_create(self, s->out);
			if (out && bt_message_discarded_packets_get_count(m, &count) ==
			    BT_PROPERTY_AVAILABILITY_AVAILABLE)
				bt_message_discarded_packets_set_count(out, count);
		}
		break;
	}
	default:
		break;
	}
	if (!out && !it->failed)
		iter_error(it, "filter.vmsync.tsc: guest trace '%s': cannot copy a message onto host time%s%s",
			   trace_name(si->t->trace), it->copy.error[0] ? ": " : "",
			   it->copy.error);
	return out;
}

/* The ns from origin of copied message @out's time; false if it has none. */
bool out_ns(const struct stream_info *si, const bt_message *out, bt_message_type type,
	    int64_t *ns)
{
	/* A copied event's stream class has the host's clock. */
	const bt_clock_snapshot *cs = type == BT_MESSAGE_TYPE_EVENT ?
		bt_message_event_borrow_default_clock_snapshot_const(out) :
		msg_clock(out, si->ir->out);

	return cs && ns_of(cs, ns);
}
