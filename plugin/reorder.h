/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reorder.h - messages waiting to go out in host-time order, earliest
 * (time, arrival) first, so equal times keep their arrival order.
 *
 * Each source (a stream) has a run: its messages come in time order, so
 * they wait in a FIFO, and a small heap orders the runs by their heads
 * (a k-way merge: popping costs log of the number of streams, not of the
 * number of messages waiting). A message earlier than the last one of its
 * run waits in a heap of its own, which takes part in the merge.
 */
#ifndef VMSYNC_REORDER_H
#define VMSYNC_REORDER_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reorder_item {
	int64_t key;		/* host time, ns from origin */
	uint64_t seq;
	const bt_message *msg;	/* owned */
};

struct reorder_run {
	struct reorder_item *q;	/* a ring; its size a power of two */
	size_t first, nr, cap;
	int64_t last;		/* key of the latest pushed */
};

/* A run in the merge: a copy of its head's order, so that sifting stays here. */
struct reorder_head {
	int64_t key;
	uint64_t seq;
	size_t run;
};

struct reorder {
	struct reorder_run *runs;
	size_t nr_runs;
	struct reorder_head *heap;	/* runs with items, by their head */
	size_t heap_nr;
	struct reorder_item *misc;	/* out-of-order items: a heap */
	size_t misc_nr, misc_cap;
	size_t nr;		/* items in all */
	uint64_t seq;
};

/* A new source; SIZE_MAX when out of memory. */
size_t reorder_new_run(struct reorder *r);
/*
 * Its place among equal keys: @seq, from reorder_seq() when it arrived (a
 * message that waited elsewhere keeps its turn).
 */
static inline uint64_t reorder_seq(struct reorder *r)
{
	return r->seq++;
}
bool reorder_push(struct reorder *r, size_t run, int64_t key, uint64_t seq,
		  const bt_message *msg);
/* The earliest item, or NULL. */
const struct reorder_item *reorder_peek(const struct reorder *r);
/* Remove the earliest item; its message is the caller's. */
const bt_message *reorder_pop(struct reorder *r);
void reorder_fini(struct reorder *r);

#endif /* VMSYNC_REORDER_H */
