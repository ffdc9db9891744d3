# SPDX-License-Identifier: GPL-2.0
# Exact mode end to end (tests/lib/rebase-scenario.sh): host and a real
# Linux guest on vmsync's TSC clock, the guest's offset changed mid-trace.
# Every guest marker must land on its exact host TSC, and every guest event
# inside guest mode of its vCPU thread.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
. "$VMSYNC_REPO/tests/lib/rebase-scenario.sh"

rebase_scenario tsc e7ac7e57-0b5e-4c1d-9a2f-6d1e2c3b4a59
case "$CHECK_LINE" in
*", 0 outside;"*) ;;
*) fail "in exact mode every guest event must be inside guest mode" ;;
esac
