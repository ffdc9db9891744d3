# SPDX-License-Identifier: GPL-2.0
# 'make demo', inside the lab host: one 'vmsync record' command records the
# host (vmsync's TSC clock, kvm_tsc_*, VM entries/exits and exit reasons, the
# scheduler) and a real Linux guest (through 'vmsync agent' in it, over
# vsock), where a thread wakes up every 10 ms. Its vCPU is pinned to CPU 1,
# where a real-time CPU hog comes and goes. One 'vmsync merge' puts them on
# host time, 'vmsync check' says how exactly the guest sits on host time,
# and 'vmsync report' says why the guest's thread woke up late, as text and
# as a page. Its share check (tests/lib/check-hog-share): of the late
# wakeups during which the hog ran on the vCPU's CPU (its bursts read from
# the host trace itself), the report must put at least 80% of the hog's
# time there on its preemption of the vCPU, and the hog must account for
# at least 40% of their lateness; both measured shares are printed.
set -euo pipefail
TEST_NAME=demo
. "$VMSYNC_REPO/tests/lib/labtest.sh"
vmsync=$VMSYNC_REPO/build/asan/vmsync

lttng_unload_all
# The lab's emulated CPU declares no invariant TSC (doc/clocks.md).
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
modprobe vhost_vsock	# the guest's vsock device, before it starts
echo "== booting a Linux guest with vmsync's agent (about a minute under the lab's emulation)"
taskset -c 1 "$VMSYNC_REPO/tests/lab/guest" --uuid 0dec0de5-0000-4000-8000-00000000de70 \
	--name demo-guest --out "$T/guest" \
	--qemu-arg -device --qemu-arg vhost-vsock-pci,guest-cid=3 \
	"$VMSYNC_REPO/tests/lab/demo-guest" 200 10 >"$T/guest.console" 2>&1 &
guest=$!
wait_agent_up guest "$guest"
# While it records: the hog (5 ms bursts every 37 ms, real-time, on the
# vCPU's CPU) runs with the guest's workload.
cat >"$T/workload.sh" <<EOS
while [ ! -e "$T/guest/recording" ]; do sleep 0.2; done
"$VMSYNC_REPO/tests/lab/cpu-hog" 1 5 37 "$T/stop" &
while [ ! -e "$T/guest/workload-done" ]; do sleep 0.2; done
touch "$T/stop"
wait
EOS
rec=$T/recording
events=sched_switch,sched_wakeup,sched_migrate_task,kvm_x86_exit,lttng_logger
echo "== vmsync record -A demo-guest@3 -e $events --modes -o $rec -- workload"
"$vmsync" record -A demo-guest@3 -e "$events" --modes \
	-o "$rec" -- bash "$T/workload.sh" || fail "vmsync record failed"
wait "$guest" || fail "the guest did not run its workload: $(tail -20 "$T/guest.console")"
grep -E '^guest: ' "$T/guest.console" || fail "the guest did not report its workload"
echo "== vmsync merge $rec"
"$vmsync" merge "$rec" >"$T/merged.txt" || fail "vmsync merge failed"
echo "   host and guest on host time: $(grep -c . "$T/merged.txt") events in $T/merged.txt"
echo
echo "== vmsync check $rec: every guest event must fall while its vCPU was in guest mode"
"$vmsync" check "$rec"
echo
echo "== vmsync report --top 5 --html $T/report.html $rec: why was the guest late?"
"$vmsync" report --top 5 --html "$T/report.html" --chrome-trace "$T/report.json" "$rec" ||
	fail "vmsync report failed"
echo "   the page: $T/report.html (the lab's out directory, make demo's build/demo), the trace-event file beside it: report.json (Perfetto UI)"
"$vmsync" report --json "$rec" >"$T/report-data.json" 2>/dev/null || fail "vmsync report --json failed"
host_kernel=$(find "$rec/$(hostname)" -type d -name kernel | head -1)
[ -n "$host_kernel" ] || fail "no host kernel trace under $rec/$(hostname)"
babeltrace2 --clock-seconds "$host_kernel" | grep ' sched_switch: ' >"$T/host-switches.txt" ||
	fail "no sched_switch in the host trace $host_kernel"
"$VMSYNC_REPO/tests/lib/check-hog-share" --comm python3 --host "$(hostname)" \
	"$T/report-data.json" "$T/host-switches.txt" ||
	fail "the report does not put the guest's lateness on the hog"
# With LTTng's x86 KVM probe in the lab (scripts/build-lttng-modules builds
# it from the matching linux-source), the exits carry their reasons: the
# halting guest's HLT among them.
if modinfo lttng-probe-kvm-x86 >/dev/null 2>&1; then
	python3 - "$T/report-data.json" <<'PY' || fail "the report's VM exits have no reasons"
import json, sys
v = json.load(open(sys.argv[1]))['vcpus'][0]
named = {x['reason']: x['count'] for x in v['exits'] if x['reason'] != 'not recorded'}
print('   VM exits by reason on vCPU 0: %s' % ', '.join('%s x%d' % kv for kv in sorted(
    named.items(), key=lambda kv: -kv[1])[:6]))
assert named.get('HLT', 0) > 0, named
PY
fi
lttng_unload_all
