// SPDX-License-Identifier: GPL-2.0
/*
 * window.c - how long the merge must wait: how far each input's times sit
 * above host time (from its guests' offsets, now and ahead of a change read
 * on the host), how far the host traces were read, and the time before
 * which no message can still come.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bt_util.h"
#include "tsc_iter.h"
#include "tsc_math.h"

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
	int64_t own, host;
	uint64_t g;

	if (!t->clock || t->by_beacons || !ht->tsc_clock || !h)
		return false;	/* not a TSC clock, or no host time to take it at */
	g = tsc_guest_from_host(h, seg->offset, seg->ratio, seg->frac_bits);
	if (!clock_ns(t->clock, g, &own) || !clock_ns(ht->clock, h, &host) ||
	    (__int128)own - host > INT64_MAX || (__int128)own - host < INT64_MIN)
		return false;
	*gap = own - host;
	return true;
}

/* A guest stream not converted yet: how it sits, from its vCPU's offset. */
void expect_stream(const struct tsc_iter *it, struct stream_info *si)
{
	const struct trace_info *t = si->t;
	int64_t gap;

	for (size_t i = t->nr_vms; i-- > 0;)
		for (size_t c = 0; c < t->vms[i]->nr_vcpus; c++) {
			const struct vcpu_history *h = &t->vms[i]->vcpus[c];
			const struct tsc_segment *seg = h->nr ? &h->segs[h->nr - 1] : NULL;

			if (h->vcpu != si->cpu || !seg)
				continue;
			/*
			 * At a host TSC it held at: from its start, or, one in
			 * effect since before the trace (a dump's), where it was
			 * read (at 0, the guest's TSC would wrap: no time at all).
			 */
			if (gap_of(t, it->model.hosts[t->vms[i]->host], seg,
				   seg->since ? seg->since : seg->read_at, &gap) &&
			    gap > si->gap_next)
				si->gap_next = gap;
			return;
		}
}

void expect_gap(struct tsc_iter *it, const struct trace_info *t,
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
void check_set_back(struct tsc_iter *it, struct trace_info *t,
		    const struct host_vm *vm, uint32_t vcpu, const struct tsc_segment *seg)
{
	uint64_t freq = bt_clock_class_get_frequency(t->host->clock);
	int64_t before;
	__int128 back;

	/* max_host_tsc is a TSC of its first host. */
	if (t->warned_downtime || !seg->since || it->model.hosts[vm->host] != t->host ||
	    !freq || !offset_before(t, vm->host, vcpu, seg, &before) || before <= seg->offset)
		return;
	back = (__int128)before - seg->offset;	/* guest cycles, about host cycles */
	if (!t->host->tsc_clock || back * 1000000000 / freq <= it->f->downtime_ns ||
	    (__int128)t->max_host_tsc + back < (__int128)seg->since)
		return;
	t->warned_downtime = true;
	fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s': the TSC of its vCPU %" PRIu32 " was set back by %.0f cycles (%.1f ms: a migration or a restore) at host TSC %" PRIu64 ", after some of its events had been put on host time: those read after it may be early by up to that much. Run again with downtime-ms=%.0f or more\n",
		trace_name(t->trace), vcpu, (double)back, (double)back * 1e3 / (double)freq,
		seg->since, (double)(back * 1000 / freq + 1));
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
	double per_ns = 0, j;

	if (!seg->since || !offset_before(t, vm->host, vcpu, seg, &before) ||
	    seg->offset <= before)
		return;
	for (size_t i = bs ? bs->nr : 0; i-- > 1 && !per_ns;)
		if (bs->b[i].clk > bs->b[i - 1].clk)	/* TSC cycles per clock ns */
			per_ns = (double)(bs->b[i].tsc - bs->b[i - 1].tsc) * 1e9 /
				 (double)(bs->b[i].clk - bs->b[i - 1].clk) / (double)bs->freq;
	if (per_ns <= 0)
		return;
	j = (double)((__int128)seg->offset - before) / per_ns;
	jump = j >= 9.2e18 ? INT64_MAX : (int64_t)j;
	for (size_t i = 0; i < it->nr_inputs; i++)
		for (size_t j = 0; j < it->inputs[i].nr_streams; j++) {
			struct stream_info *si = it->inputs[i].streams[j];

			if (si->t == t && si->cpu_known && si->cpu == vcpu && si->gap != INT64_MIN &&
			    (__int128)si->gap + jump > si->gap_next)
				si->gap_next = (__int128)si->gap + jump > INT64_MAX ? INT64_MAX :
					       si->gap + jump;
		}
}

void expect_change(struct tsc_iter *it, const struct host_vm *vm, uint32_t vcpu,
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
	int64_t safe = INT64_MAX, hf = it->hf_fresh && !it->f->live_bound_ns ? it->hf :
				     host_frontier(it);

	if (it->unmatched)
		return INT64_MIN;
	for (size_t i = 0; i < it->nr_inputs; i++) {
		const struct input *in = &it->inputs[i];
		int64_t above;
		__int128 b;

		if (in->ended && !in->ho_nr)
			continue;
		above = in->above;
		if (in->frontier == INT64_MIN || above == INT64_MIN) {
			int64_t floor;

			/* Not read, or how its guests sit unknown ... */
			if (!it->f->live_bound_ns || in->ho_nr)
				return INT64_MIN;
			/*
			 * ... unless live: quiet for long enough, or bringing
			 * only inactivity, its times of day (no guest of it
			 * converted yet) are taken as host time within the bound.
			 */
			floor = live_floor(it, in);
			if (in->frontier != INT64_MIN &&
			    (__int128)in->frontier - it->f->live_bound_ns > floor)
				floor = in->frontier - it->f->live_bound_ns;
			if (floor == INT64_MIN)
				return INT64_MIN;
			b = floor;
		} else {
			b = (__int128)(in->ho_nr ? in->held_own[in->ho_first] : in->frontier) - above;
			if (in->ho_nr && hf < b)
				b = hf;
			if (it->f->live_bound_ns && !in->ho_nr) {
				int64_t floor = live_floor(it, in);

				if (floor > b)
					b = floor;	/* live, and quiet for long enough */
			}
		}
		b -= it->f->slack_ns;
		if (b <= INT64_MIN)
			return INT64_MIN;
		if (b < safe)
			safe = (int64_t)b;
	}
	return safe;
}

/*
 * After what was read changed: each input's input_above() (its guests'
 * streams walked once, not once per use) and the safe time, kept in @it.
 */
int64_t window_update(struct tsc_iter *it)
{
	for (size_t i = 0; i < it->nr_inputs; i++)
		it->inputs[i].above = input_above(&it->inputs[i]);
	it->safe = safe_time(it);
	it->window_fresh = true;
	return it->safe;
}

/* About how far in host time input @in was read (at the last update). */
int64_t behind(const struct input *in)
{
	int64_t above = in->above;

	return in->frontier == INT64_MIN ? INT64_MIN :
	       in->frontier - (above == INT64_MIN ? 0 : above);
}

bool hosts_ended(const struct tsc_iter *it)
{
	for (size_t i = 0; i < it->nr_inputs; i++)
		if (!it->inputs[i].ended && (it->inputs[i].carries_host || !it->inputs[i].seen))
			return false;
	return true;
}

static int64_t clock_now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Live (live-bound-ms): the time before which input @in, which had nothing
 * for that long, is taken to have nothing more to bring: that long before
 * the time of day (LTTng's clocks count from the Unix epoch). INT64_MIN
 * when it is not so quiet, or the filter is not live.
 */
__attribute__((cold)) int64_t live_floor(const struct tsc_iter *it, const struct input *in)
{
	if (!it->f->live_bound_ns || !in->quiet_since || in->ended ||
	    clock_now(CLOCK_MONOTONIC) - in->quiet_since < it->f->live_bound_ns)
		return INT64_MIN;
	return clock_now(CLOCK_REALTIME) - it->f->live_bound_ns;
}

/* Input @in has nothing: quiet since now, unless since before. */
__attribute__((cold)) void input_quiet(struct input *in)
{
	if (!in->quiet_since)
		in->quiet_since = clock_now(CLOCK_MONOTONIC);
}

/* How far input @in was read, or, live and quiet long enough, its floor. */
int64_t input_reach(const struct tsc_iter *it, const struct input *in)
{
	int64_t floor = in->quiet_since ? live_floor(it, in) : INT64_MIN;

	return floor > in->frontier ? floor : in->frontier;
}

/* How far host time has been read: no host message earlier will come. */
int64_t host_frontier(const struct tsc_iter *it)
{
	int64_t f = INT64_MAX;

	for (size_t i = 0; i < it->nr_inputs; i++) {
		const struct input *in = &it->inputs[i];
		int64_t fr;

		if (in->ended || !(in->carries_host || !in->seen))
			continue;
		fr = input_reach(it, in);
		if (fr < f)
			f = fr;
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
bool host_passed(const struct tsc_iter *it, const struct trace_info *t,
			int64_t hf)
{
	return host_model_all_dumped(&it->model) && t->first_ns != INT64_MIN &&
	       hf != INT64_MAX && (__int128)hf - t->first_ns > it->f->window_limit_ns;
}

/* How far (own time) the inputs of @mask that have not ended were read. */
int64_t inputs_frontier(const struct tsc_iter *it, uint64_t mask)
{
	int64_t f = INT64_MAX;

	for (size_t i = 0; i < it->nr_inputs; i++)
		if ((mask >> (i % 64) & 1) && !it->inputs[i].ended && it->inputs[i].frontier < f)
			f = it->inputs[i].frontier;
	return f;
}

bool inputs_ended(const struct tsc_iter *it, uint64_t mask)
{
	for (size_t i = 0; i < it->nr_inputs; i++)
		if ((mask >> (i % 64) & 1) && !it->inputs[i].ended)
			return false;
	return true;
}
