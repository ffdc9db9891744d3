# SPDX-License-Identifier: GPL-2.0
# Load and unload the module over and over while VMs run and while other
# VMs are created and destroyed in a loop, with an LTTng session recording
# kvm_tsc_offset throughout (LTTng attaches to the tracepoint as the module
# comes, before it looks at any vCPU). Each load must announce the running
# vCPUs once (reason attach) and each unload must succeed; the lab fails the
# test if the kernel log holds any BUG, WARNING or Oops.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

cycles=15
# Each load below must be a load: not one left by an earlier test.
rmmod kvm_tsc_offset 2>/dev/null || true
stop=$T/stop
"$TSCGUEST" --vms 2 --vcpus 2 --iters 0 --pace-us 500 --recover-glitches \
	--stop-file "$stop" --sample-every 0 \
	>"$T/guest.log" &
runner=$!
(
	while [ ! -e "$stop" ]; do
		"$TSCGUEST" --vms 2 --vcpus 1 --iters 100 --sample-every 0 \
			--recover-glitches >>"$T/churn.log" ||
			exit 1
	done
) &
churn=$!
lttng_start cycles
sleep 2
pid=$(awk '$1 == "vm" { print $4; exit }' "$T/guest.log")

# Every step is bounded, so a hang names itself instead of eating the
# suite's whole timeout.
for i in $(seq 1 "$cycles"); do
	timeout 60 modprobe kvm_tsc_offset || fail "load $i failed or hung (status $?)"
	sleep 0.5
	timeout 60 rmmod kvm_tsc_offset || fail "unload $i failed or hung (status $?)"
done
echo "$cycles load/unload cycles done"
touch "$stop"
wait_bounded() {	# PID WHAT: wait for PID, at most 60 s
	local i
	for i in $(seq 600); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && fail "$2 still running 60 s after it was told to stop"
	wait "$1" || fail "$2 failed (status $?)"
}
wait_bounded "$runner" "the running guest"
wait_bounded "$churn" "the create/destroy loop"
lttng_stop cycles
grep -q '^done' "$T/guest.log" || fail "the running guest did not finish"

n=$(grep -c "qemu_pid = $pid, .*\"attach\"" "$T/cycles.txt" || true)
echo "$n attach events for the 4 running vCPUs"
[ "$n" = $((cycles * 4)) ] || fail "expected $((cycles * 4)) attach events, got $n"
others=$(grep "qemu_pid = $pid, " "$T/cycles.txt" | grep -vc '"attach"\|"create"' || true)
[ "$others" = 0 ] || fail "$others events for the running guest that are neither creation nor attach"
glitches=$(cat "$T/guest.log" "$T/churn.log" | grep -c '^glitch' || true)
echo "nested-TCG glitches the test guests recovered from (doc/lab.md): $glitches"
