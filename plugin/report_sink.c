// SPDX-License-Identifier: GPL-2.0
/*
 * report_sink.c - sink.vmsync.report, the component: its parameters, its
 * input (the output of filter.vmsync.tsc, in host time order), and what it
 * refuses to report. Host events go to vcpu_states.c, guest events (of
 * traces the filter rebased) to report_guest.c; report_out.c and
 * timeline.c write what comes out.
 */
#include <stdlib.h>
#include <string.h>

#include "bt_util.h"
#include "params.h"
#include "report.h"
#include "report_sink.h"
#include "sink_util.h"
#include "timeline.h"
#include "vmsync_format.h"

static const char *format_syntax(const char *s, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return strcmp(s, "text") && strcmp(s, "json") ? "neither 'text' nor 'json'" : NULL;
}

static const char *nonempty_path(const char *s, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return s[0] ? NULL : "empty";
}

enum { P_TOP, P_MIN_LAT, P_WAKE_GUEST, P_BEGIN, P_END, P_FORMAT, P_CHROME, P_HTML, P_MAX_SPANS, P_NR };

/* The parameters: plugin.c's help text says the same. */
static const struct param_spec report_params[P_NR] = {
	[P_TOP] = { "top", PARAM_UINT, 0, 1000000, 10, "latencies" },
	[P_MIN_LAT] = { "min-latency-us", PARAM_UINT, 0, PARAM_DAY_US, 1000, "microseconds" },
	[P_WAKE_GUEST] = { "wake-guest-us", PARAM_UINT, 0, PARAM_DAY_US, 1000, "microseconds" },
	[P_BEGIN] = { "begin", PARAM_STRING, .check = mark_pattern_syntax,
		.what = "EVENT[,FIELD=VALUE]: shell patterns (fnmatch) of a guest event's name and of one of its string fields, e.g. 'myapp:request_begin' or 'lttng_logger,msg=start *'" },
	[P_END] = { "end", PARAM_STRING, .check = mark_pattern_syntax,
		.what = "EVENT[,FIELD=VALUE]: shell patterns (fnmatch) of a guest event's name and of one of its string fields, e.g. 'myapp:request_end' or 'lttng_logger,msg=done *'" },
	[P_FORMAT] = { "format", PARAM_STRING, .check = format_syntax,
		.what = "'text' (the default) or 'json'" },
	[P_CHROME] = { "chrome-trace", PARAM_STRING, .check = nonempty_path,
		.what = "the path of a trace-event JSON file to write (Perfetto UI, chrome://tracing)" },
	[P_HTML] = { "html", PARAM_STRING, .check = nonempty_path,
		.what = "the path of a self-contained HTML page to write" },
	[P_MAX_SPANS] = { "timeline-max-spans", PARAM_UINT, 1, 100000000, 200000, "spans" },
};

static void on_segment(void *arg, struct vcpu_thread *t, const struct vcpu_segment *s)
{
	report_segment(arg, t, s);
}

static void on_thread(void *arg, struct vcpu_thread *t)
{
	report_link_thread(arg, t);
}

static void on_cpu(void *arg, const struct host_cpu *c, int64_t end)
{
	struct report *r = arg;

	timeline_host_cpu(r->tl, c, end);
}

#define WHO "sink.vmsync.report"

static void report_free(struct report *r)
{
	char err[256];

	if (!r)
		return;
	bt_message_iterator_put_ref(r->it);
	if (r->tl)
		timeline_close(r->tl, "", err, sizeof(err));
	vcpu_states_fini(&r->vs);
	report_guest_fini(r);
	ev_classes_fini(&r->classes);
	for (size_t i = 0; i < r->nr_held; i++) {
		free(ptr_map_get(&r->streams, r->held[i]));
		bt_stream_put_ref(r->held[i]);
	}
	free(r->held);
	ptr_map_fini(&r->streams);
	free(r->best);
	mark_pattern_fini(&r->begin);
	mark_pattern_fini(&r->end);
	free(r);
}

bt_component_class_initialize_method_status
report_sink_init(bt_self_component_sink *self_sink, bt_self_component_sink_configuration *config,
		 const bt_value *params, void *init_data)
{
	bt_self_component *self = bt_self_component_sink_as_self_component(self_sink);
	struct report *r = calloc(1, sizeof(*r));
	struct param_value v[P_NR];
	char err[512];

	(void)config;
	(void)init_data;
	if (!params_read(self, "sink.vmsync.report", params, report_params, P_NR, v)) {
		free(r);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	if (!r)
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	if (v[P_BEGIN].given != v[P_END].given) {
		free(r);
		comp_error(self, WHO, "parameter '%s' needs parameter '%s' too: a marked interval goes from an event matching 'begin' to the next matching 'end' on the same guest thread (or vCPU)",
			   v[P_BEGIN].given ? "begin" : "end", v[P_BEGIN].given ? "end" : "begin");
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	r->top = v[P_TOP].u;
	r->min_latency_ns = v[P_MIN_LAT].u * 1000;
	r->wake_guest_ns = v[P_WAKE_GUEST].u * 1000;
	r->json = v[P_FORMAT].given && !strcmp(v[P_FORMAT].s, "json");
	r->json_out = r->json ? stdout : NULL;
	r->best = calloc(r->top ? r->top : 1, sizeof(*r->best));
	if (!r->best || (v[P_BEGIN].given && (!mark_pattern_parse(v[P_BEGIN].s, &r->begin) ||
					      !mark_pattern_parse(v[P_END].s, &r->end)))) {
		report_free(r);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	if (v[P_CHROME].given || v[P_HTML].given) {
		r->tl = timeline_open(v[P_CHROME].given ? v[P_CHROME].s : NULL,
				      v[P_HTML].given ? v[P_HTML].s : NULL, v[P_MAX_SPANS].u,
				      err, sizeof(err));
		if (!r->tl) {
			report_free(r);
			comp_error(self, WHO, "%s", err);
			return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
		}
	}
	r->vs.on_segment = on_segment;
	r->vs.on_thread = on_thread;
	r->vs.on_cpu = r->tl ? on_cpu : NULL;
	r->vs.arg = r;
	if (bt_self_component_sink_add_input_port(self_sink, "in", NULL, NULL)) {
		report_free(r);
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	if (r->json_out)
		report_json_begin(r);
	bt_self_component_set_data(self, r);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

void report_sink_finalize(bt_self_component_sink *self)
{
	report_free(bt_self_component_get_data(bt_self_component_sink_as_self_component(self)));
}

bt_component_class_sink_graph_is_configured_method_status
report_sink_graph_is_configured(bt_self_component_sink *self)
{
	struct report *r = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	if (bt_message_iterator_create_from_sink_component(self,
			bt_self_component_sink_borrow_input_port_by_name(self, "in"), &r->it))
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_MEMORY_ERROR;
	return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

/* The stream's info, found at its first event; NULL: out of memory. */
static struct stream_info *stream_info(struct report *r, const bt_event *ev)
{
	const bt_stream *s = bt_event_borrow_stream_const(ev);
	struct stream_info *si = ptr_map_get(&r->streams, s);
	const bt_trace *tr;
	const bt_stream **h;
	const char *host, *guest;

	if (si)
		return si;
	si = calloc(1, sizeof(*si));
	h = realloc(r->held, (r->nr_held + 1) * sizeof(*h));
	if (h)
		r->held = h;
	if (!si || !h || !ptr_map_put(&r->streams, s, si)) {
		free(si);
		return NULL;
	}
	bt_stream_get_ref(s);
	r->held[r->nr_held++] = s;
	tr = bt_stream_borrow_trace_const(s);
	si->cpu = packet_cpu(bt_event_borrow_packet_const(ev), &si->cpu_known);
	si->guest = env_str(tr, ENV_REBASED) != NULL;
	if (!si->guest) {
		host = env_str(tr, ENV_HOSTNAME);
		snprintf(si->host, sizeof(si->host), "%s", host ? host : "");
		return si;
	}
	host = env_str(tr, ENV_HOST_HOSTNAME);
	guest = env_str(tr, ENV_HOST_UUID);
	if (!guest)
		guest = env_str(tr, ENV_HOST_VM);
	if (host && guest && si->cpu_known) {
		si->g = report_guest_vcpu(r, host, guest, si->cpu);
		if (!si->g)
			return NULL;
	}
	return si;
}

static bool consume_one(struct report *r, const bt_message *m)
{
	const bt_event *ev;
	struct ev_class_info *ci;
	struct stream_info *si;
	bool is_new;
	int64_t ns;

	if (bt_message_get_type(m) != BT_MESSAGE_TYPE_EVENT ||
	    !bt_message_event_borrow_stream_class_default_clock_class_const(m))
		return true;
	if (!ns_of(bt_message_event_borrow_default_clock_snapshot_const(m), &ns))
		return true;	/* out of the ns range: no place on the timeline */
	if (!r->any_ns || ns < r->first_ns)
		r->first_ns = ns;
	if (!r->any_ns || ns > r->last_ns)
		r->last_ns = ns;
	r->any_ns = true;
	ev = bt_message_event_borrow_event_const(m);
	si = stream_info(r, ev);
	ci = ev_class_info(&r->classes, ev, &is_new);
	if (!si || !ci)
		return false;
	if (is_new && r->begin.event)
		ci->mark = mark_pattern_name(&r->begin, ci->name) |
			   mark_pattern_name(&r->end, ci->name) << 1;
	if (si->guest)
		return report_guest_event(r, ev, ci, si->g, ns);
	return vcpu_states_event(&r->vs, si->host, ev, ci, si->cpu, si->cpu_known, ns) &&
	       !r->nomem;
}

#define RECORD_HOST "vmsync record --modes -e sched_switch,sched_wakeup,sched_migrate_task,kvm_x86_exit (or lttng enable-event -k 'kvm_tsc_*,kvm_vcpu_*,sched_switch,sched_wakeup,sched_migrate_task,kvm_x86_exit' with lttng-sessiond --extra-kmod-probes=kvm-tsc,kvm-vcpu)"

#define refuse(self, ...) comp_error(self, WHO, __VA_ARGS__)

/* What the report cannot do without; false (an error cause set): nothing to report. */
static bool usable(struct report *r, bt_self_component *self)
{
	const struct vcpu_states *vs = &r->vs;

	if (!r->guest_events)
		return refuse(self, "no guest event put on host time came in: put filter.vmsync.tsc before this sink, with the host trace and its guests' traces (vmsync report DIR does)");
	if (!vs->nr_threads)
		return refuse(self, "the host traces name no vCPU thread (no kvm_tsc_vcpu event), so no guest vCPU can be followed on the host: record the host with " RECORD_HOST);
	if (!vs->entries || !vs->exits)
		return refuse(self, "the host traces have no kvm_vcpu_%s events, so when a vCPU ran guest code is unknown: record the host with " RECORD_HOST,
			      !vs->entries ? "entry" : "exit");
	if (!vs->switches)
		return refuse(self, "the host traces have no sched_switch events, so a vCPU preempted or asleep in the host cannot be told from one handling a VM exit: record the host with " RECORD_HOST);
	if (!r->guest_sched && !r->begin.event)
		return refuse(self, "the guest traces have no sched_wakeup or sched_switch events, so no guest wakeup latency can be measured: record them in the guests too (vmsync record -e sched_switch,sched_wakeup ...: -e applies to the guests as well), or mark the intervals to explain with parameters begin and end (vmsync report --begin PATTERN --end PATTERN)");
	return true;
}

/* Warnings, on standard error, for what the report could only partly explain. */
static void warn(struct report *r)
{
	char who[200];

	for (size_t i = 0; i < r->nr_guests; i++) {
		const struct guest_vcpu *g = r->guests[i];

		if (!g->had_lane && g->events)
			fprintf(stderr, "sink.vmsync.report: warning: %s, vCPU %u: no host thread known for it (no kvm_tsc_vcpu for its VM and vCPU in the host traces): its latencies are 'unknown'; record the host with kvm_tsc_* from before the guest starts, or start the recording with the guest already running (the statedump names its threads)\n",
				guest_label(g, who, sizeof(who)), g->vcpu);
	}
	if (!r->vs.exit_reasons)
		fprintf(stderr, "sink.vmsync.report: note: no kvm_x86_exit events in the host traces: VM exit reasons are 'not recorded' (record -e kvm_x86_exit, from LTTng's lttng-probe-kvm-x86, which lttng-modules builds only with the kernel's source: doc/report.md)\n");
	if (r->unmatched_guest)
		fprintf(stderr, "sink.vmsync.report: warning: %llu guest events without %s, %s or %s, or a %s: left out\n",
			(unsigned long long)r->unmatched_guest, ENV_HOST_HOSTNAME, ENV_HOST_UUID,
			ENV_HOST_VM, PACKET_CPU_ID);
}

static bool finish(struct report *r, bt_self_component *self)
{
	char summary[256], err[512], d[32];
	bool ok;

	vcpu_states_flush(&r->vs);
	report_guest_end(r);
	if (r->nomem)
		return refuse(self, "out of memory");
	ok = usable(r, self);
	if (ok) {
		warn(r);
		report_print(r);
	} else if (r->json_out) {
		report_print(r);	/* the JSON stays well formed */
	}
	if (r->tl) {
		snprintf(summary, sizeof(summary), "%llu guest wakeups, %llu of %s or more; %llu marked intervals",
			 (unsigned long long)r->wakeups, (unsigned long long)r->late,
			 fmt_dur((int64_t)r->min_latency_ns, d, sizeof(d)),
			 (unsigned long long)r->marks);
		if (!timeline_close(r->tl, summary, err, sizeof(err)) && ok)
			ok = refuse(self, "%s", err);
		r->tl = NULL;
	}
	return ok;
}

static bool consume_msg(void *arg, const bt_message *m)
{
	return consume_one(arg, m);
}

static bool consume_end(void *arg, bt_self_component *self)
{
	return finish(arg, self);
}

bt_component_class_sink_consume_method_status report_sink_consume(bt_self_component_sink *self)
{
	struct report *r = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	return sink_consume(self, r->it, WHO, consume_msg, consume_end, r);
}
