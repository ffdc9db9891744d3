// SPDX-License-Identifier: GPL-2.0
/*
 * guest_match.c - which trace is what: a host (kvm_tsc_* events), on a
 * host's clock, or a guest matched to the host's VMs (by map, product UUID
 * or a matched guest's clock); the per-trace and per-stream records.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "tsc_iter.h"

/* The VM named for trace @name by the map parameter, or NULL. */
const char *mapped_vm(const struct tsc_filter *f, const char *name,
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

/*
 * Trace @t, held until now, is decided a guest or on a host's clock: no
 * longer counted as unmatched (or as a host still to decide), and no input
 * of its own is taken as bringing host data (in vmsync-merge's graph an
 * input is one stream; in convert mode the one input brings the host too).
 */
static void decided(struct tsc_iter *it, struct trace_info *t)
{
	if (t->counted) {
		t->counted = false;
		it->unmatched--;
	}
	if (t->announced) {
		t->announced = false;
		it->undecided--;
	}
	for (size_t i = 0; it->nr_inputs > 1 && i < it->nr_inputs && i < 64; i++)
		if (t->inputs >> i & 1)
			it->inputs[i].carries_host = false;
}

/* Whether @ht is a host's trace (not a guest's that runs guests of its own). */
static bool is_host(const struct tsc_iter *it, const struct host_trace *ht)
{
	const struct trace_info *t = ptr_map_get(&it->traces, ht->trace);

	return t && t->kind == TRACE_HOST;
}

/* The default clock of trace @tr's first stream, or NULL. */
static const bt_clock_class *trace_clock(const bt_trace *tr)
{
	return bt_trace_get_stream_count(tr) ?
	       bt_stream_class_borrow_default_clock_class_const(bt_stream_borrow_class_const(
			bt_trace_borrow_stream_by_index_const(tr, 0))) : NULL;
}

/*
 * Trace @t (on clock @cc) has neither product UUID nor map entry: a
 * guest's user-space trace, matched by sharing its clock with that guest's
 * kernel trace (which has a UUID: no recursion goes further). That
 * one may not be decided yet (its messages wait behind @t's, once the host
 * traces ended): decide the undecided traces on @cc that carry a product
 * UUID first.
 */
static void match_clock_mates(struct tsc_iter *it, struct trace_info *t,
			      const bt_clock_class *cc)
{
	for (size_t i = 0; i < it->traces.cap && !it->failed; i++) {
		struct trace_info *o = it->traces.keys[i] ? it->traces.values[i] : NULL;
		const char *uuid = o && o != t ? env_str(o->trace, ENV_PRODUCT_UUID) : NULL;
		const bt_clock_class *occ;

		if (!uuid || !uuid[0] || o->kind != TRACE_UNKNOWN)
			continue;
		occ = trace_clock(o->trace);
		if (occ && same_clock(cc, occ))
			classify(it, o, occ, true);
	}
}

/*
 * Decide what a non-host trace is, once the host traces said enough: a
 * trace on a host's clock passes; a guest is matched by the map parameter,
 * its product UUID, or its clock being a matched guest's. Returns false
 * while it cannot be decided yet (or on error, with it->failed).
 */
bool classify(struct tsc_iter *it, struct trace_info *t,
		     const bt_clock_class *cc, bool hosts_done)
{
	const char *uuid = env_str(t->trace, ENV_PRODUCT_UUID);
	char vm[64], known[1024];
	size_t i;

	for (i = 0; i < it->model.nr_hosts; i++)
		if (is_host(it, it->model.hosts[i]) && same_clock(cc, it->model.hosts[i]->clock)) {
			t->kind = TRACE_HOST_SIDE;
			decided(it, t);
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
	if (!t->nr_vms && hosts_done && !(uuid && uuid[0]))
		match_clock_mates(it, t, cc);
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
	t->via = NULL;
	/*
	 * Its host is itself a guest (a nested hypervisor, L1): it goes on
	 * L1's host's clock through L1's offsets, once L1 is matched.
	 */
	if (!is_host(it, t->host)) {
		struct trace_info *h = ptr_map_get(&it->traces, t->host->trace);

		if (h && h->kind == TRACE_UNKNOWN && h->nested)
			classify(it, h, trace_clock(h->trace), hosts_done);
		if (it->failed || (h && h->kind == TRACE_UNKNOWN))
			return false;	/* that is being decided */
		if (!h || h->kind != TRACE_GUEST || h->via || h->by_beacons) {
			iter_error(it, "filter.vmsync.tsc: trace '%s' is a guest of VM %s of '%s', which is itself a guest %s: a guest goes on host time through one nested hypervisor at most, on the TSC clock; convert '%s' with its own host trace '%s' alone",
				   trace_name(t->trace), t->vms[0]->vm, t->host->name,
				   h && h->via ? "of a guest (L3 and deeper)" :
				   "in default-clock mode", trace_name(t->trace), t->host->name);
			return false;
		}
		t->via = h;
	}
	t->out_clock = t->via ? t->via->host->clock : t->host->clock;
	clock_about(t->out_clock, &t->host_base_ns, &t->host_ns_per_cycle);
	/* Default-clock mode on either side: through the beacons. */
	t->by_beacons = !bt_clock_class_get_name(cc) ||
			strcmp(bt_clock_class_get_name(cc), TSC_CLOCK_NAME);
	t->note = (struct ir_rebase_note){ t->host->name, t->host->hostname,
					   t->vms[t->nr_vms - 1]->vm, t->uuid,
					   t->by_beacons || !t->host->tsc_clock ?
					   "beacons" : "exact" };
	t->clock = cc;
	t->kind = TRACE_GUEST;
	decided(it, t);
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
	/* A host once it announces VMs, and not a guest of another (take()). */
	t->host_classes = host_model_is_host_class(bt_stream_borrow_class_const(s));
	return t;
}

struct stream_info *stream_of(struct tsc_iter *it, const bt_stream *s)
{
	struct stream_info *si;

	/* Messages come in runs of one stream: the last one is remembered. */
	if (s == it->last_stream)
		return it->last_si;
	si = ptr_map_get(&it->streams, s);
	if (si) {
		it->last_stream = s;
		it->last_si = si;
		return si;
	}
	si = calloc(1, sizeof(*si));
	if (!si || !ptr_map_put(&it->streams, s, si)) {
		free(si);
		return NULL;
	}
	si->t = trace_of(it, s);
	si->clocked = bt_stream_class_borrow_default_clock_class_const(
				bt_stream_borrow_class_const(s)) != NULL;
	si->last_key = si->last_own = si->out_max_ns = INT64_MIN;
	si->gap = si->gap_next = INT64_MIN;
	si->run = reorder_new_run(&it->heap);
	return si->t && si->run != SIZE_MAX ? si : NULL;
}

/*
 * A guest matched by UUID: VMs announced since with it join (a migration).
 * A joining VM's offsets may have been read before its UUID (another CPU's
 * stream): they are looked at now.
 */
void refresh_vms(struct tsc_iter *it, struct trace_info *t)
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
