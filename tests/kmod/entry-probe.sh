# SPDX-License-Identifier: GPL-2.0
# Zero cost while nothing records: loaded, with no consumer of its events,
# the module has no probe on KVM's VM-entry path, so it never looks at a
# running vCPU (it holds no record of one). When a consumer of
# kvm_tsc_offset appears (ftrace here), it attaches and announces every
# running vCPU (reason attach, the offset KVM applies: the test guest's own
# reading) before that vCPU runs guest code again; when the consumer goes it
# detaches; a consumer that comes back gets the vCPUs announced again.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

tracked=/sys/module/kvm_tsc_offset/parameters/tracked_vcpus
offset_ev=$TRACEFS/events/kvm_tsc/kvm_tsc_offset/enable
entry_ev=$TRACEFS/events/kvm_vcpu/kvm_vcpu_entry/enable
stop=$T/stop

modprobe kvm_tsc_offset
"$TSCGUEST" --vms 1 --vcpus 2 --iters 0 --pace-us 500 --recover-glitches \
	--stop-file "$stop" --sample-every 0 >"$T/guest.log" &
runner=$!
for i in $(seq 1 300); do
	[ "$(grep -c '^vcpu ' "$T/guest.log")" = 2 ] && break
	kill -0 "$runner" 2>/dev/null || fail "the test guest ended early"
	sleep 0.1
done
[ "$(grep -c '^vcpu ' "$T/guest.log")" = 2 ] || fail "the test guest did not start its 2 vCPUs"
sleep 2
pid=$(awk '$1 == "vm" { print $4 }' "$T/guest.log")
echo "nothing recorded, 2 vCPUs running: entry_probe=$(cat /sys/module/kvm_tsc_offset/parameters/entry_probe), tracked_vcpus=$(cat "$tracked")"
probe_is entry N || fail "attached to kvm_entry with nobody recording"
[ "$(cat "$tracked")" = 0 ] ||
	fail "the module holds records of $(cat "$tracked") vCPUs with nobody recording: its VM-entry probe ran"

# round NAME: record kvm_tsc_offset and kvm_vcpu_entry for a while.
round() {
	echo >"$TRACEFS/trace"
	echo 1 >"$offset_ev"
	echo 1 >"$entry_ev"
	probe_is entry Y || fail "$1: not attached to kvm_entry 5 s after kvm_tsc_offset was switched on"
	sleep 2
	echo 0 >"$entry_ev"
	echo 0 >"$offset_ev"
	cp "$TRACEFS/trace" "$T/$1.txt"
	probe_is entry N || fail "$1: still attached to kvm_entry 5 s after its events were switched off"
	# Each vCPU: one attach with the offset the guest read back, before its
	# first recorded entry; no other event for it.
	local vcpu tid off want first_entry first_offset n
	for vcpu in 0 1; do
		tid=$(awk -v v="$vcpu" '$1 == "vcpu" && $3 == v { print $5 }' "$T/guest.log")
		want=$(awk -v v="$vcpu" '$1 == "vcpu" && $3 == v { print $7 }' "$T/guest.log")
		n=$(grep -c "kvm_tsc_offset: qemu_pid=$pid .* vcpu_tid=$tid " "$T/$1.txt" || true)
		off=$(grep -m1 "kvm_tsc_offset: qemu_pid=$pid .* vcpu_tid=$tid .*reason=attach" "$T/$1.txt" |
			sed -n 's/.* offset=\([-0-9]*\) .*/\1/p')
		first_offset=$(grep -n -m1 "kvm_tsc_offset: qemu_pid=$pid .* vcpu_tid=$tid " "$T/$1.txt" | cut -d: -f1)
		first_entry=$(grep -n -m1 "kvm_vcpu_entry: qemu_pid=$pid vcpu_tid=$tid " "$T/$1.txt" | cut -d: -f1)
		echo "$1: vCPU $vcpu (thread $tid): $n kvm_tsc_offset, attach offset $off (the guest read $want), line $first_offset; first entry line $first_entry"
		[ "$n" = 1 ] || fail "$1: vCPU $vcpu: expected one kvm_tsc_offset (its announcement), got $n"
		[ "$off" = "$want" ] || fail "$1: vCPU $vcpu announced with offset '$off', the guest reads $want"
		[ -n "$first_entry" ] || fail "$1: vCPU $vcpu: no VM entry recorded"
		[ "$first_offset" -lt "$first_entry" ] ||
			fail "$1: vCPU $vcpu entered the guest (line $first_entry) before it was announced (line $first_offset)"
	done
}
round first
round again

touch "$stop"
wait "$runner" || fail "the test guest failed"
rmmod kvm_tsc_offset
echo "glitches the test guest recovered from (doc/lab.md): $(grep -c '^glitch' "$T/guest.log" || true)"
