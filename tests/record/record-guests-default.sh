# SPDX-License-Identifier: GPL-2.0
# vmsync record with two real Linux guests coming and going, default-clock
# mode (tests/lib/record-scenario.sh): LTTng's clock with kvm_tsc_sync
# beacons on host and guests; every mark once and in order on the merged
# timeline. The share inside guest mode is printed, not held to 100%: under
# the lab's emulation the beacons scatter by tens of microseconds (doc/lab.md).
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
. "$VMSYNC_REPO/tests/lib/record-scenario.sh"

record_scenario default
case "$CHECK_LINE" in
"vmsync-check: "*" guest events; "*) ;;
*) fail "vmsync check gave no share" ;;
esac
