// SPDX-License-Identifier: GPL-2.0
/* ptr_map.c - see ptr_map.h. */
#include <stdint.h>
#include <stdlib.h>

#include "ptr_map.h"

static size_t slot(const void *key, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) & (cap - 1);
}

void *ptr_map_get(const struct ptr_map *m, const void *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->values[i];
	return NULL;
}

static bool grow(struct ptr_map *m)
{
	struct ptr_map n = { .cap = m->cap ? m->cap * 2 : 64 };
	size_t i;

	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.values = calloc(n.cap, sizeof(*n.values));
	if (!n.keys || !n.values) {
		free(n.keys);
		free(n.values);
		return false;
	}
	for (i = 0; i < m->cap; i++)
		if (m->keys[i])
			ptr_map_put(&n, m->keys[i], m->values[i]);
	free(m->keys);
	free(m->values);
	*m = n;
	return true;
}

bool ptr_map_put(struct ptr_map *m, const void *key, void *value)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap && !grow(m))
		return false;
	for (i = slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			m->values[i] = value;
			return true;
		}
	m->keys[i] = key;
	m->values[i] = value;
	m->len++;
	return true;
}

void ptr_map_fini(struct ptr_map *m)
{
	free(m->keys);
	free(m->values);
	*m = (struct ptr_map){ 0 };
}
