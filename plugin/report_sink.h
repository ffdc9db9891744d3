/* SPDX-License-Identifier: GPL-2.0 */
/* report_sink.h - sink.vmsync.report's methods (see report_sink.c). */
#ifndef VMSYNC_REPORT_SINK_H
#define VMSYNC_REPORT_SINK_H

#include <babeltrace2/babeltrace.h>

bt_component_class_initialize_method_status
report_sink_init(bt_self_component_sink *self, bt_self_component_sink_configuration *config,
		const bt_value *params, void *init_data);
void report_sink_finalize(bt_self_component_sink *self);
bt_component_class_sink_graph_is_configured_method_status
report_sink_graph_is_configured(bt_self_component_sink *self);
bt_component_class_sink_consume_method_status report_sink_consume(bt_self_component_sink *self);

#endif /* VMSYNC_REPORT_SINK_H */
