/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sink_util.h - what vmsync's sinks (sink.vmsync.check, sink.vmsync.report)
 * share: their consume loop over the upstream iterator, their error causes,
 * and the growing arrays of objects they keep.
 */
#ifndef VMSYNC_SINK_UTIL_H
#define VMSYNC_SINK_UTIL_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends the error cause "WHO: message" on @self; returns false. */
__attribute__((format(printf, 3, 4)))
bool comp_error(bt_self_component *self, const char *who, const char *fmt, ...);

/* One message (false: out of memory); the end of the input (false: error, cause set). */
typedef bool (*sink_msg_fn)(void *arg, const bt_message *m);
typedef bool (*sink_end_fn)(void *arg, bt_self_component *self);

/*
 * A sink's consume method: the next messages of @it, each to @one (and put),
 * or, at the end, @end. @who names the sink in errors.
 */
bt_component_class_sink_consume_method_status
sink_consume(bt_self_component_sink *self, bt_message_iterator *it, const char *who,
	     sink_msg_fn one, sink_end_fn end, void *arg);

/*
 * A zeroed object of @size appended to the pointer array at @arrp (of @nr
 * pointers, any pointer type); NULL: no memory (the array is unchanged).
 */
void *append_new(void *arrp, size_t *nr, size_t size);

#endif /* VMSYNC_SINK_UTIL_H */
