# SPDX-License-Identifier: GPL-2.0
# Load and unload the module over and over while VMs run and while other
# VMs are created and destroyed in a loop. Each load must see the running
# vCPUs (reason attach), each unload must succeed; the lab fails the test if
# the kernel log holds any BUG, WARNING or Oops.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

stop=$T/stop
"$TSCGUEST" --vms 2 --vcpus 2 --iters 0 --stop-file "$stop" --sample-every 0 \
	>"$T/guest.log" &
runner=$!
(
	while [ ! -e "$stop" ]; do
		"$TSCGUEST" --vms 2 --vcpus 1 --iters 100 --sample-every 0 >/dev/null ||
			exit 1
	done
) &
churn=$!
sleep 2
pid=$(awk '$1 == "vm" { print $4; exit }' "$T/guest.log")

for i in $(seq 1 15); do
	modprobe kvm_tsc_offset || fail "load $i failed"
	ftrace_event on
	sleep 0.5
	ftrace_event off
	n=$(grep -c "qemu_pid=$pid .*reason=attach" "$TRACEFS/trace" || true)
	[ "$n" = 4 ] || fail "load $i: $n attach events for the 4 running vCPUs"
	rmmod kvm_tsc_offset || fail "unload $i failed"
done
touch "$stop"
wait "$runner" || fail "the running guest failed"
wait "$churn" || fail "the create/destroy loop failed"
grep -q '^done' "$T/guest.log" || fail "the running guest did not finish"
echo "15 load/unload cycles with VMs running and churning"
