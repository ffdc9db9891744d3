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

#include "params.h"
#include "tsc_iter.h"
#include "tsc_filter.h"

/* What is wrong with map parameter @s ('TRACE=VM,...'), or NULL. */
static const char *map_syntax(const char *s, char *buf, size_t len)
{
	const char *what = NULL;
	size_t n;

	if (!*s)
		return "it is empty";
	for (;; s += n + 1) {
		const char *eq;

		n = strcspn(s, ",");
		eq = memchr(s, '=', n);
		if (!n)
			return "an item is empty (a comma at an end, or two together)";
		if (!eq)
			what = "has no '='";
		else if (eq == s)
			what = "has no TRACE before its '='";
		else if (eq == s + n - 1)
			what = "has no VM after its '='";
		else if (memchr(eq + 1, '=', n - (size_t)(eq + 1 - s)))
			what = "has more than one '='";
		if (what) {
			snprintf(buf, len, "item '%.*s' %s", n < 60 ? (int)n : 60, s, what);
			return buf;
		}
		if (!s[n])
			return NULL;
	}
}

enum { P_MAP, P_SLACK, P_WINDOW, P_MAX_HELD, P_JITTER, P_DOWNTIME, P_LIVE, P_NR };

/* The parameters: plugin.c's help text says the same. */
static const struct param_spec tsc_params[P_NR] = {
	[P_MAP] = { "map", PARAM_STRING, .check = map_syntax,
		.what = "'TRACE=VM[,TRACE=VM...]', each TRACE a trace's name and VM its host VM (KVM's debugfs name PID-FD, or a UUID), neither empty" },
	[P_SLACK] = { "slack-us", PARAM_UINT, 0, PARAM_DAY_US, 1000,
		"microseconds" },
	[P_WINDOW] = { "window-limit-ms", PARAM_UINT, 0, PARAM_DAY_MS, 60000,
		"milliseconds" },
	[P_MAX_HELD] = { "max-held", PARAM_UINT, 1, UINT64_MAX, 4000000,
		"messages" },
	[P_JITTER] = { "beacon-jitter-us", PARAM_UINT, 0, PARAM_DAY_US, 20,
		"microseconds" },
	[P_DOWNTIME] = { "downtime-ms", PARAM_UINT, 0, PARAM_DAY_MS, 0,
		"milliseconds" },
	[P_LIVE] = { "live-bound-ms", PARAM_UINT, 0, PARAM_DAY_MS, 0,
		"milliseconds" },
};

bt_component_class_initialize_method_status
tsc_filter_init(bt_self_component_filter *self_filter,
		bt_self_component_filter_configuration *config,
		const bt_value *params, void *init_data)
{
	bt_self_component *self =
		bt_self_component_filter_as_self_component(self_filter);
	struct tsc_filter *f = calloc(1, sizeof(*f));
	struct param_value v[P_NR];

	(void)config;
	(void)init_data;
	if (!f)
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	if (!params_read(self, "filter.vmsync.tsc", params, tsc_params, P_NR, v)) {
		free(f);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	f->self = self;
	/* The ranges keep these products within int64_t. */
	f->slack_ns = (int64_t)v[P_SLACK].u * 1000;
	f->window_limit_ns = (int64_t)v[P_WINDOW].u * 1000000;
	f->max_held = v[P_MAX_HELD].u;
	f->beacon_limit_ns = (int64_t)v[P_JITTER].u * 1000;
	f->downtime_ns = (int64_t)v[P_DOWNTIME].u * 1000000;
	f->live_bound_ns = (int64_t)v[P_LIVE].u * 1000000;
	if (v[P_MAP].s && !(f->map = strdup(v[P_MAP].s))) {
		free(f);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
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
