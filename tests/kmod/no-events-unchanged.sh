# SPDX-License-Identifier: GPL-2.0
# An exit-heavy vCPU whose offset never changes: over more than 100,000 VM
# exits, exactly one event (its creation), nothing else; once the VM is
# destroyed the module holds no record of it.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

modprobe kvm_tsc_offset
ftrace_event on
"$TSCGUEST" --vms 1 --vcpus 1 --iters 55000 --sample-every 0 >"$T/guest.log"
ftrace_event off
cp "$TRACEFS/trace" "$T/ftrace.txt"
# The guest is gone: the module must not hold a record of its vCPU any more.
tracked=$(cat /sys/module/kvm_tsc_offset/parameters/tracked_vcpus)
rmmod kvm_tsc_offset
[ "$tracked" = 0 ] || fail "$tracked vCPU records left after every VM was destroyed"

# Each return of KVM_RUN is one VM exit (KVM's own debugfs counter is summed
# over live VMs only, so it is gone once the guest exits).
n=$(awk '$1 == "runs" { print $4 }' "$T/guest.log")
echo "VM exits (KVM_RUN returns): $n"
[ "$n" -ge 100000 ] || fail "only $n VM exits, the test needs at least 100000"
pid=$(awk '$1 == "vm" { print $4 }' "$T/guest.log")
events=$(grep -c "kvm_tsc_offset: qemu_pid=$pid " "$T/ftrace.txt" || true)
creates=$(grep -c "kvm_tsc_offset: qemu_pid=$pid .*reason=create" "$T/ftrace.txt" || true)
echo "events for the guest: $events (creations: $creates)"
[ "$events" = 1 ] && [ "$creates" = 1 ] ||
	fail "expected exactly one event (the creation), got $events"
