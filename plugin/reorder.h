/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reorder.h - messages waiting to go out in host-time order: a min-heap on
 * (time, arrival), so equal times keep their arrival order and a stream's
 * messages never overtake one another.
 */
#ifndef VMSYNC_REORDER_H
#define VMSYNC_REORDER_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stdint.h>

struct reorder_item {
	int64_t key;		/* host time, ns from origin */
	uint64_t seq;
	const bt_message *msg;	/* owned */
};

struct reorder {
	struct reorder_item *items;
	size_t nr, cap;
	uint64_t seq;
};

bool reorder_push(struct reorder *r, int64_t key, const bt_message *msg);
/* The earliest item, or NULL. */
const struct reorder_item *reorder_peek(const struct reorder *r);
/* Remove the earliest item; its message is the caller's. */
const bt_message *reorder_pop(struct reorder *r);
void reorder_fini(struct reorder *r);

#endif /* VMSYNC_REORDER_H */
