/* SPDX-License-Identifier: GPL-2.0 */
/* LTTng-UST provider of tscmark: one event per mark. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER vmsync_test

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./tscmark_tp.h"

#if !defined(TSCMARK_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TSCMARK_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(vmsync_test, mark,
	LTTNG_UST_TP_ARGS(int, seq),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, seq, seq))
)

#endif /* TSCMARK_TP_H */

#include <lttng/tracepoint-event.h>
