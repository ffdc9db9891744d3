/* SPDX-License-Identifier: GPL-2.0 */
/* check_sink.h - sink.vmsync.check's methods (see check_sink.c). */
#ifndef VMSYNC_CHECK_SINK_H
#define VMSYNC_CHECK_SINK_H

#include <babeltrace2/babeltrace.h>

bt_component_class_initialize_method_status
check_sink_init(bt_self_component_sink *self, bt_self_component_sink_configuration *config,
		const bt_value *params, void *init_data);
void check_sink_finalize(bt_self_component_sink *self);
bt_component_class_sink_graph_is_configured_method_status
check_sink_graph_is_configured(bt_self_component_sink *self);
bt_component_class_sink_consume_method_status check_sink_consume(bt_self_component_sink *self);

#endif /* VMSYNC_CHECK_SINK_H */
