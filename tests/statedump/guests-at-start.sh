# SPDX-License-Identifier: GPL-2.0
# 32 VMs run before the LTTng session starts: 4 qemu processes (distinct
# -uuid and -name, 1 to 3 vCPUs) and 28 VMs in 2 tscguest processes
# (several VMs per process). The statedump at 'lttng start' must hold
# exactly them, with the right UUIDs, names, vCPU counts, vCPU threads and
# offsets, as the test knows them and as vmsync-guests lists them.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
. "$VMSYNC_REPO/tests/lib/vms.sh"

stop=$T/stop
modprobe kvm_tsc_offset
: >"$T/qemu.txt"
qemu_pids=()
for i in 1 2 3 4; do
	uuid=$(printf '0c0ffee0-0000-4000-8000-%012d' "$i")
	n=$(( i == 1 ? 1 : (i == 4 ? 3 : 2) ))
	pid=$(start_qemu "$uuid" "qemu-guest-$i" "$n")
	qemu_pids+=("$pid")
	echo "$pid $uuid qemu-guest-$i $n" >>"$T/qemu.spec"
done
"$TSCGUEST" --vms 16 --vcpus 1 --idle --stop-file "$stop" --sample-every 0 \
	--uuid 7E57AB1E-1111-4222-8333-944455556666 --name "tsc-a,debug-threads=on" \
	>"$T/tsc-a.log" &
"$TSCGUEST" --vms 12 --vcpus 2 --idle --stop-file "$stop" --sample-every 0 \
	>"$T/tsc-b.log" &
wait_for 16 "$T/tsc-a.log" '^idle'
wait_for 24 "$T/tsc-b.log" '^idle'

# qemu: its VM fd, and its vCPU threads once all have entered KVM_RUN.
while read -r pid uuid name n; do
	for _ in $(seq 1 300); do
		[ "$(comm_tids "$pid" | wc -l)" = "$n" ] && vm=$(qemu_vm "$pid") && break
		sleep 0.1
	done
	[ -n "${vm:-}" ] || fail "qemu $name: no VM or not $n vCPU threads (log: $(cat "$T/qemu-$name.log"))"
	tids=$(comm_tids "$pid" | sort -n | awk '{ printf "%s%s:%s", (NR > 1 ? "," : ""), $1, $2 }')
	echo "$pid $vm $uuid $name $n $tids" >>"$T/qemu.txt"
	vm=""
done <"$T/qemu.spec"
sleep 2	# every qemu vCPU thread has entered KVM_RUN once

"$GUESTS" --json >"$T/guests.json" || fail "vmsync-guests failed"
"$GUESTS" >"$T/guests.txt"
lttng_start dump 'kvm_tsc_*'
lttng_stop dump
touch "$stop"
stop_qemu "${qemu_pids[@]}"
wait

"$VMSYNC_REPO/tests/lib/expected-guests" "$T/qemu.txt" \
	"$T/tsc-a.log:7e57ab1e-1111-4222-8333-944455556666:tsc-a" \
	"$T/tsc-b.log::" >"$T/expected.json"
"$VMSYNC_REPO/tests/lib/check-statedump" "$T/dump.txt" "$T/expected.json" \
	"$T/guests.json"
