/* SPDX-License-Identifier: GPL-2.0 */
/* tsc_filter.h - the filter.vmsync.tsc component class's methods. */
#ifndef VMSYNC_TSC_FILTER_H
#define VMSYNC_TSC_FILTER_H

#include <babeltrace2/babeltrace.h>

bt_component_class_initialize_method_status
tsc_filter_init(bt_self_component_filter *self,
		bt_self_component_filter_configuration *config,
		const bt_value *params, void *init_data);
void tsc_filter_finalize(bt_self_component_filter *self);
bt_component_class_port_connected_method_status
tsc_filter_input_connected(bt_self_component_filter *self,
			   bt_self_component_port_input *port,
			   const bt_port_output *other);
bt_message_iterator_class_initialize_method_status
tsc_iter_init(bt_self_message_iterator *self,
	      bt_self_message_iterator_configuration *config,
	      bt_self_component_port_output *port);
void tsc_iter_finalize(bt_self_message_iterator *self);
bt_message_iterator_class_next_method_status
tsc_iter_next(bt_self_message_iterator *self, bt_message_array_const msgs,
	      uint64_t capacity, uint64_t *count);

#endif /* VMSYNC_TSC_FILTER_H */
