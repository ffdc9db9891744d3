// SPDX-License-Identifier: GPL-2.0
/* reorder.c - see reorder.h. */
#include <stdlib.h>
#include <string.h>

#include "reorder.h"
#include "ring.h"

/* The order of items and of run heads alike: time, then arrival. */
static bool earlier(int64_t key_a, uint64_t seq_a, int64_t key_b, uint64_t seq_b)
{
	return key_a < key_b || (key_a == key_b && seq_a < seq_b);
}

static bool before(const struct reorder_item *a, const struct reorder_item *b)
{
	return earlier(a->key, a->seq, b->key, b->seq);
}

static bool head_before(const struct reorder_head *a, const struct reorder_head *b)
{
	return earlier(a->key, a->seq, b->key, b->seq);
}

static void runs_up(struct reorder *r, size_t i)
{
	struct reorder_head e = r->heap[i];

	while (i && head_before(&e, &r->heap[(i - 1) / 2])) {
		r->heap[i] = r->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->heap[i] = e;
}

static void runs_down(struct reorder *r, size_t i)
{
	struct reorder_head e = r->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, m = l;

		if (l >= r->heap_nr)
			break;
		if (l + 1 < r->heap_nr && head_before(&r->heap[l + 1], &r->heap[l]))
			m = l + 1;
		if (!head_before(&r->heap[m], &e))
			break;
		r->heap[i] = r->heap[m];
		i = m;
	}
	r->heap[i] = e;
}

size_t reorder_new_run(struct reorder *r)
{
	struct reorder_run *n = realloc(r->runs, (r->nr_runs + 1) * sizeof(*n));
	struct reorder_head *h;

	if (!n)
		return SIZE_MAX;
	r->runs = n;
	h = realloc(r->heap, (r->nr_runs + 1) * sizeof(*h));
	if (!h)
		return SIZE_MAX;
	r->heap = h;
	memset(&r->runs[r->nr_runs], 0, sizeof(r->runs[0]));
	r->runs[r->nr_runs].last = INT64_MIN;
	return r->nr_runs++;
}

static bool misc_push(struct reorder *r, struct reorder_item it)
{
	size_t i;

	if (!array_reserve(&r->misc, r->misc_nr, &r->misc_cap, sizeof(*r->misc), 64))
		return false;
	for (i = r->misc_nr++; i && before(&it, &r->misc[(i - 1) / 2]); i = (i - 1) / 2)
		r->misc[i] = r->misc[(i - 1) / 2];
	r->misc[i] = it;
	return true;
}

static void misc_pop(struct reorder *r)
{
	struct reorder_item last = r->misc[--r->misc_nr];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m = l;

		if (l >= r->misc_nr)
			break;
		if (l + 1 < r->misc_nr && before(&r->misc[l + 1], &r->misc[l]))
			m = l + 1;
		if (!before(&r->misc[m], &last))
			break;
		r->misc[i] = r->misc[m];
		i = m;
	}
	if (r->misc_nr)
		r->misc[i] = last;
}

bool reorder_push(struct reorder *r, size_t run, int64_t key, uint64_t seq,
		  const bt_message *msg)
{
	struct reorder_item it = { key, seq, msg };
	struct reorder_run *u = &r->runs[run];

	if (key < u->last && u->nr) {	/* would overtake its run: aside */
		if (!misc_push(r, it))
			return false;
		r->nr++;
		return true;
	}
	if (!ring_reserve(&u->q, &u->first, u->nr, &u->cap, sizeof(*u->q), 64))
		return false;
	u->q[(u->first + u->nr++) & (u->cap - 1)] = it;
	u->last = key;
	r->nr++;
	if (u->nr == 1) {		/* it joins the merge */
		r->heap[r->heap_nr] = (struct reorder_head){ it.key, it.seq, run };
		runs_up(r, r->heap_nr++);
	}
	return true;
}

/* Whether the earliest item is the out-of-order heap's. */
static bool misc_first(const struct reorder *r)
{
	return r->misc_nr && (!r->heap_nr || earlier(r->misc[0].key, r->misc[0].seq,
						     r->heap[0].key, r->heap[0].seq));
}

const struct reorder_item *reorder_peek(const struct reorder *r)
{
	const struct reorder_run *u;

	if (misc_first(r))
		return &r->misc[0];
	if (!r->heap_nr)
		return NULL;
	u = &r->runs[r->heap[0].run];
	return &u->q[u->first];
}

const bt_message *reorder_pop(struct reorder *r)
{
	const bt_message *msg;
	struct reorder_run *u;

	r->nr--;
	if (misc_first(r)) {
		msg = r->misc[0].msg;
		misc_pop(r);
		return msg;
	}
	u = &r->runs[r->heap[0].run];
	msg = u->q[u->first].msg;
	u->first = (u->first + 1) & (u->cap - 1);
	if (--u->nr) {
		r->heap[0].key = u->q[u->first].key;
		r->heap[0].seq = u->q[u->first].seq;
		runs_down(r, 0);
	} else if (--r->heap_nr) {
		r->heap[0] = r->heap[r->heap_nr];
		runs_down(r, 0);
	}
	return msg;
}

void reorder_fini(struct reorder *r)
{
	while (r->nr)
		bt_message_put_ref(reorder_pop(r));
	for (size_t i = 0; i < r->nr_runs; i++)
		free(r->runs[i].q);
	free(r->runs);
	free(r->heap);
	free(r->misc);
	memset(r, 0, sizeof(*r));
}
