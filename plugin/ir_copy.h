/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ir_copy.h - copies of guest traces' IR (trace, stream and event classes,
 * streams, packets, fields) whose streams are clocked by a host's clock.
 *
 * A babeltrace2 message is immutable and its timestamp belongs to its
 * stream class's clock: putting a guest event on host time takes a stream
 * class of our own, clocked by (a copy of) the host's clock class, and a
 * copy of every field. The copy keeps every name, id, field and
 * environment entry, and adds the entries that say it was rebased.
 */
#ifndef VMSYNC_IR_COPY_H
#define VMSYNC_IR_COPY_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>

#include "ptr_map.h"

struct ir_copy {
	bt_self_component *self;
	struct ptr_map clock_classes;	/* host's -> ours */
	struct ptr_map trace_classes, traces, stream_classes, event_classes;
	struct ptr_map unverified_classes;	/* input -> its unverified twin */
	struct ptr_map field_classes;
	struct ptr_map streams;		/* input stream -> struct ir_stream */
	char error[256];		/* what the last failure was */
};

/* An output stream and its open packet. */
struct ir_stream {
	bt_stream *out;
	bool packets;			/* its class supports packets */
	const bt_packet *in_packet;
	bt_packet *out_packet;
	/* Its last event's class and copy: a stream's events mostly repeat one. */
	const bt_event_class *last_in_ec;
	bt_event_class *last_out_ec;
};

/* What the rebased trace says about where it went. */
struct ir_rebase_note {
	const char *host_trace;		/* the host trace's name */
	const char *host_hostname;	/* its env.hostname, or "" */
	const char *vm;			/* KVM's name of the guest's VM */
	const char *uuid;		/* the guest's system UUID, or "" */
	const char *mode;		/* "exact" */
};

void ir_copy_init(struct ir_copy *c, bt_self_component *self);
void ir_copy_fini(struct ir_copy *c);

/*
 * The output stream of @in, clocked by a copy of @host_clock, created on
 * first use with its classes and trace. NULL on failure (c->error says).
 */
struct ir_stream *ir_copy_stream(struct ir_copy *c, const bt_stream *in,
				 const bt_clock_class *host_clock,
				 const struct ir_rebase_note *note);

/* The output event class of @in (which belongs to a copied stream class). */
bt_event_class *ir_copy_event_class(struct ir_copy *c,
				    const bt_event_class *in);

/*
 * The twin of ir_copy_event_class(@in) for events whose host time cannot be
 * vouched for: its specific context ends with a string member
 * IR_UNVERIFIED_MEMBER, for the reason; its id is 2^31 above (or next free).
 */
#define IR_UNVERIFIED_MEMBER "vmsync_unverified"
bt_event_class *ir_copy_event_class_unverified(struct ir_copy *c,
					       const bt_event_class *in);

/* The output packet for @in, a packet of the stream @s was made for. */
bt_packet *ir_copy_packet(struct ir_copy *c, struct ir_stream *s,
			  const bt_packet *in);

/* Copy the value of @in into @out, of the copied class. */
bool ir_copy_field(const bt_field *in, bt_field *out);
/* The same, for a structure field (an event's or a packet's scopes). */
bool ir_copy_struct(const bt_field *in, bt_field *out);

#endif /* VMSYNC_IR_COPY_H */
