/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LTTNG_STATEDUMP_HOOK_H
#define LTTNG_STATEDUMP_HOOK_H

/* @dump(session) runs atomic, at the start of each of LTTng's statedumps. */
typedef void (*lttng_statedump_fn)(const void *session);

int lttng_statedump_hook_start(lttng_statedump_fn dump);
void lttng_statedump_hook_stop(void);

#endif /* LTTNG_STATEDUMP_HOOK_H */
