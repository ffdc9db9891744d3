// SPDX-License-Identifier: GPL-2.0
/*
 * check_sink.c - sink.vmsync.check: how well guest events sit on host time.
 *
 * A guest can only run code while its vCPU thread is in guest mode, between
 * the host's kvm_vcpu_entry and kvm_vcpu_exit for that thread. So on a
 * correct common timeline every guest event of a vCPU falls inside one of
 * those intervals; how far one falls outside is a measured error of the
 * conversion. This sink reads the output of filter.vmsync.tsc (host time
 * order) and reports the share inside and the distance outside.
 *
 * Guest events are those of traces the filter rebased (env vmsync_rebased),
 * on host env vmsync_host_hostname; their vCPU is the stream's cpu_id. The
 * guest vCPU is named by the guest's UUID (env vmsync_host_uuid) when known,
 * else by its VM (env vmsync_host_vm): a migrated guest runs in several VMs,
 * one after the other (on several hosts, when named by UUID), and its vCPU
 * is in guest mode while any of their threads for it is. The host's
 * kvm_tsc_guest events give each VM's UUID, its kvm_tsc_vcpu events the
 * thread of each (VM, vCPU), its
 * kvm_vcpu_entry/exit events that thread's modes.
 *
 * Only what can be measured is reported. A guest event whose vCPU has no
 * known thread, or that comes before any entry or exit of its vCPU's
 * threads (its mode is unknown), is counted apart, in neither share. An
 * event outside is at the distance of the nearer of the last exit before it
 * and the first entry after it; with neither, at an unknown distance, left
 * out of the p99. Without entries, or without exits, in the host traces, or
 * without one guest event inside or outside, the sink reports no share but
 * an error.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "check_sink.h"
#include "params.h"
#include "ptr_map.h"
#include "ring.h"
#include "sink_util.h"
#include "vmsync_format.h"

struct pending {		/* a guest event outside, until the next entry */
	int64_t ns;
	int64_t since_exit;	/* ns since the last exit before it; -1: none */
};

struct guest_vcpu {		/* one vCPU of one guest, whichever VM runs it */
	char host[64], guest[64];	/* guest: its UUID, or its VM's name */
	uint32_t vcpu;
	unsigned int threads;	/* host threads seen for it */
	unsigned int running;	/* of those, how many in guest mode */
	bool known;		/* one of those had an entry or exit: mode known */
	bool exited;
	int64_t last_exit;	/* ns */
	uint64_t unmatched;	/* guest events while it had no known thread */
	uint64_t before;	/* guest events before its mode was known */
	struct pending *pending;
	size_t nr_pending, cap_pending;
};

struct vcpu_thread {		/* one vCPU thread of one host */
	char host[64], vm[32], uuid[64];
	uint32_t vcpu;
	int64_t tid;
	bool in_guest, changed, exited;	/* changed: had an entry or exit */
	int64_t last_entry, last_exit;	/* ns */
	struct guest_vcpu *g;	/* NULL until a guest event names it */
};

struct vm_uuid {		/* kvm_tsc_guest: a VM's UUID */
	char host[64], vm[32], uuid[64];
};

struct check_sink {
	bt_message_iterator *it;
	struct vcpu_thread **threads;
	size_t nr_threads;
	struct guest_vcpu **guests;
	size_t nr_guests;
	struct vm_uuid *vm_uuids;
	size_t nr_vm_uuids;
	struct ptr_map guest_streams;	/* bt_stream -> guest_vcpu */
	uint64_t events, inside, outside;
	uint64_t unmatched;		/* without a known vCPU thread */
	uint64_t unnamed;		/* of those, in a trace naming no host, guest or CPU */
	uint64_t before;		/* before any entry/exit of their vCPU's threads */
	uint64_t far_unknown;		/* outside, at an unknown distance */
	uint64_t entries, exits;	/* kvm_vcpu_entry/exit events of the hosts */
	int64_t worst;			/* ns, when nr_dist */
	const char *worst_where;
	int64_t *dist;			/* ns, of every event outside at a known distance */
	size_t nr_dist, cap_dist;
	bool nomem;
};

static struct vcpu_thread *thread_find(struct check_sink *c, const char *host,
				       const char *vm, int64_t vcpu, int64_t tid)
{
	for (size_t i = c->nr_threads; i-- > 0;) {
		struct vcpu_thread *t = c->threads[i];

		if (strcmp(t->host, host))
			continue;
		if (vm ? !strcmp(t->vm, vm) && t->vcpu == vcpu : t->tid == tid)
			return t;
	}
	return NULL;
}

/*
 * Does host thread @t run vCPU @g (of the same guest, in any of its VMs)?
 * A guest named by its UUID runs on any host it migrated to; a VM's name
 * (PID-FD) names a VM of its host only.
 */
static bool runs(const struct vcpu_thread *t, const struct guest_vcpu *g)
{
	return t->vcpu == g->vcpu &&
	       ((t->uuid[0] && !strcmp(t->uuid, g->guest)) ||
		(!strcmp(t->host, g->host) && !strcmp(t->vm, g->guest)));
}

/* An event outside guest mode, at @d ns from it. */
static void violation(struct check_sink *c, const struct guest_vcpu *g, int64_t d)
{
	c->outside++;
	if (!array_reserve(&c->dist, c->nr_dist, &c->cap_dist, sizeof(*c->dist), 256)) {
		c->nomem = true;
		return;
	}
	c->dist[c->nr_dist++] = d;
	if (c->nr_dist == 1 || d > c->worst) {
		c->worst = d;
		c->worst_where = g->guest;
	}
}

/*
 * The vCPU of @g entered guest mode at @ns: the events that waited outside
 * are settled. One at or after @ns (an entry at the same time, or a thread
 * found to be in guest mode since @ns) was inside; one before it is at the
 * distance of the nearer of the entry and the last exit before it.
 */
static void settle(struct check_sink *c, struct guest_vcpu *g, int64_t ns)
{
	for (size_t i = 0; i < g->nr_pending; i++) {
		const struct pending *p = &g->pending[i];
		int64_t d = ns - p->ns;

		if (d <= 0) {
			c->inside++;
			continue;
		}
		if (p->since_exit >= 0 && p->since_exit < d)
			d = p->since_exit;
		violation(c, g, d);
	}
	g->nr_pending = 0;
}

static void note_exit(struct guest_vcpu *g, int64_t ns)
{
	if (!g->exited || ns > g->last_exit)
		g->last_exit = ns;
	g->exited = true;
}

static void link_thread(struct check_sink *c, struct guest_vcpu *g, struct vcpu_thread *t)
{
	t->g = g;
	g->threads++;
	if (t->changed)
		g->known = true;
	if (t->exited)
		note_exit(g, t->last_exit);
	if (t->in_guest) {
		settle(c, g, t->last_entry);
		g->running++;
	}
}

/*
 * kvm_tsc_guest: remember the VM's UUID, for the threads of its vCPUs,
 * those named already too (a vCPU first seen running is named before the
 * statedump announces its VM): they may now run a guest named by UUID.
 */
static bool note_guest(struct check_sink *c, const char *host, const bt_event *ev)
{
	const bt_field *vm = payload_member(ev, "vm"), *uuid = payload_member(ev, "uuid");
	struct vm_uuid *n;

	if (!vm || !uuid || bt_field_get_class_type(vm) != BT_FIELD_CLASS_TYPE_STRING ||
	    bt_field_get_class_type(uuid) != BT_FIELD_CLASS_TYPE_STRING ||
	    !bt_field_string_get_value(uuid)[0])
		return true;
	n = realloc(c->vm_uuids, (c->nr_vm_uuids + 1) * sizeof(*n));
	if (!n)
		return false;
	c->vm_uuids = n;
	n += c->nr_vm_uuids++;
	snprintf(n->host, sizeof(n->host), "%s", host);
	snprintf(n->vm, sizeof(n->vm), "%s", bt_field_string_get_value(vm));
	snprintf(n->uuid, sizeof(n->uuid), "%s", bt_field_string_get_value(uuid));
	for (size_t i = 0; i < c->nr_threads; i++) {
		struct vcpu_thread *t = c->threads[i];

		if (t->uuid[0] || strcmp(t->host, host) || strcmp(t->vm, n->vm))
			continue;
		memcpy(t->uuid, n->uuid, sizeof(t->uuid));
		for (size_t j = 0; !t->g && j < c->nr_guests; j++)
			if (runs(t, c->guests[j]))
				link_thread(c, c->guests[j], t);
	}
	return true;
}

/* kvm_tsc_vcpu: which thread runs a VM's vCPU (the latest one wins). */
static bool note_vcpu(struct check_sink *c, const char *host, const bt_event *ev)
{
	const bt_field *vm = payload_member(ev, "vm");
	int64_t vcpu, tid;
	struct vcpu_thread *t;

	if (!vm || bt_field_get_class_type(vm) != BT_FIELD_CLASS_TYPE_STRING ||
	    !payload_int(ev, "vcpu", &vcpu) || !payload_int(ev, "vcpu_tid", &tid))
		return true;
	t = thread_find(c, host, bt_field_string_get_value(vm), vcpu, 0);
	if (t) {
		t->tid = tid;
		return true;
	}
	t = append_new(&c->threads, &c->nr_threads, sizeof(*t));
	if (!t)
		return false;
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->vm, sizeof(t->vm), "%s", bt_field_string_get_value(vm));
	for (size_t i = c->nr_vm_uuids; i-- > 0;)
		if (!strcmp(c->vm_uuids[i].host, host) && !strcmp(c->vm_uuids[i].vm, t->vm)) {
			memcpy(t->uuid, c->vm_uuids[i].uuid, sizeof(t->uuid));
			break;
		}
	t->vcpu = (uint32_t)vcpu;
	t->tid = tid;
	for (size_t i = 0; i < c->nr_guests; i++)
		if (runs(t, c->guests[i])) {
			link_thread(c, c->guests[i], t);
			break;
		}
	return true;
}

/* The guest vCPU a rebased stream's events ran on, created on first use. */
static struct guest_vcpu *guest_find(struct check_sink *c, const char *host,
				     const char *guest, uint32_t vcpu)
{
	struct guest_vcpu *g;

	for (size_t i = 0; i < c->nr_guests; i++) {
		g = c->guests[i];
		if (!strcmp(g->host, host) && !strcmp(g->guest, guest) && g->vcpu == vcpu)
			return g;
	}
	g = append_new(&c->guests, &c->nr_guests, sizeof(*g));
	if (!g)
		return NULL;
	snprintf(g->host, sizeof(g->host), "%s", host);
	snprintf(g->guest, sizeof(g->guest), "%s", guest);
	g->vcpu = vcpu;
	for (size_t i = 0; i < c->nr_threads; i++)
		if (!c->threads[i]->g && runs(c->threads[i], g))
			link_thread(c, g, c->threads[i]);
	return g;
}

/* kvm_vcpu_entry/exit of @t at @ns: settle the events that waited for it. */
static void mode_change(struct check_sink *c, struct vcpu_thread *t, bool entry,
			int64_t ns)
{
	struct guest_vcpu *g = t->g;
	bool was = t->in_guest;

	t->in_guest = entry;
	t->changed = true;
	if (entry) {
		t->last_entry = ns;
	} else {
		t->exited = true;
		t->last_exit = ns;
	}
	if (!g)
		return;
	g->known = true;
	if (entry) {
		settle(c, g, ns);
		if (!was)
			g->running++;
	} else {
		if (was)
			g->running--;
		note_exit(g, ns);
	}
}

static bool guest_event(struct check_sink *c, const bt_message *m, int64_t ns)
{
	const bt_event *ev = bt_message_event_borrow_event_const(m);
	const bt_stream *s = bt_event_borrow_stream_const(ev);
	struct guest_vcpu *g = ptr_map_get(&c->guest_streams, s);
	struct pending *p;

	c->events++;
	if (!g) {
		const bt_trace *tr = bt_stream_borrow_trace_const(s);
		const char *host = env_str(tr, ENV_HOST_HOSTNAME);
		const char *guest = env_str(tr, ENV_HOST_UUID);
		bool cpu_known;
		uint32_t cpu = packet_cpu(bt_event_borrow_packet_const(ev), &cpu_known);

		if (!guest)
			guest = env_str(tr, ENV_HOST_VM);
		if (!host || !guest || !cpu_known) {
			c->unmatched++;
			c->unnamed++;
			return true;
		}
		g = guest_find(c, host, guest, cpu);
		if (!g || !ptr_map_put(&c->guest_streams, s, g))
			return false;
	}
	if (!g->threads) {
		c->unmatched++;
		g->unmatched++;
		return true;
	}
	if (!g->known) {
		c->before++;
		g->before++;
		return true;
	}
	if (g->running || (g->exited && ns == g->last_exit)) {
		c->inside++;
		return true;
	}
	if (!array_reserve(&g->pending, g->nr_pending, &g->cap_pending, sizeof(*g->pending), 16))
		return false;
	p = &g->pending[g->nr_pending++];
	p->ns = ns;
	p->since_exit = g->exited && g->last_exit <= ns ? ns - g->last_exit : -1;
	return true;
}

static bool host_event(struct check_sink *c, const bt_message *m, const char *host,
		       int64_t ns)
{
	const bt_event *ev = bt_message_event_borrow_event_const(m);
	const char *name = bt_event_class_get_name(bt_event_borrow_class_const(ev));
	bool entry;
	int64_t tid;
	struct vcpu_thread *t;

	if (!name)
		return true;
	if (!strcmp(name, EV_VCPU))
		return note_vcpu(c, host, ev);
	if (!strcmp(name, EV_GUEST))
		return note_guest(c, host, ev);
	entry = !strcmp(name, EV_VCPU_ENTRY);
	if (!entry && strcmp(name, EV_VCPU_EXIT))
		return true;
	if (entry)
		c->entries++;
	else
		c->exits++;
	if (!payload_int(ev, "vcpu_tid", &tid))
		return true;
	t = thread_find(c, host, NULL, 0, tid);
	if (t)
		mode_change(c, t, entry, ns);
	return true;
}

static bool consume_one(struct check_sink *c, const bt_message *m)
{
	const bt_clock_snapshot *cs;
	const bt_trace *tr;
	const char *host;
	int64_t ns;

	if (bt_message_get_type(m) != BT_MESSAGE_TYPE_EVENT ||
	    !bt_message_event_borrow_stream_class_default_clock_class_const(m))
		return true;
	cs = bt_message_event_borrow_default_clock_snapshot_const(m);
	if (!ns_of(cs, &ns))
		return true;	/* out of the ns range: not measurable */
	tr = bt_stream_borrow_trace_const(bt_event_borrow_stream_const(
		bt_message_event_borrow_event_const(m)));
	if (env_str(tr, ENV_REBASED))
		return guest_event(c, m, ns);
	host = env_str(tr, ENV_HOSTNAME);
	return host_event(c, m, host ? host : "", ns);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The 99th percentile of the distance to guest mode over the events
 * measured: those inside (at 0) and those outside at a known distance.
 * False: none measured.
 */
static bool p99(struct check_sink *c, int64_t *v)
{
	uint64_t n = c->inside + c->nr_dist;
	uint64_t rank = n - n / 100;	/* ceil(0.99 n) */

	if (!n)
		return false;
	*v = 0;
	if (rank <= c->inside)
		return true;
	qsort(c->dist, c->nr_dist, sizeof(*c->dist), cmp_i64);
	*v = c->dist[rank - c->inside - 1];
	return true;
}

/* Appends to @buf (of @len) like snprintf; "..." ends it when it is full. */
__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;
	int n;

	if (at + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= len - at && len >= 4)
		memcpy(buf + len - 4, "...", 4);
}

/*
 * The guest vCPUs that had events counted apart as unmatched (or, with
 * @before, as before any entry/exit, with their threads): "guest G on host
 * H: vCPU 0, 1; ...".
 */
static void name_vcpus(const struct check_sink *c, bool before, char *buf, size_t len)
{
	buf[0] = 0;
	for (size_t i = 0; i < c->nr_guests; i++) {
		const struct guest_vcpu *g = c->guests[i];
		bool named = false;

		if (!(before ? g->before : g->unmatched))
			continue;
		for (size_t j = 0; j < i && !named; j++)
			named = (before ? c->guests[j]->before : c->guests[j]->unmatched) &&
				!strcmp(c->guests[j]->host, g->host) &&
				!strcmp(c->guests[j]->guest, g->guest);
		if (named)
			continue;
		append(buf, len, "%sguest %s on host %s: vCPU ", buf[0] ? "; " : "",
		       g->guest, g->host);
		for (size_t j = i; j < c->nr_guests; j++) {
			const struct guest_vcpu *h = c->guests[j];
			const char *sep = " (thread ";

			if (!(before ? h->before : h->unmatched) ||
			    strcmp(h->host, g->host) || strcmp(h->guest, g->guest))
				continue;
			append(buf, len, "%s%" PRIu32, j == i ? "" : ", ", h->vcpu);
			for (size_t k = 0; before && k < c->nr_threads; k++) {
				if (c->threads[k]->g != h)
					continue;
				append(buf, len, "%s%" PRId64, sep, c->threads[k]->tid);
				sep = ", ";
			}
			if (before && sep[0] == ',')
				append(buf, len, ")");
		}
	}
	if (c->unnamed && !before)
		append(buf, len, "%s%" PRIu64 " in traces without %s, %s or %s, or packets without %s",
		       buf[0] ? "; " : "", c->unnamed, ENV_HOST_HOSTNAME, ENV_HOST_UUID,
		       ENV_HOST_VM, PACKET_CPU_ID);
}

#define RECORD_MODES "record them on the host (lttng-sessiond --extra-kmod-probes=kvm-tsc,kvm-vcpu; lttng enable-event -k 'kvm_tsc_*,kvm_vcpu_*')"

#define refuse(self, ...) comp_error(self, "sink.vmsync.check", __VA_ARGS__)

static bool report(struct check_sink *c, bt_self_component *self)
{
	char names[1024], dists[160], before[1200] = "";
	int64_t v;

	if (!c->events)
		return refuse(self, "no guest event put on host time came in: put filter.vmsync.tsc before this sink, with the host trace and its guests' traces");
	if (!c->entries || !c->exits)
		return refuse(self, "the host traces have %s, so guest mode is unknown (%s): " RECORD_MODES,
			      !c->entries && !c->exits ? "no kvm_vcpu_entry and no kvm_vcpu_exit events" :
			      !c->entries ? "no kvm_vcpu_entry events (only kvm_vcpu_exit)" :
			      "no kvm_vcpu_exit events (only kvm_vcpu_entry)",
			      !c->entries && !c->exits ? "no share is reported" :
			      !c->entries ? "a vCPU thread would never enter guest mode" :
			      "a vCPU thread that never exits would count as in guest mode forever");
	name_vcpus(c, false, names, sizeof(names));
	if (c->unmatched == c->events)
		return refuse(self, "none of the %" PRIu64 " guest events has a known vCPU thread: the host traces have no kvm_tsc_vcpu event for %s: record kvm_tsc_vcpu on the host (lttng-sessiond --extra-kmod-probes=kvm-tsc,kvm-vcpu; lttng enable-event -k 'kvm_tsc_*,kvm_vcpu_*'): vmsync's module gives it for every vCPU when tracing starts and when a vCPU is first seen",
			      c->events, names);
	/* Never entered again: the distance from the last exit, if any. */
	for (size_t i = 0; i < c->nr_guests; i++) {
		struct guest_vcpu *g = c->guests[i];

		for (size_t k = 0; k < g->nr_pending; k++) {
			if (g->pending[k].since_exit >= 0) {
				violation(c, g, g->pending[k].since_exit);
			} else {
				c->outside++;
				c->far_unknown++;
			}
		}
		g->nr_pending = 0;
	}
	if (c->nomem)
		return refuse(self, "out of memory");
	if (c->before)
		name_vcpus(c, true, before, sizeof(before));
	if (!c->inside && !c->outside)
		return refuse(self, "none of the %" PRIu64 " guest events can be put inside or outside guest mode: %" PRIu64 " came before any kvm_vcpu_entry/kvm_vcpu_exit of their vCPU thread (%s), %" PRIu64 " have no known vCPU thread%s%s%s: the host traces must have those threads' entries and exits from before the guest events",
			      c->events, c->before, before, c->unmatched,
			      c->unmatched ? " (" : "", c->unmatched ? names : "",
			      c->unmatched ? ")" : "");
	if (!p99(c, &v))
		snprintf(dists, sizeof(dists), "p99: n/a, worst: n/a");
	else if (!c->nr_dist)
		snprintf(dists, sizeof(dists), "p99: %" PRId64 " ns, worst: n/a", v);
	else
		snprintf(dists, sizeof(dists), "p99: %" PRId64 " ns, worst: %" PRId64 " ns in guest ",
			 v, c->worst);
	printf("vmsync-check: %" PRIu64 " guest events; %" PRIu64 " inside a guest-mode interval of their vCPU thread (%.3f%%), %" PRIu64 " outside; distance from guest mode: %s%s",
	       c->events, c->inside,
	       100.0 * (double)c->inside / (double)(c->inside + c->outside),
	       c->outside, dists, c->nr_dist ? c->worst_where : "");
	if (c->far_unknown)
		printf(", %" PRIu64 " outside at an unknown distance (no exit before, no entry after)",
		       c->far_unknown);
	printf("; %" PRIu64 " without a known vCPU thread", c->unmatched);
	if (c->unmatched)
		printf(" (%s)", names);
	if (c->before)
		printf("; %" PRIu64 " before any entry/exit of their vCPU thread (%s)", c->before, before);
	printf("; %" PRIu64 " host VM entries/exits\n", c->entries + c->exits);
	return true;
}

bt_component_class_initialize_method_status
check_sink_init(bt_self_component_sink *self, bt_self_component_sink_configuration *config,
		const bt_value *params, void *init_data)
{
	struct check_sink *c = calloc(1, sizeof(*c));

	(void)config;
	(void)init_data;
	if (!params_read(bt_self_component_sink_as_self_component(self),
			 "sink.vmsync.check", params, NULL, 0, NULL)) {
		free(c);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	if (!c || bt_self_component_sink_add_input_port(self, "in", NULL, NULL)) {
		free(c);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	bt_self_component_set_data(bt_self_component_sink_as_self_component(self), c);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

void check_sink_finalize(bt_self_component_sink *self)
{
	struct check_sink *c = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	bt_message_iterator_put_ref(c->it);
	for (size_t i = 0; i < c->nr_threads; i++)
		free(c->threads[i]);
	free(c->threads);
	for (size_t i = 0; i < c->nr_guests; i++) {
		free(c->guests[i]->pending);
		free(c->guests[i]);
	}
	free(c->guests);
	free(c->vm_uuids);
	free(c->dist);
	ptr_map_fini(&c->guest_streams);
	free(c);
}

bt_component_class_sink_graph_is_configured_method_status
check_sink_graph_is_configured(bt_self_component_sink *self)
{
	struct check_sink *c = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	if (bt_message_iterator_create_from_sink_component(self,
			bt_self_component_sink_borrow_input_port_by_name(self, "in"),
			&c->it))
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_MEMORY_ERROR;
	return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

static bool consume_msg(void *arg, const bt_message *m)
{
	return consume_one(arg, m);
}

static bool consume_end(void *arg, bt_self_component *self)
{
	return report(arg, self);
}

bt_component_class_sink_consume_method_status check_sink_consume(bt_self_component_sink *self)
{
	struct check_sink *c = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	return sink_consume(self, c->it, "sink.vmsync.check", consume_msg, consume_end, c);
}
