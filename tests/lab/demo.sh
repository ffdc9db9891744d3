# SPDX-License-Identifier: GPL-2.0
# 'make demo', inside the lab host: the host traces with vmsync (its TSC
# clock, kvm_tsc_*, VM entries/exits, the scheduler) while a real Linux
# guest, traced with LTTng on its own TSC clock, runs a thread that wakes up
# every 10 ms. Its vCPU is pinned to CPU 1, where a real-time CPU hog comes
# and goes.
# Then the two traces are merged onto host time (vmsync-merge), an excerpt
# shows the guest's latest wakeup next to what the host did to its vCPU
# thread, and sink.vmsync.check says how exactly the guest sits on host time.
set -euo pipefail
TEST_NAME=demo
. "$VMSYNC_REPO/tests/lib/labtest.sh"
merge=$VMSYNC_REPO/plugin/vmsync-merge

lttng_unload_all
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
modprobe kvm_tsc_offset
# Every VM entry and exit goes to a session of its own, read by the check
# only: the merged timeline stays small enough to read.
lttng_start modes 'kvm_tsc_*' 'kvm_vcpu_*'
lttng_start host 'kvm_tsc_*' sched_switch sched_wakeup
# The hog starts with the guest's workload (its trace directory appears):
# 5 ms bursts every 37 ms, real-time, on the vCPU's CPU.
(
	while [ ! -d "$T/guest/trace" ] && [ ! -e "$T/stop" ]; do sleep 0.2; done
	exec "$VMSYNC_REPO/tests/lab/cpu-hog" 1 5 37 "$T/stop"
) &
hog=$!
echo "== booting a Linux guest (about a minute under the lab's emulation)"
taskset -c 1 "$VMSYNC_REPO/tests/lab/guest" --uuid 0dec0de5-0000-4000-8000-00000000de70 \
	--name demo-guest --out "$T/guest" "$VMSYNC_REPO/tests/lab/demo-guest" 200 10 |
	grep -E '^guest: ' || fail "the guest did not run its workload"
touch "$T/stop"
wait "$hog"
for s in host modes; do
	lttng stop "$s" >/dev/null
	lttng destroy "$s" >/dev/null
done
"$merge" "$T/host" "$T/guest/trace" >"$T/merged.txt" || fail "vmsync-merge failed"
echo "== merged host and guest: $(grep -c . "$T/merged.txt") events in $T/merged.txt"
echo
"$VMSYNC_REPO/tests/lib/demo-excerpt" --vm-name demo-guest "$T/merged.txt"
echo
echo "== accuracy: every guest event must fall while its vCPU was in guest mode"
"$merge" --check "$T/modes" "$T/guest/trace"
lttng_unload_all
