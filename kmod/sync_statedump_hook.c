// SPDX-License-Identifier: GPL-2.0
/* The statedump hook of kvm_tsc_offset, built into kvm_tsc_sync as well. */
#include "lttng_statedump_hook.c"
