// SPDX-License-Identifier: GPL-2.0
/* beacons.c - trace clock <-> TSC through beacon pairs (see beacons.h). */
#include <stdlib.h>
#include <string.h>

#include "beacons.h"
#include "ring.h"

void beacons_init(struct beacons *bs, uint64_t freq, int64_t limit_ns)
{
	memset(bs, 0, sizeof(*bs));
	bs->freq = freq ? freq : 1000000000;
	bs->limit_ns = limit_ns;
	bs->least_late_ns = INT64_MAX;
	bs->upto = UINT64_MAX;
}

void beacons_fini(struct beacons *bs)
{
	free(bs->b);
	memset(bs, 0, sizeof(*bs));
}

uint64_t beacons_line_at(uint64_t x0, uint64_t y0, uint64_t x1, uint64_t y1,
			uint64_t x)
{
	__int128 dx = (__int128)x1 - x0, num = ((__int128)x - x0) * ((__int128)y1 - y0);
	__int128 q;

	if (!dx)
		return y0;
	/* Round to nearest, for either sign. */
	q = (num >= 0 ? num + dx / 2 : num - dx / 2) / dx;
	return (uint64_t)((__int128)y0 + q);
}

static int64_t clk_to_ns(const struct beacons *bs, __int128 cycles)
{
	__int128 ns = cycles * 1000000000 / (__int128)bs->freq;

	return ns > INT64_MAX ? INT64_MAX : ns < -INT64_MAX ? -INT64_MAX : (int64_t)ns;
}

/* The last kept pair before index @i, or -1. */
static long kept_before(const struct beacons *bs, size_t i)
{
	while (i-- > 0)
		if (!bs->b[i].dropped)
			return (long)i;
	return -1;
}

/* How far, in clock ns, pair @q is from the line through @p and @n. */
static int64_t off_line(const struct beacons *bs, const struct beacon *p,
			const struct beacon *n, const struct beacon *q)
{
	int64_t d = clk_to_ns(bs, (__int128)q->clk -
			      beacons_line_at(p->tsc, p->clk, n->tsc, n->clk, q->tsc));

	return d < 0 ? -d : d;
}

/* The first kept pair after index @i, or -1. */
static long kept_after(const struct beacons *bs, size_t i)
{
	for (i++; i < bs->nr; i++)
		if (!bs->b[i].dropped)
			return (long)i;
	return -1;
}

/*
 * Of the pairs at pair @i's clock, keep the one with the largest TSC (the
 * first of equal ones) and drop the others as duplicates: whether @i is
 * dropped.
 */
static bool dedupe(struct beacons *bs, size_t i)
{
	size_t lo = i, hi = i + 1;
	long keep = -1;

	while (lo > 0 && bs->b[lo - 1].clk == bs->b[i].clk)
		lo--;
	while (hi < bs->nr && bs->b[hi].clk == bs->b[i].clk)
		hi++;
	for (size_t j = lo; j < hi; j++)
		if (!bs->b[j].dropped && (keep < 0 || bs->b[j].tsc > bs->b[keep].tsc))
			keep = (long)j;
	for (size_t j = lo; j < hi; j++)
		if ((long)j != keep && !bs->b[j].dropped) {
			bs->b[j].dropped = true;
			bs->duplicates++;
		}
	return keep != (long)i;
}

/* The first kept pair after index @i, its duplicates dropped first; or -1. */
static long kept_after_dedupe(struct beacons *bs, size_t i)
{
	long j;

	while ((j = kept_after(bs, i)) >= 0 && dedupe(bs, (size_t)j))
		i = (size_t)j;
	return j;
}

/*
 * Settle pair @i once two later ones exist: keep or drop it. Off the line
 * through its kept neighbours, it is either delayed (off the lines of both
 * sides too: dropped) or next to a step of the line, where the clock or the
 * TSC jumped (on the line of one side: kept, and the step stays a step).
 */
static void settle(struct beacons *bs, size_t i)
{
	long prev, next, prev2, next2;
	int64_t d;

	if (bs->b[i].dropped || dedupe(bs, i))
		return;
	prev = kept_before(bs, i);
	next = kept_after_dedupe(bs, i);
	if (prev < 0 || next < 0)
		return;		/* the first pair: nothing to judge it by */
	d = off_line(bs, &bs->b[prev], &bs->b[next], &bs->b[i]);
	if (d <= bs->limit_ns) {
		if (d > bs->worst_ns)
			bs->worst_ns = d;
		bs->judged++;
		return;
	}
	prev2 = kept_before(bs, (size_t)prev);
	next2 = kept_after_dedupe(bs, (size_t)next);
	if ((prev2 >= 0 &&
	     off_line(bs, &bs->b[prev2], &bs->b[prev], &bs->b[i]) <= bs->limit_ns) ||
	    (next2 >= 0 &&
	     off_line(bs, &bs->b[next], &bs->b[next2], &bs->b[i]) <= bs->limit_ns))
		return;
	bs->b[i].dropped = true;
	bs->dropped++;
	if (d < bs->least_late_ns)
		bs->least_late_ns = d;
}

/*
 * Whether pair @i can be judged: two later clock values have come (pairs
 * at one clock count once), and every pair up to the second; or no more
 * will come (the last ones have fewer neighbours to be judged by).
 */
static bool ready(const struct beacons *bs, size_t i)
{
	int later = 0;

	for (size_t j = i + 1; j < bs->nr; j++)
		if (bs->b[j].clk != bs->b[j - 1].clk && ++later == 2)
			return bs->final || bs->b[j].clk <= bs->upto;
	return bs->final;
}

/* Judge, in clk order, the pairs that can be. */
static void judge(struct beacons *bs)
{
	while (bs->settled < bs->nr && ready(bs, bs->settled))
		settle(bs, bs->settled++);
}

bool beacons_add(struct beacons *bs, uint64_t clk, uint64_t tsc)
{
	size_t i;

	if (!array_reserve(&bs->b, bs->nr, &bs->cap, sizeof(*bs->b), 64))
		return false;
	/* Pairs of several CPUs come nearly in order: insert from the end. */
	for (i = bs->nr; i > 0 && bs->b[i - 1].clk > clk; i--)
		bs->b[i] = bs->b[i - 1];
	bs->b[i] = (struct beacon){ clk, tsc, false };
	bs->nr++;
	if (i < bs->settled) {	/* later than the caller said: judge it now */
		bs->settled++;
		settle(bs, i);
	}
	judge(bs);
	return true;
}

void beacons_settle(struct beacons *bs, uint64_t upto)
{
	bs->upto = upto;
	judge(bs);
}

void beacons_set_final(struct beacons *bs, bool final)
{
	bs->final = final;
	judge(bs);
}

static uint64_t key_of(const struct beacon *p, bool by_clk)
{
	return by_clk ? p->clk : p->tsc;
}

/* The first kept pair at or after index @i, or -1. */
static long kept_from(const struct beacons *bs, size_t i)
{
	for (; i < bs->nr; i++)
		if (!bs->b[i].dropped)
			return (long)i;
	return -1;
}

/* A kept pair is usable once judged, or when no more pairs will come. */
static bool settled(const struct beacons *bs, long i)
{
	return bs->final || (size_t)i < bs->settled;
}

/*
 * The two kept pairs to interpolate @x (a clk if @by_clk, else a tsc)
 * between, or to extrapolate from at either end of the trace.
 */
enum beacons_status beacons_bracket(const struct beacons *bs, uint64_t x, bool by_clk,
				   const struct beacon **lo, const struct beacon **hi)
{
	size_t l = 0, h = bs->nr;
	long a, b;

	/*
	 * The first kept pair after x. Only kept pairs are in TSC order too:
	 * a dropped one (a duplicate, a delayed one) may sit among other
	 * CPUs' pairs out of it.
	 */
	while (l < h) {
		size_t mid = l + (h - l) / 2;
		long k = kept_from(bs, mid);

		if (k >= 0 && (size_t)k < h && key_of(&bs->b[k], by_clk) <= x)
			l = (size_t)k + 1;
		else
			h = mid;
	}
	a = kept_before(bs, l);
	b = kept_from(bs, l);
	if (b >= 0 && !settled(bs, b))
		return BEACONS_WAIT;
	if (b < 0 && !bs->final)
		return BEACONS_WAIT;
	if (a < 0 && b >= 0) {		/* before the first: its line */
		a = b;
		b = kept_from(bs, (size_t)a + 1);
		if (b >= 0 && !settled(bs, b))
			return BEACONS_WAIT;
	} else if (b < 0 && a >= 0) {	/* after the last: the last line */
		b = a;
		a = kept_before(bs, (size_t)b);
	}
	if (a < 0 || b < 0)
		return bs->final ? BEACONS_TOO_FEW : BEACONS_WAIT;
	*lo = &bs->b[a];
	*hi = &bs->b[b];
	return BEACONS_OK;
}

enum beacons_status beacons_tsc_at(const struct beacons *bs, uint64_t clk,
				   uint64_t *tsc)
{
	const struct beacon *a, *b;
	enum beacons_status st = beacons_bracket(bs, clk, true, &a, &b);

	if (st == BEACONS_OK)
		*tsc = beacons_line_at(a->clk, a->tsc, b->clk, b->tsc, clk);
	return st;
}

enum beacons_status beacons_clk_at(const struct beacons *bs, uint64_t tsc,
				   uint64_t *clk)
{
	const struct beacon *a, *b;
	enum beacons_status st = beacons_bracket(bs, tsc, false, &a, &b);

	if (st == BEACONS_OK)
		*clk = beacons_line_at(a->tsc, a->clk, b->tsc, b->clk, tsc);
	return st;
}

/*
 * The nearest kept pair before @i (after it if @after) that is at least @w
 * clock cycles away, or -1.
 */
static long kept_away(const struct beacons *bs, long i, uint64_t w, bool after)
{
	long j = i;

	while ((j = after ? kept_after(bs, (size_t)j) : kept_before(bs, (size_t)j)) >= 0)
		if ((after ? bs->b[j].clk - bs->b[i].clk : bs->b[i].clk - bs->b[j].clk) >= w)
			return j;
	return -1;
}

enum beacons_bound beacons_bound(const struct beacons *bs, int64_t *ns)
{
	int64_t bend = 0, late = 4 * bs->limit_ns;
	long a, b;

	/*
	 * Between kept pairs a and b, the clock may bend: the lines through a
	 * and a pair as far before it, and through b and one as far after it,
	 * predict b and a within e1 and e2; a clock whose rate changed once
	 * between is off the line a-b by at most (e1 + e2) / 4. A prediction
	 * across a step of the line (beyond four times the jitter limit) says
	 * nothing.
	 */
	for (a = kept_from(bs, 0); a >= 0 && (b = kept_after(bs, (size_t)a)) >= 0; a = b) {
		uint64_t w = bs->b[b].clk - bs->b[a].clk;
		long p = kept_away(bs, a, w, false), q = kept_away(bs, b, w, true);
		int64_t e1 = p >= 0 ? off_line(bs, &bs->b[p], &bs->b[a], &bs->b[b]) : late + 1;
		int64_t e2 = q >= 0 ? off_line(bs, &bs->b[b], &bs->b[q], &bs->b[a]) : late + 1;
		int64_t c = e1 <= late && e2 <= late ? (e1 + e2) / 4 :
			    e1 <= late ? e1 / 2 : e2 <= late ? e2 / 2 : 0;

		if (c > bend)
			bend = c;
	}
	/* And the rounding: one cycle of the clock, one ns. */
	*ns = bs->worst_ns + bend + clk_to_ns(bs, 1) + 2;
	if (!bs->judged)
		return BOUND_TOO_FEW;
	return bs->dropped && bs->least_late_ns < late ? BOUND_LATE : BOUND_OK;
}
