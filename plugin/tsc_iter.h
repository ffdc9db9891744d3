/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tsc_iter.h - the state of filter.vmsync.tsc's message iterator, shared by
 * the files that do its jobs: tsc_iter.c (the loop), guest_match.c,
 * time_conv.c, window.c and rebase.c.
 */
#ifndef VMSYNC_TSC_ITER_H
#define VMSYNC_TSC_ITER_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stdint.h>

#include "host_model.h"
#include "ir_copy.h"
#include "ptr_map.h"
#include "reorder.h"

#define MAX_VMS_PER_GUEST 16
/*
 * How much further than a time the host traces must have been read before
 * it is taken as read: more than host_ns_about() can be off by.
 */
#define WAIT_MARGIN_NS 1000

enum trace_kind { TRACE_UNKNOWN, TRACE_HOST, TRACE_HOST_SIDE, TRACE_GUEST };

struct trace_info {
	const bt_trace *trace;
	enum trace_kind kind;
	const struct host_vm *vms[MAX_VMS_PER_GUEST];
	size_t nr_vms;
	/* Matched by UUID: a VM announced later with it (migration) joins. */
	char uuid[64];
	size_t model_vms_seen;
	uint64_t max_host_tsc;	/* the latest host TSC it was put at */
	bool warned_downtime;
	struct host_trace *host;
	/*
	 * A guest of a nested hypervisor (L2): that guest's trace (L1), whose
	 * host's clock it goes onto, through L1's offsets there; else NULL.
	 */
	struct trace_info *via;
	const bt_clock_class *out_clock;	/* its host's, or via's host's */
	/* The out clock's ns per cycle and offset, for host_ns_about(). */
	double host_ns_per_cycle, host_base_ns;
	const bt_clock_class *clock;	/* a guest's, once matched */
	/* Not on the TSC clock: its times go to host TSC through its beacons. */
	bool by_beacons;
	struct beacons *beacons;	/* per CPU, indexed by cpu_id */
	size_t nr_beacons;
	struct ir_rebase_note note;
	int64_t first_ns;	/* its first time read, while unmatched */
	bool counted;		/* in tsc_iter.unmatched */
	uint64_t inputs;	/* bit i % 64: input i brought its messages */
	/*
	 * It declares kvm_tsc_offset/guest: a host once it announces VMs,
	 * unless its product UUID is a VM of another host's (a nested
	 * hypervisor: a guest whose kvm_tsc_* events describe its own guests).
	 */
	bool host_classes, nested;
	bool announced;		/* it announced VMs; host or nested undecided */
	/* Its events put after their host trace had ended: how many, when. */
	uint64_t after_end;
	int64_t after_end_from, after_end_to;
	char end_note[400];	/* why, for their mark */
	/* Its events whose guest TSC no recorded offset gives consistently. */
	uint64_t misfit;
	int64_t misfit_from, misfit_to;
	char misfit_note[320];
	/* An L2's events whose L1 vCPUs disagreed or were in doubt there. */
	uint64_t via_marked;
	int64_t via_from, via_to;
	char via_note[1024];
};

struct stream_info {
	struct trace_info *t;
	int64_t last_key;
	uint32_t cpu;
	bool cpu_known;
	bool clocked;		/* its class has a default clock */
	bool listed;		/* in its input's streams */
	size_t run;		/* its run in the reorder */
	struct ir_stream *ir;	/* a guest stream's copy, once made */
	/* Its latest event's class, and whether it is a kvm_tsc_* / a beacon. */
	const bt_event_class *ec;
	bool ec_kvm_tsc, ec_beacon;
	/*
	 * A guest stream's own time less host time (ns): at its latest
	 * converted message, and ahead of an offset change read on the host
	 * that its next messages will meet. INT64_MIN: none.
	 */
	int64_t gap, gap_next;
	const struct host_vm *conv_vm;	/* the VM of its latest conversion */
	bool conv_fits;		/* ... consistent with the VM's offset history */
	size_t vcpu_hint;	/* where its vCPU's history was in its VM's list */
	bool via_doubt;		/* ... its L1 step not vouched for (t->via_note) */
	int64_t via_ns;		/* ... an L2's: its time on its host L1's clock */
	int64_t out_max_ns;	/* the latest host time it was put at */
	int64_t last_own;	/* its latest own time: they must not go back */
	size_t nr_held;		/* its messages waiting in tsc_iter.held */
};

struct input {
	bt_message_iterator *it;
	bool ended, carries_host, seen;
	bool tried;		/* live: pull() asked it already this time */
	int64_t frontier;	/* own-clock ns of its latest message */
	bool host_side;		/* it brings messages on host time */
	struct stream_info **streams;	/* the guest streams it brings */
	size_t nr_streams;
	/*
	 * Own-clock ns of its messages still held, oldest first: a ring whose
	 * size is a power of two, as the held ring's (indexes wrap by mask).
	 */
	int64_t *held_own;
	size_t ho_first, ho_nr, ho_cap;
	int64_t above;		/* input_above() at the last window_update() */
	/* Live (live-bound-ms): since when (CLOCK_MONOTONIC ns) it had nothing. */
	int64_t quiet_since;	/* 0: it gave messages at its last pull */
};

struct held {			/* a guest message waiting for host data */
	const bt_message *msg;
	size_t input;
	/* What take() found, so that it is not looked up again. */
	struct stream_info *si;
	const bt_clock_snapshot *cs;	/* its time, or NULL */
	int64_t own;			/* that time in ns, or INT64_MIN */
	uint64_t seq;			/* its turn among equal times (reorder) */
	bt_message_type type;
};

struct tsc_filter {
	bt_self_component *self;
	char *map;		/* "TRACE=VM,..." */
	int64_t slack_ns, window_limit_ns, beacon_limit_ns, downtime_ns;
	int64_t live_bound_ns;	/* 0: wait for every input, however long */
	uint64_t max_held;
};

struct tsc_iter {
	struct tsc_filter *f;
	bt_self_message_iterator *self;
	struct input *inputs;
	size_t nr_inputs;
	struct host_model model;
	struct ir_copy copy;
	struct ptr_map traces, streams;	/* -> trace_info, stream_info */
	const bt_stream *last_stream;	/* stream_of()'s latest answer */
	struct stream_info *last_si;
	struct reorder heap;
	struct held *held;
	size_t held_first, held_nr, held_cap;
	/*
	 * The first held message's conversion while it waits for the host
	 * frontier: the same until the host model reads more (host_model.gen).
	 */
	struct {
		uint64_t seq, gen;
		uint64_t clk, g, tsc;
		const struct host_vm *vm;
		bool fits, valid;
	} head_conv;
	bool reported;		/* the end-of-run summary is out */
	size_t unmatched;	/* traces with messages held, not matched yet */
	size_t undecided;	/* of those, traces that announced VMs */
	uint64_t vms_gen;	/* the host model's, when guests last looked */
	int64_t last_out;
	uint64_t late;		/* live: messages that went out behind later ones */
	int64_t late_worst;	/* ... by how much at most (ns) */
	/*
	 * safe_time() at the last window_update(): what was read changes only
	 * in pull() and release_held(), each followed by an update.
	 */
	int64_t safe;
	bool window_fresh;
	/* host_frontier() as release_held() found it, until the next pull(). */
	int64_t hf;
	bool hf_fresh;
	bool failed;
};

#define iter_error(it, ...) do { \
	BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_MESSAGE_ITERATOR((it)->self, __VA_ARGS__); \
	(it)->failed = true; \
} while (0)

/* A conversion's outcome; all but OK and WAIT say what is missing. */
enum conv { CONV_OK, CONV_WAIT, CONV_NO_CPU, CONV_GUEST_BEACONS, CONV_NO_OFFSET,
	    CONV_HOST_BEACONS };

/* guest_match.c: which trace is what */
const char *mapped_vm(const struct tsc_filter *f, const char *name, char *buf, size_t len);
bool classify(struct tsc_iter *it, struct trace_info *t,
		const bt_clock_class *cc, bool hosts_done);
struct stream_info *stream_of(struct tsc_iter *it, const bt_stream *s);
void refresh_vms(struct tsc_iter *it, struct trace_info *t);

/* rebase.c: a guest message copied onto host time */
const bt_message *rebase(struct tsc_iter *it, struct stream_info *si, bt_message_type type,
		const bt_message *m, const bt_clock_snapshot *cs,
		uint64_t h, const char *unverified);
bool out_ns(const struct stream_info *si, const bt_message *out, bt_message_type type,
	    int64_t *ns);

/* time_conv.c: guest time -> host time */
bool host_ns(const struct trace_info *t, uint64_t clk, int64_t *ns);
int64_t host_ns_about(const struct trace_info *t, uint64_t clk);
struct beacons *guest_beacons(struct tsc_iter *it, struct trace_info *t,
		uint32_t cpu);
enum conv conv_time(struct tsc_iter *it, struct stream_info *si, uint64_t c,
		uint64_t *out, uint64_t *g, uint64_t *h);
bool conv_done(struct tsc_iter *it, struct stream_info *si, enum conv st,
		uint64_t g, uint64_t h);
bool convert_cs(struct tsc_iter *it, struct stream_info *si,
		const bt_clock_snapshot *cs, uint64_t *host);

/* integrity.c: what the host data vouches for */
const char *unverified(struct tsc_iter *it, struct stream_info *si, int64_t key);
void warn_doubt(struct tsc_iter *it);
void report_unverified(struct tsc_iter *it);

/* window.c: how far the merge must wait */
void expect_stream(const struct tsc_iter *it, struct stream_info *si);
void expect_gap(struct tsc_iter *it, const struct trace_info *t,
		const struct host_vm *vm, uint32_t vcpu, const struct tsc_segment *seg);
void check_set_back(struct tsc_iter *it, struct trace_info *t,
		const struct host_vm *vm, uint32_t vcpu, const struct tsc_segment *seg);
void expect_change(struct tsc_iter *it, const struct host_vm *vm, uint32_t vcpu,
		const struct tsc_segment *seg);
int64_t window_update(struct tsc_iter *it);
int64_t behind(const struct input *in);
bool hosts_ended(const struct tsc_iter *it);
int64_t host_frontier(const struct tsc_iter *it);
bool host_passed(const struct tsc_iter *it, const struct trace_info *t,
		int64_t hf);
bool inputs_ended(const struct tsc_iter *it, uint64_t mask);
int64_t live_floor(const struct tsc_iter *it, const struct input *in);
void input_quiet(struct input *in);
int64_t input_reach(const struct tsc_iter *it, const struct input *in);
int64_t inputs_frontier(const struct tsc_iter *it, uint64_t mask);

#endif /* VMSYNC_TSC_ITER_H */
