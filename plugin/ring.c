// SPDX-License-Identifier: GPL-2.0
/* ring.c - see ring.h. */
#include <stdlib.h>
#include <string.h>

#include "ring.h"

bool ring_grow(void *buf, size_t *first, size_t nr, size_t *cap, size_t size,
	       size_t initial)
{
	char *old, *n;
	size_t ncap, head;

	memcpy(&old, buf, sizeof(old));
	ncap = *cap ? *cap * 2 : initial;
	n = malloc(ncap * size);
	if (!n)
		return false;
	/* The elements from first to the end of the buffer, then the rest. */
	head = nr && *cap ? *cap - *first : 0;
	if (head > nr)
		head = nr;
	if (nr) {
		memcpy(n, old + *first * size, head * size);
		memcpy(n + head * size, old, (nr - head) * size);
	}
	free(old);
	memcpy(buf, &n, sizeof(n));
	*cap = ncap;
	*first = 0;
	return true;
}

bool array_grow(void *buf, size_t *cap, size_t size, size_t initial)
{
	size_t ncap = *cap ? *cap * 2 : initial;
	void *old, *n;

	memcpy(&old, buf, sizeof(old));
	n = realloc(old, ncap * size);
	if (!n)
		return false;
	memcpy(buf, &n, sizeof(n));
	*cap = ncap;
	return true;
}
