// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_filter.c - filter.vmsync.tsc: guest messages onto host time.
 *
 * Messages come from any number of inputs: one, after babeltrace2's muxer
 * (convert mode), or one per source port (a graph of our own). Host
 * messages feed the host model and wait in the reorder heap as they are;
 * guest messages wait in arrival order until the host data that converts
 * them has been read (the host inputs have passed their time), are then
 * copied onto host time and join the heap. The heap's head goes out once
 * no input can still bring an earlier message: each input's frontier (the
 * latest timestamp it gave, in its own clock) minus how far its guest
 * timestamps were seen to sit above host time, minus a slack.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_model.h"
#include "ir_copy.h"
#include "reorder.h"
#include "tsc_filter.h"
#include "tsc_math.h"

#define TSC_CLOCK_NAME "vmsync_tsc"
#define MAX_VMS_PER_GUEST 16

enum trace_kind { TRACE_UNKNOWN, TRACE_HOST, TRACE_HOST_SIDE, TRACE_GUEST };

struct trace_info {
	const bt_trace *trace;
	enum trace_kind kind;
	const struct host_vm *vms[MAX_VMS_PER_GUEST];
	size_t nr_vms;
	const struct host_trace *host;
	const bt_clock_class *clock;	/* a guest's, once matched */
	struct ir_rebase_note note;
	int64_t first_ns;	/* its first time read, while unmatched */
	uint64_t inputs;	/* bit i % 64: input i brought its messages */
};

struct stream_info {
	struct trace_info *t;
	int64_t last_key;
	uint32_t cpu;
	bool cpu_known;
};

struct input {
	bt_message_iterator *it;
	bool ended, carries_host, seen;
	int64_t frontier;	/* own-clock ns of its latest message */
	int64_t above;		/* max (own ns - host ns) of its guests */
};

struct held {			/* a guest message waiting for host data */
	const bt_message *msg;
	size_t input;
};

struct tsc_filter {
	bt_self_component *self;
	char *map;		/* "TRACE=VM,..." */
	int64_t slack_ns, window_limit_ns;
	uint64_t max_held;
};

struct tsc_iter {
	struct tsc_filter *f;
	bt_self_message_iterator *self;
	struct input *inputs;
	size_t nr_inputs;
	struct host_model model;
	struct ir_copy copy;
	struct ptr_map traces, streams;	/* -> trace_info, stream_info */
	struct reorder heap;
	struct held *held;
	size_t held_first, held_nr, held_cap;
	int64_t last_out;
	bool failed;
};

/* ---- component ---- */

static int64_t param_uint(const bt_value *params, const char *name,
			  int64_t dflt, bool *ok)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	if (!v)
		return dflt;
	if (bt_value_is_unsigned_integer(v))
		return (int64_t)bt_value_integer_unsigned_get(v);
	if (bt_value_is_signed_integer(v) && bt_value_integer_signed_get(v) >= 0)
		return bt_value_integer_signed_get(v);
	*ok = false;
	return dflt;
}

bt_component_class_initialize_method_status
tsc_filter_init(bt_self_component_filter *self_filter,
		bt_self_component_filter_configuration *config,
		const bt_value *params, void *init_data)
{
	bt_self_component *self =
		bt_self_component_filter_as_self_component(self_filter);
	struct tsc_filter *f = calloc(1, sizeof(*f));
	const bt_value *map;
	bool ok = true;

	(void)config;
	(void)init_data;
	if (!f)
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	f->self = self;
	f->slack_ns = param_uint(params, "slack-us", 1000, &ok) * 1000;
	f->window_limit_ns = param_uint(params, "window-limit-ms", 60000, &ok) * 1000000;
	f->max_held = (uint64_t)param_uint(params, "max-held", 4000000, &ok);
	map = bt_value_map_borrow_entry_value_const(params, "map");
	if (map && !bt_value_is_string(map))
		ok = false;
	else if (map)
		f->map = strdup(bt_value_string_get(map));
	if (!ok) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
			"filter.vmsync.tsc: bad parameter: slack-us, window-limit-ms and max-held take unsigned integers, map a string 'TRACE=VM,...' (see 'babeltrace2 help filter.vmsync.tsc')");
		free(f->map);
		free(f);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	if (bt_self_component_filter_add_input_port(self_filter, "in0", NULL, NULL) ||
	    bt_self_component_filter_add_output_port(self_filter, "out", NULL, NULL)) {
		free(f->map);
		free(f);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	bt_self_component_set_data(self, f);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

void tsc_filter_finalize(bt_self_component_filter *self)
{
	struct tsc_filter *f = bt_self_component_get_data(
		bt_self_component_filter_as_self_component(self));

	free(f->map);
	free(f);
}

/* One more input port each time the last one gets connected, as the muxer. */
bt_component_class_port_connected_method_status
tsc_filter_input_connected(bt_self_component_filter *self,
			   bt_self_component_port_input *port,
			   const bt_port_output *other)
{
	const bt_component_filter *c = bt_self_component_filter_as_component_filter(self);
	uint64_t n = bt_component_filter_get_input_port_count(c);
	char name[32];

	(void)port;
	(void)other;
	snprintf(name, sizeof(name), "in%" PRIu64, n);
	if (bt_self_component_filter_add_input_port(self, name, NULL, NULL))
		return BT_COMPONENT_CLASS_PORT_CONNECTED_METHOD_STATUS_MEMORY_ERROR;
	return BT_COMPONENT_CLASS_PORT_CONNECTED_METHOD_STATUS_OK;
}

/* ---- iterator ---- */

#define iter_error(it, ...) do { \
	BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_MESSAGE_ITERATOR((it)->self, __VA_ARGS__); \
	(it)->failed = true; \
} while (0)

bt_message_iterator_class_initialize_method_status
tsc_iter_init(bt_self_message_iterator *self,
	      bt_self_message_iterator_configuration *config,
	      bt_self_component_port_output *port)
{
	bt_self_component *comp = bt_self_message_iterator_borrow_component(self);
	bt_self_component_filter *filter = (bt_self_component_filter *)comp;
	uint64_t i, n = bt_component_filter_get_input_port_count(
		bt_self_component_filter_as_component_filter(filter));
	struct tsc_iter *it = calloc(1, sizeof(*it));

	(void)config;
	(void)port;
	if (!it)
		return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	it->f = bt_self_component_get_data(comp);
	it->self = self;
	it->last_out = INT64_MIN;
	ir_copy_init(&it->copy, comp);
	it->inputs = calloc(n ? n : 1, sizeof(*it->inputs));
	if (!it->inputs)
		goto nomem;
	for (i = 0; i < n; i++) {
		bt_self_component_port_input *in =
			bt_self_component_filter_borrow_input_port_by_index(filter, i);
		struct input *inp = &it->inputs[it->nr_inputs];

		if (!bt_port_is_connected(bt_self_component_port_as_port(
				bt_self_component_port_input_as_self_component_port(in))))
			continue;
		if (bt_message_iterator_create_from_message_iterator(self, in, &inp->it))
			goto nomem;
		inp->frontier = INT64_MIN;
		it->nr_inputs++;
	}
	bt_self_message_iterator_set_data(self, it);
	return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_OK;
nomem:
	for (i = 0; i < it->nr_inputs; i++)
		bt_message_iterator_put_ref(it->inputs[i].it);
	free(it->inputs);
	free(it);
	return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
}

static void free_value(const void *p) { free((void *)p); }

static void free_all(struct ptr_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			free_value(m->values[i]);
	ptr_map_fini(m);
}

void tsc_iter_finalize(bt_self_message_iterator *self)
{
	struct tsc_iter *it = bt_self_message_iterator_get_data(self);

	for (size_t i = 0; i < it->nr_inputs; i++)
		bt_message_iterator_put_ref(it->inputs[i].it);
	for (size_t i = 0; i < it->held_nr; i++)
		bt_message_put_ref(it->held[(it->held_first + i) % it->held_cap].msg);
	free(it->held);
	reorder_fini(&it->heap);
	ir_copy_fini(&it->copy);
	free_all(&it->traces);
	free_all(&it->streams);
	host_model_fini(&it->model);
	free(it->inputs);
	free(it);
}

/* The stream a message is about, or NULL (inactivity). */
static const bt_stream *msg_stream(const bt_message *m)
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

/* The message's default clock snapshot (the first, for a range), or NULL. */
static const bt_clock_snapshot *msg_clock(const bt_message *m)
{
	const bt_clock_snapshot *cs = NULL;
	const bt_stream_class *sc;

	switch (bt_message_get_type(m)) {
	case BT_MESSAGE_TYPE_EVENT:
		sc = bt_stream_borrow_class_const(msg_stream(m));
		return bt_stream_class_borrow_default_clock_class_const(sc) ?
			bt_message_event_borrow_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		sc = bt_stream_borrow_class_const(msg_stream(m));
		return bt_stream_class_packets_have_beginning_default_clock_snapshot(sc) ?
			bt_message_packet_beginning_borrow_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_PACKET_END:
		sc = bt_stream_borrow_class_const(msg_stream(m));
		return bt_stream_class_packets_have_end_default_clock_snapshot(sc) ?
			bt_message_packet_end_borrow_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		sc = bt_stream_borrow_class_const(msg_stream(m));
		return bt_stream_class_discarded_events_have_default_clock_snapshots(sc) ?
			bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(m) : NULL;
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		sc = bt_stream_borrow_class_const(msg_stream(m));
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

static bool ns_of(const bt_clock_snapshot *cs, int64_t *ns)
{
	return bt_clock_snapshot_get_ns_from_origin(cs, ns) ==
		BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK;
}

/* Clocks are the same when they say so with a UUID (16 bytes). */
static bool same_clock(const bt_clock_class *a, const bt_clock_class *b)
{
	bt_uuid x = a ? bt_clock_class_get_uuid(a) : NULL;
	bt_uuid y = b ? bt_clock_class_get_uuid(b) : NULL;

	return x && y && !memcmp(x, y, 16);
}

static const char *env_str(const bt_trace *t, const char *name)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, name);

	return v && bt_value_is_string(v) ? bt_value_string_get(v) : NULL;
}

static const char *trace_name(const bt_trace *t)
{
	return bt_trace_get_name(t) ? bt_trace_get_name(t) : "(unnamed)";
}

/* The VM named for trace @name by the map parameter, or NULL. */
static const char *mapped_vm(const struct tsc_filter *f, const char *name,
			     char *buf, size_t len)
{
	const char *p = f->map;
	size_t nlen = strlen(name);

	while (p && *p) {
		const char *end = strchr(p, ','), *eq = strchr(p, '=');

		if (!end)
			end = p + strlen(p);
		if (eq && eq < end && (size_t)(eq - p) == nlen && !strncmp(p, name, nlen)) {
			snprintf(buf, len, "%.*s", (int)(end - eq - 1), eq + 1);
			return buf;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

static void expect_gap(struct tsc_iter *it, const struct trace_info *t,
		       const struct tsc_segment *seg);

/*
 * Decide what a non-host trace is, once the host traces said enough: a
 * trace on a host's clock passes; a guest is matched by the map parameter,
 * its product UUID, or its clock being a matched guest's. Returns false
 * while it cannot be decided yet (or on error, with it->failed).
 */
static bool classify(struct tsc_iter *it, struct trace_info *t,
		     const bt_clock_class *cc, bool hosts_done)
{
	const char *uuid = env_str(t->trace, "product_uuid");
	char vm[64], known[1024];
	size_t i;

	for (i = 0; i < it->model.nr_hosts; i++)
		if (same_clock(cc, it->model.hosts[i]->clock)) {
			t->kind = TRACE_HOST_SIDE;
			return true;
		}
	if (mapped_vm(it->f, trace_name(t->trace), vm, sizeof(vm))) {
		const struct host_vm *v = host_model_find_vm(&it->model, vm);

		t->nr_vms = v ? 1 : host_model_find_uuid(&it->model, vm, t->vms,
							 MAX_VMS_PER_GUEST);
		if (v)
			t->vms[0] = v;
	} else if (uuid && uuid[0]) {
		t->nr_vms = host_model_find_uuid(&it->model, uuid, t->vms,
						 MAX_VMS_PER_GUEST);
	}
	if (!t->nr_vms) {
		for (i = 0; i < it->traces.cap; i++) {
			struct trace_info *o = it->traces.keys[i] ? it->traces.values[i] : NULL;

			if (o && o->kind == TRACE_GUEST && same_clock(cc, o->clock)) {
				memcpy(t->vms, o->vms, sizeof(t->vms));
				t->nr_vms = o->nr_vms;
				break;
			}
		}
	}
	if (!t->nr_vms) {
		if (!hosts_done)
			return false;
		host_model_known_uuids(&it->model, known, sizeof(known));
		iter_error(it, "filter.vmsync.tsc: trace '%s' (product UUID %s) matches no guest of the host traces (%zu read; their guests: %s). Give its VM with map='%s=PID-FD' (KVM's debugfs name), or check that the host trace recorded kvm_tsc_* events while this guest ran",
			   trace_name(t->trace), uuid && uuid[0] ? uuid : "none",
			   it->model.nr_hosts, known, trace_name(t->trace));
		return false;
	}
	if (!cc || strcmp(bt_clock_class_get_name(cc) ? bt_clock_class_get_name(cc) : "",
			  TSC_CLOCK_NAME)) {
		iter_error(it, "filter.vmsync.tsc: guest trace '%s' is on clock '%s', not vmsync's TSC clock: this version converts TSC-clock traces only. Trace the guest with lttng-clock-tsc loaded before lttng-tracer (doc/clocks.md)",
			   trace_name(t->trace), cc && bt_clock_class_get_name(cc) ?
			   bt_clock_class_get_name(cc) : "(none)");
		return false;
	}
	t->host = it->model.hosts[t->vms[0]->host];
	if (strcmp(bt_clock_class_get_name(t->host->clock) ?
		   bt_clock_class_get_name(t->host->clock) : "", TSC_CLOCK_NAME)) {
		iter_error(it, "filter.vmsync.tsc: host trace '%s' is not on vmsync's TSC clock, so guest trace '%s' cannot be put on it exactly: trace the host with lttng-clock-tsc (doc/clocks.md)",
			   t->host->name, trace_name(t->trace));
		return false;
	}
	t->note = (struct ir_rebase_note){ t->host->name, t->host->hostname,
					   t->vms[t->nr_vms - 1]->vm, "exact" };
	t->clock = cc;
	t->kind = TRACE_GUEST;
	/* Changes read before it was matched. */
	for (i = 0; i < t->nr_vms; i++)
		for (size_t c = 0; c < t->vms[i]->nr_vcpus; c++) {
			const struct vcpu_history *h = &t->vms[i]->vcpus[c];

			if (h->nr)
				expect_gap(it, t, &h->segs[h->nr - 1]);
		}
	return true;
}

static struct trace_info *trace_of(struct tsc_iter *it, const bt_stream *s)
{
	const bt_trace *tr = bt_stream_borrow_trace_const(s);
	struct trace_info *t = ptr_map_get(&it->traces, tr);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t || !ptr_map_put(&it->traces, tr, t)) {
		free(t);
		return NULL;
	}
	t->trace = tr;
	t->first_ns = INT64_MIN;
	if (host_model_is_host_class(bt_stream_borrow_class_const(s)))
		t->kind = TRACE_HOST;
	return t;
}

static struct stream_info *stream_of(struct tsc_iter *it, const bt_stream *s)
{
	struct stream_info *si = ptr_map_get(&it->streams, s);

	if (si)
		return si;
	si = calloc(1, sizeof(*si));
	if (!si || !ptr_map_put(&it->streams, s, si)) {
		free(si);
		return NULL;
	}
	si->t = trace_of(it, s);
	si->last_key = INT64_MIN;
	return si->t ? si : NULL;
}

static bool push_out(struct tsc_iter *it, struct stream_info *si, int64_t key,
		     const bt_message *m)
{
	/* A message without a time goes with its stream's previous one. */
	if (key == INT64_MIN)
		key = si ? si->last_key : INT64_MIN;
	if (si && key > si->last_key)
		si->last_key = key;
	if (it->heap.nr >= it->f->max_held) {
		iter_error(it, "filter.vmsync.tsc: over %" PRIu64 " messages would have to be held to put them in host-time order (parameter max-held); use vmsync-merge, whose memory does not grow with the traces",
			   it->f->max_held);
		bt_message_put_ref(m);
		return false;
	}
	if (!reorder_push(&it->heap, key, m)) {
		bt_message_put_ref(m);
		iter_error(it, "filter.vmsync.tsc: out of memory");
		return false;
	}
	return true;
}

static uint32_t packet_cpu(const bt_packet *p, bool *known)
{
	const bt_field *ctx = p ? bt_packet_borrow_context_field_const(p) : NULL;
	const bt_field *cpu = ctx ?
		bt_field_structure_borrow_member_field_by_name_const(ctx, "cpu_id") : NULL;

	*known = cpu && bt_field_class_type_is(bt_field_get_class_type(cpu),
					       BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER);
	return *known ? (uint32_t)bt_field_integer_unsigned_get_value(cpu) : 0;
}

/* Guest TSC -> host TSC for stream @si's vCPU, over its VMs. */
static bool to_host(const struct stream_info *si, uint64_t guest, uint64_t *host)
{
	const struct trace_info *t = si->t;

	for (size_t i = t->nr_vms; i-- > 0;)
		if (host_model_to_host(t->vms[i], si->cpu, guest, host))
			return true;
	return false;
}

/* The host-clock time, in ns from origin, of a host TSC value. */
static bool host_ns(const struct trace_info *t, uint64_t tsc, int64_t *ns)
{
	const bt_clock_class *cc = t->host->clock;
	int64_t sec;
	uint64_t cycles;

	bt_clock_class_get_offset(cc, &sec, &cycles);
	return bt_util_clock_cycles_to_ns_from_origin(tsc,
			bt_clock_class_get_frequency(cc), sec, cycles, ns) ==
		BT_UTIL_CLOCK_CYCLES_TO_NS_FROM_ORIGIN_STATUS_OK;
}

/* The host TSC of a guest message's time, for ordering and copying. */
static bool convert_cs(struct tsc_iter *it, struct stream_info *si,
		       const bt_clock_snapshot *cs, uint64_t *host)
{
	if (!si->cpu_known) {
		iter_error(it, "filter.vmsync.tsc: guest trace '%s': a stream without cpu_id in its packet context: which vCPU ran it is unknown",
			   trace_name(si->t->trace));
		return false;
	}
	if (!to_host(si, bt_clock_snapshot_get_value(cs), host)) {
		iter_error(it, "filter.vmsync.tsc: guest trace '%s', vCPU %" PRIu32 ": no TSC offset the host trace '%s' knows gives time %" PRIu64 " (guest event before the first known offset, or the host trace lacks this vCPU's kvm_tsc_offset events: start the host session before the guest's, or enable kvm_tsc_*)",
			   trace_name(si->t->trace), si->cpu, si->t->host->name,
			   bt_clock_snapshot_get_value(cs));
		return false;
	}
	return true;
}

/*
 * A guest's own clock runs ahead of host time by a gap that changes with
 * its offset. Its messages come (from babeltrace2's muxer, or from its own
 * streams) in own-clock order, so once a change widens the gap they come
 * later than their host time: widen the window of its inputs now, before
 * they come, while the host's event of the change is being read.
 */
static void expect_gap(struct tsc_iter *it, const struct trace_info *t,
		       const struct tsc_segment *seg)
{
	int64_t sec, own, host;
	uint64_t cycles, g;

	if (!seg->since || !t->clock)
		return;		/* in effect before the trace: seen in the data */
	g = tsc_guest_from_host(seg->since, seg->offset, seg->ratio, seg->frac_bits);
	bt_clock_class_get_offset(t->clock, &sec, &cycles);
	if (bt_util_clock_cycles_to_ns_from_origin(g, bt_clock_class_get_frequency(t->clock),
						   sec, cycles, &own) !=
	    BT_UTIL_CLOCK_CYCLES_TO_NS_FROM_ORIGIN_STATUS_OK ||
	    !host_ns(t, seg->since, &host))
		return;
	if ((__int128)own - host > INT64_MAX || (__int128)own - host < INT64_MIN)
		return;
	for (size_t i = 0; i < it->nr_inputs; i++)
		if ((t->inputs >> (i % 64) & 1) && own - host > it->inputs[i].above)
			it->inputs[i].above = own - host;
}

static void expect_change(struct tsc_iter *it, const struct host_vm *vm,
			  const struct tsc_segment *seg)
{
	for (size_t i = 0; i < it->traces.cap; i++) {
		const struct trace_info *t = it->traces.keys[i] ? it->traces.values[i] : NULL;

		if (!t || t->kind != TRACE_GUEST)
			continue;
		for (size_t k = 0; k < t->nr_vms; k++)
			if (t->vms[k] == vm)
				expect_gap(it, t, seg);
	}
}

/* Copy guest message @m onto host time; NULL on error. */
static const bt_message *rebase(struct tsc_iter *it, struct stream_info *si,
				const bt_message *m, int64_t *key)
{
	const bt_stream *in_s = msg_stream(m);
	struct ir_stream *s = ir_copy_stream(&it->copy, in_s, si->t->host->clock,
					     &si->t->note);
	const bt_clock_snapshot *cs = msg_clock(m);
	bt_self_message_iterator *self = it->self;
	bt_message *out = NULL;
	uint64_t h = 0, h_end = 0;
	const bt_packet *p;
	bt_packet *op;

	if (!s) {
		iter_error(it, "filter.vmsync.tsc: guest trace '%s': %s",
			   trace_name(si->t->trace), it->copy.error);
		return NULL;
	}
	if (cs && !convert_cs(it, si, cs, &h))
		return NULL;
	*key = INT64_MIN;
	if (cs && !host_ns(si->t, h, key)) {
		iter_error(it, "filter.vmsync.tsc: a converted time does not fit the host clock");
		return NULL;
	}
	switch (bt_message_get_type(m)) {
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
		bt_event_class *ec = ir_copy_event_class(&it->copy,
						bt_event_borrow_class_const(ev));
		const bt_field *f;
		bt_event *oe;

		if (!ec)
			break;
		if (bt_stream_class_supports_packets(bt_stream_borrow_class_const(in_s)))
			out = bt_message_event_create_with_packet_and_default_clock_snapshot(
				self, ec, s->out_packet, h);
		else
			out = bt_message_event_create_with_default_clock_snapshot(
				self, ec, s->out, h);
		if (!out)
			break;
		oe = bt_message_event_borrow_event(out);
		if (((f = bt_event_borrow_common_context_field_const(ev)) &&
		     !ir_copy_field(f, bt_event_borrow_common_context_field(oe))) ||
		    ((f = bt_event_borrow_specific_context_field_const(ev)) &&
		     !ir_copy_field(f, bt_event_borrow_specific_context_field(oe))) ||
		    ((f = bt_event_borrow_payload_field_const(ev)) &&
		     !ir_copy_field(f, bt_event_borrow_payload_field(oe)))) {
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

static bool hosts_ended(const struct tsc_iter *it)
{
	for (size_t i = 0; i < it->nr_inputs; i++)
		if (!it->inputs[i].ended && (it->inputs[i].carries_host || !it->inputs[i].seen))
			return false;
	return true;
}

/* How far host time has been read: no host message earlier will come. */
static int64_t host_frontier(const struct tsc_iter *it)
{
	int64_t f = INT64_MAX;

	for (size_t i = 0; i < it->nr_inputs; i++) {
		const struct input *in = &it->inputs[i];

		if (!in->ended && (in->carries_host || !in->seen) && in->frontier < f)
			f = in->frontier;
	}
	return f;
}

/*
 * Whether the host traces were read far enough past this trace's first
 * time that the announcement of its VM, if they hold one, has been seen: a
 * VM created during the trace is announced (kvm_tsc_guest) before its guest
 * runs. The two clocks are compared by their wall-clock offsets, which may
 * be apart by the machines' clock skew: window-limit-ms bounds that.
 */
static bool host_passed(const struct tsc_iter *it, const struct trace_info *t,
			int64_t hf)
{
	return host_model_all_dumped(&it->model) && t->first_ns != INT64_MIN &&
	       hf != INT64_MAX && (__int128)hf - t->first_ns > it->f->window_limit_ns;
}

/* Convert the held guest messages whose host data has been read. */
static bool release_held(struct tsc_iter *it)
{
	bool done = hosts_ended(it);
	int64_t hf = host_frontier(it);

	while (it->held_nr) {
		struct held *h = &it->held[it->held_first];
		const bt_message *m = h->msg;
		struct stream_info *si = stream_of(it, msg_stream(m));
		const bt_clock_snapshot *cs = msg_clock(m);
		const bt_clock_class *cc = bt_stream_class_borrow_default_clock_class_const(
			bt_stream_borrow_class_const(msg_stream(m)));
		const bt_message *out;
		uint64_t tentative;
		int64_t key, own;

		if (!si)
			return false;
		if (si->t->kind == TRACE_UNKNOWN &&
		    !classify(it, si->t, cc, done || host_passed(it, si->t, hf)))
			return !it->failed && !done ? true : false;
		if (si->t->kind == TRACE_GUEST && cs && !done) {
			/* Wait until host data up to its (tentative) time is in. */
			if (!si->cpu_known || !to_host(si, bt_clock_snapshot_get_value(cs), &tentative) ||
			    !host_ns(si->t, tentative, &key) || key > hf)
				return true;
		}
		it->held_first = (it->held_first + 1) % it->held_cap;
		it->held_nr--;
		if (si->t->kind != TRACE_GUEST) {	/* host side, after all */
			key = INT64_MIN;
			if (cs && !ns_of(cs, &key))
				key = INT64_MIN;
			if (!push_out(it, si, key, m))
				return false;
			continue;
		}
		out = rebase(it, si, m, &key);
		if (cs && out && ns_of(cs, &own) && own - key > it->inputs[h->input].above)
			it->inputs[h->input].above = own - key;
		bt_message_put_ref(m);
		if (!out || !push_out(it, si, key, out))
			return false;
	}
	return true;
}

static bool hold(struct tsc_iter *it, const bt_message *m, size_t input)
{
	if (it->held_nr == it->held_cap) {
		size_t cap = it->held_cap ? it->held_cap * 2 : 1024;
		struct held *n = malloc(cap * sizeof(*n));

		if (!n)
			return false;
		for (size_t i = 0; i < it->held_nr; i++)
			n[i] = it->held[(it->held_first + i) % it->held_cap];
		free(it->held);
		it->held = n;
		it->held_cap = cap;
		it->held_first = 0;
	}
	if (it->held_nr >= it->f->max_held) {
		iter_error(it, "filter.vmsync.tsc: over %" PRIu64 " guest messages wait for host data (parameter max-held): the host trace may lack kvm_tsc_* events for them",
			   it->f->max_held);
		return false;
	}
	it->held[(it->held_first + it->held_nr++) % it->held_cap] =
		(struct held){ m, input };
	return true;
}

/* Take one message from input @i. */
static bool take(struct tsc_iter *it, size_t i, const bt_message *m)
{
	struct input *in = &it->inputs[i];
	const bt_stream *s = msg_stream(m);
	const bt_clock_snapshot *cs = msg_clock(m);
	struct stream_info *si;
	int64_t ns = INT64_MIN;

	in->seen = true;
	if (cs && ns_of(cs, &ns) && ns > in->frontier)
		in->frontier = ns;
	if (!s) {		/* inactivity: the frontier moved, nothing to say */
		bt_message_put_ref(m);
		return true;
	}
	si = stream_of(it, s);
	if (!si) {
		bt_message_put_ref(m);
		iter_error(it, "filter.vmsync.tsc: out of memory");
		return false;
	}
	/* Its vCPU: LTTng's streams are per CPU, so the first packet says. */
	if (!si->cpu_known && bt_message_get_type(m) == BT_MESSAGE_TYPE_PACKET_BEGINNING)
		si->cpu = packet_cpu(bt_message_packet_beginning_borrow_packet_const(m),
				     &si->cpu_known);
	if (si->t->kind == TRACE_HOST) {
		in->carries_host = true;
		if (bt_message_get_type(m) == BT_MESSAGE_TYPE_EVENT &&
		    !host_model_event(&it->model, bt_message_event_borrow_event_const(m))) {
			bt_message_put_ref(m);
			iter_error(it, "filter.vmsync.tsc: out of memory");
			return false;
		}
		if (it->model.changed_vm) {
			expect_change(it, it->model.changed_vm, &it->model.changed);
			it->model.changed_vm = NULL;
		}
		if (bt_message_get_type(m) == BT_MESSAGE_TYPE_DISCARDED_EVENTS)
			fprintf(stderr, "filter.vmsync.tsc: WARNING: host trace '%s' lost events%s: TSC offset changes may be missing there, and guest times converted near them may be off\n",
				trace_name(si->t->trace), cs ? " (see the discarded-events message's range)" : "");
		return push_out(it, si, ns, m);
	}
	if (si->t->kind == TRACE_HOST_SIDE)
		return push_out(it, si, ns, m);
	if (si->t->kind == TRACE_UNKNOWN && si->t->first_ns == INT64_MIN)
		si->t->first_ns = ns;
	si->t->inputs |= UINT64_C(1) << (i % 64);
	if (!hold(it, m, i)) {
		bt_message_put_ref(m);
		return false;
	}
	return true;
}

/* The time before which no message can still come. */
static int64_t safe_time(const struct tsc_iter *it)
{
	int64_t safe = INT64_MAX;

	for (size_t i = 0; i < it->nr_inputs; i++) {
		const struct input *in = &it->inputs[i];
		int64_t b;

		if (in->ended)
			continue;
		if (in->frontier == INT64_MIN)
			return INT64_MIN;
		b = in->frontier - in->above - it->f->slack_ns;
		if (b < safe)
			safe = b;
	}
	if (it->held_nr)
		return INT64_MIN;	/* they may go anywhere */
	return safe;
}

/* Pull from the input that is furthest behind. */
static bt_message_iterator_class_next_method_status pull(struct tsc_iter *it)
{
	size_t best = it->nr_inputs;
	bt_message_array_const msgs;
	uint64_t n, k;

	for (size_t i = 0; i < it->nr_inputs; i++)
		if (!it->inputs[i].ended &&
		    (best == it->nr_inputs ||
		     it->inputs[i].frontier - it->inputs[i].above <
		     it->inputs[best].frontier - it->inputs[best].above))
			best = i;
	if (best == it->nr_inputs)
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END;
	switch (bt_message_iterator_next(it->inputs[best].it, &msgs, &n)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		for (k = 0; k < n; k++)
			if (!take(it, best, msgs[k])) {
				while (++k < n)
					bt_message_put_ref(msgs[k]);
				return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
			}
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		it->inputs[best].ended = true;
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_MEMORY_ERROR;
	default:
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
	}
}

bt_message_iterator_class_next_method_status
tsc_iter_next(bt_self_message_iterator *self, bt_message_array_const msgs,
	      uint64_t capacity, uint64_t *count)
{
	struct tsc_iter *it = bt_self_message_iterator_get_data(self);
	bt_message_iterator_class_next_method_status st;

	*count = 0;
	while (*count < capacity) {
		const struct reorder_item *top = reorder_peek(&it->heap);
		int64_t safe = safe_time(it);

		if (top && top->key <= safe) {
			if (top->key != INT64_MIN && top->key > it->last_out)
				it->last_out = top->key;
			msgs[(*count)++] = reorder_pop(&it->heap);
			continue;
		}
		if (top && top->key != INT64_MIN && safe != INT64_MIN &&
		    safe - top->key > it->f->window_limit_ns) {
			iter_error(it, "filter.vmsync.tsc: host-time order needs a window over %" PRId64 " ms (parameter window-limit-ms); use vmsync-merge",
				   it->f->window_limit_ns / 1000000);
			return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
		}
		if (*count)
			break;	/* give what we have before blocking upstream */
		st = pull(it);
		if (st == BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END) {
			if (!release_held(it) || it->held_nr) {
				if (!it->failed)
					iter_error(it, "filter.vmsync.tsc: %zu guest messages could not be put on host time",
						   it->held_nr);
				return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
			}
			if (!reorder_peek(&it->heap))
				return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END;
			continue;
		}
		if (st != BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK)
			return st;
		if (!release_held(it))
			return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
	}
	return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK;
}
