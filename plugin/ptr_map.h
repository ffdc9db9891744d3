/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptr_map.h - a map from pointers to pointers (open addressing), for the
 * input-to-output correspondence of trace IR objects. No deletion: maps
 * live as long as the traces they describe.
 */
#ifndef VMSYNC_PTR_MAP_H
#define VMSYNC_PTR_MAP_H

#include <stdbool.h>
#include <stddef.h>

struct ptr_map {
	const void **keys;
	void **values;
	size_t cap, len;
};

void *ptr_map_get(const struct ptr_map *m, const void *key);
/* False when out of memory. @key must not be NULL. */
bool ptr_map_put(struct ptr_map *m, const void *key, void *value);
void ptr_map_fini(struct ptr_map *m);

#endif /* VMSYNC_PTR_MAP_H */
