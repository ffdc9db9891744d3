// SPDX-License-Identifier: GPL-2.0
/* event_kind.c - see event_kind.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "event_kind.h"
#include "vmsync_format.h"

static const char *const field_names[F_NR] = {
	[F_PREV_TID] = "prev_tid", [F_PREV_STATE] = "prev_state", [F_NEXT_TID] = "next_tid",
	[F_NEXT_COMM] = "next_comm", [F_TID] = "tid", [F_COMM] = "comm",
	[F_TARGET_CPU] = "target_cpu", [F_DEST_CPU] = "dest_cpu",
	[F_EXIT_REASON] = "exit_reason", [F_ISA] = "isa", [F_VM] = "vm", [F_VCPU] = "vcpu",
	[F_VCPU_TID] = "vcpu_tid", [F_UUID] = "uuid",
};

static const struct {
	const char *name;
	enum ev_kind kind;
} kinds[] = {
	{ "sched_switch", EK_SCHED_SWITCH }, { "sched_wakeup", EK_SCHED_WAKEUP },
	{ "sched_wakeup_new", EK_SCHED_WAKEUP }, { "sched_migrate_task", EK_SCHED_MIGRATE },
	{ "kvm_x86_exit", EK_X86_EXIT }, { EV_VCPU, EK_TSC_VCPU }, { EV_GUEST, EK_TSC_GUEST },
	{ EV_VCPU_ENTRY, EK_VCPU_ENTRY }, { EV_VCPU_EXIT, EK_VCPU_EXIT },
};

struct ev_class_info *ev_class_info(struct ev_classes *c, const bt_event *ev, bool *is_new)
{
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	const bt_field_class *pc = bt_event_class_borrow_payload_field_class_const(ec);
	struct ev_class_info *ci = ptr_map_get(&c->map, ec);
	const bt_event_class **h;
	const char *name;

	*is_new = false;
	if (ci)
		return ci;
	ci = calloc(1, sizeof(*ci));
	h = realloc(c->held, (c->nr_held + 1) * sizeof(*h));
	if (h)
		c->held = h;
	if (!ci || !h || !ptr_map_put(&c->map, ec, ci)) {
		free(ci);
		return NULL;
	}
	bt_event_class_get_ref(ec);
	c->held[c->nr_held++] = ec;
	*is_new = true;
	name = bt_event_class_get_name(ec);
	ci->name = name ? name : "";
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (!strcmp(ci->name, kinds[i].name))
			ci->kind = kinds[i].kind;
	for (int f = 0; f < F_NR; f++) {
		ci->idx[f] = -1;
		if (!pc || bt_field_class_get_type(pc) != BT_FIELD_CLASS_TYPE_STRUCTURE)
			continue;
		for (uint64_t i = 0; i < bt_field_class_structure_get_member_count(pc); i++)
			if (!strcmp(bt_field_class_structure_member_get_name(
				bt_field_class_structure_borrow_member_by_index_const(pc, i)),
				field_names[f])) {
				ci->idx[f] = (int)i;
				break;
			}
	}
	return ci;
}

static const bt_field *member(const bt_event *ev, const struct ev_class_info *ci,
			      enum ev_field f)
{
	const bt_field *p;

	if (ci->idx[f] < 0)
		return NULL;
	p = bt_event_borrow_payload_field_const(ev);
	return p ? bt_field_structure_borrow_member_field_by_index_const(p, (uint64_t)ci->idx[f])
		 : NULL;
}

bool ev_int(const bt_event *ev, const struct ev_class_info *ci, enum ev_field f, int64_t *v)
{
	return field_int(member(ev, ci, f), v);
}

void ev_str(const bt_event *ev, const struct ev_class_info *ci, enum ev_field f, char *buf,
	    size_t len)
{
	const bt_field *m = member(ev, ci, f);

	buf[0] = '\0';
	if (m && bt_field_get_class_type(m) == BT_FIELD_CLASS_TYPE_STRING)
		snprintf(buf, len, "%s", bt_field_string_get_value(m));
}

void ev_classes_fini(struct ev_classes *c)
{
	for (size_t i = 0; i < c->nr_held; i++) {
		free(ptr_map_get(&c->map, c->held[i]));
		bt_event_class_put_ref(c->held[i]);
	}
	free(c->held);
	ptr_map_fini(&c->map);
	memset(c, 0, sizeof(*c));
}
