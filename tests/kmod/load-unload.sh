# SPDX-License-Identifier: GPL-2.0
# Load and unload the module over and over while VMs run and while other
# VMs are created and destroyed in a loop, with an LTTng session recording
# kvm_tsc_offset throughout (LTTng attaches to the tracepoint as the module
# comes, before it looks at any vCPU). Each load must announce the running
# vCPUs once (reason attach) and each unload must succeed; the lab fails the
# test if the kernel log holds any BUG, WARNING or Oops.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

cycles=15
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

for i in $(seq 1 "$cycles"); do
	modprobe kvm_tsc_offset || fail "load $i failed"
	sleep 0.5
	rmmod kvm_tsc_offset || fail "unload $i failed"
done
touch "$stop"
wait "$runner" || fail "the running guest failed"
wait "$churn" || fail "the create/destroy loop failed"
lttng_stop cycles
grep -q '^done' "$T/guest.log" || fail "the running guest did not finish"

n=$(grep -c "qemu_pid = $pid, .*\"attach\"" "$T/cycles.txt" || true)
echo "$cycles load/unload cycles; $n attach events for the 4 running vCPUs"
[ "$n" = $((cycles * 4)) ] || fail "expected $((cycles * 4)) attach events, got $n"
others=$(grep "qemu_pid = $pid, " "$T/cycles.txt" | grep -vc '"attach"\|"create"' || true)
[ "$others" = 0 ] || fail "$others events for the running guest that are neither creation nor attach"
glitches=$(cat "$T/guest.log" "$T/churn.log" | grep -c '^glitch' || true)
echo "nested-TCG glitches the test guests recovered from (doc/lab.md): $glitches"
