// SPDX-License-Identifier: GPL-2.0
/* tsc_math.c - see tsc_math.h. */
#include "tsc_math.h"

typedef unsigned __int128 u128;

uint64_t tsc_guest_from_host(uint64_t host, int64_t offset, uint64_t ratio,
			     unsigned int frac_bits)
{
	uint64_t scaled = (uint64_t)(((u128)host * ratio) >> frac_bits);

	return scaled + (uint64_t)offset;
}

bool tsc_host_from_guest(uint64_t guest, int64_t offset, uint64_t ratio,
			 unsigned int frac_bits, uint64_t *host)
{
	uint64_t scaled = guest - (uint64_t)offset;
	u128 num, h;

	if (ratio == 0 || frac_bits > 63)
		return false;
	if (ratio == UINT64_C(1) << frac_bits) {	/* no scaling: no division */
		*host = scaled;
		return true;
	}
	/* floor((h * ratio) >> frac) = scaled  <=>  h >= scaled * 2^frac / ratio */
	num = (u128)scaled << frac_bits;
	h = (num + ratio - 1) / ratio;
	if (h > UINT64_MAX)
		return false;
	*host = (uint64_t)h;
	return true;
}
