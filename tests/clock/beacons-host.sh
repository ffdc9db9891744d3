# SPDX-License-Identifier: GPL-2.0
# Default-clock mode on the lab host: kvm_tsc_sync beacons on every CPU and
# at statedump; a straight line between two beacons predicts the TSC of a
# marker in between to within 1 us.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng

lttng_unload_all
"$VMSYNC_REPO/tests/clock/record-beacons" "$TEST_NAME"
"$VMSYNC_REPO/tests/lib/check-beacons" --marks "$T/marks.txt" \
	--cpus "$(nproc)" "$T/trace/kernel" || fail "see above"
lttng_unload_all
modprobe -r kvm_tsc_sync || fail "kvm_tsc_sync does not unload"
