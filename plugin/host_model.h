/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host_model.h - what host traces say about their guests: each VM (KVM's
 * "<pid>-<fd>" name, system UUID, name) and, per vCPU, every TSC offset and
 * ratio it ran with and from when (kvm_tsc_guest, kvm_tsc_offset).
 */
#ifndef VMSYNC_HOST_MODEL_H
#define VMSYNC_HOST_MODEL_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stdint.h>

#include "beacons.h"
#include "vmsync_format.h"

/* One value of a vCPU's offset and ratio, in effect from host TSC @since. */
struct tsc_segment {
	uint64_t since;		/* host TSC; 0: since before the trace */
	int64_t offset;
	uint64_t ratio;
	unsigned int frac_bits;
	int64_t at_ns;		/* its event's host clock time; INT64_MIN: unknown */
	uint64_t read_at;	/* the host TSC its event read it at (host_tsc) */
};

/*
 * Why the host data cannot vouch for the offset a vCPU ran with over a range
 * of host time: a guest event converted into it is marked unverified.
 */
enum doubt_cause {
	DOUBT_LOSS,		/* the host trace lost events (or packets) there */
	DOUBT_CHAIN,		/* a change is missing: prev_offset/prev_ratio disagree */
	DOUBT_VALUES,		/* a kvm_tsc_offset event with values out of domain */
};

struct doubt {
	int64_t from_ns, to_ns;	/* host clock ns from origin; to: INT64_MAX, open */
	enum doubt_cause cause;
	int64_t close_after_ns;	/* LOSS: a change after this may close it */
	char what[512];		/* for the warning and the mark */
	uint64_t marked;	/* guest events converted into it */
	int64_t marked_from, marked_to;	/* their host times, ns */
	char guest[128];	/* the guest trace they were of */
	bool warned;		/* said when read */
};

struct vcpu_history {
	uint32_t vcpu;
	struct tsc_segment *segs;	/* usable values only, by since */
	size_t nr, cap;
	struct doubt *doubts;		/* by from_ns; only the last may be open */
	size_t nr_doubts, cap_doubts;
};

struct host_vm {
	int host;		/* index of its host trace */
	char vm[32], uuid[40], name[64];
	int64_t qemu_pid;
	struct vcpu_history *vcpus;
	size_t nr_vcpus;
};

struct host_trace {
	const bt_trace *trace;
	const bt_clock_class *clock;	/* its kernel streams' clock */
	char name[128], hostname[64];
	bool dumped;			/* its first statedump is complete */
	bool announced;			/* it said which VMs it runs: a host */
	bool tsc_clock;			/* its clock is vmsync's raw TSC */
	struct beacons beacons;		/* else: its clock <-> TSC pairs */
	/* The earliest end of its streams (ns from origin), and whose. */
	int64_t end_ns;			/* INT64_MAX: none ended */
	uint32_t end_cpu;
	uint64_t bad_values;		/* kvm_tsc_offset events out of domain */
};

struct host_model {
	struct host_trace **hosts;	/* each allocated alone: pointers stay */
	size_t nr_hosts;
	struct host_vm **vms;
	size_t nr_vms;
	uint64_t vms_gen;	/* changes when a VM comes or gets its UUID */
	uint64_t gen;		/* changes with every kvm_tsc_* event read */
	/* Set by host_model_event() when it added a segment; cleared by users. */
	const struct host_vm *changed_vm;
	uint32_t changed_vcpu;
	struct tsc_segment changed;
	int64_t beacon_limit_ns;	/* for struct beacons; set before use */
	/* Set when a doubt was opened or closed; cleared by users. */
	const struct host_vm *doubt_vm;
	uint32_t doubt_vcpu;
	size_t nr_doubts;	/* in all: none, and events are never looked up */
	bool host_ended;	/* some host stream ended */
};

/*
 * Whether the stream class of @sc can belong to a host trace: it declares
 * kvm_tsc_offset or kvm_tsc_guest. A trace is a host once it announces VMs
 * (host_model_announces()): a guest may declare them too (it enabled
 * kvm_tsc_* for beacons, or it runs guests of its own).
 */
bool host_model_is_host_class(const bt_stream_class *sc);
/* Whether an event named @name says which VMs its trace runs. */
bool host_model_announces(const char *name);

/*
 * Record what a host trace's event says; @cs, its time (or NULL). False:
 * out of memory.
 */
bool host_model_event(struct host_model *m, const bt_event *ev,
		      const bt_clock_snapshot *cs);

/*
 * The host trace of @trace (of stream @s, for its clock), added when new;
 * its index, or -1 when out of memory.
 */
int host_model_host(struct host_model *m, const bt_trace *trace, const bt_stream *s);

/*
 * Host @host lost events or packets between @from_ns and @to_ns (its
 * clock, ns from origin; INT64_MIN: unknown, taken as the trace's start):
 * every vCPU it ran is in doubt from then until its next change that
 * agrees with the last one known. False: out of memory.
 */
bool host_model_loss(struct host_model *m, int host, int64_t from_ns, int64_t to_ns);

/* A stream of host @host, of CPU @cpu, ended at @ns. */
void host_model_stream_end(struct host_model *m, int host, uint32_t cpu, int64_t ns);

/*
 * The doubt of vCPU @vcpu of @vm (which belongs to @m) covering host time
 * @ns, or NULL.
 */
struct doubt *host_model_doubt(struct host_model *m, const struct host_vm *vm,
			       uint32_t vcpu, int64_t ns);

/* The VMs whose UUID is @uuid, one after the other (a migrated guest). */
size_t host_model_find_uuid(const struct host_model *m, const char *uuid,
			    const struct host_vm **out, size_t max);
const struct host_vm *host_model_find_vm(const struct host_model *m,
					 const char *vm);

/*
 * The host TSC at which vCPU @vcpu of @vm read @guest_tsc (@hint: where
 * the caller found @vcpu in @vm's list before, kept up to date): the latest
 * segment it can have come from, which holds from host TSC @since; @fits
 * false when that lands after the next segment began (no recorded offset
 * gives it consistently: a change is missing). False when no segment fits.
 */
bool host_model_to_host(const struct host_vm *vm, uint32_t vcpu, size_t *hint,
			uint64_t guest_tsc, uint64_t *host_tsc, uint64_t *since, bool *fits);

/* The latest TSC scaling of vCPU @vcpu of @vm (1.0 when none is known). */
void host_model_scaling(const struct host_vm *vm, uint32_t vcpu, uint64_t *ratio,
			unsigned int *frac_bits);

bool host_model_all_dumped(const struct host_model *m);
/* "u1, u2, …" for messages: the UUIDs the host traces know. */
void host_model_known_uuids(const struct host_model *m, char *buf, size_t len);
void host_model_fini(struct host_model *m);

#endif /* VMSYNC_HOST_MODEL_H */
