# SPDX-License-Identifier: GPL-2.0
# The module attaches to KVM's kvm_exit only while kvm_vcpu_exit is recorded:
# off with no consumer (no call per VM exit), on as soon as ftrace records
# the event (every exit of a guest started then is there, one per entry),
# off again when it stops; and it unloads while attached.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

probe=/sys/module/kvm_tsc_offset/parameters/exit_probe
ev=$TRACEFS/events/kvm_vcpu
guest() { "$TSCGUEST" --vms 1 --vcpus 1 --iters 2000 --sample-every 0 >"$T/guest-$1.log"; }

modprobe kvm_tsc_offset
guest idle
echo "no consumer: exit_probe=$(cat "$probe")"
probe_is exit N || fail "attached to kvm_exit with nobody recording kvm_vcpu_exit"

echo >"$TRACEFS/trace"
echo 1 >"$ev/kvm_vcpu_entry/enable"
echo 1 >"$ev/kvm_vcpu_exit/enable"
probe_is exit Y || fail "not attached to kvm_exit 5 s after kvm_vcpu_exit was switched on"
probe_is entry Y || fail "not attached to kvm_entry 5 s after kvm_vcpu_entry was switched on"
guest traced
echo 0 >"$ev/kvm_vcpu_exit/enable"
echo 0 >"$ev/kvm_vcpu_entry/enable"
cp "$TRACEFS/trace" "$T/ftrace.txt"
pid=$(awk '$1 == "vm" { print $4 }' "$T/guest-traced.log")
runs=$(awk '$1 == "runs" { print $4 }' "$T/guest-traced.log")
entries=$(grep -c "kvm_vcpu_entry: qemu_pid=$pid " "$T/ftrace.txt" || true)
exits=$(grep -c "kvm_vcpu_exit: qemu_pid=$pid " "$T/ftrace.txt" || true)
echo "recorded: $entries entries, $exits exits of the guest (KVM_RUN returned $runs times)"
# Attached before the guest started: each of its runs is one entry and one
# exit (2000 iterations make two port writes each).
[ "$entries" -ge 4000 ] && [ "$exits" = "$entries" ] ||
	fail "expected as many exits as entries (at least 4000)"

probe_is exit N || fail "still attached to kvm_exit after kvm_vcpu_exit was switched off"
echo "event off again: exit_probe=$(cat "$probe")"

# Unloaded while attached: the probe goes with it (the suite fails the test
# on any kernel warning).
echo 1 >"$ev/kvm_vcpu_exit/enable"
probe_is exit Y || fail "not attached again"
guest unload
rmmod kvm_tsc_offset || fail "cannot unload while attached to kvm_exit"
echo 0 >"$ev/kvm_vcpu_exit/enable"
echo "unloaded while attached"
