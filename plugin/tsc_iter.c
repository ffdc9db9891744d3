// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_iter.c - filter.vmsync.tsc's message iterator: take each input's
 * messages, hold guest ones until the host data that converts them is read,
 * release them onto host time, and give out the merge's head once no input
 * can still bring an earlier message (window.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "ring.h"
#include "vmsync_format.h"
#include "tsc_iter.h"
#include "tsc_filter.h"

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

static bool push_out(struct tsc_iter *it, struct stream_info *si, int64_t key, uint64_t seq,
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
	if (!reorder_push(&it->heap, si->run, key, seq, m)) {
		bt_message_put_ref(m);
		iter_error(it, "filter.vmsync.tsc: out of memory");
		return false;
	}
	return true;
}

static bool decide_host(struct tsc_iter *it, struct trace_info *t, bool done);

/*
 * A conversion that went through, kept for held message @h while it waits
 * for the host frontier; on its exact clock only (beacons may be added to).
 */
static void head_conv_keep(struct tsc_iter *it, const struct held *h, uint64_t clk,
			   uint64_t g, uint64_t tsc)
{
	const struct stream_info *si = h->si;

	if (si->t->by_beacons || si->t->via || !it->model.hosts[si->conv_vm->host]->tsc_clock)
		return;
	it->head_conv.seq = h->seq;
	it->head_conv.gen = it->model.gen;
	it->head_conv.clk = clk;
	it->head_conv.g = g;
	it->head_conv.tsc = tsc;
	it->head_conv.vm = si->conv_vm;
	it->head_conv.fits = si->conv_fits;
	it->head_conv.valid = true;
}

/* Whether @h's conversion was kept and the host data has not moved since. */
static bool head_conv_kept(struct tsc_iter *it, const struct held *h, uint64_t *clk,
			   uint64_t *g, uint64_t *tsc)
{
	if (!it->head_conv.valid || it->head_conv.seq != h->seq ||
	    it->head_conv.gen != it->model.gen)
		return false;
	*clk = it->head_conv.clk;
	*g = it->head_conv.g;
	*tsc = it->head_conv.tsc;
	h->si->conv_vm = it->head_conv.vm;
	h->si->conv_fits = it->head_conv.fits;
	return true;
}

/* Convert the held guest messages whose host data has been read. */
static bool release_held(struct tsc_iter *it)
{
	bool done = hosts_ended(it);
	int64_t hf = host_frontier(it);

	it->hf = hf;		/* for the window_update() that follows */
	it->hf_fresh = true;

	/* Traces that announced VMs: hosts, or guests running guests? */
	for (size_t i = 0; it->undecided && i < it->traces.cap; i++) {
		struct trace_info *t = it->traces.keys[i] ? it->traces.values[i] : NULL;

		if (t && t->kind == TRACE_UNKNOWN && t->announced)
			decide_host(it, t, done);
	}

	while (it->held_nr) {
		const struct held *h = &it->held[it->held_first];
		const bt_message *m = h->msg, *out;
		bt_message_type type = h->type;
		struct stream_info *si = h->si;
		const bt_clock_snapshot *cs = h->cs;
		enum conv st = CONV_OK;
		uint64_t clk = 0, g = 0, tsc = 0;
		int64_t key = INT64_MIN, own = h->own;
		const char *why;

		if (si->t->kind == TRACE_UNKNOWN &&
		    !classify(it, si->t, bt_stream_class_borrow_default_clock_class_const(
					bt_stream_borrow_class_const(msg_stream(m))),
			      done || host_passed(it, si->t, hf)))
			return !it->failed && !done ? true : false;
		if (si->t->kind == TRACE_GUEST && cs) {
			/* Wait until host data up to its (tentative) time is in. */
			if (head_conv_kept(it, h, &clk, &g, &tsc)) {
				st = CONV_OK;
			} else {
				st = conv_time(it, si, bt_clock_snapshot_get_value(cs), &clk, &g, &tsc);
				if (st == CONV_WAIT)
					return true;
			}
			if (!done && (st != CONV_OK ||
				      (__int128)host_ns_about(si->t, clk) + WAIT_MARGIN_NS +
				      it->f->downtime_ns > hf)) {
				if (st == CONV_OK)
					head_conv_keep(it, h, clk, g, tsc);
				return true;
			}
		}
		it->head_conv.valid = false;
		it->held_first = (it->held_first + 1) & (it->held_cap - 1);
		it->held_nr--;
		si->nr_held--;
		{
			struct input *in = &it->inputs[h->input];

			in->ho_first = (in->ho_first + 1) & (in->ho_cap - 1);
			in->ho_nr--;
		}
		if (si->t->kind != TRACE_GUEST) {	/* host side, after all */
			if (!push_out(it, si, own, h->seq, m))
				return false;
			continue;
		}
		if (cs && !conv_done(it, si, st, g, tsc)) {
			bt_message_put_ref(m);
			return false;
		}
		why = NULL;
		if (cs && (it->model.nr_doubts || it->model.host_ended || !si->conv_fits)) {
			/* Paid only when the host data has doubts or ended. */
			if (!host_ns(si->t, clk, &key)) {
				bt_message_put_ref(m);
				iter_error(it, "filter.vmsync.tsc: guest trace '%s': a converted time (host clock cycle %" PRIu64 ") does not fit the host clock",
					   trace_name(si->t->trace), clk);
				return false;
			}
			if (type == BT_MESSAGE_TYPE_EVENT)
				why = unverified(it, si, key);
		}
		out = rebase(it, si, type, m, cs, clk, why);
		/* Its host time as the library computed it for the copy. */
		if (out && cs && !out_ns(si, out, type, &key) && !host_ns(si->t, clk, &key)) {
			iter_error(it, "filter.vmsync.tsc: guest trace '%s': a converted time (host clock cycle %" PRIu64 ") does not fit the host clock",
				   trace_name(si->t->trace), clk);
			bt_message_put_ref(out);
			out = NULL;
		}
		if (out && cs && key > si->out_max_ns)
			si->out_max_ns = key;
		if (out && own != INT64_MIN && key != INT64_MIN) {
			__int128 gap = (__int128)own - key;

			si->gap = gap > INT64_MAX ? INT64_MAX : gap < INT64_MIN + 1 ? INT64_MIN + 1 :
				  (int64_t)gap;
			if (si->gap_next != INT64_MIN && (__int128)si->gap >= (__int128)si->gap_next - 1000)
				si->gap_next = INT64_MIN;	/* reached */
		}
		bt_message_put_ref(m);
		if (!out || !push_out(it, si, key, reorder_seq(&it->heap), out))
			return false;
	}
	return true;
}

/*
 * Hold guest message @m of input @input (what take() found of it: @si,
 * @cs, @own, @type), which its input orders at own-clock time @order (ns:
 * its own, or the input's frontier for a message without one). Written in
 * its ring slot directly: this runs once per guest message.
 */
static bool hold(struct tsc_iter *it, const bt_message *m, size_t input,
		 struct stream_info *si, const bt_clock_snapshot *cs, int64_t own,
		 bt_message_type type, int64_t order)
{
	struct input *in = &it->inputs[input];
	struct held *h;

	if (!ring_reserve(&it->held, &it->held_first, it->held_nr, &it->held_cap,
			  sizeof(*it->held), 1024))
		goto nomem;
	if (it->held_nr >= it->f->max_held) {
		iter_error(it, "filter.vmsync.tsc: over %" PRIu64 " guest messages wait for host data (parameter max-held): the host trace may lack kvm_tsc_* events for them",
			   it->f->max_held);
		return false;
	}
	if (!ring_reserve(&in->held_own, &in->ho_first, in->ho_nr, &in->ho_cap,
			  sizeof(*in->held_own), 256))
		goto nomem;
	in->held_own[(in->ho_first + in->ho_nr++) & (in->ho_cap - 1)] = order;
	si->nr_held++;
	h = &it->held[(it->held_first + it->held_nr++) & (it->held_cap - 1)];
	h->msg = m;
	h->input = input;
	h->si = si;
	h->cs = cs;
	h->own = own;
	h->seq = reorder_seq(&it->heap);	/* its turn, should it go out as it is */
	h->type = type;
	return true;
nomem:
	iter_error(it, "filter.vmsync.tsc: out of memory");
	return false;
}

/*
 * A message of a stream found to be on host time while messages of it taken
 * before still wait: it waits behind them, so that its stream keeps its order.
 */
static bool hold_behind(struct tsc_iter *it, size_t i, struct stream_info *si,
			const bt_message *m, bt_message_type type,
			const bt_clock_snapshot *cs, int64_t ns)
{
	if (!hold(it, m, i, si, cs, ns, type, ns == INT64_MIN ? it->inputs[i].frontier : ns)) {
		bt_message_put_ref(m);
		return false;
	}
	return true;
}

/* A guest's kvm_tsc_sync beacon: one more (clock, TSC) pair of its vCPU. */
static bool guest_beacon(struct tsc_iter *it, struct stream_info *si,
			 const bt_event *ev, const bt_clock_snapshot *cs)
{
	const bt_field *f;
	struct beacons *bs;

	if (!ev || !cs || !si->cpu_known || !si->ec_beacon)
		return true;
	f = payload_member(ev, "tsc");
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
 * A host trace that lost events (or packets) may have lost offset changes:
 * say where, and doubt its vCPUs from there (integrity.c). A count that
 * cannot be (its packets' counter went down) says the trace is damaged.
 */
static bool host_loss(struct tsc_iter *it, const struct stream_info *si, const bt_message *m)
{
	const bt_stream_class *sc = bt_stream_borrow_class_const(msg_stream(m));
	bool events = bt_message_get_type(m) == BT_MESSAGE_TYPE_DISCARDED_EVENTS;
	const bt_clock_snapshot *b = NULL, *e = NULL;
	int64_t bns = INT64_MIN, ens = INT64_MAX;
	uint64_t count = 0;
	char range[128] = "", lost[96] = "some", t1[40], t2[40];
	int host;

	if (events && bt_stream_class_discarded_events_have_default_clock_snapshots(sc)) {
		b = bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(m);
		e = bt_message_discarded_events_borrow_end_default_clock_snapshot_const(m);
	} else if (!events && bt_stream_class_discarded_packets_have_default_clock_snapshots(sc)) {
		b = bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(m);
		e = bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(m);
	}
	if (b && e && ns_of(b, &bns) && ns_of(e, &ens))
		snprintf(range, sizeof(range), " between %s and %s (host clock, from its origin)",
			 fmt_secs(bns, t1, sizeof(t1)), fmt_secs(ens, t2, sizeof(t2)));
	else
		bns = INT64_MIN, ens = INT64_MAX;
	if ((events ? bt_message_discarded_events_get_count(m, &count) :
	     bt_message_discarded_packets_get_count(m, &count)) == BT_PROPERTY_AVAILABILITY_AVAILABLE)
		snprintf(lost, sizeof(lost), count >> 62 ?
			 "an impossible number of (%" PRIu64 ": its packets' counter went down, the trace is damaged)" :
			 "%" PRIu64, count);
	fprintf(stderr, "filter.vmsync.tsc: WARNING: host trace '%s' lost %s %s%s on CPU %" PRIu32 ": TSC offset changes may be missing there, and guest times converted near them may be off (give the host session larger or more sub-buffers)\n",
		trace_name(si->t->trace), lost, events ? "events" : "packets", range, si->cpu);
	host = host_model_host(&it->model, si->t->trace, msg_stream(m));
	return host >= 0 && host_model_loss(&it->model, host, bns, ens);
}

/* A host stream ended: guest events after then are not vouched for. */
static bool host_stream_end(struct tsc_iter *it, const struct stream_info *si,
			    const bt_stream *s, int64_t ns)
{
	int host = host_model_host(&it->model, si->t->trace, s);

	if (host < 0)
		return false;
	if (ns == INT64_MIN)
		ns = si->last_own;
	if (ns != INT64_MIN)	/* a stream that never had a time says nothing */
		host_model_stream_end(&it->model, host, si->cpu, ns);
	return true;
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
	si->ec_kvm_tsc = name && !strncmp(name, EV_KVM_TSC_PREFIX, strlen(EV_KVM_TSC_PREFIX));
	si->ec_beacon = name && !strcmp(name, EV_BEACON);
	/*
	 * A live trace's event classes come as its metadata grows: a host's
	 * may have had none of its own when its first stream was seen.
	 */
	if (si->ec_kvm_tsc && (!strcmp(name, EV_OFFSET) || !strcmp(name, EV_GUEST)))
		si->t->host_classes = true;
}

/* Stream @s of @si went back in time, to @ns: a damaged trace. */
static void time_back(struct tsc_iter *it, const struct stream_info *si, const bt_stream *s,
		      int64_t ns)
{
	const char *name = bt_stream_get_name(s);

	iter_error(it, "filter.vmsync.tsc: trace '%s', stream %" PRIu64 "%s%s%s (CPU %" PRIu32 "): its time goes back, from %" PRId64 " to %" PRId64 " ns from its clock's origin: the trace is damaged (packets duplicated, swapped or out of order); repair or leave out that stream",
		   trace_name(si->t->trace), bt_stream_get_id(s), name ? " '" : "",
		   name ? name : "", name ? "'" : "", si->cpu, si->last_own, ns);
}

/*
 * What message @m of a host trace (or of one that may be: it declares host
 * events) says of the host data: lost events or packets, a stream's end.
 * False: out of memory.
 */
static bool host_side_of(struct tsc_iter *it, const struct stream_info *si,
			 const bt_message *m, bt_message_type type, int64_t ns)
{
	switch (type) {
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		if (!host_loss(it, si, m))
			return false;
		break;
	case BT_MESSAGE_TYPE_STREAM_END:
		if (!host_stream_end(it, si, msg_stream(m), ns))
			return false;
		break;
	default:
		break;
	}
	if (it->model.doubt_vm)
		warn_doubt(it);
	return true;
}

/* Whether trace @t is named a VM of a host other than itself. */
static bool guest_of_another(const struct tsc_iter *it, const struct trace_info *t)
{
	const char *uuid = env_str(t->trace, ENV_PRODUCT_UUID);
	const struct host_vm *v[MAX_VMS_PER_GUEST];
	char vm[64];
	size_t n = 0;

	/* Named by map (a VM's PID-FD, or a UUID), or by its product UUID. */
	if (mapped_vm(it->f, trace_name(t->trace), vm, sizeof(vm))) {
		v[0] = host_model_find_vm(&it->model, vm);
		n = v[0] ? 1 : host_model_find_uuid(&it->model, vm, v, MAX_VMS_PER_GUEST);
	} else if (uuid && uuid[0]) {
		n = host_model_find_uuid(&it->model, uuid, v, MAX_VMS_PER_GUEST);
	}

	for (size_t i = 0; i < n; i++)
		if (it->model.hosts[v[i]->host]->trace != t->trace)
			return true;
	return false;
}

/*
 * Whether trace @t, which announced VMs, is a host: not when its product
 * UUID is a VM of another host's (it is then a guest running guests of its
 * own: t->nested). Until that VM could have been read (the other host
 * traces read some way past @t's first time, by their clocks' offsets,
 * within window-limit-ms), it waits (false) unless everything was read.
 */
static bool decide_host(struct tsc_iter *it, struct trace_info *t, bool done)
{
	int64_t others = INT64_MAX;
	__int128 margin = it->f->window_limit_ns < 1000000000 ? it->f->window_limit_ns :
			  1000000000;

	const char *uuid = env_str(t->trace, ENV_PRODUCT_UUID);
	char vm[64];

	if (guest_of_another(it, t)) {
		t->nested = true;
		t->announced = false;
		it->undecided--;
		return false;
	}
	/* Nothing names it a guest (no UUID, not in map): a host now. */
	if ((!uuid || !uuid[0]) && !mapped_vm(it->f, trace_name(t->trace), vm, sizeof(vm)))
		done = true;
	for (size_t i = 0; i < it->nr_inputs && !done; i++) {
		const struct input *in = &it->inputs[i];
		int64_t fr = input_reach(it, in);

		if (!in->ended && (in->carries_host || !in->seen) &&
		    !(t->inputs >> (i % 64) & 1) && fr < others)
			others = fr;
	}
	if (!done && others != INT64_MAX &&
	    (t->first_ns == INT64_MIN || (__int128)others - t->first_ns <= margin))
		return false;
	t->kind = TRACE_HOST;	/* its held messages go out as they are */
	t->announced = false;
	it->undecided--;
	if (t->counted) {
		t->counted = false;
		it->unmatched--;
	}
	return true;
}

/*
 * Message @m of a trace that declares host events but is not known as a
 * host: its kvm_tsc_* events go to the host model as they come (a nested
 * hypervisor's own guests, or beacons); once one announces VMs, it is a
 * host or a guest as decide_host() says.
 */
static bool undecided_host(struct tsc_iter *it, struct input *in, struct stream_info *si,
			   const bt_message *m, const bt_clock_snapshot *cs, int64_t ns)
{
	struct trace_info *t = si->t;
	const bt_event *ev;

	if (t->kind == TRACE_UNKNOWN)
		in->carries_host = true;	/* it may be a host: wait for it */
	if (t->kind != TRACE_UNKNOWN && !t->nested)
		return true;			/* a guest with beacons only */
	if (t->kind == TRACE_UNKNOWN && !t->nested &&
	    !host_side_of(it, si, m, bt_message_get_type(m), ns))
		return false;
	if (bt_message_get_type(m) != BT_MESSAGE_TYPE_EVENT || !si->ec_kvm_tsc)
		return true;
	ev = bt_message_event_borrow_event_const(m);
	if (t->kind == TRACE_UNKNOWN && !t->nested && !t->announced &&
	    host_model_announces(bt_event_class_get_name(bt_event_borrow_class_const(ev)))) {
		t->announced = true;
		it->undecided++;
		if (t->first_ns == INT64_MIN)
			t->first_ns = in->frontier;
		if (decide_host(it, t, false))
			return true;		/* take() records it as a host's */
	}
	return host_model_event(&it->model, ev, cs);
}

/* Take one message from input @i. */
static bool take(struct tsc_iter *it, size_t i, const bt_message *m)
{
	struct input *in = &it->inputs[i];
	/* Its type, asked once: most are events, whose stream is their event's. */
	bt_message_type type = bt_message_get_type(m);
	const bt_event *ev = type == BT_MESSAGE_TYPE_EVENT ?
			     bt_message_event_borrow_event_const(m) : NULL;
	const bt_stream *s = ev ? bt_event_borrow_stream_const(ev) : msg_stream(m);
	struct stream_info *si = s ? stream_of(it, s) : NULL;
	const bt_clock_snapshot *cs;
	int64_t ns = INT64_MIN;

	if (s && !si) {
		bt_message_put_ref(m);
		iter_error(it, "filter.vmsync.tsc: out of memory");
		return false;
	}
	/* Whether an event has a time is its stream's. */
	if (ev)
		cs = si->clocked ? bt_message_event_borrow_default_clock_snapshot_const(m) : NULL;
	else
		cs = msg_clock(m, s);
	in->seen = true;
	if (cs && !ns_of(cs, &ns)) {
		iter_error(it, "filter.vmsync.tsc: trace '%s': a message at cycle %" PRIu64 " of its clock is out of the range of ns from its origin: the trace (or its clock's offset in the metadata) is damaged",
			   s ? trace_name(bt_stream_borrow_trace_const(s)) : "?",
			   bt_clock_snapshot_get_value(cs));
		bt_message_put_ref(m);
		return false;
	}
	if (ns > in->frontier)
		in->frontier = ns;
	if (!s) {		/* inactivity: the frontier moved, nothing to say */
		bt_message_put_ref(m);
		return true;
	}
	if (ns != INT64_MIN) {	/* the muxer's check, where there is none */
		if (ns < si->last_own) {
			time_back(it, si, s, ns);
			bt_message_put_ref(m);
			return false;
		}
		si->last_own = ns;
	}
	/* Its vCPU: LTTng's streams are per CPU, so the first packet says. */
	if (!si->cpu_known && type == BT_MESSAGE_TYPE_PACKET_BEGINNING)
		si->cpu = packet_cpu(bt_message_packet_beginning_borrow_packet_const(m),
				     &si->cpu_known);
	if (ev)
		note_event_class(si, ev);
	if (si->t->host_classes && si->t->kind != TRACE_HOST &&
	    !undecided_host(it, in, si, m, cs, ns))
		goto nomem;
	if (si->t->kind == TRACE_HOST) {
		in->carries_host = true;
		in->host_side = true;
		if (ev && si->ec_kvm_tsc && !host_model_event(&it->model, ev, cs))
			goto nomem;
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
		/* Most host messages are events, with nothing to say: no call. */
		if ((type != BT_MESSAGE_TYPE_EVENT || it->model.doubt_vm) &&
		    !host_side_of(it, si, m, type, ns))
			goto nomem;
		return si->nr_held ? hold_behind(it, i, si, m, type, cs, ns) :
		       push_out(it, si, ns, reorder_seq(&it->heap), m);
	}
	if (si->t->kind == TRACE_HOST_SIDE) {
		in->host_side = true;
		return si->nr_held ? hold_behind(it, i, si, m, type, cs, ns) :
		       push_out(it, si, ns, reorder_seq(&it->heap), m);
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
	if (!guest_beacon(it, si, ev, cs)) {
		bt_message_put_ref(m);
		iter_error(it, "filter.vmsync.tsc: out of memory");
		return false;
	}
	si->t->inputs |= UINT64_C(1) << (i % 64);
	if (si->t->kind == TRACE_UNKNOWN && !si->t->counted) {
		si->t->counted = true;
		it->unmatched++;
	}
	if (!hold(it, m, i, si, cs, ns, type, ns == INT64_MIN ? in->frontier : ns)) {
		bt_message_put_ref(m);
		return false;
	}
	return true;
nomem:
	bt_message_put_ref(m);
	iter_error(it, "filter.vmsync.tsc: out of memory");
	return false;
}

/*
 * Input @i failed upstream (a trace babeltrace2 cannot read on, or its
 * muxer found time going back): add which traces it was bringing, for a
 * reader of the error, which upstream names none of.
 */
static void upstream_failed(struct tsc_iter *it, size_t i)
{
	char names[512] = "";
	size_t used = 0;

	for (size_t k = 0; k < it->traces.cap && used < sizeof(names); k++) {
		const struct trace_info *t = it->traces.keys[k] ? it->traces.values[k] : NULL;

		if (t && (it->nr_inputs == 1 || (t->inputs >> (i % 64) & 1) ||
			  (t->kind == TRACE_HOST && it->inputs[i].carries_host)))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s'%s'",
						 used ? ", " : "", trace_name(t->trace));
	}
	iter_error(it, "filter.vmsync.tsc: its input %zu failed (its causes follow) while bringing the trace%s %s: a damaged trace; vmsync-merge reads each stream apart and names the one at fault",
		   i, strchr(names, ',') ? "s" : "", names[0] ? names : "(none read yet)");
}

/*
 * The input furthest behind that has not ended (nor, with @skip_tried, been
 * asked already); it->nr_inputs when none.
 */
static size_t furthest_behind(const struct tsc_iter *it, bool skip_tried)
{
	size_t best = it->nr_inputs;
	int64_t best_behind = INT64_MAX;

	for (size_t i = 0; i < it->nr_inputs; i++) {
		int64_t b;

		if (it->inputs[i].ended || (skip_tried && it->inputs[i].tried))
			continue;
		b = behind(&it->inputs[i]);
		if (best == it->nr_inputs || b < best_behind) {
			best = i;
			best_behind = b;
		}
	}
	return best;
}

/*
 * Live (live-bound-ms): input *@best has nothing yet ("try again"); that does
 * not stop the others: the next furthest behind is asked, and so on, each
 * once. Its answer, *@best the input that gave it. Apart from pull(), so
 * that traces on disk do not pay for it.
 */
static __attribute__((noinline, cold)) bt_message_iterator_next_status
pull_live(struct tsc_iter *it, size_t *best, bt_message_array_const *msgs, uint64_t *n)
{
	bt_message_iterator_next_status st = BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN;

	for (size_t i = 0; i < it->nr_inputs; i++)
		it->inputs[i].tried = false;
	while (st == BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN) {
		size_t next;

		input_quiet(&it->inputs[*best]);
		it->inputs[*best].tried = true;
		next = furthest_behind(it, true);
		if (next == it->nr_inputs)
			break;
		*best = next;
		st = bt_message_iterator_next(it->inputs[next].it, msgs, n);
	}
	return st;
}

/* Pull from the input that is furthest behind. */
static bt_message_iterator_class_next_method_status pull(struct tsc_iter *it)
{
	size_t best = furthest_behind(it, false);
	bt_message_array_const msgs;
	bt_message_iterator_next_status st;
	uint64_t n, k;

	it->hf_fresh = false;
	if (best == it->nr_inputs)
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END;
	st = bt_message_iterator_next(it->inputs[best].it, &msgs, &n);
	if (st == BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN && it->f->live_bound_ns)
		st = pull_live(it, &best, &msgs, &n);
	switch (st) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		it->inputs[best].quiet_since = 0;
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
		upstream_failed(it, best);
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
	}
}

/*
 * At the end, for each guest put on host time through beacons: how many,
 * and the error bound of its vCPUs' lines and its host's (beacons_bound()),
 * guest and host side added; or why there is none.
 */
static void report_beacons(struct tsc_iter *it)
{
	for (size_t i = 0; i < it->traces.cap; i++) {
		struct trace_info *t = it->traces.keys[i] ? it->traces.values[i] : NULL;
		size_t n = 0, dropped = 0, dups = 0, cpus = 0;
		int64_t worst = 0, ns;
		enum beacons_bound st = BOUND_OK, s;

		if (!t || t->kind != TRACE_GUEST || (!t->by_beacons && t->host->tsc_clock))
			continue;
		/* All read: the pairs after the last conversion are judged too. */
		beacons_set_final(&t->host->beacons, true);
		for (size_t c = 0; c < t->nr_beacons; c++) {
			struct beacons *bs = &t->beacons[c];

			beacons_set_final(bs, true);
			if (!bs->nr)
				continue;
			cpus++;
			n += bs->nr;
			dropped += bs->dropped;
			dups += bs->duplicates;
			s = beacons_bound(bs, &ns);
			st = s > st ? s : st;
			worst = ns > worst ? ns : worst;
		}
		if (!t->host->tsc_clock) {
			s = beacons_bound(&t->host->beacons, &ns);
			st = s > st ? s : st;
			worst += ns;
		}
		fprintf(stderr, "filter.vmsync.tsc: guest trace '%s' put on host trace '%s' through beacons (default-clock mode): guest: %zu beacons on %zu vCPUs, %zu dropped as delayed, %zu as duplicates; host: %s%zu beacons, %zu dropped, %zu duplicates; ",
			trace_name(t->trace), t->host->name, n, cpus, dropped, dups,
			t->host->tsc_clock ? "on the TSC clock, " : "",
			t->host->beacons.nr, t->host->beacons.dropped, t->host->beacons.duplicates);
		if (st == BOUND_OK)
			fprintf(stderr, "error bound, from the beacons' scatter: +/-%" PRId64 " ns\n", worst);
		else
			fprintf(stderr, "no error bound: %s (their scatter alone: +/-%" PRId64 " ns)\n",
				st == BOUND_LATE ? "beacons were dropped as delayed by less than four times beacon-jitter-us: delays run past it, and the kept beacons may be late by more than their scatter shows" :
				"too few beacons to judge one by its neighbours", worst);
	}
}

/*
 * Item @top would go out after later ones: what was read broke the window's
 * assumptions (a clock that jumps, or a slack too small). Say so rather
 * than give a timeline out of order.
 */
static void late(struct tsc_iter *it, const struct reorder_item *top)
{
	const bt_stream *s = msg_stream(top->msg);
	char a[40], b[40];

	iter_error(it, "filter.vmsync.tsc: trace '%s': a message at %s (host time) came after messages at %s had gone out: a clock of the traces jumps (damaged metadata or timestamps), or the window is too small: give slack-us more than the difference",
		   s ? trace_name(bt_stream_borrow_trace_const(s)) : "?",
		   fmt_secs(top->key, a, sizeof(a)), fmt_secs(it->last_out, b, sizeof(b)));
}

/*
 * Live: item @top comes after later ones went out (its input was quiet for
 * longer than live-bound-ms, then brought older messages). It goes out as it
 * comes; the first event is said at once, all of them at the end. A packet's
 * or stream's end (a session's last flush) is no event of the timeline.
 */
static __attribute__((cold)) void live_late(struct tsc_iter *it, const struct reorder_item *top)
{
	const bt_stream *s = msg_stream(top->msg);
	int64_t by = it->last_out - top->key;
	char a[40];

	if (bt_message_get_type(top->msg) != BT_MESSAGE_TYPE_EVENT)
		return;

	if (!it->late++)
		fprintf(stderr, "filter.vmsync.tsc: WARNING: live: trace '%s' brought an event at %s (host time) %.3f ms after later ones had gone out (its input had nothing for over live-bound-ms, %" PRId64 " ms): it goes out as it comes; give a larger live-bound-ms for a view in order\n",
			s ? trace_name(bt_stream_borrow_trace_const(s)) : "?",
			fmt_secs(top->key, a, sizeof(a)), (double)by / 1e6,
			it->f->live_bound_ns / 1000000);
	if (by > it->late_worst)
		it->late_worst = by;
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
	const bool live = it->f->live_bound_ns;
	/* Live, time passing moves the window: it is computed again. */
	int64_t safe = it->window_fresh && !live ? it->safe : window_update(it);

	*count = 0;
	while (*count < capacity) {
		const struct reorder_item *top = reorder_peek(&it->heap);

		if (top && top->key <= safe) {
			if (top->key != INT64_MIN && top->key < it->last_out) {
				if (!live) {
					late(it, top);
					return drop_out(msgs, count,
						BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR);
				}
				live_late(it, top);
			} else if (top->key != INT64_MIN) {
				it->last_out = top->key;
			}
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
		 * call costs a window_update().
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
				if (!it->reported) {
					report_beacons(it);
					report_unverified(it);
					if (it->late)
						fprintf(stderr, "filter.vmsync.tsc: WARNING: live: %" PRIu64 " events went out after later ones, by %.3f ms at most (live-bound-ms %" PRId64 ")\n",
							it->late, (double)it->late_worst / 1e6,
							it->f->live_bound_ns / 1000000);
				}
				it->reported = true;
				return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END;
			}
			safe = window_update(it);
			continue;
		}
		if (st == BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_AGAIN && *count)
			break;	/* give what we have rather than wait upstream */
		if (st == BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_AGAIN && live) {
			/* Live: the quiet inputs' floor may have moved since. */
			if (!release_held(it))
				return drop_out(msgs, count,
						BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR);
			safe = window_update(it);
			top = reorder_peek(&it->heap);
			if (top && top->key <= safe)
				continue;
		}
		if (st != BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK)
			return drop_out(msgs, count, st);
		if (!release_held(it))
			return drop_out(msgs, count,
					BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR);
		safe = window_update(it);
	}
	return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK;
}
