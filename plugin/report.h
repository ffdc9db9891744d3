/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h - sink.vmsync.report: why a guest was late. Shared between the
 * component (report_sink.c), the guest side (report_guest.c), the text and
 * JSON output (report_out.c) and the timeline files (timeline.c).
 */
#ifndef VMSYNC_REPORT_H
#define VMSYNC_REPORT_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "breakdown.h"
#include "event_kind.h"
#include "mark_pattern.h"
#include "ptr_map.h"
#include "vcpu_states.h"

struct timeline;

struct guest_vcpu;

struct lane {			/* one host vCPU thread, as the report sees it */
	struct vcpu_thread *t;
	struct breakdown total;
	struct bd_by_all by_all;	/* every task that preempted it */
	int64_t first, last;	/* ns: the span of its known states */
	bool seen;
	struct guest_vcpu *g;	/* the guest vCPU it runs, once known */
	unsigned int id;	/* its timeline lane */
	/* Its states since the host last woke it from idle (at since_wake_of). */
	struct breakdown since_wake;
	int64_t since_wake_of, claimed;	/* claimed: the wakeup a latency began at */
};

struct guest_vcpu {		/* one vCPU of a guest, by its rebased traces */
	char host[64], guest[64];	/* guest: its UUID, else its VM's name */
	uint32_t vcpu;
	struct lane *lane;	/* the host thread running it (the latest known) */
	bool had_lane;
	/* What the guest runs on it (its sched_switch), for the timeline. */
	int64_t task_tid, task_since;
	char task_comm[TASK_COMM_LEN_MAX];
	bool task_known;
	uint64_t events;
};

enum lat_kind { LAT_WAKEUP, LAT_MARK };

struct latency {		/* a guest latency, open or done */
	enum lat_kind kind;
	struct guest_vcpu *g;	/* the vCPU it waited on (wakeup: target_cpu) */
	uint32_t ran_vcpu;	/* where it ended (wakeup: switched in) */
	int64_t tid;		/* guest thread, -1: none (a mark without one) */
	char comm[TASK_COMM_LEN_MAX];
	char name[64];		/* LAT_MARK: the begin event's name */
	int64_t begin, end;	/* ns, host time */
	/*
	 * LAT_WAKEUP: of it, how long before the guest's sched_wakeup, while
	 * its halted vCPU, woken by the host for the interrupt, waited to run.
	 */
	int64_t before_guest;
	struct breakdown bd;
};

struct stream_info {		/* what every event of a stream shares */
	bool guest;		/* of a trace filter.vmsync.tsc rebased */
	char host[64];		/* a host's: its hostname */
	uint32_t cpu;
	bool cpu_known;
	struct guest_vcpu *g;	/* a guest's: its vCPU (NULL: unnamed) */
};

struct report {
	bt_message_iterator *it;
	struct ev_classes classes;
	struct ptr_map streams;	/* bt_stream (a reference held) -> stream_info */
	const bt_stream **held;
	size_t nr_held;
	struct vcpu_states vs;
	struct lane **lanes;
	size_t nr_lanes;
	struct guest_vcpu **guests;
	size_t nr_guests;
	struct latency **open;
	size_t nr_open;
	/* Parameters. */
	uint64_t top, min_latency_ns, wake_guest_ns;
	struct mark_pattern begin, end;	/* of marked intervals; begin.event NULL: none */
	bool json;
	/* The top latencies (longest first once sorted), and counts. */
	struct latency *best;
	size_t nr_best;
	uint64_t wakeups, late, marks, unfinished, guest_events, guest_sched, unmatched_guest;
	int64_t first_ns, last_ns;
	bool any_ns;
	FILE *json_out;		/* format=json: stdout, latencies streamed */
	uint64_t json_lats;
	struct timeline *tl;	/* chrome-trace / html, or NULL */
	bool nomem;
};

/* report_guest.c: a guest event at @ns (host time) on guest vCPU @g (NULL: unnamed). */
bool report_guest_event(struct report *r, const bt_event *ev, const struct ev_class_info *ci,
			struct guest_vcpu *g, int64_t ns);
/* The vCPU @vcpu of guest @guest on host @host, created on first use; NULL: no memory. */
struct guest_vcpu *report_guest_vcpu(struct report *r, const char *host, const char *guest,
				     uint32_t vcpu);
/* A vCPU thread was named: link it to its guest vCPU, if known. */
void report_link_thread(struct report *r, struct vcpu_thread *t);
/* A host vCPU thread's segment ended: totals, open latencies, timeline. */
void report_segment(struct report *r, struct vcpu_thread *t, const struct vcpu_segment *s);
/* The end of the input: latencies still open end at the last host time. */
void report_guest_end(struct report *r);
void report_guest_fini(struct report *r);

/* report_out.c: a latency is done (kept, streamed, drawn). */
void report_latency_done(struct report *r, const struct latency *l);
void report_json_begin(struct report *r);
/* Prints the report (text, or the rest of the JSON). */
void report_print(struct report *r);
const char *guest_label(const struct guest_vcpu *g, char *buf, size_t len);

#endif /* VMSYNC_REPORT_H */
