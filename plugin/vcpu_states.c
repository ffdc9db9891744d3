// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu_states.c - each vCPU thread's state, from the host's events, in host
 * time order (the output of filter.vmsync.tsc).
 *
 * vmsync's kvm_tsc_vcpu names the thread of each (VM, vCPU), kvm_tsc_guest
 * each VM's UUID; kvm_vcpu_entry/exit (by thread) give guest mode; the
 * scheduler's sched_switch, sched_wakeup and sched_migrate_task give the
 * rest. A thread switched out runnable (prev_state R or R+) is preempted,
 * by whatever its CPU runs until it runs again (a new segment each time
 * that changes); one switched out in any other state is idle until woken,
 * then preempted until switched in. Switched in, it is in the host until
 * its next VM entry: the exit it came out of goes on. LTTng's kvm_x86_exit
 * comes from the same kernel tracepoint as kvm_vcpu_exit, just before or
 * after it on the same CPU: its reason belongs to that exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_kind.h"
#include "sink_util.h"
#include "vcpu_states.h"

struct vm_uuid {		/* kvm_tsc_guest: a VM's UUID */
	char host[64], vm[32], uuid[64];
};

static const char *const state_names[VS_NR] = {
	[VS_UNKNOWN] = "unknown",
	[VS_GUEST] = "guest",
	[VS_EXIT] = "exit",
	[VS_PREEMPTED] = "preempted",
	[VS_IDLE] = "idle",
};

const char *vcpu_state_name(enum vcpu_state s)
{
	return s < VS_NR ? state_names[s] : "?";
}

struct reason_name {
	int64_t reason;
	const char *name;
};

/* The common ones: Intel SDM vol. 3 appendix C; AMD APM vol. 2 appendix C. */
static const struct reason_name vmx_reasons[] = {
	{ 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" }, { 2, "TRIPLE_FAULT" },
	{ 7, "INTERRUPT_WINDOW" }, { 8, "NMI_WINDOW" }, { 9, "TASK_SWITCH" },
	{ 10, "CPUID" }, { 12, "HLT" }, { 14, "INVLPG" }, { 16, "RDTSC" },
	{ 18, "VMCALL" }, { 28, "CR_ACCESS" }, { 29, "DR_ACCESS" },
	{ 30, "IO_INSTRUCTION" }, { 31, "MSR_READ" }, { 32, "MSR_WRITE" },
	{ 40, "PAUSE_INSTRUCTION" }, { 44, "APIC_ACCESS" }, { 48, "EPT_VIOLATION" },
	{ 49, "EPT_MISCONFIG" }, { 52, "PREEMPTION_TIMER" }, { 54, "WBINVD" },
	{ 55, "XSETBV" }, { 56, "APIC_WRITE" }, { 57, "RDRAND" }, { 62, "PML_FULL" },
	{ 64, "XSAVES" }, { 74, "BUS_LOCK" }, { 75, "NOTIFY" },
};

static const struct reason_name svm_reasons[] = {
	{ 0x040, "EXCP_DB" }, { 0x04e, "EXCP_PF" }, { 0x060, "INTR" }, { 0x061, "NMI" },
	{ 0x062, "SMI" }, { 0x063, "INIT" }, { 0x064, "VINTR" }, { 0x06e, "RDTSC" },
	{ 0x072, "CPUID" }, { 0x077, "PAUSE" }, { 0x078, "HLT" }, { 0x079, "INVLPG" },
	{ 0x07b, "IOIO" }, { 0x07c, "MSR" }, { 0x081, "VMMCALL" }, { 0x088, "RDTSCP" },
	{ 0x08b, "MWAIT" }, { 0x08d, "XSETBV" }, { 0x400, "NPF" },
	{ 0x401, "AVIC_INCOMPLETE_IPI" }, { 0x402, "AVIC_UNACCELERATED_ACCESS" },
	{ -1, "ERR" },
};

const char *exit_reason_name(int isa, int64_t reason, char *buf, size_t len)
{
	const struct reason_name *r = isa == 2 ? svm_reasons : vmx_reasons;
	size_t n = isa == 2 ? sizeof(svm_reasons) / sizeof(*r) :
		   sizeof(vmx_reasons) / sizeof(*r);

	if (reason < 0 && isa != 2)
		return "not recorded";
	if (isa == 1 || isa == 2)
		for (size_t i = 0; i < n; i++)
			if (r[i].reason == reason)
				return r[i].name;
	/* SVM's ranges: control and debug register accesses, exceptions. */
	if (isa == 2 && reason >= 0 && reason < 0x40)
		snprintf(buf, len, "%s_%s%lld", reason & 0x10 ? "WRITE" : "READ",
			 reason & 0x20 ? "DR" : "CR", (long long)(reason & 0xf));
	else if (isa == 2 && reason >= 0x40 && reason < 0x60)
		snprintf(buf, len, "EXCP_%lld", (long long)(reason - 0x40));
	else
		snprintf(buf, len, "reason %lld", (long long)reason);
	return buf;
}

static struct vcpu_thread *by_tid(struct vcpu_states *vs, const char *host, int64_t tid)
{
	for (size_t i = 0; i < vs->nr_threads; i++) {
		struct vcpu_thread *t = vs->threads[i];

		if (t->tid == tid && !strcmp(t->host, host))
			return t;
	}
	return NULL;
}

static struct host_cpu *cpu_get(struct vcpu_states *vs, const char *host, uint32_t cpu)
{
	struct host_cpu *c;

	for (size_t i = 0; i < vs->nr_cpus; i++) {
		c = vs->cpus[i];
		if (c->cpu == cpu && !strcmp(c->host, host))
			return c;
	}
	c = append_new(&vs->cpus, &vs->nr_cpus, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->cpu = cpu;
	c->cur.tid = -1;
	c->reason = -1;
	return c;
}

/*
 * @t goes into state @next at @ns: its open segment ends there and goes to
 * the callback (an empty one only when it is an exit, to count it).
 */
static void change(struct vcpu_states *vs, struct vcpu_thread *t,
		   const struct vcpu_segment *next, int64_t ns)
{
	struct vcpu_segment s = t->cur;

	if (ns < s.begin)
		ns = s.begin;	/* never backwards: the input is in host time order */
	s.end = ns;
	if (vs->on_segment && (s.end > s.begin || (s.state == VS_EXIT && s.new_exit)))
		vs->on_segment(vs->arg, t, &s);
	t->cur = *next;
	t->cur.begin = ns;
}

/* The segment of @t preempted on host CPU @c (NULL: not known). */
static void preempted_on(struct vcpu_segment *s, const struct host_cpu *c, uint32_t cpu,
			 bool cpu_known)
{
	memset(s, 0, sizeof(*s));
	s->state = VS_PREEMPTED;
	s->reason = -1;
	s->cpu = cpu;
	s->cpu_known = cpu_known;
	s->by.tid = -1;
	if (c && c->known)
		s->by = c->cur;
}

/* kvm_tsc_guest: a VM's UUID, for its vCPUs' threads (those named already too). */
static bool note_guest(struct vcpu_states *vs, const char *host, const bt_event *ev,
		       const struct ev_class_info *ci)
{
	char vm[32], uuid[64];
	struct vm_uuid *n;

	ev_str(ev, ci, F_VM, vm, sizeof(vm));
	ev_str(ev, ci, F_UUID, uuid, sizeof(uuid));
	if (!vm[0] || !uuid[0])
		return true;
	n = realloc(vs->vm_uuids, (vs->nr_vm_uuids + 1) * sizeof(*n));
	if (!n)
		return false;
	vs->vm_uuids = n;
	n += vs->nr_vm_uuids++;
	snprintf(n->host, sizeof(n->host), "%s", host);
	memcpy(n->vm, vm, sizeof(vm));
	memcpy(n->uuid, uuid, sizeof(uuid));
	/* Threads named before the VM was announced (first seen running). */
	for (size_t i = 0; i < vs->nr_threads; i++) {
		struct vcpu_thread *t = vs->threads[i];

		if (t->uuid[0] || strcmp(t->host, host) || strcmp(t->vm, vm))
			continue;
		memcpy(t->uuid, uuid, sizeof(t->uuid));
		if (vs->on_thread)
			vs->on_thread(vs->arg, t);
	}
	return true;
}

/* kvm_tsc_vcpu: which thread runs a VM's vCPU (the latest one wins). */
static bool note_vcpu(struct vcpu_states *vs, const char *host, const bt_event *ev,
		      const struct ev_class_info *ci, int64_t ns)
{
	char vm[32];
	int64_t vcpu, tid;
	struct vcpu_thread *t = NULL;

	ev_str(ev, ci, F_VM, vm, sizeof(vm));
	if (!vm[0] || !ev_int(ev, ci, F_VCPU, &vcpu) || !ev_int(ev, ci, F_VCPU_TID, &tid) ||
	    vcpu < 0 || vcpu > UINT32_MAX)
		return true;
	for (size_t i = 0; i < vs->nr_threads && !t; i++)
		if (!strcmp(vs->threads[i]->host, host) && !strcmp(vs->threads[i]->vm, vm) &&
		    vs->threads[i]->vcpu == vcpu)
			t = vs->threads[i];
	if (t && t->tid == tid)
		return true;
	if (t) {		/* another thread now: what the old one did is over */
		struct vcpu_segment u = { .state = VS_UNKNOWN, .reason = -1, .by.tid = -1 };

		change(vs, t, &u, ns);
		t->running = t->in_guest = false;
	} else {
		t = append_new(&vs->threads, &vs->nr_threads, sizeof(*t));
		if (!t)
			return false;
		snprintf(t->host, sizeof(t->host), "%s", host);
		memcpy(t->vm, vm, sizeof(vm));
		t->vcpu = (uint32_t)vcpu;
		t->cur.state = VS_UNKNOWN;
		t->cur.reason = -1;
		t->cur.by.tid = -1;
		t->cur.begin = ns;
		for (size_t i = vs->nr_vm_uuids; i-- > 0;)
			if (!strcmp(vs->vm_uuids[i].host, host) && !strcmp(vs->vm_uuids[i].vm, vm)) {
				memcpy(t->uuid, vs->vm_uuids[i].uuid, sizeof(t->uuid));
				break;
			}
	}
	t->tid = tid;
	if (vs->on_thread)
		vs->on_thread(vs->arg, t);
	return true;
}

static void vm_entry(struct vcpu_states *vs, struct vcpu_thread *t, struct host_cpu *c,
		     uint32_t cpu, bool cpu_known, int64_t ns)
{
	struct vcpu_segment g = { .state = VS_GUEST, .reason = -1, .by.tid = -1,
				  .cpu = cpu, .cpu_known = cpu_known };

	change(vs, t, &g, ns);
	t->in_guest = t->running = true;
	if (c) {
		c->reason = -1;
		c->exited = NULL;
	}
}

static void vm_exit(struct vcpu_states *vs, struct vcpu_thread *t, struct host_cpu *c,
		    uint32_t cpu, bool cpu_known, int64_t ns)
{
	struct vcpu_segment x = { .state = VS_EXIT, .reason = -1, .by.tid = -1,
				  .cpu = cpu, .cpu_known = cpu_known, .new_exit = true };

	if (c && c->reason >= 0) {	/* kvm_x86_exit came first */
		x.reason = c->reason;
		x.isa = c->isa;
		c->reason = -1;
	} else if (c) {
		c->exited = t;
	}
	change(vs, t, &x, ns);
	t->in_guest = false;
	t->running = true;
}

/* LTTng's kvm_x86_exit: the reason of the exit this CPU takes or just took. */
static void exit_reason(struct vcpu_states *vs, struct host_cpu *c, const bt_event *ev,
			const struct ev_class_info *ci)
{
	int64_t reason, isa = 0;

	if (!c || !ev_int(ev, ci, F_EXIT_REASON, &reason))
		return;
	vs->exit_reasons++;
	ev_int(ev, ci, F_ISA, &isa);
	if (isa < 0 || isa > 2)
		isa = 0;
	if (c->exited && c->exited->cur.state == VS_EXIT && c->exited->cur.reason < 0 &&
	    c->exited->cur.new_exit) {
		c->exited->cur.reason = reason;
		c->exited->cur.isa = (int)isa;
		c->exited = NULL;
		return;
	}
	c->reason = reason;
	c->isa = (int)isa;
}

/* sched_switch on host CPU @c (@cpu): prev leaves it, next takes it. */
static void sched_switch(struct vcpu_states *vs, const char *host, struct host_cpu *c,
			 const bt_event *ev, const struct ev_class_info *ci, uint32_t cpu,
			 bool cpu_known, int64_t ns)
{
	int64_t prev, next, state;
	struct vcpu_thread *p, *n;
	struct host_task occupant = { .tid = -1 };

	if (!ev_int(ev, ci, F_PREV_TID, &prev) || !ev_int(ev, ci, F_NEXT_TID, &next))
		return;
	vs->switches++;
	if (!ev_int(ev, ci, F_PREV_STATE, &state))
		state = 1;	/* not known: taken as asleep */
	occupant.tid = next;
	ev_str(ev, ci, F_NEXT_COMM, occupant.comm, sizeof(occupant.comm));
	if (c) {
		if (c->known && vs->on_cpu && ns > c->since)
			vs->on_cpu(vs->arg, c, ns);
		c->cur = occupant;
		c->since = ns;
		c->known = true;
		c->exited = NULL;
	}
	p = by_tid(vs, host, prev);
	if (p) {
		struct vcpu_segment s;

		/* R (0) or R+ (TASK_REPORT_MAX, 0x100 on recent kernels, 0x800 on older). */
		if ((state & 0xff) == 0) {
			preempted_on(&s, c, cpu, cpu_known);
		} else {
			memset(&s, 0, sizeof(s));
			s.state = VS_IDLE;
			s.reason = -1;
			s.by.tid = -1;
			s.cpu = cpu;
			s.cpu_known = cpu_known;
		}
		s.reason = p->cur.reason;	/* the exit it was handling goes on after */
		s.isa = p->cur.isa;
		change(vs, p, &s, ns);
		p->running = p->in_guest = false;
		if (s.state == VS_IDLE)
			p->woken = false;
	}
	n = by_tid(vs, host, next);
	if (n) {
		struct vcpu_segment s = { .state = VS_EXIT, .reason = -1, .by.tid = -1,
					  .cpu = cpu, .cpu_known = cpu_known };

		/* Back in the host, where it left: the exit it was handling goes on. */
		if (n->cur.state == VS_PREEMPTED || n->cur.state == VS_EXIT) {
			s.reason = n->cur.reason;
			s.isa = n->cur.isa;
		}
		change(vs, n, &s, ns);
		n->running = true;
	}
	/* Those waiting for this CPU now wait behind another task. */
	for (size_t i = 0; cpu_known && i < vs->nr_threads; i++) {
		struct vcpu_thread *t = vs->threads[i];
		struct vcpu_segment s;

		if (t == n || t->cur.state != VS_PREEMPTED || !t->cur.cpu_known ||
		    t->cur.cpu != cpu || strcmp(t->host, host) || t->cur.by.tid == next)
			continue;
		preempted_on(&s, c, cpu, true);
		s.reason = t->cur.reason;
		s.isa = t->cur.isa;
		change(vs, t, &s, ns);
	}
}

/* sched_wakeup: an idle vCPU thread is runnable again, on target_cpu. */
static bool sched_wakeup(struct vcpu_states *vs, const char *host, const bt_event *ev,
			 const struct ev_class_info *ci, int64_t ns)
{
	int64_t tid, target;
	struct vcpu_thread *t;
	struct host_cpu *c = NULL;
	struct vcpu_segment s;
	bool was_idle;

	if (!ev_int(ev, ci, F_TID, &tid))
		return true;
	vs->wakeups++;
	t = by_tid(vs, host, tid);
	if (!t || t->running || t->cur.state == VS_PREEMPTED)
		return true;
	if (ev_int(ev, ci, F_TARGET_CPU, &target) && target >= 0 && target <= UINT32_MAX) {
		c = cpu_get(vs, host, (uint32_t)target);
		if (!c)
			return false;
	}
	was_idle = t->cur.state == VS_IDLE;
	preempted_on(&s, c, c ? c->cpu : 0, c != NULL);
	s.reason = t->cur.reason;	/* an idle vCPU comes back to its exit */
	s.isa = t->cur.isa;
	change(vs, t, &s, ns);
	t->woken = was_idle;
	t->woken_at = ns;
	return true;
}

/* sched_migrate_task: a waiting vCPU thread now waits on another CPU. */
static bool sched_migrate(struct vcpu_states *vs, const char *host, const bt_event *ev,
			  const struct ev_class_info *ci, int64_t ns)
{
	int64_t tid, dest;
	struct vcpu_thread *t;
	struct host_cpu *c;
	struct vcpu_segment s;

	if (!ev_int(ev, ci, F_TID, &tid) || !ev_int(ev, ci, F_DEST_CPU, &dest) ||
	    dest < 0 || dest > UINT32_MAX)
		return true;
	t = by_tid(vs, host, tid);
	if (!t)
		return true;
	t->migrations++;
	if (t->cur.state != VS_PREEMPTED)
		return true;
	c = cpu_get(vs, host, (uint32_t)dest);
	if (!c)
		return false;
	preempted_on(&s, c, c->cpu, true);
	s.reason = t->cur.reason;
	s.isa = t->cur.isa;
	change(vs, t, &s, ns);
	return true;
}

bool vcpu_states_event(struct vcpu_states *vs, const char *host, const bt_event *ev,
		       const struct ev_class_info *ci, uint32_t cpu, bool cpu_known, int64_t ns)
{
	struct host_cpu *c = NULL;
	int64_t tid;
	struct vcpu_thread *t;

	if (ns > vs->last_ns)
		vs->last_ns = ns;
	if (ci->kind == EK_OTHER)
		return true;
	if (cpu_known) {
		c = cpu_get(vs, host, cpu);
		if (!c)
			return false;
	}
	switch (ci->kind) {
	case EK_SCHED_SWITCH:
		sched_switch(vs, host, c, ev, ci, cpu, cpu_known, ns);
		return true;
	case EK_SCHED_WAKEUP:
		return sched_wakeup(vs, host, ev, ci, ns);
	case EK_SCHED_MIGRATE:
		return sched_migrate(vs, host, ev, ci, ns);
	case EK_X86_EXIT:
		exit_reason(vs, c, ev, ci);
		return true;
	case EK_TSC_VCPU:
		return note_vcpu(vs, host, ev, ci, ns);
	case EK_TSC_GUEST:
		return note_guest(vs, host, ev, ci);
	case EK_VCPU_ENTRY:
		vs->entries++;
		break;
	case EK_VCPU_EXIT:
		vs->exits++;
		break;
	default:
		return true;
	}
	if (!ev_int(ev, ci, F_VCPU_TID, &tid))
		return true;
	t = by_tid(vs, host, tid);
	if (!t)
		return true;
	if (ci->kind == EK_VCPU_ENTRY)
		vm_entry(vs, t, c, cpu, cpu_known, ns);
	else
		vm_exit(vs, t, c, cpu, cpu_known, ns);
	return true;
}

void vcpu_states_flush(struct vcpu_states *vs)
{
	for (size_t i = 0; vs->on_cpu && i < vs->nr_cpus; i++)
		if (vs->cpus[i]->known && vs->last_ns > vs->cpus[i]->since)
			vs->on_cpu(vs->arg, vs->cpus[i], vs->last_ns);
	for (size_t i = 0; i < vs->nr_threads; i++) {
		struct vcpu_thread *t = vs->threads[i];
		struct vcpu_segment same = t->cur;

		same.new_exit = false;
		change(vs, t, &same, vs->last_ns);
	}
}

void vcpu_states_fini(struct vcpu_states *vs)
{
	for (size_t i = 0; i < vs->nr_threads; i++)
		free(vs->threads[i]);
	free(vs->threads);
	for (size_t i = 0; i < vs->nr_cpus; i++)
		free(vs->cpus[i]);
	free(vs->cpus);
	free(vs->vm_uuids);
	memset(vs, 0, sizeof(*vs));
}
