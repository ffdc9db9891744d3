/* SPDX-License-Identifier: GPL-2.0 */
/*
 * breakdown.h - where the time of an interval went, by the host-side state
 * of one vCPU: time per state, VM exits by reason (how many, how long),
 * which host tasks held its CPU while it was preempted. Used for a guest
 * latency (the interval it lasted) and for a vCPU's totals (the trace).
 * Fixed size: the few reasons and tasks that take the most time are named,
 * the rest summed as "others".
 */
#ifndef VMSYNC_BREAKDOWN_H
#define VMSYNC_BREAKDOWN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vcpu_states.h"

#define BD_EXITS 24
#define BD_BY 6

struct bd_exit {
	int64_t reason;		/* -1: not recorded */
	int isa;
	uint64_t count;
	int64_t ns;
};

struct bd_by {
	struct host_task task;
	uint32_t cpu;		/* the last host CPU it held */
	bool cpu_known;
	int64_t ns;
};

struct breakdown {
	int64_t ns[VS_NR];
	struct bd_exit exits[BD_EXITS];
	unsigned int nr_exits;
	uint64_t other_exits;	/* count of exits not in exits[] */
	int64_t other_exits_ns;
	struct bd_by by[BD_BY];
	unsigned int nr_by;
	int64_t other_by_ns;
};

/*
 * Every host task that preempted a vCPU, with its time: a vCPU's totals
 * over a whole trace meet more than BD_BY of them, and the longest may
 * come last. Folded into a breakdown's top BD_BY (and "others") to print.
 */
struct bd_by_all {
	struct bd_by *by;
	size_t nr, cap;
};

/* Adds the preemption of segment @s (its whole length); false: no memory. */
bool bd_by_all_add(struct bd_by_all *a, const struct vcpu_segment *s);
/* @b's preempting tasks become the longest BD_BY of @a, the rest others. */
void bd_by_all_fold(const struct bd_by_all *a, struct breakdown *b);
void bd_by_all_fini(struct bd_by_all *a);

/* Adds what of segment @s falls in [@from, @to] (ns) to @b. */
void bd_add(struct breakdown *b, const struct vcpu_segment *s, int64_t from, int64_t to);
int64_t bd_total(const struct breakdown *b);
/* Sorts the exits and tasks by time, the longest first. */
void bd_sort(struct breakdown *b);
/* "5.500 ms preempted (by cpu-hog, tid 123, on host CPU 1: 5.500 ms), ..." */
void bd_print_text(FILE *f, const struct breakdown *b);
/* The breakdown's JSON members (no braces): "guest_ns":..,"exits":[..],.. */
void bd_print_json(FILE *f, const struct breakdown *b);
/* A duration as "8.200 ms" / "12.000 us" / "340 ns". */
const char *fmt_dur(int64_t ns, char *buf, size_t len);
/* @s as a JSON string literal, quotes included. */
void json_str(FILE *f, const char *s);

#endif /* VMSYNC_BREAKDOWN_H */
