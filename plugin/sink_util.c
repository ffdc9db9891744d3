// SPDX-License-Identifier: GPL-2.0
/* sink_util.c - see sink_util.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink_util.h"

bool comp_error(bt_self_component *self, const char *who, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self, "%s: %s", who, msg);
	return false;
}

bt_component_class_sink_consume_method_status
sink_consume(bt_self_component_sink *self, bt_message_iterator *it, const char *who,
	     sink_msg_fn one, sink_end_fn end, void *arg)
{
	bt_self_component *comp = bt_self_component_sink_as_self_component(self);
	bt_message_array_const msgs;
	uint64_t n;
	bool ok = true;

	switch (bt_message_iterator_next(it, &msgs, &n)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		if (!end(arg, comp))
			return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
	default:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (ok)
			ok = one(arg, msgs[i]);
		bt_message_put_ref(msgs[i]);
	}
	if (!ok) {
		comp_error(comp, who, "out of memory");
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
	}
	return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
}

void *append_new(void *arrp, size_t *nr, size_t size)
{
	void **a, **n, *o = calloc(1, size);

	memcpy(&a, arrp, sizeof(a));
	n = o ? realloc(a, (*nr + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(o);
		return NULL;
	}
	n[(*nr)++] = o;
	memcpy(arrp, &n, sizeof(n));
	return o;
}
