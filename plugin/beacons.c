// SPDX-License-Identifier: GPL-2.0
/* beacons.c - trace clock <-> TSC through beacon pairs (see beacons.h). */
#include <stdlib.h>
#include <string.h>

#include "beacons.h"

void beacons_init(struct beacons *bs, uint64_t freq, int64_t limit_ns)
{
	memset(bs, 0, sizeof(*bs));
	bs->freq = freq ? freq : 1000000000;
	bs->limit_ns = limit_ns;
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
 * Settle pair @i once two later ones exist: keep or drop it. Off the line
 * through its kept neighbours, it is either delayed (off the lines of both
 * sides too: dropped) or next to a step of the line, where the clock or the
 * TSC jumped (on the line of one side: kept, and the step stays a step).
 */
static void settle(struct beacons *bs, size_t i)
{
	long prev = kept_before(bs, i), next = kept_after(bs, i), prev2, next2;
	int64_t d;

	if (prev < 0 || next < 0)
		return;		/* the first pair: nothing to judge it by */
	d = off_line(bs, &bs->b[prev], &bs->b[next], &bs->b[i]);
	if (d <= bs->limit_ns) {
		if (d > bs->worst_ns)
			bs->worst_ns = d;
		return;
	}
	prev2 = kept_before(bs, (size_t)prev);
	next2 = kept_after(bs, (size_t)next);
	if ((prev2 >= 0 &&
	     off_line(bs, &bs->b[prev2], &bs->b[prev], &bs->b[i]) <= bs->limit_ns) ||
	    (next2 >= 0 &&
	     off_line(bs, &bs->b[next], &bs->b[next2], &bs->b[i]) <= bs->limit_ns))
		return;
	bs->b[i].dropped = true;
	bs->dropped++;
}

/* Judge, in clk order, the pairs whose two next ones are in, up to upto. */
static void judge(struct beacons *bs)
{
	while (bs->settled + 2 < bs->nr &&
	       (bs->final || bs->b[bs->settled + 2].clk <= bs->upto))
		settle(bs, bs->settled++);
}

bool beacons_add(struct beacons *bs, uint64_t clk, uint64_t tsc)
{
	size_t i;

	if (bs->nr == bs->cap) {
		size_t cap = bs->cap ? 2 * bs->cap : 64;
		struct beacon *n = realloc(bs->b, cap * sizeof(*n));

		if (!n)
			return false;
		bs->b = n;
		bs->cap = cap;
	}
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

	while (l < h) {		/* the first pair after x */
		size_t mid = l + (h - l) / 2;

		if (key_of(&bs->b[mid], by_clk) <= x)
			l = mid + 1;
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
