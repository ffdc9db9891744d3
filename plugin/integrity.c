// SPDX-License-Identifier: GPL-2.0
/*
 * integrity.c - what the host data vouches for. A guest event's host time is
 * exact only if the offset its vCPU ran with then is known: not when the
 * host trace lost events there, when a change is missing from the chain of
 * prev_offset values, when an offset event had values out of domain
 * (host_model.c keeps those as doubts), or when the host trace (one of its
 * CPU streams) had ended before it. Such an event is marked in the output
 * (ir_copy.h's IR_UNVERIFIED_MEMBER), and the run says how many, where.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bt_util.h"
#include "tsc_iter.h"

/* Guest events of @vm's vCPU @vcpu in doubt @d that went out before it was read. */
static void warn_gone_out(const struct tsc_iter *it, const struct host_vm *vm, uint32_t vcpu,
			  const struct doubt *d)
{
	char from[40], to[40];

	for (size_t i = 0; i < it->nr_inputs; i++)
		for (size_t k = 0; k < it->inputs[i].nr_streams; k++) {
			const struct stream_info *si = it->inputs[i].streams[k];

			if (si->conv_vm != vm || si->cpu != vcpu || si->out_max_ns < d->from_ns)
				continue;
			fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s', vCPU %" PRIu32 ": its events from %s to %s had gone out before this was read, unmarked; run again with downtime-ms over the doubt's length to have them marked\n",
				trace_name(si->t->trace), vcpu,
				fmt_secs(d->from_ns == INT64_MIN ? si->out_max_ns : d->from_ns,
				     from, sizeof(from)), fmt_secs(si->out_max_ns, to, sizeof(to)));
		}
}

/*
 * Why guest message of stream @si, put at host time @key (ns from origin)
 * through si->conv_vm, cannot be vouched for; NULL when it can.
 */
const char *unverified(struct tsc_iter *it, struct stream_info *si, int64_t key)
{
	const struct host_vm *vm = si->conv_vm;
	const struct host_trace *ht;
	struct trace_info *t = si->t;
	/* What its host's data is compared with: an L2's time on L1's clock. */
	int64_t hkey = t->via ? si->via_ns : key;
	struct doubt *d;
	char when[40];

	if (si->via_doubt) {		/* an L2's step through L1 */
		if (!t->via_marked++)
			t->via_from = key;
		t->via_to = key;
		return t->via_note;
	}
	if (vm && !si->conv_fits) {
		if (!t->misfit++) {
			char at[40];

			t->misfit_from = key;
			/* The history it proves wrong was used before, unmarked. */
			fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s', vCPU %" PRIu32 ": at %s (host time) its guest TSC fits none of the offsets recorded for it: a change is missing or has wrong values; its events before then, back to its previous change, may be off too and went out unmarked\n",
				trace_name(t->trace), si->cpu, fmt_secs(key, at, sizeof(at)));
		}
		t->misfit_to = key;
		snprintf(t->misfit_note, sizeof(t->misfit_note),
			 "no TSC offset recorded for VM %s vCPU %" PRIu32 " gives its guest TSC consistently: a change is missing from host trace '%s'",
			 vm->vm, si->cpu, it->model.hosts[vm->host]->name);
		return t->misfit_note;
	}
	if (!vm || (!it->model.nr_doubts && !it->model.host_ended))
		return NULL;	/* the usual case: nothing to doubt */
	ht = it->model.hosts[vm->host];
	if (hkey > ht->end_ns) {
		if (!t->after_end++)
			t->after_end_from = key;
		t->after_end_to = key;
		snprintf(t->end_note, sizeof(t->end_note),
			 "after host trace '%s' ended (its CPU %" PRIu32 " stream at %s): an offset change after then is not known",
			 ht->name, ht->end_cpu, fmt_secs(ht->end_ns, when, sizeof(when)));
		return t->end_note;
	}
	d = it->model.nr_doubts ? host_model_doubt(&it->model, vm, si->cpu, hkey) : NULL;
	if (!d)
		return NULL;
	if (!d->marked++)
		snprintf(d->guest, sizeof(d->guest), "%s", trace_name(t->trace));
	if (key < d->marked_from)
		d->marked_from = key;
	if (key > d->marked_to)
		d->marked_to = key;
	return d->what;
}

/*
 * Doubts were just read on the host: say so now, and whether guest events
 * they cover already went out unmarked (converted before they were read:
 * downtime-ms holds guest events longer).
 */
void warn_doubt(struct tsc_iter *it)
{
	it->model.doubt_vm = NULL;
	for (size_t v = 0; v < it->model.nr_vms; v++) {
		const struct host_vm *vm = it->model.vms[v];

		for (size_t c = 0; c < vm->nr_vcpus; c++)
			for (size_t k = 0; k < vm->vcpus[c].nr_doubts; k++) {
				struct doubt *d = &vm->vcpus[c].doubts[k];

				if (d->warned)
					continue;
				d->warned = true;
				fprintf(stderr, "filter.vmsync.tsc: WARNING: %s; guest events there are marked %s\n",
					d->what, IR_UNVERIFIED_MEMBER);
				warn_gone_out(it, vm, vm->vcpus[c].vcpu, d);
			}
	}
}

/* At the end: how many events were marked, where, and why. */
void report_unverified(struct tsc_iter *it)
{
	char a[40], b[40];

	for (size_t i = 0; i < it->model.nr_vms; i++) {
		const struct host_vm *vm = it->model.vms[i];

		for (size_t c = 0; c < vm->nr_vcpus; c++)
			for (size_t k = 0; k < vm->vcpus[c].nr_doubts; k++) {
				const struct doubt *d = &vm->vcpus[c].doubts[k];

				if (!d->marked)
					continue;
				fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s': %" PRIu64 " events of vCPU %" PRIu32 " between %s and %s (host time) are marked %s, their host time unverified: %s\n",
					d->guest, d->marked, vm->vcpus[c].vcpu,
					fmt_secs(d->marked_from, a, sizeof(a)),
					fmt_secs(d->marked_to, b, sizeof(b)), IR_UNVERIFIED_MEMBER,
					d->what);
			}
	}
	for (size_t i = 0; i < it->traces.cap; i++) {
		const struct trace_info *t = it->traces.keys[i] ? it->traces.values[i] : NULL;

		if (t && t->via_marked)
			fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s': %" PRIu64 " events between %s and %s (host time) are marked %s, their host time unverified: %s\n",
				trace_name(t->trace), t->via_marked, fmt_secs(t->via_from, a, sizeof(a)),
				fmt_secs(t->via_to, b, sizeof(b)), IR_UNVERIFIED_MEMBER, t->via_note);
		if (t && t->misfit)
			fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s': %" PRIu64 " events between %s and %s (host time) are marked %s, their host time unverified: %s\n",
				trace_name(t->trace), t->misfit, fmt_secs(t->misfit_from, a, sizeof(a)),
				fmt_secs(t->misfit_to, b, sizeof(b)), IR_UNVERIFIED_MEMBER, t->misfit_note);
		if (!t || !t->after_end)
			continue;
		fprintf(stderr, "filter.vmsync.tsc: WARNING: guest trace '%s': %" PRIu64 " events between %s and %s (host time) are marked %s, their host time unverified: %s. Stop the host's session after its guests'\n",
			trace_name(t->trace), t->after_end, fmt_secs(t->after_end_from, a, sizeof(a)),
			fmt_secs(t->after_end_to, b, sizeof(b)), IR_UNVERIFIED_MEMBER, t->end_note);
	}
}
