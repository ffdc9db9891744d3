// SPDX-License-Identifier: GPL-2.0
/* breakdown.c - summing a vCPU's host-side states over an interval. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "ring.h"

static void add_exit(struct breakdown *b, const struct vcpu_segment *s, int64_t ns)
{
	unsigned int i;

	for (i = 0; i < b->nr_exits; i++)
		if (b->exits[i].reason == s->reason && b->exits[i].isa == s->isa)
			break;
	if (i == b->nr_exits) {
		if (i == BD_EXITS) {
			b->other_exits += s->new_exit;
			b->other_exits_ns += ns;
			return;
		}
		b->nr_exits++;
		b->exits[i].reason = s->reason;
		b->exits[i].isa = s->isa;
	}
	b->exits[i].count += s->new_exit;
	b->exits[i].ns += ns;
}

static void add_by(struct breakdown *b, const struct vcpu_segment *s, int64_t ns)
{
	unsigned int i;

	for (i = 0; i < b->nr_by; i++)
		if (b->by[i].task.tid == s->by.tid &&
		    !strcmp(b->by[i].task.comm, s->by.comm))
			break;
	if (i == b->nr_by) {
		if (i == BD_BY) {
			b->other_by_ns += ns;
			return;
		}
		b->nr_by++;
		b->by[i].task = s->by;
	}
	b->by[i].cpu = s->cpu;
	b->by[i].cpu_known = s->cpu_known;
	b->by[i].ns += ns;
}

void bd_add(struct breakdown *b, const struct vcpu_segment *s, int64_t from, int64_t to)
{
	int64_t begin = s->begin > from ? s->begin : from;
	int64_t end = s->end < to ? s->end : to;
	int64_t ns;

	if (end < begin || s->state >= VS_NR)
		return;
	/* An exit counts in the interval its first instant falls in. */
	if (end == begin && !(s->state == VS_EXIT && s->new_exit && s->begin >= from))
		return;
	ns = end - begin;
	b->ns[s->state] += ns;
	if (s->state == VS_EXIT) {
		struct vcpu_segment e = *s;

		e.new_exit = s->new_exit && s->begin >= from;
		add_exit(b, &e, ns);
	} else if (s->state == VS_PREEMPTED) {
		add_by(b, s, ns);
	}
}

bool bd_by_all_add(struct bd_by_all *a, const struct vcpu_segment *s)
{
	size_t i;

	for (i = 0; i < a->nr; i++)
		if (a->by[i].task.tid == s->by.tid && !strcmp(a->by[i].task.comm, s->by.comm))
			break;
	if (i == a->nr) {
		if (!array_reserve(&a->by, a->nr, &a->cap, sizeof(*a->by), 16))
			return false;
		memset(&a->by[a->nr], 0, sizeof(a->by[0]));
		a->by[a->nr++].task = s->by;
	}
	a->by[i].cpu = s->cpu;
	a->by[i].cpu_known = s->cpu_known;
	a->by[i].ns += s->end - s->begin;
	return true;
}

static int by_cmp(const void *a, const void *b);

void bd_by_all_fold(const struct bd_by_all *a, struct breakdown *b)
{
	struct bd_by *all = a->nr ? malloc(a->nr * sizeof(*all)) : NULL;

	if (a->nr && !all)
		return;		/* no memory: keep the first BD_BY as counted */
	if (a->nr)
		memcpy(all, a->by, a->nr * sizeof(*all));
	qsort(all, a->nr, sizeof(*all), by_cmp);
	b->nr_by = 0;
	b->other_by_ns = 0;
	for (size_t i = 0; i < a->nr; i++) {
		if (b->nr_by < BD_BY)
			b->by[b->nr_by++] = all[i];
		else
			b->other_by_ns += all[i].ns;
	}
	free(all);
}

void bd_by_all_fini(struct bd_by_all *a)
{
	free(a->by);
	memset(a, 0, sizeof(*a));
}

int64_t bd_total(const struct breakdown *b)
{
	int64_t t = 0;

	for (int i = 0; i < VS_NR; i++)
		t += b->ns[i];
	return t;
}

static int exit_cmp(const void *a, const void *b)
{
	const struct bd_exit *x = a, *y = b;

	return (x->ns < y->ns) - (x->ns > y->ns);
}

static int by_cmp(const void *a, const void *b)
{
	const struct bd_by *x = a, *y = b;

	return (x->ns < y->ns) - (x->ns > y->ns);
}

void bd_sort(struct breakdown *b)
{
	qsort(b->exits, b->nr_exits, sizeof(*b->exits), exit_cmp);
	qsort(b->by, b->nr_by, sizeof(*b->by), by_cmp);
}

const char *fmt_dur(int64_t ns, char *buf, size_t len)
{
	if (ns < 0)
		ns = 0;
	if (ns >= 1000000000)
		snprintf(buf, len, "%" PRId64 ".%03" PRId64 " s", ns / 1000000000,
			 ns % 1000000000 / 1000000);
	else if (ns >= 1000000)
		snprintf(buf, len, "%" PRId64 ".%03" PRId64 " ms", ns / 1000000, ns % 1000000 / 1000);
	else if (ns >= 1000)
		snprintf(buf, len, "%" PRId64 ".%03" PRId64 " us", ns / 1000, ns % 1000);
	else
		snprintf(buf, len, "%" PRId64 " ns", ns);
	return buf;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&')
			fprintf(f, "\\u%04x", c);	/* also safe inside an HTML <script> */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void bd_print_text(FILE *f, const struct breakdown *b)
{
	char d[32], r[32];
	const char *sep = "";

	if (b->ns[VS_PREEMPTED]) {
		fprintf(f, "%s preempted (", fmt_dur(b->ns[VS_PREEMPTED], d, sizeof(d)));
		for (unsigned int i = 0; i < b->nr_by; i++) {
			const struct bd_by *y = &b->by[i];

			if (y->task.tid < 0)
				fprintf(f, "%sby a host task not recorded", i ? "; " : "");
			else
				fprintf(f, "%sby %s (tid %" PRId64 ")", i ? "; " : "",
					y->task.comm[0] ? y->task.comm : "?", y->task.tid);
			if (y->cpu_known)
				fprintf(f, " on host CPU %" PRIu32, y->cpu);
			if (b->nr_by > 1)
				fprintf(f, ": %s", fmt_dur(y->ns, d, sizeof(d)));
		}
		if (b->other_by_ns)
			fprintf(f, "; others: %s", fmt_dur(b->other_by_ns, d, sizeof(d)));
		fputc(')', f);
		sep = ", ";
	}
	if (b->ns[VS_EXIT] || b->nr_exits) {
		fprintf(f, "%s%s in VM exits (", sep, fmt_dur(b->ns[VS_EXIT], d, sizeof(d)));
		for (unsigned int i = 0; i < b->nr_exits; i++) {
			const struct bd_exit *x = &b->exits[i];

			fprintf(f, "%s%s", i ? ", " : "",
				exit_reason_name(x->isa, x->reason, r, sizeof(r)));
			if (x->count)
				fprintf(f, " x%" PRIu64, x->count);
			else
				fprintf(f, ", begun before");
			fprintf(f, ": %s", fmt_dur(x->ns, d, sizeof(d)));
		}
		if (b->other_exits || b->other_exits_ns)
			fprintf(f, ", others x%" PRIu64 ": %s", b->other_exits,
				fmt_dur(b->other_exits_ns, d, sizeof(d)));
		fputc(')', f);
		sep = ", ";
	}
	fprintf(f, "%s%s in the guest", sep, fmt_dur(b->ns[VS_GUEST], d, sizeof(d)));
	if (b->ns[VS_IDLE])
		fprintf(f, ", %s idle in the host", fmt_dur(b->ns[VS_IDLE], d, sizeof(d)));
	if (b->ns[VS_UNKNOWN])
		fprintf(f, ", %s unknown", fmt_dur(b->ns[VS_UNKNOWN], d, sizeof(d)));
}

void bd_print_json(FILE *f, const struct breakdown *b)
{
	char r[32];

	for (int i = 0; i < VS_NR; i++)
		fprintf(f, "%s\"%s_ns\":%" PRId64, i ? "," : "", vcpu_state_name(i), b->ns[i]);
	fputs(",\"exits\":[", f);
	for (unsigned int i = 0; i < b->nr_exits; i++) {
		const struct bd_exit *x = &b->exits[i];

		fprintf(f, "%s{\"reason\":", i ? "," : "");
		json_str(f, exit_reason_name(x->isa, x->reason, r, sizeof(r)));
		fprintf(f, ",\"code\":%" PRId64 ",\"isa\":%d,\"count\":%" PRIu64 ",\"ns\":%" PRId64 "}",
			x->reason, x->isa, x->count, x->ns);
	}
	fprintf(f, "],\"other_exits\":{\"count\":%" PRIu64 ",\"ns\":%" PRId64 "},\"preempted_by\":[",
		b->other_exits, b->other_exits_ns);
	for (unsigned int i = 0; i < b->nr_by; i++) {
		const struct bd_by *y = &b->by[i];

		fprintf(f, "%s{\"comm\":", i ? "," : "");
		json_str(f, y->task.comm);
		fprintf(f, ",\"tid\":%" PRId64 ",\"cpu\":", y->task.tid);
		if (y->cpu_known)
			fprintf(f, "%" PRIu32, y->cpu);
		else
			fputs("null", f);
		fprintf(f, ",\"ns\":%" PRId64 "}", y->ns);
	}
	fprintf(f, "],\"other_preempted_ns\":%" PRId64, b->other_by_ns);
}
