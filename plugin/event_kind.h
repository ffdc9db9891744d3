/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_kind.h - what the report reads of an event, found once per event
 * class: which of the events it follows the class is (by name), and where
 * in its payload each field it reads sits (by index), so that an event
 * costs no name lookup. Cached per event class, which the cache holds a
 * reference to (an address is never reused while cached).
 */
#ifndef VMSYNC_EVENT_KIND_H
#define VMSYNC_EVENT_KIND_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptr_map.h"

enum ev_kind {
	EK_OTHER,
	EK_SCHED_SWITCH,	/* sched_switch */
	EK_SCHED_WAKEUP,	/* sched_wakeup, sched_wakeup_new */
	EK_SCHED_MIGRATE,	/* sched_migrate_task */
	EK_X86_EXIT,		/* LTTng's kvm_x86_exit (the kernel's kvm_exit) */
	EK_TSC_VCPU,		/* kvm_tsc_vcpu */
	EK_TSC_GUEST,		/* kvm_tsc_guest */
	EK_VCPU_ENTRY,		/* kvm_vcpu_entry */
	EK_VCPU_EXIT,		/* kvm_vcpu_exit */
};

enum ev_field {
	F_PREV_TID, F_PREV_STATE, F_NEXT_TID, F_NEXT_COMM, F_TID, F_COMM, F_TARGET_CPU,
	F_DEST_CPU, F_EXIT_REASON, F_ISA, F_VM, F_VCPU, F_VCPU_TID, F_UUID, F_NR
};

struct ev_class_info {
	enum ev_kind kind;
	int idx[F_NR];		/* the field's index in the payload; -1: none */
	int mark;		/* the report's: its name matches begin (1), end (2), both (3) */
	const char *name;	/* the class's name ("" without one) */
};

struct ev_classes {
	struct ptr_map map;	/* bt_event_class -> ev_class_info */
	const bt_event_class **held;
	size_t nr_held;
};

/* The info of @ev's class, found on first sight; NULL: out of memory. */
struct ev_class_info *ev_class_info(struct ev_classes *c, const bt_event *ev, bool *is_new);
bool ev_int(const bt_event *ev, const struct ev_class_info *ci, enum ev_field f, int64_t *v);
/* The string field @f in @buf ("" when absent or not a string). */
void ev_str(const bt_event *ev, const struct ev_class_info *ci, enum ev_field f, char *buf,
	    size_t len);
void ev_classes_fini(struct ev_classes *c);

#endif /* VMSYNC_EVENT_KIND_H */
