// SPDX-License-Identifier: GPL-2.0
/* reorder.c - see reorder.h. */
#include <stdlib.h>

#include "reorder.h"

static bool before(const struct reorder_item *a, const struct reorder_item *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static void swap(struct reorder_item *a, struct reorder_item *b)
{
	struct reorder_item t = *a;

	*a = *b;
	*b = t;
}

bool reorder_push(struct reorder *r, int64_t key, const bt_message *msg)
{
	size_t i;

	if (r->nr == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct reorder_item *n = realloc(r->items, cap * sizeof(*n));

		if (!n)
			return false;
		r->items = n;
		r->cap = cap;
	}
	i = r->nr++;
	r->items[i] = (struct reorder_item){ key, r->seq++, msg };
	while (i && before(&r->items[i], &r->items[(i - 1) / 2])) {
		swap(&r->items[i], &r->items[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return true;
}

const struct reorder_item *reorder_peek(const struct reorder *r)
{
	return r->nr ? &r->items[0] : NULL;
}

const bt_message *reorder_pop(struct reorder *r)
{
	const bt_message *msg = r->items[0].msg;
	size_t i = 0;

	r->items[0] = r->items[--r->nr];
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < r->nr && before(&r->items[l], &r->items[m]))
			m = l;
		if (l + 1 < r->nr && before(&r->items[l + 1], &r->items[m]))
			m = l + 1;
		if (m == i)
			break;
		swap(&r->items[i], &r->items[m]);
		i = m;
	}
	return msg;
}

void reorder_fini(struct reorder *r)
{
	while (r->nr)
		bt_message_put_ref(reorder_pop(r));
	free(r->items);
	*r = (struct reorder){ 0 };
}
