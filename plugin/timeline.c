// SPDX-License-Identifier: GPL-2.0
/*
 * timeline.c - the report's events in the trace-event format (the JSON
 * object form: {"traceEvents": [...], "displayTimeUnit": "ns", ...}).
 *
 * Each lane is a (pid, tid) pair: a pid per group (a host's CPUs, a VM's
 * vCPU states, a guest's vCPUs), named by "process_name" metadata events,
 * a tid per CPU or vCPU ("thread_name"). States and tasks are complete
 * ("X") events; latencies, which overlap, are async ("b"/"e") events with
 * their own ids. Times are microseconds, to the ns, from the first event
 * written (otherData.origin_ns gives it in the trace's ns). The HTML page
 * carries the same JSON in a <script type="application/json"> element
 * (json_str escapes '<', so no "</script>" can end it early) and
 * timeline_page.h's script draws it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"
#include "timeline_page.h"

struct group {
	char kind;		/* 'C' host CPUs, 'V' vCPU states, 'G' guest vCPUs */
	char key[160];
	int pid;
};

struct timeline {
	FILE *out[2];		/* chrome, html */
	uint64_t max_spans, spans, left_out, lats;
	int64_t origin, left_from;
	bool origin_set, any;
	struct group *groups;
	size_t nr_groups;
	char *named;		/* lanes named so far: "pid:tid;" */
	size_t named_len;
	char buf[16384];	/* what goes to both files next */
	size_t n;
};

/*
 * Output goes through one buffer, copied to each file when full: a span is
 * a dozen pieces, and printf for each costs more than the report itself
 * (bench/report-throughput).
 */
static void out_flush(struct timeline *tl)
{
	for (int i = 0; i < 2; i++)
		if (tl->out[i] && tl->n)
			fwrite(tl->buf, 1, tl->n, tl->out[i]);
	tl->n = 0;
}

static void out_raw(struct timeline *tl, const char *s, size_t len)
{
	if (tl->n + len > sizeof(tl->buf))
		out_flush(tl);
	if (len > sizeof(tl->buf)) {
		for (int i = 0; i < 2; i++)
			if (tl->out[i])
				fwrite(s, 1, len, tl->out[i]);
		return;
	}
	memcpy(tl->buf + tl->n, s, len);
	tl->n += len;
}

#define out_lit(tl, s) out_raw(tl, s, sizeof(s) - 1)

static void out_u64(struct timeline *tl, uint64_t u)
{
	char t[24];
	size_t i = sizeof(t);

	do
		t[--i] = (char)('0' + u % 10);
	while (u /= 10);
	out_raw(tl, t + i, sizeof(t) - i);
}

static void out_i64(struct timeline *tl, int64_t v)
{
	if (v < 0)
		out_lit(tl, "-");
	out_u64(tl, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

/* @ns as microseconds to the ns: "12.345". */
static void out_us(struct timeline *tl, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	char frac[4] = { '.', (char)('0' + a % 1000 / 100), (char)('0' + a % 100 / 10),
			 (char)('0' + a % 10) };

	if (ns < 0)
		out_lit(tl, "-");
	out_u64(tl, a / 1000);
	out_raw(tl, frac, 4);
}

/* @s as a JSON string literal (json_str's escaping). */
static void put_str(struct timeline *tl, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	out_lit(tl, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			out_raw(tl, e, 2);
		} else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			out_raw(tl, e, 6);
		} else {
			out_raw(tl, (const char *)&c, 1);
		}
	}
	out_lit(tl, "\"");
}

__attribute__((format(printf, 2, 3)))
static void put(struct timeline *tl, const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_raw(tl, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

/* Starts a new element of the events array. */
static void next_event(struct timeline *tl)
{
	if (tl->any)
		out_lit(tl, ",\n{");
	else
		out_lit(tl, "\n{");
	tl->any = true;
}

/* Member @member: @ns as microseconds since the origin. */
static void put_us(struct timeline *tl, const char *member, int64_t ns)
{
	if (!tl->origin_set) {
		tl->origin = ns;
		tl->origin_set = true;
	}
	out_lit(tl, ",\"");
	out_raw(tl, member, strlen(member));
	out_lit(tl, "\":");
	out_us(tl, ns - tl->origin);
}

static int group_pid(struct timeline *tl, char kind, const char *key, const char *label)
{
	struct group *g;

	for (size_t i = 0; i < tl->nr_groups; i++)
		if (tl->groups[i].kind == kind && !strcmp(tl->groups[i].key, key))
			return tl->groups[i].pid;
	g = realloc(tl->groups, (tl->nr_groups + 1) * sizeof(*g));
	if (!g)
		return 0;
	tl->groups = g;
	g += tl->nr_groups++;
	g->kind = kind;
	snprintf(g->key, sizeof(g->key), "%s", key);
	g->pid = (int)tl->nr_groups;
	next_event(tl);
	put(tl, "\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":", g->pid);
	put_str(tl, label);
	put(tl, "}}");
	next_event(tl);
	put(tl, "\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%d,\"tid\":0,\"args\":{\"sort_index\":%d}}",
	    g->pid, (kind == 'G' ? 0 : kind == 'V' ? 1000 : 2000) + g->pid);
	return g->pid;
}

static void name_lane(struct timeline *tl, int pid, uint32_t tid, const char *label)
{
	char key[32], *n;
	size_t kl = (size_t)snprintf(key, sizeof(key), "%d:%" PRIu32 ";", pid, tid);

	if (tl->named && strstr(tl->named, key))
		return;
	n = realloc(tl->named, tl->named_len + kl + 1);
	if (!n)
		return;
	memcpy(n + tl->named_len, key, kl + 1);
	tl->named = n;
	tl->named_len += kl;
	next_event(tl);
	put(tl, "\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%" PRIu32 ",\"args\":{\"name\":",
	    pid, tid);
	put_str(tl, label);
	put(tl, "}}");
}

static int vcpu_group(struct timeline *tl, const struct vcpu_thread *t)
{
	char key[160], label[200];

	snprintf(key, sizeof(key), "%s/%s", t->host, t->vm);
	snprintf(label, sizeof(label), "host %s: VM %s%s%s, vCPU states", t->host, t->vm,
		 t->uuid[0] ? " " : "", t->uuid);
	return group_pid(tl, 'V', key, label);
}

static int guest_group(struct timeline *tl, const struct guest_vcpu *g)
{
	char key[160], label[200];

	snprintf(key, sizeof(key), "%s/%s", g->host, g->guest);
	snprintf(label, sizeof(label), "guest %s (on host %s): what its vCPUs run", g->guest,
		 g->host);
	return group_pid(tl, 'G', key, label);
}

struct timeline *timeline_open(const char *chrome_path, const char *html_path,
			       uint64_t max_spans, char *err, size_t len)
{
	struct timeline *tl = calloc(1, sizeof(*tl));
	const char *paths[2] = { chrome_path, html_path };

	if (!tl) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	tl->max_spans = max_spans;
	for (int i = 0; i < 2; i++) {
		if (!paths[i])
			continue;
		tl->out[i] = fopen(paths[i], "w");
		if (!tl->out[i]) {
			snprintf(err, len, "cannot write %s (parameter %s): %m", paths[i],
				 i ? "html" : "chrome-trace");
			for (int j = 0; j < i; j++)
				if (tl->out[j])
					fclose(tl->out[j]);
			free(tl);
			return NULL;
		}
	}
	if (tl->out[1])
		fputs(page_head, tl->out[1]);
	out_lit(tl, "{\"traceEvents\":[");
	return tl;
}

void timeline_vcpu_lane(struct timeline *tl, const struct lane *l)
{
	char label[64];

	snprintf(label, sizeof(label), "vCPU %" PRIu32 " (thread %" PRId64 ")", l->t->vcpu, l->t->tid);
	name_lane(tl, vcpu_group(tl, l->t), l->t->vcpu, label);
}

void timeline_guest_lane(struct timeline *tl, const struct guest_vcpu *g)
{
	char label[32];

	snprintf(label, sizeof(label), "vCPU %" PRIu32, g->vcpu);
	name_lane(tl, guest_group(tl, g), g->vcpu, label);
}

/* One more span: false when the budget is spent (it is counted as left out). */
static bool room(struct timeline *tl, int64_t begin)
{
	if (tl->spans < tl->max_spans) {
		tl->spans++;
		return true;
	}
	if (!tl->left_out++ || begin < tl->left_from)
		tl->left_from = begin;
	return false;
}

static void span(struct timeline *tl, const char *name, const char *cat, int pid, uint32_t tid,
		 int64_t begin, int64_t end)
{
	next_event(tl);
	out_lit(tl, "\"ph\":\"X\",\"name\":");
	put_str(tl, name);
	out_lit(tl, ",\"cat\":\"");
	out_raw(tl, cat, strlen(cat));
	out_lit(tl, "\",\"pid\":");
	out_i64(tl, pid);
	out_lit(tl, ",\"tid\":");
	out_u64(tl, tid);
	put_us(tl, "ts", begin);
	out_lit(tl, ",\"dur\":");
	out_us(tl, end - begin);
}

void timeline_segment(struct timeline *tl, const struct lane *l, const struct vcpu_segment *s)
{
	char name[96], r[32];

	if (s->state == VS_UNKNOWN || s->end <= s->begin || !room(tl, s->begin))
		return;
	if (s->state == VS_EXIT)
		snprintf(name, sizeof(name), "exit %s", exit_reason_name(s->isa, s->reason, r, sizeof(r)));
	else if (s->state == VS_PREEMPTED && s->by.tid >= 0)
		snprintf(name, sizeof(name), "preempted by %s (%" PRId64 ")", s->by.comm, s->by.tid);
	else
		snprintf(name, sizeof(name), "%s", vcpu_state_name(s->state));
	span(tl, name, vcpu_state_name(s->state), vcpu_group(tl, l->t), l->t->vcpu, s->begin, s->end);
	if (s->cpu_known) {
		out_lit(tl, ",\"args\":{\"host_cpu\":");
		out_u64(tl, s->cpu);
		out_lit(tl, "}");
	}
	out_lit(tl, "}");
}

void timeline_host_cpu(struct timeline *tl, const struct host_cpu *c, int64_t end)
{
	char label[96];
	int pid;

	if (c->cur.tid == 0 || end <= c->since || !room(tl, c->since))
		return;		/* the idle task: left blank */
	snprintf(label, sizeof(label), "host %s: CPUs", c->host);
	pid = group_pid(tl, 'C', c->host, label);
	snprintf(label, sizeof(label), "CPU %" PRIu32, c->cpu);
	name_lane(tl, pid, c->cpu, label);
	snprintf(label, sizeof(label), "%s (%" PRId64 ")", c->cur.comm, c->cur.tid);
	span(tl, label, "host-task", pid, c->cpu, c->since, end);
	out_lit(tl, "}");
}

void timeline_guest_task(struct timeline *tl, const struct guest_vcpu *g, int64_t begin,
			 int64_t end)
{
	char name[64];

	if (g->task_tid == 0 || end <= begin || !room(tl, begin))
		return;
	snprintf(name, sizeof(name), "%s (%" PRId64 ")", g->task_comm, g->task_tid);
	span(tl, name, "guest-task", guest_group(tl, g), g->vcpu, begin, end);
	out_lit(tl, "}");
}

void timeline_latency(struct timeline *tl, const struct latency *l)
{
	char name[128];
	int pid = guest_group(tl, l->g);
	uint64_t id = ++tl->lats;

	if (l->kind == LAT_WAKEUP)
		snprintf(name, sizeof(name), "wakeup of %s (%" PRId64 ")", l->comm, l->tid);
	else
		snprintf(name, sizeof(name), "%s", l->name);
	for (int e = 0; e < 2; e++) {
		next_event(tl);
		put(tl, "\"ph\":\"%s\",\"cat\":\"latency\",\"id\":%" PRIu64 ",\"name\":", e ? "e" : "b", id);
		put_str(tl, name);
		put(tl, ",\"pid\":%d,\"tid\":%" PRIu32, pid, l->g->vcpu);
		put_us(tl, "ts", e ? l->end : l->begin);
		if (!e) {
			put(tl, ",\"args\":{");
			out_flush(tl);	/* the breakdown goes to the files directly */
			for (int i = 0; i < 2; i++)
				if (tl->out[i])
					bd_print_json(tl->out[i], &l->bd);
			put(tl, ",\"ran_vcpu\":%" PRIu32 ",\"before_guest_ns\":%" PRId64 "}",
			    l->ran_vcpu, l->before_guest);
		}
		put(tl, "}");
	}
}

bool timeline_close(struct timeline *tl, const char *summary, char *err, size_t len)
{
	bool ok = true;

	put(tl, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"origin_ns\":%" PRId64
	    ",\"spans\":%" PRIu64 ",\"spans_left_out\":%" PRIu64 ",\"left_out_from_us\":",
	    tl->origin, tl->spans, tl->left_out);
	if (tl->left_out)
		out_us(tl, tl->left_from - tl->origin);
	else
		put(tl, "null");
	put(tl, ",\"summary\":");
	put_str(tl, summary);
	put(tl, "}}\n");
	out_flush(tl);
	if (tl->out[1])
		fputs(page_tail, tl->out[1]);
	for (int i = 0; i < 2; i++) {
		if (!tl->out[i])
			continue;
		if ((ferror(tl->out[i]) | fclose(tl->out[i])) && ok) {
			snprintf(err, len, "writing the %s file failed: %m", i ? "html" : "chrome-trace");
			ok = false;
		}
	}
	free(tl->groups);
	free(tl->named);
	free(tl);
	return ok;
}
