// SPDX-License-Identifier: GPL-2.0
/* plugin.c - the babeltrace2 plugin "vmsync" and its component classes. */
#include <babeltrace2/babeltrace.h>

#include "check_sink.h"
#include "params.h"
#include "report_sink.h"
#include "tsc_filter.h"

/* A macro's value as a string literal, for the help texts. */
#define STR(x) #x
#define XSTR(x) STR(x)

BT_PLUGIN_MODULE();
BT_PLUGIN(vmsync);
BT_PLUGIN_DESCRIPTION("KVM host and guest traces on one time base (vmsync)");
BT_PLUGIN_AUTHOR("vmsync");
BT_PLUGIN_LICENSE("GPL-2.0");

BT_PLUGIN_FILTER_COMPONENT_CLASS(tsc, tsc_iter_next);
BT_PLUGIN_FILTER_COMPONENT_CLASS_DESCRIPTION(tsc,
	"Put guest traces on their host's time, exactly, from the host's kvm_tsc_* events");
BT_PLUGIN_FILTER_COMPONENT_CLASS_HELP(tsc,
	"Rewrites the timestamps of guest traces onto the host trace's clock, with\n"
	"the TSC offset and ratio KVM applied to each vCPU at that moment (the\n"
	"host's kvm_tsc_offset and kvm_tsc_guest events, from vmsync's kernel\n"
	"module), so that host and guest events form one timeline.\n"
	"\n"
	"Host traces are those with kvm_tsc_* events. A guest kernel trace is\n"
	"matched by its env.product_uuid to a kvm_tsc_guest UUID; a guest's\n"
	"user-space trace by sharing its clock (UUID) with that kernel trace.\n"
	"Other traces on a host's clock pass unchanged. A guest that migrates\n"
	"(a new VM with its UUID, on the same host or another) is followed; its\n"
	"events from another host are put on the first host's clock as\n"
	"babeltrace2 relates the two hosts' clocks. Guest events keep their\n"
	"fields; their trace gains the environment entries vmsync_rebased,\n"
	"vmsync_host_trace, vmsync_host_hostname, vmsync_host_vm (the VM it ran\n"
	"in when matched; a migrated guest runs in several) and vmsync_host_uuid\n"
	"(when matched by UUID).\n"
	"\n"
	"Exact mode: host and guests trace on vmsync's TSC clock\n"
	"(lttng-clock-tsc, doc/clocks.md); the conversion is exact to the cycle.\n"
	"Default-clock mode: a trace on another clock (LTTng's default) goes to\n"
	"TSC time and back through its kvm_tsc_sync beacons (module kvm_tsc_sync,\n"
	"event kvm_tsc_sync enabled), interpolated per vCPU; the run ends with an\n"
	"error bound on standard error.\n"
	"\n"
	"Output is in host-time order: messages are held in a window derived\n"
	"from the data (how far guest timestamps sit from host time).\n"
	"\n"
	"Parameters (an unknown name, or a value of another type or outside its\n"
	"range, is an error naming that parameter; integers may be given signed\n"
	"or unsigned):\n"
	"  map (string, optional): 'TRACE=VM[,TRACE=VM...]', the host VM (KVM's\n"
	"      debugfs name PID-FD, or a UUID) of guest traces without a usable\n"
	"      env.product_uuid; TRACE is the trace's name (source.ctf.fs's: its\n"
	"      env.hostname; vmsync-merge names a trace without one by its path).\n"
	"      Neither TRACE nor VM may be empty.\n"
	"  slack-us (unsigned integer, 0 to " XSTR(PARAM_DAY_US) " (a day),\n"
	"      default 1000): extra margin of the window, in microseconds.\n"
	"  window-limit-ms (unsigned integer, 0 to " XSTR(PARAM_DAY_MS) " (a day),\n"
	"      default 60000): fail when reordering would need a longer window\n"
	"      than this. Also how far past a guest message (by the clocks'\n"
	"      wall-clock offsets) the host traces are read for its VM's\n"
	"      announcement before the guest is declared unknown.\n"
	"  max-held (unsigned integer, at least 1, default 4000000): fail when\n"
	"      more messages than this would have to be held.\n"
	"  downtime-ms (unsigned integer, 0 to " XSTR(PARAM_DAY_MS) " (a day), default 0):\n"
	"      how far past a guest event's time the host traces are read before\n"
	"      it is converted, so that a migration or restore that set the\n"
	"      guest's TSC back by up to this much (its downtime) is known by\n"
	"      then. It costs memory and time; a run that needed it says so, with\n"
	"      the value to give.\n"
	"  beacon-jitter-us (unsigned integer, 0 to " XSTR(PARAM_DAY_US) " (a day),\n"
	"      default 20): in default-clock mode, drop a beacon further than\n"
	"      this from the line through its neighbours (its clock read was\n"
	"      delayed after its TSC read).\n"
	"  live-bound-ms (unsigned integer, 0 to " XSTR(PARAM_DAY_MS) " (a day), default 0):\n"
	"      for live inputs (source.ctf.lttng-live, which say 'try again' when\n"
	"      they have nothing yet): an input that had nothing for this long\n"
	"      holds the others back no further than this much before the time\n"
	"      of day (LTTng's clocks count from the Unix epoch); what it brings\n"
	"      later than that goes out as it comes, counted in a warning. 0:\n"
	"      wait for every input however long (exact order, for traces on\n"
	"      disk).\n");
BT_PLUGIN_FILTER_COMPONENT_CLASS_INITIALIZE_METHOD(tsc, tsc_filter_init);
BT_PLUGIN_FILTER_COMPONENT_CLASS_FINALIZE_METHOD(tsc, tsc_filter_finalize);
BT_PLUGIN_FILTER_COMPONENT_CLASS_INPUT_PORT_CONNECTED_METHOD(tsc,
	tsc_filter_input_connected);
BT_PLUGIN_FILTER_COMPONENT_CLASS_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD(tsc,
	tsc_iter_init);
BT_PLUGIN_FILTER_COMPONENT_CLASS_MESSAGE_ITERATOR_CLASS_FINALIZE_METHOD(tsc,
	tsc_iter_finalize);

BT_PLUGIN_SINK_COMPONENT_CLASS(check, check_sink_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(check,
	"Accuracy check: the share of guest events inside a guest-mode interval of their vCPU thread");
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(check,
	"Reads the output of filter.vmsync.tsc and prints one line: how many guest\n"
	"events fall inside an interval in which the host had their vCPU's thread\n"
	"in guest mode (between its kvm_vcpu_entry and kvm_vcpu_exit), how many\n"
	"fall outside, and their distance from guest mode, in ns (p99 over the\n"
	"events measured, those inside at 0; worst, n/a if none is outside). A\n"
	"guest runs code only in guest mode, so on an exact timeline every guest\n"
	"event is inside.\n"
	"\n"
	"The host trace needs kvm_tsc_vcpu and both kvm_vcpu_entry and\n"
	"kvm_vcpu_exit (lttng-sessiond --extra-kmod-probes=kvm-tsc,kvm-vcpu; lttng\n"
	"enable-event -k 'kvm_tsc_*,kvm_vcpu_*'): without entries or without exits\n"
	"the sink fails rather than report a share. A guest event whose VM and vCPU\n"
	"have no known thread, or that comes before any entry or exit of its\n"
	"vCPU's threads, is counted apart, with those vCPUs named; when no guest\n"
	"event is left to measure, the sink fails too. No parameters (any given\n"
	"is an error).\n"
	"\n"
	"  babeltrace2 --plugin-path P --clock-force-correlate HOST GUEST \\\n"
	"      --component filter.vmsync.tsc --component sink.vmsync.check\n");
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(check, check_sink_init);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(check, check_sink_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(check,
	check_sink_graph_is_configured);

BT_PLUGIN_SINK_COMPONENT_CLASS(report, report_sink_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(report,
	"Why was my guest late: each guest latency broken down by what the host did to its vCPU");
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(report,
	"Reads the output of filter.vmsync.tsc (host and guests on one timeline)\n"
	"and follows each guest vCPU's thread on its host: in guest mode\n"
	"(kvm_vcpu_entry to kvm_vcpu_exit), in the host handling a VM exit (its\n"
	"reason from LTTng's kvm_x86_exit), preempted (runnable while another\n"
	"host task had its CPU: which task, which CPU), idle (asleep in the host,\n"
	"e.g. after a HLT exit), or unknown. Each guest wakeup latency (a guest\n"
	"sched_wakeup to that thread's sched_switch in) of min-latency-us or more,\n"
	"and each marked interval (begin/end), is broken down by those states on\n"
	"the vCPU it waited on; the parts sum to the latency. Prints the top\n"
	"latencies and, per vCPU thread, its time in each state (an exact\n"
	"steal-time table).\n"
	"\n"
	"Needs, in the host trace: kvm_tsc_*, kvm_vcpu_entry, kvm_vcpu_exit,\n"
	"sched_switch, sched_wakeup, sched_migrate_task (and kvm_x86_exit for exit\n"
	"reasons); in the guest traces: sched_switch and sched_wakeup (or the\n"
	"events of begin/end). Without them it fails, saying what to record.\n"
	"\n"
	"Parameters (checked: an unknown name or a bad value is an error naming it):\n"
	"  top (unsigned integer, 0 to 1000000, default 10): latencies printed\n"
	"  min-latency-us (unsigned integer, 0 to " XSTR(PARAM_DAY_US) " (a day), default 1000):\n"
	"      the shortest wakeup latency reported\n"
	"  wake-guest-us (unsigned integer, 0 to " XSTR(PARAM_DAY_US) " (a day), default 1000):\n"
	"      a guest wakeup begins at the host's wakeup of its halted vCPU when\n"
	"      it is the first on that vCPU since and the guest ran at most this\n"
	"      long in between (0: never)\n"
	"  begin, end (strings, together): EVENT[,FIELD=VALUE], shell patterns\n"
	"      (fnmatch) of a guest event's name and, optionally, of one of its\n"
	"      string fields ('lttng_logger,msg=start *'); an interval goes from an\n"
	"      event matching begin to the next matching end of the same guest\n"
	"      thread (vtid/tid context) or, without one, of the same vCPU (else\n"
	"      the oldest open one of the guest); all are reported\n"
	"  format (string, 'text' or 'json', default 'text'): standard output's\n"
	"  chrome-trace (string): write the timeline and latencies to this file\n"
	"      in the trace-event JSON format (Perfetto UI, chrome://tracing)\n"
	"  html (string): write one self-contained page (no network access) with\n"
	"      a zoomable timeline of host CPUs, vCPU states and guest threads,\n"
	"      and the latencies, each a click away\n"
	"  timeline-max-spans (unsigned integer, 1 to 100000000, default 200000):\n"
	"      the timeline's size budget; spans past it are left out, and the\n"
	"      page says so (latencies are always kept)\n");
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(report, report_sink_init);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(report, report_sink_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(report,
	report_sink_graph_is_configured);
