# SPDX-License-Identifier: GPL-2.0
# VMs started and stopped while an LTTng session runs: each is announced
# (kvm_tsc_guest, then its vCPUs) when it is created and announced gone
# (kvm_tsc_guest_exit) when its VMM exits, in order, once each.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
. "$VMSYNC_REPO/tests/lib/vms.sh"

modprobe kvm_tsc_offset
lttng_start live 'kvm_tsc_*'

# Step 1: two VMs in one tscguest.
"$TSCGUEST" --vms 2 --vcpus 2 --idle --stop-file "$T/stop-a" --sample-every 0 \
	--uuid 11111111-2222-4333-8444-555555555555 --name guest-a >"$T/a.log" &
a=$!
wait_for 4 "$T/a.log" '^idle'
a_vms=$(awk '$1 == "vm" { printf "%s-%s ", $4, $6 }' "$T/a.log")
echo "start $a_vms" >"$T/steps.txt"

# Step 2: a qemu VM with two vCPUs.
uuid=22222222-3333-4444-8555-666666666666
qpid=$(start_qemu "$uuid" guest-b 2)
for _ in $(seq 1 300); do
	[ "$(comm_tids "$qpid" | wc -l)" = 2 ] && qvm=$(qemu_vm "$qpid") && break
	sleep 0.1
done
[ -n "${qvm:-}" ] || fail "qemu guest-b did not start: $(cat "$T/qemu-guest-b.log")"
sleep 2	# both vCPU threads have entered KVM_RUN
tids=$(comm_tids "$qpid" | sort -n | awk '{ printf "%s%s:%s", (NR > 1 ? "," : ""), $1, $2 }')
echo "$qpid $qvm $uuid guest-b 2 $tids" >"$T/qemu.txt"
echo "start $qvm" >>"$T/steps.txt"

# Step 3: the first VMM exits; step 4: a third one comes; then both go.
touch "$T/stop-a"
wait "$a"
echo "stop $a_vms" >>"$T/steps.txt"
"$TSCGUEST" --vms 1 --vcpus 1 --idle --stop-file "$T/stop-c" --sample-every 0 \
	--name guest-c >"$T/c.log" &
c=$!
wait_for 1 "$T/c.log" '^idle'
c_vm=$(awk '$1 == "vm" { printf "%s-%s", $4, $6 }' "$T/c.log")
echo "start $c_vm" >>"$T/steps.txt"
stop_qemu "$qpid"
echo "stop $qvm" >>"$T/steps.txt"
touch "$T/stop-c"
wait "$c"
echo "stop $c_vm" >>"$T/steps.txt"
sleep 0.5
lttng_stop live

"$VMSYNC_REPO/tests/lib/expected-guests" "$T/qemu.txt" \
	"$T/a.log:11111111-2222-4333-8444-555555555555:guest-a" \
	"$T/c.log::guest-c" >"$T/expected.json"
"$VMSYNC_REPO/tests/lib/check-lifecycle" "$T/live.txt" "$T/expected.json" \
	"$T/steps.txt"
