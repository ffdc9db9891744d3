// SPDX-License-Identifier: GPL-2.0
/*
 * report_guest.c - guest latencies measured against their vCPU's host-side
 * states.
 *
 * A guest event comes from a trace filter.vmsync.tsc rebased onto host
 * time; its guest is named by env vmsync_host_uuid (else vmsync_host_vm),
 * on host vmsync_host_hostname, and its vCPU by its stream's cpu_id, as in
 * sink.vmsync.check. A guest sched_wakeup opens a wakeup latency on the
 * woken thread's target vCPU; that thread's sched_switch in closes it. An
 * event matching the begin pattern opens a marked interval on its vCPU
 * (per guest thread, when the event has a vtid or tid context), one
 * matching the end pattern closes it. While open, every host-side segment
 * of that vCPU's thread adds its overlap; what no segment covers (no known
 * thread, or a thread not yet in a known state) is unknown. So the parts
 * always sum to the latency.
 */
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "event_kind.h"
#include "sink_util.h"
#include "report.h"
#include "timeline.h"

/* Does host thread @t run guest vCPU @g (the same rule as sink.vmsync.check)? */
static bool runs(const struct vcpu_thread *t, const struct guest_vcpu *g)
{
	return t->vcpu == g->vcpu &&
	       ((t->uuid[0] && !strcmp(t->uuid, g->guest)) ||
		(!strcmp(t->host, g->host) && !strcmp(t->vm, g->guest)));
}

static void link(struct guest_vcpu *g, struct lane *l)
{
	g->lane = l;
	g->had_lane = true;
	l->g = g;
}

static struct lane *lane_of(struct report *r, struct vcpu_thread *t)
{
	struct lane *l = t->user;

	if (l)
		return l;
	l = append_new(&r->lanes, &r->nr_lanes, sizeof(*l));
	if (!l) {
		r->nomem = true;
		return NULL;
	}
	l->t = t;
	l->id = (unsigned int)r->nr_lanes - 1;
	t->user = l;
	if (r->tl)
		timeline_vcpu_lane(r->tl, l);
	return l;
}

void report_link_thread(struct report *r, struct vcpu_thread *t)
{
	struct lane *l = lane_of(r, t);

	if (!l)
		return;
	for (size_t i = 0; i < r->nr_guests; i++)
		if (runs(t, r->guests[i])) {
			link(r->guests[i], l);
			break;
		}
}

struct guest_vcpu *report_guest_vcpu(struct report *r, const char *host, const char *guest,
				     uint32_t vcpu)
{
	struct guest_vcpu *g;

	for (size_t i = 0; i < r->nr_guests; i++) {
		g = r->guests[i];
		if (g->vcpu == vcpu && !strcmp(g->guest, guest) && !strcmp(g->host, host))
			return g;
	}
	g = append_new(&r->guests, &r->nr_guests, sizeof(*g));
	if (!g) {
		r->nomem = true;
		return NULL;
	}
	snprintf(g->host, sizeof(g->host), "%s", host);
	snprintf(g->guest, sizeof(g->guest), "%s", guest);
	g->vcpu = vcpu;
	g->task_tid = -1;
	for (size_t i = 0; i < r->nr_lanes; i++)
		if (runs(r->lanes[i]->t, g))
			link(g, r->lanes[i]);	/* the latest named wins */
	if (r->tl)
		timeline_guest_lane(r->tl, g);
	return g;
}

void report_segment(struct report *r, struct vcpu_thread *t, const struct vcpu_segment *s)
{
	struct lane *l = lane_of(r, t);

	if (!l)
		return;
	if (s->state != VS_UNKNOWN) {
		if (!l->seen)
			l->first = s->begin;
		l->seen = true;
		l->last = s->end;
		bd_add(&l->total, s, s->begin, s->end);
		if (s->state == VS_PREEMPTED && !bd_by_all_add(&l->by_all, s))
			r->nomem = true;
	}
	if (r->tl)
		timeline_segment(r->tl, l, s);
	if (t->woken && s->begin >= t->woken_at) {
		if (l->since_wake_of != t->woken_at) {
			l->since_wake_of = t->woken_at;
			memset(&l->since_wake, 0, sizeof(l->since_wake));
		}
		bd_add(&l->since_wake, s, s->begin, s->end);
	}
	if (!l->g || l->g->lane != l)
		return;
	for (size_t i = 0; i < r->nr_open; i++)
		if (r->open[i]->g == l->g)
			bd_add(&r->open[i]->bd, s, r->open[i]->begin, s->end);
}

static bool same_guest(const struct guest_vcpu *a, const struct guest_vcpu *b)
{
	return !strcmp(a->guest, b->guest) && !strcmp(a->host, b->host);
}

static struct latency *open_find(struct report *r, enum lat_kind kind,
				 const struct guest_vcpu *g, int64_t tid)
{
	for (size_t i = 0; i < r->nr_open; i++) {
		struct latency *o = r->open[i];

		if (o->kind != kind || !same_guest(o->g, g))
			continue;
		/* A mark without a thread is per vCPU. */
		if (tid >= 0 ? o->tid == tid : (o->tid < 0 && o->g == g))
			return o;
	}
	return NULL;
}

/* The new latency; NULL: one is open for it (the first counts), or no memory. */
static struct latency *open_latency(struct report *r, enum lat_kind kind,
				    struct guest_vcpu *g, int64_t tid, const char *comm,
				    const char *name, int64_t ns)
{
	struct latency *o;

	if (open_find(r, kind, g, tid))
		return NULL;
	o = append_new(&r->open, &r->nr_open, sizeof(*o));
	if (!o) {
		r->nomem = true;
		return NULL;
	}
	o->kind = kind;
	o->g = g;
	o->tid = tid;
	o->begin = ns;
	o->ran_vcpu = g->vcpu;
	snprintf(o->comm, sizeof(o->comm), "%s", comm);
	snprintf(o->name, sizeof(o->name), "%s", name);
	return o;
}

/*
 * The first thread a guest wakes on the vCPU it runs on, since the host
 * woke that halted vCPU (before it halts again, within wake-guest-us of
 * guest-mode time): the interrupt that
 * ended the halt (a timer, an IPI, I/O) is what woke the thread, and it
 * waited for the vCPU from the host's wakeup on, though the guest could
 * not see it. The latency @o then begins at the host's wakeup, with the
 * states since in its breakdown and the time before the guest's
 * sched_wakeup kept apart.
 */
static void from_host_wakeup(const struct report *r, struct lane *l, struct latency *o)
{
	const struct vcpu_thread *t = l->t;

	if (!t->woken || t->cur.state != VS_GUEST || l->claimed == t->woken_at ||
	    l->since_wake_of != t->woken_at)
		return;
	/*
	 * The interrupt is handled as soon as the vCPU runs: a thread woken
	 * after more guest-mode time than wake-guest-us was woken by the
	 * guest's own work since, not by it.
	 */
	if ((uint64_t)(l->since_wake.ns[VS_GUEST] + (o->begin - t->cur.begin)) >
	    r->wake_guest_ns)
		return;
	l->claimed = t->woken_at;
	o->before_guest = o->begin - t->woken_at;
	o->begin = t->woken_at;
	o->bd = l->since_wake;
}

/* Latency @o ends at @ns: the open host segment adds its part, the rest is unknown. */
static void close_latency(struct report *r, struct latency *o, int64_t ns)
{
	struct lane *l = o->g->lane;
	int64_t rest;

	if (ns < o->begin)
		ns = o->begin;
	o->end = ns;
	if (l) {
		struct vcpu_segment s = l->t->cur;

		s.end = ns;
		bd_add(&o->bd, &s, o->begin, ns);
	}
	rest = (o->end - o->begin) - bd_total(&o->bd);
	if (rest > 0)
		o->bd.ns[VS_UNKNOWN] += rest;
	if (o->kind == LAT_WAKEUP)
		r->wakeups++;
	else
		r->marks++;
	if (o->kind == LAT_MARK || (uint64_t)(o->end - o->begin) >= r->min_latency_ns) {
		if (o->kind == LAT_WAKEUP)
			r->late++;
		report_latency_done(r, o);
	}
	for (size_t i = 0; i < r->nr_open; i++)
		if (r->open[i] == o) {
			r->open[i] = r->open[--r->nr_open];
			break;
		}
	free(o);
}

/* The thread the event ran in, from its vtid or tid context; -1: none. */
static int64_t context_tid(const bt_event *ev)
{
	const bt_field *ctx = bt_event_borrow_common_context_field_const(ev);
	const char *names[] = { "vtid", "tid" };
	int64_t tid;

	if (!ctx || bt_field_get_class_type(ctx) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return -1;
	for (size_t i = 0; i < 2; i++)
		if (field_int(bt_field_structure_borrow_member_field_by_name_const(ctx, names[i]),
			      &tid))
			return tid;
	return -1;
}

/* The guest's sched_switch on vCPU @g: what runs there now, a wakeup's end. */
static void guest_switch(struct report *r, struct guest_vcpu *g, const bt_event *ev,
			 const struct ev_class_info *ci, int64_t ns)
{
	int64_t next;
	char comm[TASK_COMM_LEN_MAX];
	struct latency *o;

	if (!ev_int(ev, ci, F_NEXT_TID, &next))
		return;
	ev_str(ev, ci, F_NEXT_COMM, comm, sizeof(comm));
	if (r->tl && g->task_known)
		timeline_guest_task(r->tl, g, g->task_since, ns);
	g->task_known = true;
	g->task_tid = next;
	g->task_since = ns;
	memcpy(g->task_comm, comm, sizeof(comm));
	o = open_find(r, LAT_WAKEUP, g, next);
	if (o && next > 0) {
		o->ran_vcpu = g->vcpu;
		close_latency(r, o, ns);
	}
}

static bool guest_wakeup(struct report *r, struct guest_vcpu *g, const bt_event *ev,
			 const struct ev_class_info *ci, int64_t ns)
{
	int64_t tid, target;
	char comm[TASK_COMM_LEN_MAX];
	struct guest_vcpu *on = g;
	struct latency *o;

	if (!ev_int(ev, ci, F_TID, &tid) || tid <= 0)
		return true;
	ev_str(ev, ci, F_COMM, comm, sizeof(comm));
	if (ev_int(ev, ci, F_TARGET_CPU, &target) && target >= 0 && target <= UINT32_MAX &&
	    target != g->vcpu) {
		on = report_guest_vcpu(r, g->host, g->guest, (uint32_t)target);
		if (!on)
			return false;
	}
	o = open_latency(r, LAT_WAKEUP, on, tid, comm, "", ns);
	if (o && on == g && g->lane)
		from_host_wakeup(r, g->lane, o);
	return !r->nomem;
}

bool report_guest_event(struct report *r, const bt_event *ev, const struct ev_class_info *ci,
			struct guest_vcpu *g, int64_t ns)
{
	r->guest_events++;
	if (!g) {
		r->unmatched_guest++;
		return true;
	}
	g->events++;
	if (ci->kind == EK_SCHED_SWITCH) {
		r->guest_sched++;
		guest_switch(r, g, ev, ci, ns);
	} else if (ci->kind == EK_SCHED_WAKEUP) {
		r->guest_sched++;
		if (!guest_wakeup(r, g, ev, ci, ns))
			return false;
	}
	if ((ci->mark & 1) && mark_pattern_fields(&r->begin, ev)) {
		char comm[TASK_COMM_LEN_MAX] = "";
		int64_t tid = context_tid(ev);

		if (tid >= 0 && g->task_known && g->task_tid == tid)
			memcpy(comm, g->task_comm, sizeof(comm));
		open_latency(r, LAT_MARK, g, tid, comm, ci->name, ns);
	} else if ((ci->mark & 2) && mark_pattern_fields(&r->end, ev)) {
		int64_t tid = context_tid(ev);
		struct latency *o = open_find(r, LAT_MARK, g, tid);

		/* Without a thread, per vCPU; else the oldest of the guest (it moved). */
		for (size_t i = 0; !o && tid < 0 && i < r->nr_open; i++)
			if (r->open[i]->kind == LAT_MARK && r->open[i]->tid < 0 &&
			    same_guest(r->open[i]->g, g) &&
			    (!o || r->open[i]->begin < o->begin))
				o = r->open[i];

		if (o) {
			o->ran_vcpu = g->vcpu;
			close_latency(r, o, ns);
		}
	}
	return !r->nomem;
}

void report_guest_end(struct report *r)
{
	/* Still waiting at the end: not a latency anyone saw end; left out. */
	r->unfinished += r->nr_open;
	for (size_t i = 0; i < r->nr_open; i++)
		free(r->open[i]);
	r->nr_open = 0;
	for (size_t i = 0; r->tl && i < r->nr_guests; i++)
		if (r->guests[i]->task_known)
			timeline_guest_task(r->tl, r->guests[i], r->guests[i]->task_since,
					    r->last_ns);
}

void report_guest_fini(struct report *r)
{
	for (size_t i = 0; i < r->nr_open; i++)
		free(r->open[i]);
	free(r->open);
	for (size_t i = 0; i < r->nr_guests; i++)
		free(r->guests[i]);
	free(r->guests);
	for (size_t i = 0; i < r->nr_lanes; i++) {
		bd_by_all_fini(&r->lanes[i]->by_all);
		free(r->lanes[i]);
	}
	free(r->lanes);
}
