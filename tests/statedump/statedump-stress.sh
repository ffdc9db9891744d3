# SPDX-License-Identifier: GPL-2.0
# 1,000 'lttng regenerate statedump' while a loop creates and destroys VMs
# (and some VMs run throughout): no oops or WARNING (the suite checks the
# kernel log), every dump whole and bracketed, nothing leaked (no VM or
# vCPU left tracked once the VMs are gone, and the module unloads).
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng

dumps=${STATEDUMPS:-1000}
stop=$T/stop
modprobe kvm_tsc_offset
"$TSCGUEST" --vms 4 --vcpus 2 --idle --stop-file "$stop" --sample-every 0 \
	--name steady >"$T/steady.log" &
steady=$!
(
	while [ ! -e "$stop" ]; do
		"$TSCGUEST" --vms 3 --vcpus 1 --iters 20 --sample-every 0 \
			--recover-glitches --name churn >>"$T/churn.log" || exit 1
	done
) &
churn=$!
lttng_start stress 'kvm_tsc_*'
for _ in $(seq 1 "$dumps"); do
	lttng regenerate statedump >/dev/null || fail "regenerate statedump failed"
done
touch "$stop"
wait "$steady" || fail "the steady VMs failed"
wait "$churn" || fail "the create/destroy loop failed"
lttng_stop stress

vms=$(cat /sys/module/kvm_tsc_offset/parameters/tracked_vms)
vcpus=$(cat /sys/module/kvm_tsc_offset/parameters/tracked_vcpus)
echo "after the VMs are gone: $vms VMs and $vcpus vCPUs tracked"
[ "$vms" = 0 ] && [ "$vcpus" = 0 ] || fail "records leaked"
rmmod kvm_tsc_offset || fail "the module does not unload"
# One dump at 'lttng start', then the regenerated ones.
"$VMSYNC_REPO/tests/lib/check-statedumps" "$T/stress.txt" $((dumps + 1))
