# SPDX-License-Identifier: GPL-2.0
# Default-clock mode end to end (tests/plugin/rebase-scenario.sh): host and
# a real Linux guest on LTTng's default clock, with kvm_tsc_sync beacons on
# both sides, the guest's offset changed mid-trace. Causality must hold, and
# 99% of the guest events must be within 1 us of guest mode of their vCPU.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
. "$VMSYNC_REPO/tests/plugin/rebase-scenario.sh"

rebase_scenario default 6d3fa2c1-8e4b-4f0a-b5d7-1c2e3f4a5b6c
p99=$(echo "$CHECK_LINE" | sed -n 's/.*p99: \([0-9]*\) ns.*/\1/p')
[ -n "$p99" ] || fail "no p99 in the check's summary"
[ "$p99" -le 1000 ] || fail "p99 distance from guest mode is $p99 ns, over 1000"
