/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcpu_states.h - what a host did with each vCPU thread, from its kernel
 * trace: in guest mode (kvm_vcpu_entry to kvm_vcpu_exit), in the host after
 * a VM exit (with the exit's reason, from LTTng's kvm_x86_exit on the same
 * CPU), preempted (runnable while another host task had its CPU: which
 * task, which CPU), idle (asleep, e.g. halted) or not known yet. The states
 * come out as segments, each when it ends, to a callback: the report sums
 * them per vCPU and over each guest latency.
 */
#ifndef VMSYNC_VCPU_STATES_H
#define VMSYNC_VCPU_STATES_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vcpu_state {
	VS_UNKNOWN,	/* before its first state-changing event */
	VS_GUEST,	/* in guest mode: the guest's code runs */
	VS_EXIT,	/* running in the host, handling a VM exit */
	VS_PREEMPTED,	/* runnable, another host task on its CPU */
	VS_IDLE,	/* asleep in the host (after a HLT exit: the guest idles) */
	VS_NR
};

#define TASK_COMM_LEN_MAX 24

struct host_task {		/* a host task: what ran instead of a vCPU */
	int64_t tid;		/* -1: not known */
	char comm[TASK_COMM_LEN_MAX];
};

/* One span of one state of one vCPU thread. */
struct vcpu_segment {
	enum vcpu_state state;
	int64_t begin, end;	/* ns, host time */
	uint32_t cpu;		/* host CPU it ran or waited on; cpu_known */
	bool cpu_known;
	/* VS_EXIT: the exit's reason (-1: not recorded) and KVM's isa (1 VMX, 2 SVM). */
	int64_t reason;
	int isa;
	bool new_exit;		/* VS_EXIT: the first segment of its exit */
	struct host_task by;	/* VS_PREEMPTED: the task on its CPU */
};

struct vcpu_thread {		/* one vCPU thread of one host */
	char host[64], vm[32], uuid[64];
	uint32_t vcpu;
	int64_t tid;
	struct vcpu_segment cur;	/* the open segment (cur.end unused) */
	bool running;		/* on a host CPU (else runnable or asleep) */
	bool in_guest;
	uint64_t migrations;
	/* Woken from idle at woken_at (an interrupt for its halted guest), until asleep again. */
	bool woken;
	int64_t woken_at;
	void *user;		/* the report's: the guest vCPU it runs */
};

struct host_cpu {		/* what a host CPU runs, from its sched_switch */
	char host[64];
	uint32_t cpu;
	struct host_task cur;
	int64_t since;		/* ns: cur runs since then */
	bool known;
	/* An exit reason seen before this CPU's kvm_vcpu_exit, or after it: */
	int64_t reason;		/* -1: none pending */
	int isa;
	struct vcpu_thread *exited;	/* the thread of the last kvm_vcpu_exit here */
};

struct vcpu_states;
typedef void (*vcpu_segment_fn)(void *arg, struct vcpu_thread *t,
				const struct vcpu_segment *s);
/* A thread was named by kvm_tsc_vcpu (or renamed: a new tid). */
typedef void (*vcpu_thread_fn)(void *arg, struct vcpu_thread *t);
/* Host CPU @c ran @c->cur from @c->since to @end. */
typedef void (*host_cpu_fn)(void *arg, const struct host_cpu *c, int64_t end);

struct vcpu_states {
	struct vcpu_thread **threads;
	size_t nr_threads;
	struct host_cpu **cpus;
	size_t nr_cpus;
	struct vm_uuid *vm_uuids;
	size_t nr_vm_uuids;
	vcpu_segment_fn on_segment;
	vcpu_thread_fn on_thread;
	host_cpu_fn on_cpu;	/* optional */
	void *arg;
	/* What the host traces had: the report says what to record without. */
	uint64_t switches, wakeups, entries, exits, exit_reasons;
	int64_t last_ns;	/* the latest host event's time */
};

const char *vcpu_state_name(enum vcpu_state s);
/* A short name for an exit reason of KVM's @isa ("HLT", "NPF", "reason 77"). */
const char *exit_reason_name(int isa, int64_t reason, char *buf, size_t len);

/*
 * Feeds one event of host @host at @ns, of class @ci (event_kind.h). @cpu:
 * its stream's CPU (packet context cpu_id; @cpu_known false: none). False:
 * out of memory.
 */
struct ev_class_info;
bool vcpu_states_event(struct vcpu_states *vs, const char *host, const bt_event *ev,
		       const struct ev_class_info *ci, uint32_t cpu, bool cpu_known, int64_t ns);
/* Ends every open segment at the last host time seen. */
void vcpu_states_flush(struct vcpu_states *vs);
void vcpu_states_fini(struct vcpu_states *vs);

#endif /* VMSYNC_VCPU_STATES_H */
