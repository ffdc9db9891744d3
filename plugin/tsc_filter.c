// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_filter.c - filter.vmsync.tsc, the component: its parameters, ports and
 * lifecycle. Its message iterator is in tsc_iter.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsc_iter.h"
#include "tsc_filter.h"

static int64_t param_uint(const bt_value *params, const char *name,
			  int64_t dflt, bool *ok)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	if (!v)
		return dflt;
	if (bt_value_is_unsigned_integer(v))
		return (int64_t)bt_value_integer_unsigned_get(v);
	if (bt_value_is_signed_integer(v) && bt_value_integer_signed_get(v) >= 0)
		return bt_value_integer_signed_get(v);
	*ok = false;
	return dflt;
}

bt_component_class_initialize_method_status
tsc_filter_init(bt_self_component_filter *self_filter,
		bt_self_component_filter_configuration *config,
		const bt_value *params, void *init_data)
{
	bt_self_component *self =
		bt_self_component_filter_as_self_component(self_filter);
	struct tsc_filter *f = calloc(1, sizeof(*f));
	const bt_value *map;
	bool ok = true;

	(void)config;
	(void)init_data;
	if (!f)
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	f->self = self;
	f->slack_ns = param_uint(params, "slack-us", 1000, &ok) * 1000;
	f->window_limit_ns = param_uint(params, "window-limit-ms", 60000, &ok) * 1000000;
	f->max_held = (uint64_t)param_uint(params, "max-held", 4000000, &ok);
	f->beacon_limit_ns = param_uint(params, "beacon-jitter-us", 20, &ok) * 1000;
	f->downtime_ns = param_uint(params, "downtime-ms", 0, &ok) * 1000000;
	map = bt_value_map_borrow_entry_value_const(params, "map");
	if (map && !bt_value_is_string(map))
		ok = false;
	else if (map)
		f->map = strdup(bt_value_string_get(map));
	if (!ok) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
			"filter.vmsync.tsc: bad parameter: slack-us, window-limit-ms, max-held, beacon-jitter-us and downtime-ms take unsigned integers, map a string 'TRACE=VM,...' (see 'babeltrace2 help filter.vmsync.tsc')");
		free(f->map);
		free(f);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	if (bt_self_component_filter_add_input_port(self_filter, "in0", NULL, NULL) ||
	    bt_self_component_filter_add_output_port(self_filter, "out", NULL, NULL)) {
		free(f->map);
		free(f);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	bt_self_component_set_data(self, f);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

void tsc_filter_finalize(bt_self_component_filter *self)
{
	struct tsc_filter *f = bt_self_component_get_data(
		bt_self_component_filter_as_self_component(self));

	free(f->map);
	free(f);
}

/* One more input port each time the last one gets connected, as the muxer. */
bt_component_class_port_connected_method_status
tsc_filter_input_connected(bt_self_component_filter *self,
			   bt_self_component_port_input *port,
			   const bt_port_output *other)
{
	const bt_component_filter *c = bt_self_component_filter_as_component_filter(self);
	uint64_t n = bt_component_filter_get_input_port_count(c);
	char name[32];

	(void)port;
	(void)other;
	snprintf(name, sizeof(name), "in%" PRIu64, n);
	if (bt_self_component_filter_add_input_port(self, name, NULL, NULL))
		return BT_COMPONENT_CLASS_PORT_CONNECTED_METHOD_STATUS_MEMORY_ERROR;
	return BT_COMPONENT_CLASS_PORT_CONNECTED_METHOD_STATUS_OK;
}
