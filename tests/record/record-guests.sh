# SPDX-License-Identifier: GPL-2.0
# vmsync record with two real Linux guests coming and going, exact mode
# (tests/lib/record-scenario.sh): host and guests, kernel and user space,
# on one timeline, and every guest event inside guest mode of its vCPU.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
. "$VMSYNC_REPO/tests/lib/record-scenario.sh"

record_scenario tsc
case "$CHECK_LINE" in
*", 0 outside;"*) ;;
*) fail "in exact mode every guest event must be inside guest mode" ;;
esac
