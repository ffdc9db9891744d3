/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LTTNG_STATEDUMP_HOOK_H
#define LTTNG_STATEDUMP_HOOK_H

int lttng_statedump_hook_start(void);
void lttng_statedump_hook_stop(void);

#endif /* LTTNG_STATEDUMP_HOOK_H */
