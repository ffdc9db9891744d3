/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tsc_math.h - KVM's TSC relation and its exact inverse.
 *
 * KVM runs a vCPU with guest_tsc = ((host_tsc * ratio) >> frac_bits) + offset
 * (modulo 2^64). A guest event's TSC goes back to the host TSC through the
 * inverse, with 128-bit intermediates so that no bit of either is lost.
 */
#ifndef VMSYNC_TSC_MATH_H
#define VMSYNC_TSC_MATH_H

#include <stdbool.h>
#include <stdint.h>

/* KVM's forward relation: the guest TSC at host TSC @host. */
uint64_t tsc_guest_from_host(uint64_t host, int64_t offset, uint64_t ratio,
			     unsigned int frac_bits);

/*
 * The smallest host TSC at which the guest reads @guest, so that
 * tsc_guest_from_host() of the result is @guest whenever some host TSC
 * gives it (with ratio < 1.0 several do; with ratio > 1.0 some guest values
 * are never read, and the result is the next host TSC). False when
 * ratio is 0, frac_bits over 63, or the result does not fit 64 bits.
 */
bool tsc_host_from_guest(uint64_t guest, int64_t offset, uint64_t ratio,
			 unsigned int frac_bits, uint64_t *host);

#endif /* VMSYNC_TSC_MATH_H */
