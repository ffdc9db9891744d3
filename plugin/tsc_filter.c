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

#define MAX_VMS_PER_GUEST 16
/*
 * How much further than a time the host traces must have been read before
 * it is taken as read: more than host_ns_about() can be off by.
 */
#define WAIT_MARGIN_NS 1000

enum trace_kind { TRACE_UNKNOWN, TRACE_HOST, TRACE_HOST_SIDE, TRACE_GUEST };

struct trace_info {
	const bt_trace *trace;
	enum trace_kind kind;
	const struct host_vm *vms[MAX_VMS_PER_GUEST];
	size_t nr_vms;
	/* Matched by UUID: a VM announced later with it (migration) joins. */
	char uuid[64];
	size_t model_vms_seen;
	uint64_t max_host_tsc;	/* the latest host TSC it was put at */
	bool warned_downtime;
	struct host_trace *host;
	/* The host clock's ns per cycle and offset, for host_ns_about(). */
	double host_ns_per_cycle, host_base_ns;
	const bt_clock_class *clock;	/* a guest's, once matched */
	/* Not on the TSC clock: its times go to host TSC through its beacons. */
	bool by_beacons;
	struct beacons *beacons;	/* per CPU, indexed by cpu_id */
	size_t nr_beacons;
	struct ir_rebase_note note;
	int64_t first_ns;	/* its first time read, while unmatched */
	bool counted;		/* in tsc_iter.unmatched */
	uint64_t inputs;	/* bit i % 64: input i brought its messages */
};

struct stream_info {
	struct trace_info *t;
	int64_t last_key;
	uint32_t cpu;
	bool cpu_known;
	bool clocked;		/* its class has a default clock */
	bool listed;		/* in its input's streams */
	size_t run;		/* its run in the reorder */
	struct ir_stream *ir;	/* a guest stream's copy, once made */
	/* Its latest event's class, and whether it is a kvm_tsc_* / a beacon. */
	const bt_event_class *ec;
	bool ec_kvm_tsc, ec_beacon;
	/*
	 * A guest stream's own time less host time (ns): at its latest
	 * converted message, and ahead of an offset change read on the host
	 * that its next messages will meet. INT64_MIN: none.
	 */
	int64_t gap, gap_next;
};

struct input {
	bt_message_iterator *it;
	bool ended, carries_host, seen;
	int64_t frontier;	/* own-clock ns of its latest message */
	bool host_side;		/* it brings messages on host time */
	struct stream_info **streams;	/* the guest streams it brings */
	size_t nr_streams;
	/*
	 * Own-clock ns of its messages still held, oldest first: a ring whose
	 * size is a power of two, as the held ring's (indexes wrap by mask).
	 */
	int64_t *held_own;
	size_t ho_first, ho_nr, ho_cap;
};

struct held {			/* a guest message waiting for host data */
	const bt_message *msg;
	size_t input;
	/* What take() found, so that it is not looked up again. */
	struct stream_info *si;
	const bt_clock_snapshot *cs;	/* its time, or NULL */
	int64_t own;			/* that time in ns, or INT64_MIN */
};

struct tsc_filter {
	bt_self_component *self;
	char *map;		/* "TRACE=VM,..." */
	int64_t slack_ns, window_limit_ns, beacon_limit_ns, downtime_ns;
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
	bool reported;		/* the end-of-run summary is out */
	size_t unmatched;	/* traces with messages held, not matched yet */
	uint64_t vms_gen;	/* the host model's, when guests last looked */
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
	f->beacon_limit_ns = param_uint(params, "beacon-jitter-us", 20, &ok) * 1000;
	f->downtime_ns = param_uint(params, "downtime-ms", 0, &ok) * 1000000;
	map = bt_value_map_borrow_entry_value_const(params, "map");
	if (map && !bt_value_is_string(map))
		ok = false;
	else if (map)
		f->map = strdup(bt_value_string_get(map));
	if (!ok) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
			"filter.vmsync.tsc: bad parameter: slack-us, window-limit-ms, max-held, beacon-jitter-us and downtime-ms take unsigned integers, map a string 'TRACE=VM,...' (see 'babeltrace2 help filter.vmsync.tsc')");
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
	it->model.beacon_limit_ns = it->f->beacon_limit_ns;
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

static void free_traces(struct ptr_map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		struct trace_info *t = m->keys[i] ? m->values[i] : NULL;

		if (!t)
			continue;
		for (size_t c = 0; c < t->nr_beacons; c++)
			beacons_fini(&t->beacons[c]);
		free(t->beacons);
	}
	free_all(m);
}

void tsc_iter_finalize(bt_self_message_iterator *self)
{
	struct tsc_iter *it = bt_self_message_iterator_get_data(self);

	for (size_t i = 0; i < it->nr_inputs; i++) {
		bt_message_iterator_put_ref(it->inputs[i].it);
		free(it->inputs[i].held_own);
		free(it->inputs[i].streams);
	}
	for (size_t i = 0; i < it->held_nr; i++)
		bt_message_put_ref(it->held[(it->held_first + i) & (it->held_cap - 1)].msg);
	free(it->held);
	reorder_fini(&it->heap);
	ir_copy_fini(&it->copy);
	free_traces(&it->traces);
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

/*
 * The default clock snapshot (the first, for a range) of message @m, of
 * stream @s (NULL: inactivity), or NULL.
 */
static const bt_clock_snapshot *msg_clock(const bt_message *m, const bt_stream *s)
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

/* A clock's time in ns from origin, about: @base_ns + cycles * @ns_per_cycle. */
static void clock_about(const bt_clock_class *cc, double *base_ns, double *ns_per_cycle)
{
	int64_t sec;
	uint64_t cycles;

	bt_clock_class_get_offset(cc, &sec, &cycles);
	*ns_per_cycle = 1e9 / (double)bt_clock_class_get_frequency(cc);
	*base_ns = (double)sec * 1e9 + (double)cycles * *ns_per_cycle;
}

static void expect_gap(struct tsc_iter *it, const struct trace_info *t,
		       const struct host_vm *vm, uint32_t vcpu, const struct tsc_segment *seg);
static void expect_stream(const struct tsc_iter *it, struct stream_info *si);

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
			if (t->counted) {
				t->counted = false;
				it->unmatched--;
			}
			return true;
		}
	if (mapped_vm(it->f, trace_name(t->trace), vm, sizeof(vm))) {
		const struct host_vm *v = host_model_find_vm(&it->model, vm);

		/*
		 * A VM's name (PID-FD) names that VM alone; anything else is a
		 * UUID, followed as a matched guest's is. A VM not read yet is
		 * waited for (this runs again as the host trace is read).
		 */
		t->uuid[0] = '\0';
		t->nr_vms = 0;
		if (v) {
			t->vms[0] = v;
			t->nr_vms = 1;
		} else if (strspn(vm, "0123456789-") != strlen(vm)) {
			t->nr_vms = host_model_find_uuid(&it->model, vm, t->vms,
							 MAX_VMS_PER_GUEST);
			snprintf(t->uuid, sizeof(t->uuid), "%s", vm);
		}
	} else if (uuid && uuid[0]) {
		t->nr_vms = host_model_find_uuid(&it->model, uuid, t->vms,
						 MAX_VMS_PER_GUEST);
		snprintf(t->uuid, sizeof(t->uuid), "%s", uuid);
	}
	t->model_vms_seen = it->model.vms_gen;
	if (!t->nr_vms) {
		for (i = 0; i < it->traces.cap; i++) {
			struct trace_info *o = it->traces.keys[i] ? it->traces.values[i] : NULL;

			if (o && o->kind == TRACE_GUEST && same_clock(cc, o->clock)) {
				memcpy(t->vms, o->vms, sizeof(t->vms));
				t->nr_vms = o->nr_vms;
				memcpy(t->uuid, o->uuid, sizeof(t->uuid));
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
	if (!cc) {
		iter_error(it, "filter.vmsync.tsc: guest trace '%s' has no clock: its events have no time to convert",
			   trace_name(t->trace));
		return false;
	}
	t->host = it->model.hosts[t->vms[0]->host];
	clock_about(t->host->clock, &t->host_base_ns, &t->host_ns_per_cycle);
	/* Default-clock mode on either side: through the beacons. */
	t->by_beacons = !bt_clock_class_get_name(cc) ||
			strcmp(bt_clock_class_get_name(cc), TSC_CLOCK_NAME);
	t->note = (struct ir_rebase_note){ t->host->name, t->host->hostname,
					   t->vms[t->nr_vms - 1]->vm, t->uuid,
					   t->by_beacons || !t->host->tsc_clock ?
					   "beacons" : "exact" };
	t->clock = cc;
	t->kind = TRACE_GUEST;
	if (t->counted) {
		t->counted = false;
		it->unmatched--;
	}
	for (i = 0; i < it->nr_inputs; i++)
		for (size_t k = 0; k < it->inputs[i].nr_streams; k++)
			if (it->inputs[i].streams[k]->t == t && it->inputs[i].streams[k]->cpu_known)
				expect_stream(it, it->inputs[i].streams[k]);
	/* Changes read before it was matched. */
	for (i = 0; i < t->nr_vms; i++)
		for (size_t c = 0; c < t->vms[i]->nr_vcpus; c++) {
			const struct vcpu_history *h = &t->vms[i]->vcpus[c];

			if (h->nr)
				expect_gap(it, t, t->vms[i], h->vcpu, &h->segs[h->nr - 1]);
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
	si->clocked = bt_stream_class_borrow_default_clock_class_const(
				bt_stream_borrow_class_const(s)) != NULL;
	si->last_key = INT64_MIN;
	si->gap = si->gap_next = INT64_MIN;
	si->run = reorder_new_run(&it->heap);
	return si->t && si->run != SIZE_MAX ? si : NULL;
}

static bool push_out(struct tsc_iter *it, struct stream_info *si, int64_t key,
		     const bt_message *m)
{
	/* A message without a time goes with its stream's previous one. */
	if (key == INT64_MIN)
		key = si->last_key;
	if (key > si->last_key)
		si->last_key = key;
	if (it->heap.nr >= it->f->max_held) {
		iter_error(it, "filter.vmsync.tsc: over %" PRIu64 " messages would have to be held to put them in host-time order (parameter max-held); use vmsync-merge, whose memory does not grow with the traces",
			   it->f->max_held);
		bt_message_put_ref(m);
		return false;
	}
	if (!reorder_push(&it->heap, si->run, key, m)) {
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

static void check_set_back(struct tsc_iter *it, struct trace_info *t,
			   const struct host_vm *vm, uint32_t vcpu, const struct tsc_segment *seg);

/*
 * A guest matched by UUID: VMs announced since with it join (a migration).
 * A joining VM's offsets may have been read before its UUID (another CPU's
 * stream): they are looked at now.
 */
static void refresh_vms(struct tsc_iter *it, struct trace_info *t)
{
	const struct host_vm *v[MAX_VMS_PER_GUEST];
	size_t n, old = t->nr_vms;

	if (!t->uuid[0] || t->model_vms_seen == it->model.vms_gen)
		return;
	n = host_model_find_uuid(&it->model, t->uuid, v, MAX_VMS_PER_GUEST);
	/* On any host: one migrated to another goes on on its TSC (to_host). */
	for (size_t i = 0; i < n; i++)
		t->vms[i] = v[i];
	t->nr_vms = n;
	t->model_vms_seen = it->model.vms_gen;
	for (size_t k = old; k < t->nr_vms; k++)
		for (size_t c = 0; c < t->vms[k]->nr_vcpus; c++) {
			const struct vcpu_history *h = &t->vms[k]->vcpus[c];

			for (size_t j = 0; j < h->nr; j++)
				check_set_back(it, t, t->vms[k], h->vcpu, &h->segs[j]);
		}
}

/* The time in ns from origin of cycles @tsc of clock @cc. */
static bool clock_ns(const bt_clock_class *cc, uint64_t tsc, int64_t *ns)
{
	int64_t sec;
	uint64_t cycles;

	bt_clock_class_get_offset(cc, &sec, &cycles);
	return bt_util_clock_cycles_to_ns_from_origin(tsc,
			bt_clock_class_get_frequency(cc), sec, cycles, ns) ==
		BT_UTIL_CLOCK_CYCLES_TO_NS_FROM_ORIGIN_STATUS_OK;
}

/*
 * When host TSC @tsc of host @ht was, in ns from origin (INT64_MIN when
 * unknown): to order segments of VMs on different hosts, whose TSCs are
 * different time bases. A host on another clock goes through the line of
 * its first and last beacons.
 */
static int64_t host_tsc_ns(const struct host_trace *ht, uint64_t tsc)
{
	const struct beacons *bs = &ht->beacons;
	uint64_t clk = tsc;
	int64_t ns;

	if (!ht->tsc_clock) {
		if (bs->nr < 2)
			return INT64_MIN;
		clk = beacons_line_at(bs->b[0].tsc, bs->b[0].clk, bs->b[bs->nr - 1].tsc,
				      bs->b[bs->nr - 1].clk, tsc);
	}
	return clock_ns(ht->clock, clk, &ns) ? ns : INT64_MIN;
}

/* Whether segment @sa of VM @a began after segment @sb of VM @b. */
static bool began_later(const struct tsc_iter *it, const struct host_vm *a, uint64_t sa,
			const struct host_vm *b, uint64_t sb)
{
	if (a->host == b->host || !sa || !sb)	/* 0: before the trace */
		return sa > sb;
	return host_tsc_ns(it->model.hosts[a->host], sa) >
	       host_tsc_ns(it->model.hosts[b->host], sb);
}

/*
 * Guest TSC -> host TSC for stream @si's vCPU, over its VMs: the segment
 * that began last among those that fit; its VM (whose host's TSC @host is),
 * or NULL. A migration's destination VM may be announced before its source
 * (both qemu processes start together); what orders them is when each
 * began to run the vCPU.
 */
static const struct host_vm *to_host(const struct tsc_iter *it, const struct stream_info *si,
				     uint64_t guest, uint64_t *host)
{
	const struct trace_info *t = si->t;
	const struct host_vm *best = NULL;
	uint64_t best_since = 0;

	for (size_t i = t->nr_vms; i-- > 0;) {
		uint64_t h, since;

		if (host_model_to_host(t->vms[i], si->cpu, guest, &h, &since) &&
		    (!best || began_later(it, t->vms[i], since, best, best_since))) {
			*host = h;
			best_since = since;
			best = t->vms[i];
		}
	}
	return best;
}

/*
 * Cycles @clk of clock @from, in cycles of clock @to: the same time from
 * their origins, as babeltrace2 relates two hosts' clocks. Exact when
 * their frequencies are equal, else rounded to the nearest cycle.
 */
static bool clock_to_clock(const bt_clock_class *from, uint64_t clk,
			   const bt_clock_class *to, uint64_t *out)
{
	int64_t fs, ts;
	uint64_t fc, tc, ff = bt_clock_class_get_frequency(from);
	uint64_t tf = bt_clock_class_get_frequency(to);
	__int128 v;

	bt_clock_class_get_offset(from, &fs, &fc);
	bt_clock_class_get_offset(to, &ts, &tc);
	/* (fs - ts) s + (fc + clk) / ff s, in @to's cycles, less its tc. */
	v = ((__int128)(fs - ts) * (__int128)ff + (__int128)fc + (__int128)clk) * (__int128)tf;
	v = (v >= 0 ? v + (__int128)ff / 2 : v - (__int128)ff / 2) / (__int128)ff - (__int128)tc;
	if (v < 0 || v > (__int128)UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* The time in ns from origin of cycles @clk of guest @t's host clock. */
static bool host_ns(const struct trace_info *t, uint64_t clk, int64_t *ns)
{
	return clock_ns(t->host->clock, clk, ns);
}

/*
 * About host_ns() (within a few ns of it), for deciding when to wait: the
 * library's conversion, which orders, is paid once, on the copied message.
 */
static int64_t host_ns_about(const struct trace_info *t, uint64_t clk)
{
	double ns = t->host_base_ns + (double)clk * t->host_ns_per_cycle;

	return ns >= 9.2e18 ? INT64_MAX : ns <= -9.2e18 ? INT64_MIN : (int64_t)ns;
}

static bool hosts_ended(const struct tsc_iter *it);

static bool inputs_ended(const struct tsc_iter *it, uint64_t mask)
{
	for (size_t i = 0; i < it->nr_inputs; i++)
		if ((mask >> (i % 64) & 1) && !it->inputs[i].ended)
			return false;
	return true;
}

enum conv { CONV_OK, CONV_WAIT, CONV_NO_CPU, CONV_GUEST_BEACONS, CONV_NO_OFFSET,
	    CONV_HOST_BEACONS };

static struct beacons *guest_beacons(struct tsc_iter *it, struct trace_info *t,
				     uint32_t cpu)
{
	if (cpu >= t->nr_beacons) {
		size_t n = cpu + 1;
		struct beacons *b = realloc(t->beacons, n * sizeof(*b));

		if (!b)
			return NULL;
		for (size_t i = t->nr_beacons; i < n; i++)
			beacons_init(&b[i], 0, it->f->beacon_limit_ns);
		t->beacons = b;
		t->nr_beacons = n;
	}
	return &t->beacons[cpu];
}

static int64_t host_frontier(const struct tsc_iter *it);

/*
 * Let the host's beacons be judged as far as the host traces were read:
 * all its pairs before that have come, whichever order its CPUs' streams
 * came in, so the same pairs are kept in every graph.
 */
static void host_beacons_read(struct tsc_iter *it, const struct trace_info *t,
			      struct host_trace *ht)
{
	struct beacons *bs = &ht->beacons;
	double clk, base = t->host_base_ns, per = t->host_ns_per_cycle;

	if (hosts_ended(it)) {
		beacons_set_final(bs, true);
		return;
	}
	if (ht != t->host)	/* a guest migrated there: not cached */
		clock_about(ht->clock, &base, &per);
	clk = ((double)host_frontier(it) - WAIT_MARGIN_NS - base) / per;
	beacons_settle(bs, clk <= 0 ? 0 : clk >= 1.8e19 ? UINT64_MAX : (uint64_t)clk);
}

/*
 * Host TSC @h of host @ht on that host's clock (its own cycles, or through
 * its beacons): false while unknown.
 */
static enum beacons_status host_clk(struct tsc_iter *it, const struct trace_info *t,
				    struct host_trace *ht, uint64_t h, uint64_t *clk)
{
	*clk = h;
	if (ht->tsc_clock)
		return BEACONS_OK;
	host_beacons_read(it, t, ht);
	return beacons_clk_at(&ht->beacons, h, clk);
}

/* Host @ht's clock's time, in ns, of its TSC @h: false while unknown. */
static bool host_key(struct tsc_iter *it, const struct trace_info *t,
		     struct host_trace *ht, uint64_t h, int64_t *key)
{
	uint64_t clk;

	return host_clk(it, t, ht, h, &clk) == BEACONS_OK && clock_ns(ht->clock, clk, key);
}

/*
 * Host TSC of guest beacon @b, once the host was read past it (by the
 * downtime margin), so that the offset in effect at it is known.
 */
static const struct host_vm *beacon_host(struct tsc_iter *it, struct stream_info *si,
					 const struct beacon *b, uint64_t *h)
{
	const struct host_vm *vm = to_host(it, si, b->tsc, h);
	int64_t key;

	if (!vm)
		return NULL;
	return hosts_ended(it) ||
	       (host_key(it, si->t, it->model.hosts[vm->host], *h, &key) &&
		(__int128)key + it->f->downtime_ns <= host_frontier(it)) ? vm : NULL;
}

/*
 * Guest clock @c -> host TSC through the beacons of its vCPU. Between two
 * beacons with no offset change, the guest TSC is interpolated and goes to
 * host TSC through the offset. Across a change, the guest clock either
 * jumped with the TSC (a TSC clocksource: the line in guest TSC is straight)
 * or went on with host time (kvm-clock: the line in host TSC is straight):
 * the line whose slope matches the beacons before is used.
 */
static enum conv beacons_to_host(struct tsc_iter *it, struct stream_info *si,
				 struct beacons *bs, uint64_t c, uint64_t *h,
				 const struct host_vm **at)
{
	const struct beacon *a, *b;
	uint64_t ha, hb, g, ga, gb, ratio;
	const struct host_vm *vm = si->t->vms[si->t->nr_vms - 1], *va, *vb;
	unsigned int frac;
	double sr, sh, s0;
	long pa;

	switch (beacons_bracket(bs, c, true, &a, &b)) {
	case BEACONS_OK:
		break;
	case BEACONS_WAIT:
		return CONV_WAIT;
	default:
		return CONV_GUEST_BEACONS;
	}
	va = beacon_host(it, si, a, &ha);
	vb = va ? beacon_host(it, si, b, &hb) : NULL;
	if (!vb)
		return hosts_ended(it) ? CONV_NO_OFFSET : CONV_WAIT;
	g = beacons_line_at(a->clk, a->tsc, b->clk, b->tsc, c);
	/* On two hosts (a migration between them): only the guest TSC is common. */
	if (va->host != vb->host)
		return (*at = to_host(it, si, g, h)) ? CONV_OK : CONV_NO_OFFSET;
	/* No change between them: the guest TSC advanced as the host's did. */
	host_model_scaling(vm, si->cpu, &ratio, &frac);
	ga = tsc_guest_from_host(ha, 0, ratio, frac);
	gb = tsc_guest_from_host(hb, 0, ratio, frac);
	if ((int64_t)((b->tsc - a->tsc) - (gb - ga)) >= -2 &&
	    (int64_t)((b->tsc - a->tsc) - (gb - ga)) <= 2)
		return (*at = to_host(it, si, g, h)) ? CONV_OK : CONV_NO_OFFSET;
	/* A change between: which line is straight? */
	pa = a - bs->b;
	while (--pa >= 0 && bs->b[pa].dropped)
		;
	sr = (double)(int64_t)(b->tsc - a->tsc) / (double)(b->clk - a->clk);
	sh = (double)(int64_t)(gb - ga) / (double)(b->clk - a->clk);
	s0 = pa >= 0 ? (double)(int64_t)(a->tsc - bs->b[pa].tsc) /
		       (double)(a->clk - bs->b[pa].clk) : sh;
	if ((sr > s0 ? sr - s0 : s0 - sr) < (sh > s0 ? sh - s0 : s0 - sh))
		return (*at = to_host(it, si, g, h)) ? CONV_OK : CONV_NO_OFFSET;
	*h = beacons_line_at(a->clk, ha, b->clk, hb, c);
	*at = vb;
	return CONV_OK;
}

/*
 * A guest time (its clock's cycles @c) on host time (the host clock's
 * cycles): guest clock -> guest TSC (its own, or through the beacons of its
 * vCPU) -> host TSC (the offset in effect) -> host clock (its own, or
 * through the host's beacons). CONV_WAIT: beacons after it are still to
 * come; the others say what is missing, for the error. A guest that
 * migrated to another host goes through that host's TSC and clock, then
 * onto its first host's clock as babeltrace2 relates the two (@h is then 0:
 * not a TSC of its first host).
 */
static enum conv conv_time(struct tsc_iter *it, struct stream_info *si, uint64_t c,
			   uint64_t *out, uint64_t *g, uint64_t *h)
{
	struct trace_info *t = si->t;
	const struct host_vm *vm = NULL;
	struct host_trace *ht;
	struct beacons *bs;
	enum conv st;

	if (!si->cpu_known)
		return CONV_NO_CPU;
	*g = c;
	if (t->by_beacons) {
		bs = guest_beacons(it, t, si->cpu);
		if (!bs)
			return CONV_GUEST_BEACONS;
		beacons_set_final(bs, inputs_ended(it, t->inputs));
		st = beacons_to_host(it, si, bs, c, h, &vm);
		if (st != CONV_OK)
			return st;
	} else if (!(vm = to_host(it, si, *g, h))) {
		return CONV_NO_OFFSET;
	}
	ht = it->model.hosts[vm->host];
	switch (host_clk(it, t, ht, *h, out)) {
	case BEACONS_OK:
		break;
	case BEACONS_WAIT:
		return CONV_WAIT;
	default:
		return CONV_HOST_BEACONS;
	}
	if (ht == t->host)
		return CONV_OK;
	*h = 0;
	return clock_to_clock(ht->clock, *out, t->host->clock, out) ? CONV_OK : CONV_NO_OFFSET;
}

/*
 * Whether conversion @st (of guest TSC @g, to host TSC @h) went through;
 * if not, the error that says what is missing.
 */
static bool conv_done(struct tsc_iter *it, struct stream_info *si, enum conv st,
		      uint64_t g, uint64_t h)
{
	/* Its name only for an error: the library call is not paid per event. */
	const char *name = st == CONV_OK ? NULL : trace_name(si->t->trace);

	switch (st) {
	case CONV_OK:
		if (h > si->t->max_host_tsc)
			si->t->max_host_tsc = h;
		return true;
	case CONV_NO_CPU:
		iter_error(it, "filter.vmsync.tsc: guest trace '%s': a stream without cpu_id in its packet context: which vCPU ran it is unknown",
			   name);
		break;
	case CONV_WAIT:		/* cannot happen once every input ended */
	case CONV_GUEST_BEACONS:
		iter_error(it, "filter.vmsync.tsc: guest trace '%s' is not on vmsync's TSC clock, and vCPU %" PRIu32 " has fewer than two kvm_tsc_sync beacons in it to go to TSC time: trace the guest with kvm_tsc_sync loaded and its event enabled, or on the TSC clock (doc/clocks.md)",
			   name, si->cpu);
		break;
	case CONV_NO_OFFSET:
		iter_error(it, "filter.vmsync.tsc: guest trace '%s', vCPU %" PRIu32 ": no TSC offset the host trace '%s' knows gives guest TSC %" PRIu64 " (guest event before the first known offset, or the host trace lacks this vCPU's kvm_tsc_offset events: start the host session before the guest's, or enable kvm_tsc_*)",
			   name, si->cpu, si->t->host->name, g);
		break;
	case CONV_HOST_BEACONS:
		iter_error(it, "filter.vmsync.tsc: host trace '%s' is not on vmsync's TSC clock and has fewer than two kvm_tsc_sync beacons to go from TSC to its time: trace the host with kvm_tsc_sync's events enabled, or on the TSC clock (doc/clocks.md)",
			   si->t->host->name);
		break;
	}
	return false;
}

/* The host-clock cycles of a guest message's time, or an error. */
static bool convert_cs(struct tsc_iter *it, struct stream_info *si,
		       const bt_clock_snapshot *cs, uint64_t *host)
{
	uint64_t g = 0, h = 0;
	enum conv st = conv_time(it, si, bt_clock_snapshot_get_value(cs), host, &g, &h);

	return conv_done(it, si, st, g, h);
}

/*
 * A guest's own clock runs ahead of host time by a gap that changes with
 * its offset. Its messages come (from babeltrace2's muxer, or from its own
 * streams) in own-clock order, so once a change widens the gap they come
 * later than their host time: widen the window of its inputs now, before
 * they come, while the host's event of the change is being read.
 */
/* A guest's own time less host time (ns) under segment @seg, at @h. */
static bool gap_of(const struct trace_info *t, const struct host_trace *ht,
		   const struct tsc_segment *seg, uint64_t h, int64_t *gap)
{
	int64_t sec, own, host;
	uint64_t cycles, g;

	if (!t->clock || t->by_beacons || !ht->tsc_clock)
		return false;	/* not a TSC clock */
	g = tsc_guest_from_host(h, seg->offset, seg->ratio, seg->frac_bits);
	bt_clock_class_get_offset(t->clock, &sec, &cycles);
	if (bt_util_clock_cycles_to_ns_from_origin(g, bt_clock_class_get_frequency(t->clock),
						   sec, cycles, &own) !=
	    BT_UTIL_CLOCK_CYCLES_TO_NS_FROM_ORIGIN_STATUS_OK ||
	    !clock_ns(ht->clock, h, &host) ||
	    (__int128)own - host > INT64_MAX || (__int128)own - host < INT64_MIN)
		return false;
	*gap = own - host;
	return true;
}

/* A guest stream not converted yet: how it sits, from its vCPU's offset. */
static void expect_stream(const struct tsc_iter *it, struct stream_info *si)
{
	const struct trace_info *t = si->t;
	int64_t gap;

	for (size_t i = t->nr_vms; i-- > 0;)
		for (size_t c = 0; c < t->vms[i]->nr_vcpus; c++) {
			const struct vcpu_history *h = &t->vms[i]->vcpus[c];

			if (h->vcpu != si->cpu || !h->nr)
				continue;
			if (gap_of(t, it->model.hosts[t->vms[i]->host], &h->segs[h->nr - 1],
				   h->segs[h->nr - 1].since, &gap) &&
			    gap > si->gap_next)
				si->gap_next = gap;
			return;
		}
}

static void expect_gap(struct tsc_iter *it, const struct trace_info *t,
		       const struct host_vm *vm, uint32_t vcpu, const struct tsc_segment *seg)
{
	int64_t gap;

	if (!seg->since || !gap_of(t, it->model.hosts[vm->host], seg, seg->since, &gap))
		return;		/* in effect before the trace: seen in the data */
	for (size_t i = 0; i < it->nr_inputs; i++)
		for (size_t k = 0; k < it->inputs[i].nr_streams; k++) {
			struct stream_info *si = it->inputs[i].streams[k];

			if (si->t == t && si->cpu_known && si->cpu == vcpu && gap > si->gap_next)
				si->gap_next = gap;
		}
}

/*
 * The offset of vCPU @vcpu just before @seg, of a VM on host @host: the
 * segment that began last before it, in any of the guest's VMs on that host
 * (their order in t->vms is the order the host announced them, not the
 * order they ran the guest in; another host's TSC is another time base).
 */
static bool offset_before(const struct trace_info *t, int host, uint32_t vcpu,
			  const struct tsc_segment *seg, int64_t *off)
{
	const struct tsc_segment *best = NULL;

	for (size_t k = 0; k < t->nr_vms; k++) {
		const struct host_vm *v = t->vms[k];

		if (v->host != host)
			continue;

		for (size_t c = 0; c < v->nr_vcpus; c++) {
			const struct vcpu_history *h = &v->vcpus[c];

			for (size_t i = 0; h->vcpu == vcpu && i < h->nr; i++)
				if (h->segs[i].since < seg->since &&
				    (!best || h->segs[i].since > best->since))
					best = &h->segs[i];
		}
	}
	if (best)
		*off = best->offset;
	return best;
}

/*
 * An offset that sets a guest's TSC back (a migration's or a restore's)
 * applies from its host TSC on; guest events read after it look like they
 * came before it until it is read. Those already put on host time past it,
 * less the jump, may be early: say so, with the margin that avoids it.
 */
static void check_set_back(struct tsc_iter *it, struct trace_info *t,
			   const struct host_vm *vm, uint32_t vcpu, const struct tsc_segment *seg)
{
	uint64_t freq = bt_clock_class_get_frequency(t->host->clock);
	int64_t before, back;

	/* max_host_tsc is a TSC of its first host. */
	if (t->warned_downtime || !seg->since || it->model.hosts[vm->host] != t->host ||
	    !offset_before(t, vm->host, vcpu, seg, &before) || before <= seg->offset)
		return;
	back = before - seg->offset;	/* guest cycles, about host cycles */
	if (!t->host->tsc_clock || (__int128)back * 1000000000 / (__int128)freq <= it->f->downtime_ns ||
	    t->max_host_tsc + (uint64_t)back < seg->since)
		return;
	t->warned_downtime = true;
	fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s': the TSC of its vCPU %" PRIu32 " was set back by %" PRId64 " cycles (%.1f ms: a migration or a restore) at host TSC %" PRIu64 ", after some of its events had been put on host time: those read after it may be early by up to that much. Run again with downtime-ms=%" PRId64 " or more\n",
		trace_name(t->trace), vcpu, back, (double)back * 1e3 / (double)freq, seg->since,
		(int64_t)((__int128)back * 1000 / (__int128)freq) + 1);
}

/*
 * Default-clock mode: a guest whose clocksource is its TSC sees its clock
 * jump with an offset change (a guest on kvm-clock does not). Its messages
 * would then come later than their host time: widen the window of its
 * streams on that vCPU by the jump, at the TSC rate its beacons show.
 */
static void expect_jump(struct tsc_iter *it, struct trace_info *t, const struct host_vm *vm,
			uint32_t vcpu, const struct tsc_segment *seg)
{
	const struct beacons *bs = vcpu < t->nr_beacons ? &t->beacons[vcpu] : NULL;
	int64_t before, jump;
	double per_ns = 0;

	if (!seg->since || !offset_before(t, vm->host, vcpu, seg, &before) ||
	    seg->offset <= before)
		return;
	for (size_t i = bs ? bs->nr : 0; i-- > 1 && !per_ns;)
		if (bs->b[i].clk > bs->b[i - 1].clk)	/* TSC cycles per clock ns */
			per_ns = (double)(bs->b[i].tsc - bs->b[i - 1].tsc) * 1e9 /
				 (double)(bs->b[i].clk - bs->b[i - 1].clk) / (double)bs->freq;
	if (per_ns <= 0)
		return;
	jump = (int64_t)((double)(seg->offset - before) / per_ns);
	for (size_t i = 0; i < it->nr_inputs; i++)
		for (size_t j = 0; j < it->inputs[i].nr_streams; j++) {
			struct stream_info *si = it->inputs[i].streams[j];

			if (si->t == t && si->cpu_known && si->cpu == vcpu && si->gap != INT64_MIN &&
			    si->gap + jump > si->gap_next)
				si->gap_next = si->gap + jump;
		}
}

static void expect_change(struct tsc_iter *it, const struct host_vm *vm, uint32_t vcpu,
			  const struct tsc_segment *seg)
{
	for (size_t i = 0; i < it->traces.cap; i++) {
		struct trace_info *t = it->traces.keys[i] ? it->traces.values[i] : NULL;

		if (!t || t->kind != TRACE_GUEST)
			continue;
		for (size_t k = 0; k < t->nr_vms; k++)
			if (t->vms[k] == vm) {
				if (t->by_beacons)
					expect_jump(it, t, vm, vcpu, seg);
				else
					expect_gap(it, t, vm, vcpu, seg);
				check_set_back(it, t, vm, vcpu, seg);
			}
	}
}

/*
 * Copy guest message @m, of time @cs (or NULL), onto host time: @h, in the
 * host clock's cycles, which release_held() converted. NULL on error.
 */
static const bt_message *rebase(struct tsc_iter *it, struct stream_info *si,
				const bt_message *m, const bt_clock_snapshot *cs,
				uint64_t h)
{
	struct ir_stream *s = si->ir;
	bt_self_message_iterator *self = it->self;
	bt_message *out = NULL;
	uint64_t h_end = 0;
	const bt_packet *p;
	bt_packet *op;

	if (!s) {
		s = ir_copy_stream(&it->copy, msg_stream(m), si->t->host->clock,
				   &si->t->note);
		if (!s) {
			iter_error(it, "filter.vmsync.tsc: guest trace '%s': %s",
				   trace_name(si->t->trace), it->copy.error);
			return NULL;
		}
		si->ir = s;
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

/* The ns from origin of copied message @out's time; false if it has none. */
static bool out_ns(const struct stream_info *si, const bt_message *out, int64_t *ns)
{
	/* A copied event's stream class has the host's clock. */
	const bt_clock_snapshot *cs = bt_message_get_type(out) == BT_MESSAGE_TYPE_EVENT ?
		bt_message_event_borrow_default_clock_snapshot_const(out) :
		msg_clock(out, si->ir->out);

	return cs && ns_of(cs, ns);
}

/* Convert the held guest messages whose host data has been read. */
static bool release_held(struct tsc_iter *it)
{
	bool done = hosts_ended(it);
	int64_t hf = host_frontier(it);

	while (it->held_nr) {
		const struct held *h = &it->held[it->held_first];
		const bt_message *m = h->msg, *out;
		struct stream_info *si = h->si;
		const bt_clock_snapshot *cs = h->cs;
		enum conv st = CONV_OK;
		uint64_t clk = 0, g = 0, tsc = 0;
		int64_t key = INT64_MIN, own = h->own;

		if (si->t->kind == TRACE_UNKNOWN &&
		    !classify(it, si->t, bt_stream_class_borrow_default_clock_class_const(
					bt_stream_borrow_class_const(msg_stream(m))),
			      done || host_passed(it, si->t, hf)))
			return !it->failed && !done ? true : false;
		if (si->t->kind == TRACE_GUEST && cs) {
			/* Wait until host data up to its (tentative) time is in. */
			st = conv_time(it, si, bt_clock_snapshot_get_value(cs), &clk, &g, &tsc);
			if (st == CONV_WAIT)
				return true;
			if (!done && (st != CONV_OK ||
				      (__int128)host_ns_about(si->t, clk) + WAIT_MARGIN_NS +
				      it->f->downtime_ns > hf))
				return true;
		}
		it->held_first = (it->held_first + 1) & (it->held_cap - 1);
		it->held_nr--;
		{
			struct input *in = &it->inputs[h->input];

			in->ho_first = (in->ho_first + 1) & (in->ho_cap - 1);
			in->ho_nr--;
		}
		if (si->t->kind != TRACE_GUEST) {	/* host side, after all */
			if (!push_out(it, si, own, m))
				return false;
			continue;
		}
		if (cs && !conv_done(it, si, st, g, tsc)) {
			bt_message_put_ref(m);
			return false;
		}
		out = rebase(it, si, m, cs, clk);
		/* Its host time as the library computed it for the copy. */
		if (out && cs && !out_ns(si, out, &key) && !host_ns(si->t, clk, &key)) {
			iter_error(it, "filter.vmsync.tsc: a converted time does not fit the host clock");
			bt_message_put_ref(out);
			out = NULL;
		}
		if (out && own != INT64_MIN) {
			si->gap = own - key;
			if (si->gap_next != INT64_MIN && si->gap >= si->gap_next - 1000)
				si->gap_next = INT64_MIN;	/* reached */
		}
		bt_message_put_ref(m);
		if (!out || !push_out(it, si, key, out))
			return false;
	}
	return true;
}

/*
 * Hold guest message @h, which its input orders at own-clock time @order
 * (ns: its own, or the input's frontier for a message without one).
 */
static bool hold(struct tsc_iter *it, struct held h, int64_t order)
{
	struct input *in = &it->inputs[h.input];

	if (it->held_nr == it->held_cap) {
		size_t cap = it->held_cap ? it->held_cap * 2 : 1024;
		struct held *n = malloc(cap * sizeof(*n));

		if (!n)
			return false;
		for (size_t i = 0; i < it->held_nr; i++)
			n[i] = it->held[(it->held_first + i) & (it->held_cap - 1)];
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
	if (in->ho_nr == in->ho_cap) {
		size_t cap = in->ho_cap ? in->ho_cap * 2 : 256;
		int64_t *n = malloc(cap * sizeof(*n));

		if (!n)
			return false;
		for (size_t i = 0; i < in->ho_nr; i++)
			n[i] = in->held_own[(in->ho_first + i) & (in->ho_cap - 1)];
		free(in->held_own);
		in->held_own = n;
		in->ho_cap = cap;
		in->ho_first = 0;
	}
	in->held_own[(in->ho_first + in->ho_nr++) & (in->ho_cap - 1)] = order;
	it->held[(it->held_first + it->held_nr++) & (it->held_cap - 1)] = h;
	return true;
}

/* A guest's kvm_tsc_sync beacon: one more (clock, TSC) pair of its vCPU. */
static bool guest_beacon(struct tsc_iter *it, struct stream_info *si,
			 const bt_message *m, const bt_clock_snapshot *cs)
{
	const bt_event *ev;
	const bt_field *p, *f;
	struct beacons *bs;

	if (bt_message_get_type(m) != BT_MESSAGE_TYPE_EVENT || !cs || !si->cpu_known)
		return true;
	if (!si->ec_beacon)
		return true;
	ev = bt_message_event_borrow_event_const(m);
	p = bt_event_borrow_payload_field_const(ev);
	f = p ? bt_field_structure_borrow_member_field_by_name_const(p, "tsc") : NULL;
	if (!f || !bt_field_class_type_is(bt_field_get_class_type(f),
					  BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
		return true;
	bs = guest_beacons(it, si->t, si->cpu);
	if (!bs)
		return false;
	bs->freq = bt_clock_class_get_frequency(bt_clock_snapshot_borrow_clock_class_const(cs));
	return beacons_add(bs, bt_clock_snapshot_get_value(cs),
			   bt_field_integer_unsigned_get_value(f));
}

/*
 * A host trace that lost events may have lost offset changes: say where,
 * so that whoever reads guest events near there knows.
 */
static void warn_host_loss(const struct stream_info *si, const bt_message *m)
{
	const bt_stream_class *sc = bt_stream_borrow_class_const(msg_stream(m));
	uint64_t count = 0;
	char range[128] = "", lost[32] = "some";

	if (bt_stream_class_discarded_events_have_default_clock_snapshots(sc)) {
		const bt_clock_snapshot *b =
			bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(m);
		const bt_clock_snapshot *e =
			bt_message_discarded_events_borrow_end_default_clock_snapshot_const(m);
		int64_t bns, ens;

		if (!bt_clock_snapshot_get_ns_from_origin(b, &bns) &&
		    !bt_clock_snapshot_get_ns_from_origin(e, &ens))
			snprintf(range, sizeof(range), " between %" PRId64 ".%09" PRId64 " and %" PRId64 ".%09" PRId64 " s (host clock, from its origin)",
				 bns / 1000000000, bns % 1000000000, ens / 1000000000, ens % 1000000000);
	}
	if (bt_message_discarded_events_get_count(m, &count) == BT_PROPERTY_AVAILABILITY_AVAILABLE)
		snprintf(lost, sizeof(lost), "%" PRIu64, count);
	fprintf(stderr, "filter.vmsync.tsc: WARNING: host trace '%s' lost %s events%s on CPU %" PRIu32 ": TSC offset changes may be missing there, and guest times converted near them may be off (give the host session larger or more sub-buffers)\n",
		trace_name(si->t->trace), lost, range, si->cpu);
}

/*
 * Note the class of event @ev of stream @si: the names are compared once
 * per change of class, not per event.
 */
static void note_event_class(struct stream_info *si, const bt_event *ev)
{
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	const char *name;

	if (ec == si->ec)
		return;
	name = bt_event_class_get_name(ec);
	si->ec = ec;
	si->ec_kvm_tsc = name && !strncmp(name, "kvm_tsc_", 8);
	si->ec_beacon = name && !strcmp(name, "kvm_tsc_sync");
}

/* Take one message from input @i. */
static bool take(struct tsc_iter *it, size_t i, const bt_message *m)
{
	struct input *in = &it->inputs[i];
	const bt_stream *s = msg_stream(m);
	struct stream_info *si = s ? stream_of(it, s) : NULL;
	const bt_clock_snapshot *cs;
	int64_t ns = INT64_MIN;

	if (s && !si) {
		bt_message_put_ref(m);
		iter_error(it, "filter.vmsync.tsc: out of memory");
		return false;
	}
	/* Most are events: whether they have a time is the stream's. */
	if (si && bt_message_get_type(m) == BT_MESSAGE_TYPE_EVENT)
		cs = si->clocked ? bt_message_event_borrow_default_clock_snapshot_const(m) : NULL;
	else
		cs = msg_clock(m, s);
	in->seen = true;
	if (cs && !ns_of(cs, &ns))
		ns = INT64_MIN;
	if (ns > in->frontier)
		in->frontier = ns;
	if (!s) {		/* inactivity: the frontier moved, nothing to say */
		bt_message_put_ref(m);
		return true;
	}
	/* Its vCPU: LTTng's streams are per CPU, so the first packet says. */
	if (!si->cpu_known && bt_message_get_type(m) == BT_MESSAGE_TYPE_PACKET_BEGINNING)
		si->cpu = packet_cpu(bt_message_packet_beginning_borrow_packet_const(m),
				     &si->cpu_known);
	if (bt_message_get_type(m) == BT_MESSAGE_TYPE_EVENT)
		note_event_class(si, bt_message_event_borrow_event_const(m));
	if (si->t->kind == TRACE_HOST) {
		in->carries_host = true;
		in->host_side = true;
		if (bt_message_get_type(m) == BT_MESSAGE_TYPE_EVENT && si->ec_kvm_tsc &&
		    !host_model_event(&it->model, bt_message_event_borrow_event_const(m), cs)) {
			bt_message_put_ref(m);
			iter_error(it, "filter.vmsync.tsc: out of memory");
			return false;
		}
		/* Guests see VMs that joined first, then the change. */
		if (it->vms_gen != it->model.vms_gen) {
			it->vms_gen = it->model.vms_gen;
			for (size_t k = 0; k < it->traces.cap; k++) {
				struct trace_info *t = it->traces.keys[k] ? it->traces.values[k] : NULL;

				if (t && t->kind == TRACE_GUEST)
					refresh_vms(it, t);
			}
		}
		if (it->model.changed_vm) {
			expect_change(it, it->model.changed_vm, it->model.changed_vcpu,
				      &it->model.changed);
			it->model.changed_vm = NULL;
		}
		if (bt_message_get_type(m) == BT_MESSAGE_TYPE_DISCARDED_EVENTS)
			warn_host_loss(si, m);
		return push_out(it, si, ns, m);
	}
	if (si->t->kind == TRACE_HOST_SIDE) {
		in->host_side = true;
		return push_out(it, si, ns, m);
	}
	if (!si->listed) {
		struct stream_info **n = realloc(in->streams, (in->nr_streams + 1) * sizeof(*n));

		if (!n) {
			bt_message_put_ref(m);
			iter_error(it, "filter.vmsync.tsc: out of memory");
			return false;
		}
		in->streams = n;
		in->streams[in->nr_streams++] = si;
		si->listed = true;
	}
	if (si->t->kind == TRACE_GUEST && si->cpu_known && si->gap == INT64_MIN &&
	    si->gap_next == INT64_MIN)
		expect_stream(it, si);
	if (si->t->kind == TRACE_UNKNOWN && si->t->first_ns == INT64_MIN)
		si->t->first_ns = ns;
	if (!guest_beacon(it, si, m, cs)) {
		bt_message_put_ref(m);
		iter_error(it, "filter.vmsync.tsc: out of memory");
		return false;
	}
	si->t->inputs |= UINT64_C(1) << (i % 64);
	if (si->t->kind == TRACE_UNKNOWN && !si->t->counted) {
		si->t->counted = true;
		it->unmatched++;
	}
	if (!hold(it, (struct held){ m, i, si, cs, ns }, ns == INT64_MIN ? in->frontier : ns)) {
		bt_message_put_ref(m);
		return false;
	}
	return true;
}

/*
 * How far ahead of host time the own times of input @in's messages can be:
 * 0 for host time, else its guest streams' gaps (now, or ahead of a change).
 * INT64_MIN: a guest stream of it has no converted message yet.
 */
static int64_t input_above(const struct input *in)
{
	int64_t above = in->host_side ? 0 : INT64_MIN;

	for (size_t k = 0; k < in->nr_streams; k++) {
		const struct stream_info *si = in->streams[k];
		int64_t g = si->gap > si->gap_next ? si->gap : si->gap_next;

		if (si->t->kind != TRACE_GUEST)
			continue;	/* host side after all, or not matched yet */
		if (g == INT64_MIN)
			return INT64_MIN;
		if (g > above)
			above = g;
	}
	return above;
}

/*
 * The time before which no message can still come. From an input: its
 * next message, or the oldest one it has held, at its own time less how far
 * its guests run ahead of host time. A held message may still meet an
 * offset change not read yet: it then lands after where the host traces
 * were read. Messages of a trace not matched yet may land anywhere.
 */
static int64_t safe_time(const struct tsc_iter *it)
{
	int64_t safe = INT64_MAX, hf = host_frontier(it);

	if (it->unmatched)
		return INT64_MIN;
	for (size_t i = 0; i < it->nr_inputs; i++) {
		const struct input *in = &it->inputs[i];
		int64_t above;
		__int128 b;

		if (in->ended && !in->ho_nr)
			continue;
		above = input_above(in);
		if (in->frontier == INT64_MIN || above == INT64_MIN)
			return INT64_MIN;	/* not read, or how its guests sit unknown */
		b = (__int128)(in->ho_nr ? in->held_own[in->ho_first] : in->frontier) - above;
		if (in->ho_nr && hf < b)
			b = hf;
		b -= it->f->slack_ns;
		if (b <= INT64_MIN)
			return INT64_MIN;
		if (b < safe)
			safe = (int64_t)b;
	}
	return safe;
}

/* About how far in host time input @in was read. */
static int64_t behind(const struct input *in)
{
	int64_t above = input_above(in);

	return in->frontier == INT64_MIN ? INT64_MIN :
	       in->frontier - (above == INT64_MIN ? 0 : above);
}

/* Pull from the input that is furthest behind. */
static bt_message_iterator_class_next_method_status pull(struct tsc_iter *it)
{
	size_t best = it->nr_inputs;
	int64_t best_behind = INT64_MAX;
	bt_message_array_const msgs;
	uint64_t n, k;

	for (size_t i = 0; i < it->nr_inputs; i++) {
		int64_t b;

		if (it->inputs[i].ended)
			continue;
		b = behind(&it->inputs[i]);
		if (best == it->nr_inputs || b < best_behind) {
			best = i;
			best_behind = b;
		}
	}
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

/*
 * At the end, for each guest put on host time through beacons: how many,
 * and how far the kept ones were from the line through their neighbours,
 * guest and host side added: the error the interpolation may make.
 */
static void report_beacons(struct tsc_iter *it)
{
	for (size_t i = 0; i < it->traces.cap; i++) {
		struct trace_info *t = it->traces.keys[i] ? it->traces.values[i] : NULL;
		size_t n = 0, dropped = 0, cpus = 0;
		int64_t worst = 0;

		if (!t || t->kind != TRACE_GUEST || (!t->by_beacons && t->host->tsc_clock))
			continue;
		/* All read: the pairs after the last conversion are judged too. */
		beacons_set_final(&t->host->beacons, true);
		for (size_t c = 0; c < t->nr_beacons; c++) {
			struct beacons *bs = &t->beacons[c];

			beacons_set_final(bs, true);
			cpus += bs->nr > 0;
			n += bs->nr;
			dropped += bs->dropped;
			if (bs->worst_ns > worst)
				worst = bs->worst_ns;
		}
		if (!t->host->tsc_clock)
			worst += t->host->beacons.worst_ns;
		fprintf(stderr, "filter.vmsync.tsc: guest trace '%s' put on host trace '%s' through beacons (default-clock mode): guest: %zu beacons on %zu vCPUs, %zu dropped as delayed; host: %s%zu beacons, %zu dropped; error bound, from the beacons' scatter: +/-%" PRId64 " ns\n",
			trace_name(t->trace), t->host->name, n, cpus, dropped,
			t->host->tsc_clock ? "on the TSC clock, " : "",
			t->host->beacons.nr, t->host->beacons.dropped, worst);
	}
}

/* Release the @count messages of @msgs, which will not go out, and say @st. */
static bt_message_iterator_class_next_method_status
drop_out(bt_message_array_const msgs, uint64_t *count,
	 bt_message_iterator_class_next_method_status st)
{
	while (*count)
		bt_message_put_ref(msgs[--*count]);
	return st;
}

bt_message_iterator_class_next_method_status
tsc_iter_next(bt_self_message_iterator *self, bt_message_array_const msgs,
	      uint64_t capacity, uint64_t *count)
{
	struct tsc_iter *it = bt_self_message_iterator_get_data(self);
	bt_message_iterator_class_next_method_status st;
	int64_t safe = safe_time(it);	/* changes only with what is read */

	*count = 0;
	while (*count < capacity) {
		const struct reorder_item *top = reorder_peek(&it->heap);

		if (top && top->key <= safe) {
			if (top->key != INT64_MIN && top->key > it->last_out)
				it->last_out = top->key;
			msgs[(*count)++] = reorder_pop(&it->heap);
			continue;
		}
		if (top && top->key != INT64_MIN && safe != INT64_MIN &&
		    (__int128)safe - top->key > it->f->window_limit_ns) {
			iter_error(it, "filter.vmsync.tsc: host-time order needs a window over %" PRId64 " ms (parameter window-limit-ms); use vmsync-merge",
				   it->f->window_limit_ns / 1000000);
			return drop_out(msgs, count,
					BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR);
		}
		/*
		 * Fill the array: the graph calls again for each one, and each
		 * call costs a safe_time().
		 */
		st = pull(it);
		if (st == BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END) {
			if (!release_held(it) || it->held_nr) {
				if (!it->failed)
					iter_error(it, "filter.vmsync.tsc: %zu guest messages could not be put on host time",
						   it->held_nr);
				return drop_out(msgs, count,
					BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR);
			}
			if (!reorder_peek(&it->heap)) {
				if (*count)
					break;
				if (!it->reported)
					report_beacons(it);
				it->reported = true;
				return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END;
			}
			safe = safe_time(it);
			continue;
		}
		if (st == BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_AGAIN && *count)
			break;	/* give what we have rather than wait upstream */
		if (st != BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK)
			return drop_out(msgs, count, st);
		if (!release_held(it))
			return drop_out(msgs, count,
					BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR);
		safe = safe_time(it);
	}
	return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK;
}
