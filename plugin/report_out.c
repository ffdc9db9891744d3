// SPDX-License-Identifier: GPL-2.0
/*
 * report_out.c - sink.vmsync.report's output: the longest latencies with
 * their breakdown and the per-vCPU table, as text or as JSON. In JSON every
 * latency is written when it ends (memory stays bounded by the top N kept
 * for the text and the open ones).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "report.h"
#include "timeline.h"

const char *guest_label(const struct guest_vcpu *g, char *buf, size_t len)
{
	snprintf(buf, len, "guest %s (host %s)", g->guest, g->host);
	return buf;
}

static void latency_json(struct report *r, const struct latency *l)
{
	FILE *f = r->json_out;

	fprintf(f, "%s\n{\"kind\":\"%s\",\"begin_ns\":%" PRId64 ",\"end_ns\":%" PRId64
		",\"duration_ns\":%" PRId64 ",\"host\":",
		r->json_lats++ ? "," : "", l->kind == LAT_WAKEUP ? "wakeup" : "mark",
		l->begin, l->end, l->end - l->begin);
	json_str(f, l->g->host);
	fputs(",\"guest\":", f);
	json_str(f, l->g->guest);
	fprintf(f, ",\"vcpu\":%" PRIu32 ",\"ran_vcpu\":%" PRIu32 ",\"tid\":%" PRId64
		",\"before_guest_ns\":%" PRId64 ",\"comm\":",
		l->g->vcpu, l->ran_vcpu, l->tid, l->before_guest);
	json_str(f, l->comm);
	fputs(",\"name\":", f);
	json_str(f, l->name);
	fputc(',', f);
	bd_print_json(f, &l->bd);
	fputc('}', f);
}

void report_latency_done(struct report *r, const struct latency *l)
{
	struct latency c = *l;

	bd_sort(&c.bd);
	if (r->json_out)
		latency_json(r, &c);
	if (r->tl)
		timeline_latency(r->tl, &c);
	if (!r->top)
		return;
	if (r->nr_best < r->top) {
		r->best[r->nr_best++] = c;
		return;
	}
	for (size_t i = 0, min = 0; i < r->nr_best; i++) {
		if (r->best[i].end - r->best[i].begin < r->best[min].end - r->best[min].begin)
			min = i;
		if (i == r->nr_best - 1 &&
		    c.end - c.begin > r->best[min].end - r->best[min].begin)
			r->best[min] = c;
	}
}

void report_json_begin(struct report *r)
{
	fputs("{\"latencies\":[", r->json_out);
}

static int longest_first(const void *a, const void *b)
{
	const struct latency *x = a, *y = b;
	int64_t dx = x->end - x->begin, dy = y->end - y->begin;

	return dx != dy ? (dx < dy) - (dx > dy) : (x->begin > y->begin) - (x->begin < y->begin);
}

static void print_latency(const struct report *r, size_t i, const struct latency *l)
{
	char d[32], at[40], who[200];

	(void)r;
	printf("%3zu. %s late at %s: ", i + 1, fmt_dur(l->end - l->begin, d, sizeof(d)),
	       fmt_secs(l->begin, at, sizeof(at)));
	if (l->kind == LAT_WAKEUP)
		printf("wakeup of %s (tid %" PRId64 ")", l->comm[0] ? l->comm : "?", l->tid);
	else if (l->tid >= 0)
		printf("%s, thread %s (tid %" PRId64 ")", l->name, l->comm[0] ? l->comm : "?", l->tid);
	else
		printf("%s", l->name);
	printf(" in %s, vCPU %" PRIu32, guest_label(l->g, who, sizeof(who)), l->g->vcpu);
	if (l->ran_vcpu != l->g->vcpu)
		printf(" (ran on vCPU %" PRIu32 ")", l->ran_vcpu);
	if (l->before_guest)
		printf("; %s of it before the guest's wakeup: the host woke the halted vCPU for its interrupt, and it waited",
		       fmt_dur(l->before_guest, d, sizeof(d)));
	printf(":\n     ");
	bd_print_text(stdout, &l->bd);
	putchar('\n');
}

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_lane_text(const struct lane *l)
{
	struct breakdown b = l->total;
	int64_t span = l->last - l->first;
	char d[32], who[200] = "";

	bd_by_all_fold(&l->by_all, &b);
	bd_sort(&b);
	if (l->g)
		snprintf(who, sizeof(who), " (guest %s)", l->g->guest);
	printf("  host %s, VM %s%s, vCPU %" PRIu32 ", thread %" PRId64 ": over %s: guest %.1f%%, exits %.1f%%, preempted %.1f%%, idle %.1f%%, migrations %" PRIu64 "\n",
	       l->t->host, l->t->vm, who, l->t->vcpu, l->t->tid, fmt_dur(span, d, sizeof(d)),
	       pct(b.ns[VS_GUEST], span), pct(b.ns[VS_EXIT], span), pct(b.ns[VS_PREEMPTED], span),
	       pct(b.ns[VS_IDLE], span), l->t->migrations);
	printf("     ");
	bd_print_text(stdout, &b);
	putchar('\n');
}

static void print_lane_json(FILE *f, const struct lane *l, bool first)
{
	struct breakdown b = l->total;

	bd_by_all_fold(&l->by_all, &b);
	bd_sort(&b);
	fprintf(f, "%s\n{\"host\":", first ? "" : ",");
	json_str(f, l->t->host);
	fputs(",\"vm\":", f);
	json_str(f, l->t->vm);
	fputs(",\"guest\":", f);
	if (l->g)
		json_str(f, l->g->guest);
	else
		fputs("null", f);
	fprintf(f, ",\"vcpu\":%" PRIu32 ",\"tid\":%" PRId64 ",\"span_ns\":%" PRId64
		",\"migrations\":%" PRIu64 ",", l->t->vcpu, l->t->tid, l->last - l->first,
		l->t->migrations);
	bd_print_json(f, &b);
	fputc('}', f);
}

void report_print(struct report *r)
{
	char d[32];

	if (r->json_out) {
		FILE *f = r->json_out;
		bool first = true;

		fprintf(f, "\n],\"summary\":{\"wakeups\":%" PRIu64 ",\"late\":%" PRIu64
			",\"min_latency_ns\":%" PRIu64 ",\"marks\":%" PRIu64 ",\"unfinished\":%" PRIu64
			",\"guest_events\":%" PRIu64 "},\"vcpus\":[",
			r->wakeups, r->late, r->min_latency_ns, r->marks, r->unfinished,
			r->guest_events);
		for (size_t i = 0; i < r->nr_lanes; i++) {
			if (!r->lanes[i]->seen)
				continue;
			print_lane_json(f, r->lanes[i], first);
			first = false;
		}
		fputs("\n]}\n", f);
		fflush(f);
		return;
	}
	qsort(r->best, r->nr_best, sizeof(*r->best), longest_first);
	printf("vmsync-report: %" PRIu64 " guest wakeups, %" PRIu64 " of %s or more", r->wakeups,
	       r->late, fmt_dur((int64_t)r->min_latency_ns, d, sizeof(d)));
	if (r->begin.event)
		printf("; %" PRIu64 " marked intervals (%s to %s)", r->marks, r->begin.text,
		       r->end.text);
	if (r->unfinished)
		printf("; %" PRIu64 " still open at the end of the trace (left out)", r->unfinished);
	printf("\n");
	if (r->nr_best)
		printf("The %zu longest, with what the host did to the vCPU meanwhile:\n", r->nr_best);
	for (size_t i = 0; i < r->nr_best; i++)
		print_latency(r, i, &r->best[i]);
	printf("Per vCPU thread, over the trace (an exact steal-time table):\n");
	for (size_t i = 0; i < r->nr_lanes; i++)
		if (r->lanes[i]->seen)
			print_lane_text(r->lanes[i]);
	fflush(stdout);
}
