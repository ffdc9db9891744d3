# SPDX-License-Identifier: GPL-2.0
# vmsync record on the lab host with two real Linux guests running vmsync's
# agent, reached over vsock, in exact mode: g1 is up before the recording
# begins and shuts down during it; g2 starts during the recording (vmsync
# record waits for its agent) and is stopped with it. One after the other:
# two nested guests at once are more than the lab's emulation bears (its
# kernel died of a stack overflow in a vCPU thread, doc/lab.md). Every guest mark
# must come out of 'vmsync merge' once and in order, the merged guest events
# all inside guest mode of their vCPU ('vmsync check'), and nothing vmsync
# record started (relay and session daemons, modules, sessions) left behind.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
count=10

lttng_unload_all
modprobe -r kvm_tsc_offset kvm_tsc_sync 2>/dev/null || true
# The lab's emulated CPU declares no invariant TSC: vmsync record would say
# so; a user on such a machine loads the plugin this way first.
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
# The VMs' vsock device needs it before they start.
modprobe vhost_vsock
pgrep -x lttng-relayd && fail "an lttng-relayd runs before the test"

# guest NAME CID UUID END: a guest running tests/record/guest-agent.
guest() {
	"$VMSYNC_REPO/tests/lab/guest" --uuid "$3" --name "$1" --out "$T/$1" \
		--cpu-flags -tsc-adjust \
		--qemu-arg -device --qemu-arg "vhost-vsock-pci,guest-cid=$2" \
		"$VMSYNC_REPO/tests/record/guest-agent" "$1" tsc "$count" "$4"
}
guest g1 3 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c01 shutdown >"$T/g1.console" 2>&1 &
g1=$!
for i in $(seq 1 600); do
	[ -e "$T/g1/agent-up" ] && break
	kill -0 "$g1" 2>/dev/null || fail "guest g1 ended before its agent ran: $(tail -20 "$T/g1.console")"
	sleep 1
done
[ -e "$T/g1/agent-up" ] || fail "guest g1's agent did not start in 600 s"

# What runs while vmsync record records: g1 writes its marks and shuts
# down; then g2 boots and writes its marks; then the command ends, and
# vmsync record stops g2's recording.
cat >"$T/during.sh" <<EOS
$(declare -f guest)
T=$T VMSYNC_REPO=$VMSYNC_REPO count=$count
for i in \$(seq 1 1200); do
	kill -0 $g1 2>/dev/null || break
	sleep 0.5
done
[ -e "$T/g1/marks-done" ] || { echo "guest g1 wrote no marks"; exit 1; }
guest g2 4 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c02 stop >"$T/g2.console" 2>&1 &
echo \$! >"$T/g2.pid"
for i in \$(seq 1 1200); do
	[ -e "$T/g2/marks-done" ] && exit 0
	kill -0 \$(cat "$T/g2.pid") 2>/dev/null || break
	sleep 0.5
done
echo "guest g2 wrote no marks"
exit 1
EOS
rec=$(mktemp -d /tmp/vmsync-rec.XXXXXX)/traces
status=0
"$vmsync" record -A g1@3 -A g2@4 --modes --wait-guest 900 -o "$rec" -- bash "$T/during.sh" \
	>"$T/record.out" 2>"$T/record.err" || status=$?
cat "$T/record.err" "$T/record.out"
wait "$g1" || fail "guest g1's script failed: $(tail -20 "$T/g1.console"; cat "$T/g1/agent.log")"
g2=$(cat "$T/g2.pid" 2>/dev/null) || fail "guest g2 was not started"
for i in $(seq 1 300); do
	kill -0 "$g2" 2>/dev/null || break
	sleep 1
done
grep -q . "$T/g2/product_uuid" 2>/dev/null ||
	fail "guest g2's script did not end well: $(tail -20 "$T/g2.console"; cat "$T/g2/agent.log")"
cp -r "$rec" "$T/traces"
[ "$status" = 0 ] || fail "vmsync record exited with status $status"

# What vmsync record said: both guests recorded, g2's end noticed.
grep -q 'guest g1 (CID 3.*recording' "$T/record.err" || fail "vmsync record did not say it records g1"
grep -q 'guest g2 (CID 4.*recording' "$T/record.err" || fail "vmsync record did not say it records g2"
grep -q 'guest g1 (CID 3): it stopped answering mid-recording' "$T/record.err" ||
	fail "vmsync record did not say that g1 went away mid-recording"
for m in host 'guest g1 (CID 3)' 'guest g2 (CID 4)'; do
	grep -F "  $m" "$T/record.out" | grep -q ' events ' ||
		fail "the summary has no events line for $m"
done
grep -F '  guest g2 (CID 4)' "$T/record.out" | grep -q ' 0 events discarded, 0 packets lost' ||
	fail "the summary does not count what g2 discarded"

# Nothing left behind.
pgrep -x lttng-relayd && fail "vmsync record left lttng-relayd running"
pgrep -x lttng-sessiond && fail "vmsync record left the lttng-sessiond it started"
for m in kvm_tsc_offset lttng_probe_kvm_tsc lttng_probe_kvm_vcpu; do
	lsmod | grep -q "^$m " && fail "vmsync record left module $m loaded"
done
grep -q '^lttng_clock_tsc ' /proc/modules || fail "vmsync record unloaded a module it had not loaded"
n=$(find "$rec" -name metadata | wc -l)
[ "$n" -ge 3 ] || fail "$n traces under $rec, not 3 (host, g1, g2): $(find "$rec" -name metadata)"

# One timeline: every mark once, in order, each guest's on its own vCPU.
"$vmsync" merge "$rec" >"$T/merged.txt" 2>"$T/merge.err" ||
	fail "vmsync merge failed: $(cat "$T/merge.err")"
cat "$T/merge.err"
for g in g1 g2; do
	seq=$(grep -o "vmsync-mark $g [0-9]*" "$T/merged.txt" | awk '{ print $3 }' | paste -sd' ')
	[ "$seq" = "$(seq -s' ' 1 "$count")" ] ||
		fail "guest $g's marks in the merged timeline: '$seq', not 1 to $count once each in order"
	echo "$g: marks $seq"
done
"$vmsync" check "$rec" >"$T/check.txt" 2>&1 || fail "vmsync check failed: $(cat "$T/check.txt")"
line=$(grep '^vmsync-check: ' "$T/check.txt") || fail "no summary from vmsync check"
echo "$line"
case "$line" in
*", 0 outside;"*) ;;
*) fail "in exact mode every guest event must be inside guest mode" ;;
esac
lttng_unload_all
