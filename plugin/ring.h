/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ring.h - growth of the buffers the plugin keeps: the FIFO rings of the
 * filter (held messages, their inputs' times, the reorder's runs), each a
 * buffer whose size is a power of two, indexed by (first + i) & (cap - 1) so
 * that no index needs division; and plain arrays that only grow at the end.
 */
#ifndef VMSYNC_RING_H
#define VMSYNC_RING_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Make room for one more element in the ring at *@buf (@nr elements of
 * @size bytes from *@first, *@cap of room): when full, double it (or make it
 * @initial), its elements moved to the front. False: out of memory, and the
 * ring is as it was.
 */
bool ring_grow(void *buf, size_t *first, size_t nr, size_t *cap, size_t size,
	       size_t initial);

static inline bool ring_reserve(void *buf, size_t *first, size_t nr, size_t *cap,
				size_t size, size_t initial)
{
	return nr < *cap || ring_grow(buf, first, nr, cap, size, initial);
}

/*
 * Make room for one more element in the array at *@buf (@nr elements of
 * @size bytes, *@cap of room): when full, double it (or make it @initial).
 * False: out of memory, and the array is as it was.
 */
bool array_grow(void *buf, size_t *cap, size_t size, size_t initial);

static inline bool array_reserve(void *buf, size_t nr, size_t *cap, size_t size,
				 size_t initial)
{
	return nr < *cap || array_grow(buf, cap, size, initial);
}

#endif /* VMSYNC_RING_H */
