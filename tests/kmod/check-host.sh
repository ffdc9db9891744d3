# SPDX-License-Identifier: GPL-2.0
# make check-host's script, run on the lab host as a user runs it on a real
# KVM host: it refuses what it cannot do, and its report names this kernel
# and CPU, passes the exporter's truth check, and gives VM exits per second
# for every mode (none zero) with their ratios.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

ch=$VMSYNC_REPO/scripts/check-host
# Refusals: a half-given accuracy check, and no answer to its question.
out=$("$ch" --host-trace /nonexistent 2>&1) && fail "ran with --host-trace alone"
echo "$out" | grep -q 'give both --host-trace and --guest-trace' ||
	fail "no clear refusal of --host-trace alone: $out"
out=$("$ch" </dev/null 2>&1) && fail "ran without being told to go on"
echo "$out" | grep -q 'not run' || fail "no clear refusal without an answer: $out"
lsmod | grep -q '^kvm_tsc_offset ' && fail "the refusals left kvm_tsc_offset loaded"

"$ch" --yes --rounds 1 --seconds 1 -o "$T/report.txt" >"$T/out.txt" 2>&1 ||
	fail "check-host failed: $(tail -20 "$T/out.txt")"
cat "$T/report.txt"
r=$T/report.txt
grep -q "^  kernel: *$(uname -r) " "$r" || fail "the report does not name the kernel $(uname -r)"
grep -q "^  cpu: .*$(nproc) CPUs" "$r" || fail "the report does not describe the CPU"
grep -q '^  tsc: *constant_tsc \(yes\|no\), nonstop_tsc' "$r" || fail "no TSC features in the report"
sed -n '/^\[truth\]/,/^$/p' "$r" | grep -q '^  PASS' || fail "the truth check did not pass"
for mode in 'A module absent' 'B loaded, nothing recording' 'C loaded, kvm_tsc_offset recorded' \
	'E C + every VM entry and exit'; do
	v=$(grep "^  $mode " "$r" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; exit } }')
	[ -n "$v" ] && [ "$v" -gt 0 ] || fail "no VM exit rate for '$mode'"
done
grep -q 'B/A [0-9]\.[0-9]\{4\}' "$r" && grep -q 'C/A [0-9]\.[0-9]\{4\}' "$r" || fail "no ratios in the report"
grep -q '^check-host: PASS' "$r" || fail "the report does not end in PASS"
lsmod | grep -q '^kvm_tsc_offset ' && fail "check-host left kvm_tsc_offset loaded"
echo "check-host ran and its report holds"
