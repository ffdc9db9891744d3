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
};

__attribute__((format(printf, 2, 3)))
static void put(struct timeline *tl, const char *fmt, ...)
{
	va_list ap;

	for (int i = 0; i < 2; i++) {
		if (!tl->out[i])
			continue;
		va_start(ap, fmt);
		vfprintf(tl->out[i], fmt, ap);
		va_end(ap);
	}
}

static void put_str(struct timeline *tl, const char *s)
{
	for (int i = 0; i < 2; i++)
		if (tl->out[i])
			json_str(tl->out[i], s);
}

/* Starts a new element of the events array. */
static void next_event(struct timeline *tl)
{
	put(tl, "%s\n{", tl->any ? "," : "");
	tl->any = true;
}

/* @ns as microseconds since the origin: "12.345". */
static void put_us(struct timeline *tl, const char *member, int64_t ns)
{
	int64_t d;

	if (!tl->origin_set) {
		tl->origin = ns;
		tl->origin_set = true;
	}
	d = ns - tl->origin;
	put(tl, ",\"%s\":%s%" PRId64 ".%03" PRId64, member, d < 0 ? "-" : "",
	    (d < 0 ? -d : d) / 1000, (d < 0 ? -d : d) % 1000);
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
	put(tl, "{\"traceEvents\":[");
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
	put(tl, "\"ph\":\"X\",\"name\":");
	put_str(tl, name);
	put(tl, ",\"cat\":\"%s\",\"pid\":%d,\"tid\":%" PRIu32, cat, pid, tid);
	put_us(tl, "ts", begin);
	put(tl, ",\"dur\":%" PRId64 ".%03" PRId64, (end - begin) / 1000, (end - begin) % 1000);
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
	if (s->cpu_known)
		put(tl, ",\"args\":{\"host_cpu\":%" PRIu32 "}", s->cpu);
	put(tl, "}");
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
	put(tl, "}");
}

void timeline_guest_task(struct timeline *tl, const struct guest_vcpu *g, int64_t begin,
			 int64_t end)
{
	char name[64];

	if (g->task_tid == 0 || end <= begin || !room(tl, begin))
		return;
	snprintf(name, sizeof(name), "%s (%" PRId64 ")", g->task_comm, g->task_tid);
	span(tl, name, "guest-task", guest_group(tl, g), g->vcpu, begin, end);
	put(tl, "}");
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
		put(tl, "%" PRId64 ".%03" PRId64, (tl->left_from - tl->origin) / 1000,
		    (tl->left_from - tl->origin) % 1000);
	else
		put(tl, "null");
	put(tl, ",\"summary\":");
	put_str(tl, summary);
	put(tl, "}}\n");
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
