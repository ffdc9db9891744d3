# SPDX-License-Identifier: GPL-2.0
# Default-clock mode end to end (tests/lib/rebase-scenario.sh): host and
# a real Linux guest on LTTng's default clock, with kvm_tsc_sync beacons on
# both sides, the guest's offset changed mid-trace. Every guest event must
# come out, in order, with causality kept against the host (round trips of
# about 1 ms), through the three paths, and the filter must report its
# error bound, or say why it has none. The guest's marks carry their own TSC
# read: each one's error against where that TSC puts it on host time
# (tests/lib/check-beacon-truth, KVM's offsets and the host's beacons) is
# reported as p50/p99/max, and must stay within the filter's bound. The accuracy check's p99 is printed, not held to 1 us: the
# lab's emulated clocks make the guest's clock bend between beacons by up to
# hundreds of us now and then (seen: p99 161 us against a reported bound of
# 38 us; other runs 0 ns), so the lab cannot show that target
# (doc/plugin.md, Limits).
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
. "$VMSYNC_REPO/tests/lib/rebase-scenario.sh"

rebase_scenario default 6d3fa2c1-8e4b-4f0a-b5d7-1c2e3f4a5b6c
p99=$(echo "$CHECK_LINE" | sed -n 's/.*p99: \([0-9]*\) ns.*/\1/p')
bound=$(sed -n "s/^filter.vmsync.tsc: .*error bound, from the beacons' scatter: +\/-\([0-9]*\) ns.*/\1/p" \
	"$T/merged.err" | head -1)
unbounded=$(grep -m1 "^filter.vmsync.tsc: .* no error bound: " "$T/merged.err")
[ -n "$p99" ] || fail "no p99 in the check's summary"
# A bound, or the filter saying why it has none (beacons delayed past the limit).
[ -n "$bound" ] || [ -n "$unbounded" ] ||
	fail "the filter reported no error bound and did not say it has none"
echo "p99 distance from guest mode: $p99 ns; the filter's reported error bound: ${bound:+$bound ns}${unbounded:+none (${unbounded##*no error bound: })}"
babeltrace2 --clock-cycles "$T/host" >"$T/host-cycles.txt"
if [ -n "$bound" ]; then bounded=(--bound "$bound"); else bounded=(--no-bound); fi
"$VMSYNC_REPO/tests/lib/check-beacon-truth" --uuid 6d3fa2c1-8e4b-4f0a-b5d7-1c2e3f4a5b6c \
	--delta 1000000000 --host "$T/host-cycles.txt" --merged "$T/merged.txt" "${bounded[@]}" ||
	fail "the guest's marks against their own TSC: see above"
