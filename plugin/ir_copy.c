// SPDX-License-Identifier: GPL-2.0
/* ir_copy.c - see ir_copy.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir_copy.h"
#include "vmsync_format.h"

static void *fail(struct ir_copy *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	return NULL;
}

void ir_copy_init(struct ir_copy *c, bt_self_component *self)
{
	memset(c, 0, sizeof(*c));
	c->self = self;
}

static void put_all(struct ptr_map *m, void (*put)(const void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			put(m->values[i]);
	ptr_map_fini(m);
}

static void put_clock_class(const void *p) { bt_clock_class_put_ref(p); }
static void put_trace_class(const void *p) { bt_trace_class_put_ref(p); }
static void put_trace(const void *p) { bt_trace_put_ref(p); }

static void put_stream(const void *p)
{
	const struct ir_stream *s = p;

	bt_packet_put_ref(s->out_packet);
	bt_stream_put_ref(s->out);
	free((void *)s);
}

void ir_copy_fini(struct ir_copy *c)
{
	put_all(&c->streams, put_stream);
	put_all(&c->traces, put_trace);
	put_all(&c->trace_classes, put_trace_class);
	put_all(&c->clock_classes, put_clock_class);
	ptr_map_fini(&c->stream_classes);
	ptr_map_fini(&c->event_classes);
	ptr_map_fini(&c->unverified_classes);
	ptr_map_fini(&c->field_classes);
}

static bt_clock_class *copy_clock_class(struct ir_copy *c,
					const bt_clock_class *in)
{
	bt_clock_class *out = ptr_map_get(&c->clock_classes, in);
	int64_t sec;
	uint64_t cycles;
	bt_uuid uuid;

	if (out)
		return out;
	out = bt_clock_class_create(c->self);
	if (!out)
		return fail(c, "out of memory (clock class)");
	if (bt_clock_class_get_name(in))
		bt_clock_class_set_name(out, bt_clock_class_get_name(in));
	if (bt_clock_class_get_description(in))
		bt_clock_class_set_description(out,
					bt_clock_class_get_description(in));
	bt_clock_class_set_frequency(out, bt_clock_class_get_frequency(in));
	bt_clock_class_get_offset(in, &sec, &cycles);
	bt_clock_class_set_offset(out, sec, cycles);
	bt_clock_class_set_precision(out, bt_clock_class_get_precision(in));
	bt_clock_class_set_origin_is_unix_epoch(out,
				bt_clock_class_origin_is_unix_epoch(in));
	uuid = bt_clock_class_get_uuid(in);
	if (uuid)
		bt_clock_class_set_uuid(out, uuid);
	if (!ptr_map_put(&c->clock_classes, in, out)) {
		bt_clock_class_put_ref(out);
		return fail(c, "out of memory");
	}
	return out;
}

/* The field class a field path leads to, from the scope's root @root. */
static const bt_field_class *resolve(const bt_field_class *root,
				     const bt_field_path *path)
{
	const bt_field_class *fc = root;
	uint64_t i, n = bt_field_path_get_item_count(path);

	for (i = 0; fc && i < n; i++) {
		const bt_field_path_item *it =
			bt_field_path_borrow_item_by_index_const(path, i);
		bt_field_class_type t;
		uint64_t idx;

		switch (bt_field_path_item_get_type(it)) {
		case BT_FIELD_PATH_ITEM_TYPE_INDEX:
			idx = bt_field_path_item_index_get_index(it);
			t = bt_field_class_get_type(fc);
			if (t == BT_FIELD_CLASS_TYPE_STRUCTURE)
				fc = bt_field_class_structure_member_borrow_field_class_const(
					bt_field_class_structure_borrow_member_by_index_const(fc, idx));
			else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_VARIANT))
				fc = bt_field_class_variant_option_borrow_field_class_const(
					bt_field_class_variant_borrow_option_by_index_const(fc, idx));
			else
				return NULL;
			break;
		case BT_FIELD_PATH_ITEM_TYPE_CURRENT_ARRAY_ELEMENT:
			fc = bt_field_class_array_borrow_element_field_class_const(fc);
			break;
		case BT_FIELD_PATH_ITEM_TYPE_CURRENT_OPTION_CONTENT:
			fc = bt_field_class_option_borrow_field_class_const(fc);
			break;
		default:
			return NULL;
		}
	}
	return fc;
}

/* The input roots of the four scopes, for length field paths. */
struct scopes {
	const bt_field_class *root[4];
};

static const bt_field_class *scope_root(const struct scopes *s,
					bt_field_path_scope scope)
{
	switch (scope) {
	case BT_FIELD_PATH_SCOPE_PACKET_CONTEXT: return s->root[0];
	case BT_FIELD_PATH_SCOPE_EVENT_COMMON_CONTEXT: return s->root[1];
	case BT_FIELD_PATH_SCOPE_EVENT_SPECIFIC_CONTEXT: return s->root[2];
	case BT_FIELD_PATH_SCOPE_EVENT_PAYLOAD: return s->root[3];
	}
	return NULL;
}

static bt_field_class *copy_fc(struct ir_copy *c, bt_trace_class *tc,
			       const bt_field_class *in, const struct scopes *s);

/*
 * The copy of the field class that path @p leads to (a dynamic array's
 * length, a variant's or an option's selector): copied before, as it
 * comes first.
 */
static bt_field_class *copied_at(struct ir_copy *c, const struct scopes *s,
				 const bt_field_path *p)
{
	const bt_field_class *in = resolve(scope_root(s, bt_field_path_get_root_scope(p)), p);

	return in ? ptr_map_get(&c->field_classes, in) : NULL;
}

static bool copy_enum_mappings(const bt_field_class *in, bt_field_class *out,
			       bool is_signed)
{
	uint64_t i, n = bt_field_class_enumeration_get_mapping_count(in);

	for (i = 0; i < n; i++) {
		bt_field_class_enumeration_add_mapping_status st;

		if (is_signed) {
			const bt_field_class_enumeration_signed_mapping *m =
				bt_field_class_enumeration_signed_borrow_mapping_by_index_const(in, i);

			st = bt_field_class_enumeration_signed_add_mapping(out,
				bt_field_class_enumeration_mapping_get_label(
					bt_field_class_enumeration_signed_mapping_as_mapping_const(m)),
				bt_field_class_enumeration_signed_mapping_borrow_ranges_const(m));
		} else {
			const bt_field_class_enumeration_unsigned_mapping *m =
				bt_field_class_enumeration_unsigned_borrow_mapping_by_index_const(in, i);

			st = bt_field_class_enumeration_unsigned_add_mapping(out,
				bt_field_class_enumeration_mapping_get_label(
					bt_field_class_enumeration_unsigned_mapping_as_mapping_const(m)),
				bt_field_class_enumeration_unsigned_mapping_borrow_ranges_const(m));
		}
		if (st != BT_FIELD_CLASS_ENUMERATION_ADD_MAPPING_STATUS_OK)
			return false;
	}
	return true;
}

static bt_field_class *copy_struct(struct ir_copy *c, bt_trace_class *tc,
				   const bt_field_class *in,
				   const struct scopes *s)
{
	bt_field_class *out = bt_field_class_structure_create(tc);
	uint64_t i, n = bt_field_class_structure_get_member_count(in);

	for (i = 0; out && i < n; i++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_index_const(in, i);
		bt_field_class *mfc = copy_fc(c, tc,
			bt_field_class_structure_member_borrow_field_class_const(m), s);

		if (!mfc || bt_field_class_structure_append_member(out,
				bt_field_class_structure_member_get_name(m), mfc)) {
			bt_field_class_put_ref(mfc);
			bt_field_class_put_ref(out);
			return NULL;
		}
		bt_field_class_put_ref(mfc);
	}
	return out;
}

static bt_field_class *copy_variant(struct ir_copy *c, bt_trace_class *tc,
				    const bt_field_class *in, bt_field_class_type t,
				    const struct scopes *s)
{
	uint64_t i, n = bt_field_class_variant_get_option_count(in);
	bt_field_class *sel = NULL, *out;

	if (t != BT_FIELD_CLASS_TYPE_VARIANT_WITHOUT_SELECTOR_FIELD) {
		sel = copied_at(c, s,
			bt_field_class_variant_with_selector_field_borrow_selector_field_path_const(in));
		if (!sel)
			return fail(c, "cannot resolve a variant's selector field");
	}
	out = bt_field_class_variant_create(tc, sel);
	if (!out)
		return fail(c, "out of memory (variant)");
	for (i = 0; i < n; i++) {
		const bt_field_class_variant_option *o =
			bt_field_class_variant_borrow_option_by_index_const(in, i);
		const char *name = bt_field_class_variant_option_get_name(o);
		bt_field_class *ofc = copy_fc(c, tc,
			bt_field_class_variant_option_borrow_field_class_const(o), s);
		int st;

		if (!ofc)
			goto error;
		if (t == BT_FIELD_CLASS_TYPE_VARIANT_WITHOUT_SELECTOR_FIELD)
			st = bt_field_class_variant_without_selector_append_option(out, name, ofc);
		else if (t == BT_FIELD_CLASS_TYPE_VARIANT_WITH_UNSIGNED_INTEGER_SELECTOR_FIELD)
			st = bt_field_class_variant_with_selector_field_integer_unsigned_append_option(
				out, name, ofc,
				bt_field_class_variant_with_selector_field_integer_unsigned_option_borrow_ranges_const(
					bt_field_class_variant_with_selector_field_integer_unsigned_borrow_option_by_index_const(in, i)));
		else
			st = bt_field_class_variant_with_selector_field_integer_signed_append_option(
				out, name, ofc,
				bt_field_class_variant_with_selector_field_integer_signed_option_borrow_ranges_const(
					bt_field_class_variant_with_selector_field_integer_signed_borrow_option_by_index_const(in, i)));
		bt_field_class_put_ref(ofc);
		if (st)
			goto error;
	}
	return out;
error:
	bt_field_class_put_ref(out);
	return c->error[0] ? NULL : fail(c, "cannot copy a variant's options");
}

static bt_field_class *copy_option(struct ir_copy *c, bt_trace_class *tc,
				   const bt_field_class *in, bt_field_class_type t,
				   const struct scopes *s)
{
	bt_field_class *content, *sel = NULL, *out;

	if (t != BT_FIELD_CLASS_TYPE_OPTION_WITHOUT_SELECTOR_FIELD) {
		sel = copied_at(c, s,
			bt_field_class_option_with_selector_field_borrow_selector_field_path_const(in));
		if (!sel)
			return fail(c, "cannot resolve an option's selector field");
	}
	content = copy_fc(c, tc, bt_field_class_option_borrow_field_class_const(in), s);
	if (!content)
		return NULL;
	if (t == BT_FIELD_CLASS_TYPE_OPTION_WITHOUT_SELECTOR_FIELD) {
		out = bt_field_class_option_without_selector_create(tc, content);
	} else if (t == BT_FIELD_CLASS_TYPE_OPTION_WITH_BOOL_SELECTOR_FIELD) {
		out = bt_field_class_option_with_selector_field_bool_create(tc, content, sel);
		if (out)
			bt_field_class_option_with_selector_field_bool_set_selector_is_reversed(out,
				bt_field_class_option_with_selector_field_bool_selector_is_reversed(in));
	} else if (t == BT_FIELD_CLASS_TYPE_OPTION_WITH_UNSIGNED_INTEGER_SELECTOR_FIELD) {
		out = bt_field_class_option_with_selector_field_integer_unsigned_create(tc,
			content, sel,
			bt_field_class_option_with_selector_field_integer_unsigned_borrow_selector_ranges_const(in));
	} else {
		out = bt_field_class_option_with_selector_field_integer_signed_create(tc,
			content, sel,
			bt_field_class_option_with_selector_field_integer_signed_borrow_selector_ranges_const(in));
	}
	bt_field_class_put_ref(content);
	return out ? out : fail(c, "out of memory (option)");
}

static bt_field_class *copy_fc(struct ir_copy *c, bt_trace_class *tc,
			       const bt_field_class *in, const struct scopes *s)
{
	bt_field_class_type t = bt_field_class_get_type(in);
	bt_field_class *out = NULL, *elem;

	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_ENUMERATION)) {
		out = bt_field_class_enumeration_unsigned_create(tc);
		if (out && !copy_enum_mappings(in, out, false))
			goto error;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION)) {
		out = bt_field_class_enumeration_signed_create(tc);
		if (out && !copy_enum_mappings(in, out, true))
			goto error;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		out = bt_field_class_integer_unsigned_create(tc);
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		out = bt_field_class_integer_signed_create(tc);
	} else if (t == BT_FIELD_CLASS_TYPE_BOOL) {
		out = bt_field_class_bool_create(tc);
	} else if (t == BT_FIELD_CLASS_TYPE_BIT_ARRAY) {
		out = bt_field_class_bit_array_create(tc,
				bt_field_class_bit_array_get_length(in));
	} else if (t == BT_FIELD_CLASS_TYPE_SINGLE_PRECISION_REAL) {
		out = bt_field_class_real_single_precision_create(tc);
	} else if (t == BT_FIELD_CLASS_TYPE_DOUBLE_PRECISION_REAL) {
		out = bt_field_class_real_double_precision_create(tc);
	} else if (t == BT_FIELD_CLASS_TYPE_STRING) {
		out = bt_field_class_string_create(tc);
	} else if (t == BT_FIELD_CLASS_TYPE_STRUCTURE) {
		out = copy_struct(c, tc, in, s);
	} else if (t == BT_FIELD_CLASS_TYPE_STATIC_ARRAY) {
		elem = copy_fc(c, tc,
			bt_field_class_array_borrow_element_field_class_const(in), s);
		if (!elem)
			return NULL;
		out = bt_field_class_array_static_create(tc, elem,
				bt_field_class_array_static_get_length(in));
		bt_field_class_put_ref(elem);
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_DYNAMIC_ARRAY)) {
		bt_field_class *len_out = NULL;

		if (t == BT_FIELD_CLASS_TYPE_DYNAMIC_ARRAY_WITH_LENGTH_FIELD) {
			len_out = copied_at(c, s,
				bt_field_class_array_dynamic_with_length_field_borrow_length_field_path_const(in));
			if (!len_out)
				return fail(c, "cannot resolve a dynamic array's length field");
		}
		elem = copy_fc(c, tc,
			bt_field_class_array_borrow_element_field_class_const(in), s);
		if (!elem)
			return NULL;
		out = bt_field_class_array_dynamic_create(tc, elem, len_out);
		bt_field_class_put_ref(elem);
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_VARIANT)) {
		out = copy_variant(c, tc, in, t, s);
		if (!out)
			return NULL;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_OPTION)) {
		out = copy_option(c, tc, in, t, s);
		if (!out)
			return NULL;
	} else {
		return fail(c, "field class type %d is not supported", (int)t);
	}
	if (!out)
		return fail(c, "cannot copy a field class");
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_INTEGER)) {
		bt_field_class_integer_set_field_value_range(out,
			bt_field_class_integer_get_field_value_range(in));
		bt_field_class_integer_set_preferred_display_base(out,
			bt_field_class_integer_get_preferred_display_base(in));
	}
	if (!ptr_map_put(&c->field_classes, in, out))
		goto error;
	return out;
error:
	bt_field_class_put_ref(out);
	return fail(c, "cannot copy a field class");
}

/* Copy the root @in of a scope, or NULL (with no error) when it is NULL. */
static bool copy_root(struct ir_copy *c, bt_trace_class *tc,
		      const bt_field_class *in, const struct scopes *s,
		      bt_field_class **out)
{
	*out = NULL;
	if (!in)
		return true;
	*out = copy_fc(c, tc, in, s);
	return *out != NULL;
}

static bt_trace *copy_trace(struct ir_copy *c, const bt_trace *in,
			    const struct ir_rebase_note *note)
{
	bt_trace *out = ptr_map_get(&c->traces, in);
	const bt_trace_class *in_tc = bt_trace_borrow_class_const(in);
	bt_trace_class *tc = ptr_map_get(&c->trace_classes, in_tc);
	uint64_t i, n;

	if (out)
		return out;
	if (!tc) {
		tc = bt_trace_class_create(c->self);
		if (!tc)
			return fail(c, "out of memory (trace class)");
		bt_trace_class_set_assigns_automatic_stream_class_id(tc, BT_FALSE);
		if (!ptr_map_put(&c->trace_classes, in_tc, tc)) {
			bt_trace_class_put_ref(tc);
			return fail(c, "out of memory");
		}
	}
	out = bt_trace_create(tc);
	if (!out)
		return fail(c, "out of memory (trace)");
	if (bt_trace_get_name(in))
		bt_trace_set_name(out, bt_trace_get_name(in));
	if (bt_trace_get_uuid(in))
		bt_trace_set_uuid(out, bt_trace_get_uuid(in));
	n = bt_trace_get_environment_entry_count(in);
	for (i = 0; i < n; i++) {
		const char *name;
		const bt_value *v;

		bt_trace_borrow_environment_entry_by_index_const(in, i, &name, &v);
		if (bt_value_is_signed_integer(v))
			bt_trace_set_environment_entry_integer(out, name,
				bt_value_integer_signed_get(v));
		else if (bt_value_is_string(v))
			bt_trace_set_environment_entry_string(out, name,
				bt_value_string_get(v));
	}
	bt_trace_set_environment_entry_string(out, ENV_REBASED, note->mode);
	bt_trace_set_environment_entry_string(out, ENV_HOST_TRACE,
					      note->host_trace);
	bt_trace_set_environment_entry_string(out, ENV_HOST_HOSTNAME,
					      note->host_hostname);
	bt_trace_set_environment_entry_string(out, ENV_HOST_VM, note->vm);
	if (note->uuid[0])
		bt_trace_set_environment_entry_string(out, ENV_HOST_UUID, note->uuid);
	if (!ptr_map_put(&c->traces, in, out)) {
		bt_trace_put_ref(out);
		return fail(c, "out of memory");
	}
	return out;
}

static bt_stream_class *copy_stream_class(struct ir_copy *c,
					  const bt_stream_class *in,
					  const bt_clock_class *host_clock)
{
	bt_stream_class *out = ptr_map_get(&c->stream_classes, in);
	bt_trace_class *tc = ptr_map_get(&c->trace_classes,
			bt_stream_class_borrow_trace_class_const(in));
	bt_field_class *pc = NULL, *cc = NULL;
	struct scopes s = { {
		bt_stream_class_borrow_packet_context_field_class_const(in),
		bt_stream_class_borrow_event_common_context_field_class_const(in),
	} };
	bt_clock_class *clk;

	if (out)
		return out;
	clk = copy_clock_class(c, host_clock);
	if (!clk)
		return NULL;
	out = bt_stream_class_create_with_id(tc, bt_stream_class_get_id(in));
	if (!out)
		return fail(c, "out of memory (stream class)");
	if (bt_stream_class_get_name(in))
		bt_stream_class_set_name(out, bt_stream_class_get_name(in));
	bt_stream_class_set_assigns_automatic_event_class_id(out, BT_FALSE);
	bt_stream_class_set_assigns_automatic_stream_id(out, BT_FALSE);
	bt_stream_class_set_default_clock_class(out, clk);
	bt_stream_class_set_supports_packets(out,
		bt_stream_class_supports_packets(in),
		bt_stream_class_packets_have_beginning_default_clock_snapshot(in),
		bt_stream_class_packets_have_end_default_clock_snapshot(in));
	bt_stream_class_set_supports_discarded_events(out,
		bt_stream_class_supports_discarded_events(in),
		bt_stream_class_discarded_events_have_default_clock_snapshots(in));
	bt_stream_class_set_supports_discarded_packets(out,
		bt_stream_class_supports_discarded_packets(in),
		bt_stream_class_discarded_packets_have_default_clock_snapshots(in));
	if (!copy_root(c, tc, s.root[0], &s, &pc) ||
	    !copy_root(c, tc, s.root[1], &s, &cc))
		goto error;
	if ((pc && bt_stream_class_set_packet_context_field_class(out, pc)) ||
	    (cc && bt_stream_class_set_event_common_context_field_class(out, cc)))
		goto error;
	bt_field_class_put_ref(pc);
	bt_field_class_put_ref(cc);
	if (!ptr_map_put(&c->stream_classes, in, out))
		return fail(c, "out of memory");
	return out;
error:
	bt_field_class_put_ref(pc);
	bt_field_class_put_ref(cc);
	return c->error[0] ? NULL : fail(c, "cannot copy stream class %s",
					 bt_stream_class_get_name(in));
}

/*
 * An id for the unverified twin of event class @id of input stream class
 * @in_sc in output stream class @sc: 2^31 above it, or the next one that
 * neither uses. Below 2^32: babeltrace2's CTF reader takes ids modulo 2^32.
 */
static bool twin_id(const bt_stream_class *in_sc, const bt_stream_class *sc, uint64_t id,
		    uint64_t *out)
{
	uint64_t t = (id & ((UINT64_C(1) << 30) - 1)) + (UINT64_C(1) << 31);

	for (unsigned int i = 0; i < 1024; i++, t++)
		if (!bt_stream_class_borrow_event_class_by_id_const(sc, t) &&
		    !bt_stream_class_borrow_event_class_by_id_const(in_sc, t)) {
			*out = t;
			return true;
		}
	return false;
}

/*
 * Its specific context, plus (for the unverified twin) a string member
 * IR_UNVERIFIED_MEMBER saying why its time is not vouched for.
 */
static bool copy_specific_context(struct ir_copy *c, bt_trace_class *tc,
				  const struct scopes *s, bool unverified, bt_field_class **sp)
{
	bt_field_class *str;

	if (!copy_root(c, tc, s->root[2], s, sp))
		return false;
	if (!unverified)
		return true;
	if (!*sp)
		*sp = bt_field_class_structure_create(tc);
	if (!*sp)
		return false;
	if (bt_field_class_get_type(*sp) != BT_FIELD_CLASS_TYPE_STRUCTURE ||
	    bt_field_class_structure_borrow_member_by_name_const(*sp, IR_UNVERIFIED_MEMBER)) {
		fail(c, "its events' specific context cannot take a member %s (already marked?)",
		     IR_UNVERIFIED_MEMBER);
		return false;
	}
	str = bt_field_class_string_create(tc);
	if (!str || bt_field_class_structure_append_member(*sp, IR_UNVERIFIED_MEMBER, str)) {
		bt_field_class_put_ref(str);
		return false;
	}
	bt_field_class_put_ref(str);
	return true;
}

/* The first event of class @in (or of its unverified twin): copy the class. */
static bt_event_class *copy_event_class(struct ir_copy *c, const bt_event_class *in,
					bool unverified)
{
	const bt_stream_class *in_sc = bt_event_class_borrow_stream_class_const(in);
	bt_stream_class *sc = ptr_map_get(&c->stream_classes, in_sc);
	bt_trace_class *tc = ptr_map_get(&c->trace_classes,
			bt_stream_class_borrow_trace_class_const(in_sc));
	bt_field_class *sp = NULL, *pl = NULL;
	bt_event_class *out;
	bt_event_class_log_level ll;
	uint64_t id = bt_event_class_get_id(in);
	struct scopes s = { {
		bt_stream_class_borrow_packet_context_field_class_const(in_sc),
		bt_stream_class_borrow_event_common_context_field_class_const(in_sc),
		bt_event_class_borrow_specific_context_field_class_const(in),
		bt_event_class_borrow_payload_field_class_const(in),
	} };

	if (!sc)
		return fail(c, "event class of a stream class not copied");
	if (unverified && !twin_id(in_sc, sc, id, &id))
		return fail(c, "no free event class id for the unverified copy of %s",
			    bt_event_class_get_name(in));
	if (!unverified && bt_stream_class_borrow_event_class_by_id_const(sc, id))
		return fail(c, "event class %s has id %" PRIu64 ", which an unverified copy took",
			    bt_event_class_get_name(in), id);
	out = bt_event_class_create_with_id(sc, id);
	if (!out)
		return fail(c, "out of memory (event class)");
	if (bt_event_class_get_name(in))
		bt_event_class_set_name(out, bt_event_class_get_name(in));
	if (bt_event_class_get_log_level(in, &ll) == BT_PROPERTY_AVAILABILITY_AVAILABLE)
		bt_event_class_set_log_level(out, ll);
	if (bt_event_class_get_emf_uri(in))
		bt_event_class_set_emf_uri(out, bt_event_class_get_emf_uri(in));
	if (!copy_specific_context(c, tc, &s, unverified, &sp) ||
	    !copy_root(c, tc, s.root[3], &s, &pl) ||
	    (sp && bt_event_class_set_specific_context_field_class(out, sp)) ||
	    (pl && bt_event_class_set_payload_field_class(out, pl))) {
		bt_field_class_put_ref(sp);
		bt_field_class_put_ref(pl);
		bt_event_class_put_ref(out);
		return c->error[0] ? NULL : fail(c, "cannot copy event class %s",
						 bt_event_class_get_name(in));
	}
	bt_field_class_put_ref(sp);
	bt_field_class_put_ref(pl);
	/* The stream class holds it from now on. */
	bt_event_class_put_ref(out);
	if (!ptr_map_put(unverified ? &c->unverified_classes : &c->event_classes, in, out))
		return fail(c, "out of memory");
	return out;
}

bt_event_class *ir_copy_event_class(struct ir_copy *c,
				    const bt_event_class *in)
{
	bt_event_class *out = ptr_map_get(&c->event_classes, in);

	return out ? out : copy_event_class(c, in, false);
}

bt_event_class *ir_copy_event_class_unverified(struct ir_copy *c,
					       const bt_event_class *in)
{
	bt_event_class *out = ptr_map_get(&c->unverified_classes, in);

	return out ? out : copy_event_class(c, in, true);
}

struct ir_stream *ir_copy_stream(struct ir_copy *c, const bt_stream *in,
				 const bt_clock_class *host_clock,
				 const struct ir_rebase_note *note)
{
	struct ir_stream *s = ptr_map_get(&c->streams, in);
	const bt_stream_class *in_sc = bt_stream_borrow_class_const(in);
	bt_stream_class *sc;
	bt_trace *trace;

	if (s)
		return s;
	c->error[0] = '\0';
	trace = copy_trace(c, bt_stream_borrow_trace_const(in), note);
	if (!trace)
		return NULL;
	sc = copy_stream_class(c, in_sc, host_clock);
	if (!sc)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(c, "out of memory");
	s->out = bt_stream_create_with_id(sc, trace, bt_stream_get_id(in));
	if (!s->out || !ptr_map_put(&c->streams, in, s)) {
		bt_stream_put_ref(s->out);
		free(s);
		return fail(c, "out of memory (stream)");
	}
	if (bt_stream_get_name(in))
		bt_stream_set_name(s->out, bt_stream_get_name(in));
	s->packets = bt_stream_class_supports_packets(in_sc);
	return s;
}

bt_packet *ir_copy_packet(struct ir_copy *c, struct ir_stream *s,
			  const bt_packet *in)
{
	const bt_field *ctx;

	if (s->in_packet == in)
		return s->out_packet;
	bt_packet_put_ref(s->out_packet);
	s->in_packet = NULL;
	s->out_packet = bt_packet_create(s->out);
	if (!s->out_packet)
		return fail(c, "out of memory (packet)");
	ctx = bt_packet_borrow_context_field_const(in);
	if (ctx && !ir_copy_struct(ctx, bt_packet_borrow_context_field(s->out_packet)))
		return fail(c, "cannot copy a packet context");
	s->in_packet = in;
	return s->out_packet;
}

bool ir_copy_struct(const bt_field *in, bt_field *out)
{
	uint64_t i, n;

	n = bt_field_class_structure_get_member_count(
		bt_field_borrow_class_const(in));
	for (i = 0; i < n; i++) {
		const bt_field *mi = bt_field_structure_borrow_member_field_by_index_const(in, i);
		bt_field *mo = bt_field_structure_borrow_member_field_by_index(out, i);

		/* Most members are integers: copied here, without a call per member. */
		switch (bt_field_get_class_type(mi)) {
		case BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER:
		case BT_FIELD_CLASS_TYPE_UNSIGNED_ENUMERATION:
			bt_field_integer_unsigned_set_value(mo,
				bt_field_integer_unsigned_get_value(mi));
			break;
		case BT_FIELD_CLASS_TYPE_SIGNED_INTEGER:
		case BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION:
			bt_field_integer_signed_set_value(mo,
				bt_field_integer_signed_get_value(mi));
			break;
		default:
			if (!ir_copy_field(mi, mo))
				return false;
		}
	}
	return true;
}

bool ir_copy_field(const bt_field *in, bt_field *out)
{
	bt_field_class_type t = bt_field_get_class_type(in);
	uint64_t i, n;

	/* The common types by their exact value first: no library call to sort them. */
	switch (t) {
	case BT_FIELD_CLASS_TYPE_STRUCTURE:
		return ir_copy_struct(in, out);
	case BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_UNSIGNED_ENUMERATION:
		bt_field_integer_unsigned_set_value(out,
			bt_field_integer_unsigned_get_value(in));
		return true;
	case BT_FIELD_CLASS_TYPE_SIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION:
		bt_field_integer_signed_set_value(out,
			bt_field_integer_signed_get_value(in));
		return true;
	case BT_FIELD_CLASS_TYPE_STRING:
		bt_field_string_clear(out);
		return !bt_field_string_append_with_length(out,
				bt_field_string_get_value(in),
				bt_field_string_get_length(in));
	default:
		break;
	}
	if (t == BT_FIELD_CLASS_TYPE_BOOL) {
		bt_field_bool_set_value(out, bt_field_bool_get_value(in));
	} else if (t == BT_FIELD_CLASS_TYPE_BIT_ARRAY) {
		bt_field_bit_array_set_value_as_integer(out,
			bt_field_bit_array_get_value_as_integer(in));
	} else if (t == BT_FIELD_CLASS_TYPE_SINGLE_PRECISION_REAL) {
		bt_field_real_single_precision_set_value(out,
			bt_field_real_single_precision_get_value(in));
	} else if (t == BT_FIELD_CLASS_TYPE_DOUBLE_PRECISION_REAL) {
		bt_field_real_double_precision_set_value(out,
			bt_field_real_double_precision_get_value(in));
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY)) {
		n = bt_field_array_get_length(in);
		if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_DYNAMIC_ARRAY) &&
		    bt_field_array_dynamic_set_length(out, n))
			return false;
		for (i = 0; i < n; i++)
			if (!ir_copy_field(
				bt_field_array_borrow_element_field_by_index_const(in, i),
				bt_field_array_borrow_element_field_by_index(out, i)))
				return false;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_VARIANT)) {
		if (bt_field_variant_select_option_by_index(out,
				bt_field_variant_get_selected_option_index(in)) ||
		    !ir_copy_field(bt_field_variant_borrow_selected_option_field_const(in),
				   bt_field_variant_borrow_selected_option_field(out)))
			return false;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_OPTION)) {
		const bt_field *content = bt_field_option_borrow_field_const(in);

		bt_field_option_set_has_field(out, content != NULL);
		if (content && !ir_copy_field(content, bt_field_option_borrow_field(out)))
			return false;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		bt_field_integer_unsigned_set_value(out,
			bt_field_integer_unsigned_get_value(in));
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		bt_field_integer_signed_set_value(out,
			bt_field_integer_signed_get_value(in));
	} else {
		return false;
	}
	return true;
}
