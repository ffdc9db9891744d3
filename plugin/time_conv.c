// SPDX-License-Identifier: GPL-2.0
/*
 * time_conv.c - a guest time onto host time: guest clock -> guest TSC ->
 * host TSC (the offset in effect) -> host clock, each step exact on the TSC
 * clock or through beacons on another clock (doc/clocks.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "tsc_iter.h"
#include "tsc_math.h"

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
static const struct host_vm *to_host(const struct tsc_iter *it, struct stream_info *si,
				     uint64_t guest, uint64_t *host)
{
	const struct trace_info *t = si->t;
	const struct host_vm *best = NULL;
	uint64_t best_since = 0;

	for (size_t i = t->nr_vms; i-- > 0;) {
		uint64_t h, since;
		bool fits;

		if (host_model_to_host(t->vms[i], si->cpu, &si->vcpu_hint, guest, &h, &since, &fits) &&
		    (!best || began_later(it, t->vms[i], since, best, best_since))) {
			*host = h;
			best_since = since;
			best = t->vms[i];
			si->conv_fits = fits;
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
	v = ((__int128)fs - ts) * (__int128)ff + (__int128)fc + (__int128)clk;
	/* Past 2^64 s in either clock's cycles: no time of either. */
	if (!ff || v > ((__int128)1 << 100) || v < -((__int128)1 << 100))
		return false;
	v *= (__int128)tf;
	v = (v >= 0 ? v + (__int128)ff / 2 : v - (__int128)ff / 2) / (__int128)ff - (__int128)tc;
	if (v < 0 || v > (__int128)UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* The time in ns from origin of cycles @clk of guest @t's host clock. */
bool host_ns(const struct trace_info *t, uint64_t clk, int64_t *ns)
{
	return clock_ns(t->out_clock, clk, ns);
}

/*
 * About host_ns() (within a few ns of it), for deciding when to wait: the
 * library's conversion, which orders, is paid once, on the copied message.
 */
int64_t host_ns_about(const struct trace_info *t, uint64_t clk)
{
	double ns = t->host_base_ns + (double)clk * t->host_ns_per_cycle;

	return ns >= 9.2e18 ? INT64_MAX : ns <= -9.2e18 ? INT64_MIN : (int64_t)ns;
}

struct beacons *guest_beacons(struct tsc_iter *it, struct trace_info *t,
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
 * A nested guest's (L2's) time @out, in its host L1's clock cycles, onto
 * L1's host's (L0's) clock, as L1's own times go: @out and @h become L0's
 * clock cycles and TSC. Which vCPU of L1 ran the L2 vCPU is not in the
 * traces: each vCPU of L1's VM known at that time must give the same L0
 * time; when they do not, or one of them is in doubt there, the time is
 * not vouched for (si->via_doubt, the reason in t->via_note). L1's own
 * host data (its kvm_tsc_* events for L2) must be read up to that time.
 */
static enum conv through_l1(struct tsc_iter *it, struct stream_info *si, uint64_t *out,
			    uint64_t *h)
{
	struct trace_info *l1 = si->t->via;
	const struct host_vm *vm = l1->vms[l1->nr_vms - 1];
	struct stream_info v = { .t = l1, .cpu_known = true };
	uint64_t o, g, hh, first = 0;
	int64_t ns, l0_ns;
	bool some = false;
	enum conv st;

	si->via_doubt = false;
	if (!clock_ns(l1->clock, *out, &ns))
		return CONV_NO_OFFSET;
	si->via_ns = ns;
	if (!inputs_ended(it, l1->inputs) &&
	    (__int128)ns + WAIT_MARGIN_NS + it->f->downtime_ns > inputs_frontier(it, l1->inputs))
		return CONV_WAIT;
	for (size_t k = 0; k < vm->nr_vcpus; k++) {
		v.cpu = vm->vcpus[k].vcpu;
		st = conv_time(it, &v, *out, &o, &g, &hh);
		if (st == CONV_WAIT)
			return st;
		if (st != CONV_OK)
			continue;	/* no offset of it in effect then */
		if (!some) {
			first = o;
			*h = hh;
			some = true;
		} else if (o != first && !si->via_doubt) {
			si->via_doubt = true;
			snprintf(si->t->via_note, sizeof(si->t->via_note),
				 "its host L1 '%s' (VM %s of '%s') has vCPUs with different TSC offsets then, and which of them ran this L2 vCPU is not in the traces",
				 trace_name(l1->trace), vm->vm, l1->host->name);
		}
		if (!si->via_doubt && !v.conv_fits) {
			si->via_doubt = true;
			snprintf(si->t->via_note, sizeof(si->t->via_note),
				 "no TSC offset recorded for its host L1's VM %s vCPU %" PRIu32 " in '%s' gives L1's TSC consistently: a change is missing there",
				 vm->vm, v.cpu, l1->host->name);
		}
		if (si->via_doubt || (!it->model.nr_doubts && !it->model.host_ended) ||
		    !clock_ns(l1->out_clock, o, &l0_ns))
			continue;
		if (it->model.host_ended && l0_ns > l1->host->end_ns) {
			si->via_doubt = true;
			snprintf(si->t->via_note, sizeof(si->t->via_note),
				 "after the host trace '%s' of its host L1 ended: an offset change of L1's vCPUs after then is not known",
				 l1->host->name);
		} else if (it->model.nr_doubts) {
			const struct doubt *d = host_model_doubt(&it->model, vm, v.cpu, l0_ns);

			if (d) {
				si->via_doubt = true;
				snprintf(si->t->via_note, sizeof(si->t->via_note),
					 "its host L1's VM %s vCPU %" PRIu32 " in '%s': %s",
					 vm->vm, v.cpu, l1->host->name, d->what);
			}
		}
	}
	if (!some)
		return CONV_NO_OFFSET;
	*out = first;
	if (si->via_doubt)
		si->conv_fits = false;	/* for release_held(): unverified() says why */
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
enum conv conv_time(struct tsc_iter *it, struct stream_info *si, uint64_t c,
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
	si->conv_fits = true;	/* to_host() says otherwise */
	if (t->by_beacons) {
		bs = guest_beacons(it, t, si->cpu);
		if (!bs)
			return CONV_GUEST_BEACONS;
		beacons_set_final(bs, inputs_ended(it, t->inputs));
		st = beacons_to_host(it, si, bs, c, h, &vm);
		if (st != CONV_OK)
			return st;
		si->conv_fits = true;	/* its beacons' offsets were judged, not its own */
	} else if (!(vm = to_host(it, si, *g, h))) {
		return CONV_NO_OFFSET;
	}
	si->conv_vm = vm;
	ht = it->model.hosts[vm->host];
	switch (host_clk(it, t, ht, *h, out)) {
	case BEACONS_OK:
		break;
	case BEACONS_WAIT:
		return CONV_WAIT;
	default:
		return CONV_HOST_BEACONS;
	}
	if (ht != t->host) {
		*h = 0;
		if (!clock_to_clock(ht->clock, *out, t->host->clock, out))
			return CONV_NO_OFFSET;
	}
	return t->via ? through_l1(it, si, out, h) : CONV_OK;
}

/* What was wrong with the values its vCPU's host events had, if anything. */
static const char *unusable_values(const struct stream_info *si)
{
	for (size_t i = 0; i < si->t->nr_vms; i++) {
		const struct host_vm *vm = si->t->vms[i];

		for (size_t c = 0; c < vm->nr_vcpus; c++)
			for (size_t k = 0; vm->vcpus[c].vcpu == si->cpu && k < vm->vcpus[c].nr_doubts; k++)
				if (vm->vcpus[c].doubts[k].cause == DOUBT_VALUES)
					return vm->vcpus[c].doubts[k].what;
	}
	return NULL;
}

/*
 * Whether conversion @st (of guest TSC @g, to host TSC @h) went through;
 * if not, the error that says what is missing.
 */
bool conv_done(struct tsc_iter *it, struct stream_info *si, enum conv st,
		      uint64_t g, uint64_t h)
{
	/* Its name only for an error: the library call is not paid per event. */
	const char *name = st == CONV_OK ? NULL : trace_name(si->t->trace), *bad;

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
		bad = unusable_values(si);
		if (bad) {
			iter_error(it, "filter.vmsync.tsc: guest trace '%s', vCPU %" PRIu32 ": no usable TSC offset gives guest TSC %" PRIu64 ": %s",
				   name, si->cpu, g, bad);
			break;
		}
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
bool convert_cs(struct tsc_iter *it, struct stream_info *si,
		       const bt_clock_snapshot *cs, uint64_t *host)
{
	uint64_t g = 0, h = 0;
	enum conv st = conv_time(it, si, bt_clock_snapshot_get_value(cs), host, &g, &h);

	return conv_done(it, si, st, g, h);
}
