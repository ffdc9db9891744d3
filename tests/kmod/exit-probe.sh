# SPDX-License-Identifier: GPL-2.0
# The module attaches to KVM's kvm_exit only while kvm_vcpu_exit is recorded:
# off with no consumer (no call per VM exit), on once ftrace records the
# event (and the exits are there, one per entry but the first few), off
# again when it stops; and it unloads while attached.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

probe=/sys/module/kvm_tsc_offset/parameters/exit_probe
ev=$TRACEFS/events/kvm_vcpu
guest() { "$TSCGUEST" --vms 1 --vcpus 1 --iters 2000 --sample-every 0 >"$T/guest-$1.log"; }
# probe_is Y|N: the state, once the work item the guest's entries queued ran.
probe_is() {
	local i
	for i in $(seq 1 20); do
		[ "$(cat "$probe")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

modprobe kvm_tsc_offset
guest idle
echo "no consumer: exit_probe=$(cat "$probe")"
probe_is N || fail "attached to kvm_exit with nobody recording kvm_vcpu_exit"

echo >"$TRACEFS/trace"
echo 1 >"$ev/kvm_vcpu_entry/enable"
echo 1 >"$ev/kvm_vcpu_exit/enable"
guest traced
echo 0 >"$ev/kvm_vcpu_exit/enable"
echo 0 >"$ev/kvm_vcpu_entry/enable"
cp "$TRACEFS/trace" "$T/ftrace.txt"
on=$(cat "$probe")
pid=$(awk '$1 == "vm" { print $4 }' "$T/guest-traced.log")
entries=$(grep -c "kvm_vcpu_entry: qemu_pid=$pid " "$T/ftrace.txt" || true)
exits=$(grep -c "kvm_vcpu_exit: qemu_pid=$pid " "$T/ftrace.txt" || true)
echo "recorded: exit_probe=$on; $entries entries, $exits exits of the guest"
[ "$on" = Y ] || fail "not attached to kvm_exit while kvm_vcpu_exit is recorded"
# The work item attaches within the first exits (a few ms); every later
# exit is there.
[ "$entries" -ge 4000 ] && [ "$exits" -ge $((entries * 95 / 100)) ] &&
	[ "$exits" -le "$entries" ] ||
	fail "expected about as many exits as entries (at least 4000)"

guest after
probe_is N || fail "still attached to kvm_exit after kvm_vcpu_exit was switched off"
echo "event off again: exit_probe=$(cat "$probe")"

# Unloaded while attached: the probe goes with it (the suite fails the test
# on any kernel warning).
echo 1 >"$ev/kvm_vcpu_exit/enable"
guest unload
probe_is Y || fail "not attached again"
echo 0 >"$ev/kvm_vcpu_exit/enable"
rmmod kvm_tsc_offset || fail "cannot unload while attached to kvm_exit"
echo "unloaded while attached"
