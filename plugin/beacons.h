/* SPDX-License-Identifier: GPL-2.0 */
/*
 * beacons.h - the pairs (trace clock, raw TSC) of a trace on LTTng's
 * default clock: kvm_tsc_sync beacons (and, on a host, kvm_tsc_offset's
 * host_tsc), through which its times go to TSC values and back by linear
 * interpolation (default-clock mode, doc/clocks.md).
 *
 * A pair whose two reads were far apart in time (the beacon was delayed
 * between its TSC read and the tracer's clock read) would bend the line:
 * once two pairs on each side are known, a pair further than the jitter
 * limit from the line through its neighbours and from the lines of both
 * sides is dropped. A step (the TSC or the clock jumped) is kept as such.
 *
 * Pairs are judged in clock order, each once every pair up to two after
 * it has come: pairs from several CPUs may come in any order (a host's, in
 * vmsync-merge's graph), so the caller says up to which clock value they
 * all have (beacons_settle()), and the same pairs are kept whatever the
 * order. A pair is used once judged.
 *
 * Pairs at the same clock are one beacon read twice: the one with the
 * largest TSC is kept (a clock read comes after its TSC read, so the
 * others' were later), the others are dropped as duplicates, so that no two
 * kept pairs share a clock value.
 */
#ifndef VMSYNC_BEACONS_H
#define VMSYNC_BEACONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct beacon {
	uint64_t clk;		/* trace clock, cycles */
	uint64_t tsc;
	bool dropped;
};

struct beacons {
	struct beacon *b;	/* sorted by clk */
	size_t nr, cap;
	uint64_t freq;		/* of the trace clock, Hz */
	int64_t limit_ns;	/* jitter limit */
	size_t dropped;		/* as delayed */
	size_t duplicates;	/* at the clock of a kept pair */
	int64_t worst_ns;	/* largest distance of a kept pair from its line */
	size_t judged;		/* kept pairs judged by both their neighbours */
	int64_t least_late_ns;	/* smallest distance of a pair dropped as delayed */
	size_t settled;		/* pairs [0, settled) are judged */
	uint64_t upto;		/* every pair at or before this clk has come */
	bool final;		/* no more pairs will come */
};

/* Pairs come in clk order, until beacons_settle() says otherwise. */
void beacons_init(struct beacons *bs, uint64_t freq, int64_t limit_ns);
/* Add one pair. False: out of memory. */
bool beacons_add(struct beacons *bs, uint64_t clk, uint64_t tsc);
/* Every pair at or before clk @upto has come: judge the pairs it allows. */
void beacons_settle(struct beacons *bs, uint64_t upto);
/* Whether more pairs may come; with none, the last ones are judged too. */
void beacons_set_final(struct beacons *bs, bool final);

enum beacons_status { BEACONS_OK, BEACONS_WAIT, BEACONS_TOO_FEW };

/*
 * The two kept pairs around @x (a clk if @by_clk, else a TSC), or the two
 * nearest at either end of a final set; WAIT until those are settled.
 */
enum beacons_status beacons_bracket(const struct beacons *bs, uint64_t x, bool by_clk,
				    const struct beacon **lo, const struct beacon **hi);
/* The value at @x of the line through (x0, y0) and (x1, y1), rounded. */
uint64_t beacons_line_at(uint64_t x0, uint64_t y0, uint64_t x1, uint64_t y1, uint64_t x);

/* The TSC at trace clock @clk; WAIT until pairs after it are settled. */
enum beacons_status beacons_tsc_at(const struct beacons *bs, uint64_t clk,
				   uint64_t *tsc);
/* The trace clock at TSC @tsc, the same way. */
enum beacons_status beacons_clk_at(const struct beacons *bs, uint64_t tsc,
				   uint64_t *clk);
void beacons_fini(struct beacons *bs);

enum beacons_bound { BOUND_OK, BOUND_TOO_FEW, BOUND_LATE };
/*
 * Once final: how far the line through the kept pairs may be from the
 * trace clock, in ns: the scatter of the kept pairs (worst_ns), plus how
 * much the clock may bend inside the widest intervals between kept pairs
 * (from how far the lines on either side predict its ends), plus rounding.
 * BOUND_TOO_FEW: no pair could be judged by its neighbours; BOUND_LATE:
 * pairs were dropped as delayed by less than four times the jitter limit,
 * so the delays run past it and kept pairs may be late by more than their
 * scatter shows (a common delay of all pairs is never seen).
 */
enum beacons_bound beacons_bound(const struct beacons *bs, int64_t *ns);

#endif /* VMSYNC_BEACONS_H */
