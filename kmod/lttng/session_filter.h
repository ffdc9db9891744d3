/* SPDX-License-Identifier: GPL-2.0 */
/* For lttng/kvm_tsc.h: events that belong to one session. */
#ifndef VMSYNC_LTTNG_SESSION_FILTER_H
#define VMSYNC_LTTNG_SESSION_FILTER_H

/*
 * A statedump is for the session that asked for it: events that carry a
 * session are recorded into that one only (the recorder's own session), the
 * others into all. Event notifiers (triggers) see everything.
 */
static inline bool kvm_tsc_other_session(struct lttng_kernel_event_common *event,
					 const void *session)
{
	struct lttng_kernel_event_recorder *recorder;

	if (!session || event->type != LTTNG_KERNEL_EVENT_TYPE_RECORDER)
		return false;
	recorder = container_of(event, struct lttng_kernel_event_recorder, parent);
	return recorder->chan->parent.session != session;
}

#endif /* VMSYNC_LTTNG_SESSION_FILTER_H */
