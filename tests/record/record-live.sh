# SPDX-License-Identifier: GPL-2.0
# vmsync record --live on the lab host with a real Linux guest running
# vmsync's agent (exact mode): the merged live view (lttng-live sessions
# through filter.vmsync.tsc) prints the guest's marks on host time, in
# order, while the guest is still writing them; all of them by the end.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
count=30

lttng_unload_all
modprobe -r kvm_tsc_offset kvm_tsc_sync 2>/dev/null || true
# The lab's emulated CPU declares no invariant TSC (doc/clocks.md).
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
modprobe vhost_vsock

"$VMSYNC_REPO/tests/lab/guest" --uuid 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c11 --name g1 \
	--out "$T/g1" --cpu-flags -tsc-adjust \
	--qemu-arg -device --qemu-arg vhost-vsock-pci,guest-cid=3 \
	"$VMSYNC_REPO/tests/record/guest-agent" g1 tsc "$count" stop 1 >"$T/g1.console" 2>&1 &
g1=$!
for i in $(seq 1 600); do
	[ -e "$T/g1/agent-up" ] && break
	kill -0 "$g1" 2>/dev/null || fail "guest g1 ended before its agent ran: $(tail -20 "$T/g1.console")"
	sleep 1
done
[ -e "$T/g1/agent-up" ] || fail "guest g1's agent did not start in 600 s"

# While recording: the view must show the first mark before the guest
# wrote its last (one a second), then the command waits for the last.
cat >"$T/during.sh" <<EOS
# By the clock, not by turns: each turn is slow under the lab's emulation.
end=\$((SECONDS + 300))
while [ \$SECONDS -lt \$end ]; do
	grep -q 'vmsync-mark g1 1\\\\n' "$T/live.out" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q 'vmsync-mark g1 1\\\\n' "$T/live.out"; then
	echo "the live view did not show the first mark in 300 s" >"$T/live-verdict"
elif [ -e "$T/g1/marks-done" ]; then
	echo "the live view showed the first mark only after the guest wrote its last" >"$T/live-verdict"
else
	echo "live: the first mark seen while the guest still writes" >"$T/live-verdict"
fi
end=\$((SECONDS + 600))
while [ \$SECONDS -lt \$end ]; do
	[ -e "$T/g1/marks-done" ] && exit 0
	sleep 0.5
done
exit 1
EOS
rec=$(mktemp -d /tmp/vmsync-rec.XXXXXX)/traces
st=0
"$vmsync" record --live -A g1@3 --wait-guest 600 -o "$rec" -- bash "$T/during.sh" \
	>"$T/live.out" 2>"$T/live.err" || st=$?
cat "$T/live.err"
wait "$g1" || fail "guest g1's script failed: $(tail -20 "$T/g1.console"; cat "$T/g1/agent.log")"
[ "$st" = 0 ] || fail "vmsync record --live exited with status $st"
grep -q 'live view of the host and 1 guest' "$T/live.err" || fail "record did not start the live view"
cat "$T/live-verdict"
grep -q '^live: ' "$T/live-verdict" || fail "$(cat "$T/live-verdict")"
seq=$(grep -o 'vmsync-mark g1 [0-9]*' "$T/live.out" | awk '{ print $3 }' | paste -sd' ')
[ "$seq" = "$(seq -s' ' 1 "$count")" ] ||
	fail "the live view's marks: '$seq', not 1 to $count once each in order"
# On host time: the view's marks at the times vmsync merge gives them after.
"$vmsync" merge "$rec" >"$T/merged.txt" 2>"$T/merge.err" || fail "vmsync merge failed: $(cat "$T/merge.err")"
grep 'vmsync-mark g1' "$T/live.out" | sed 's/ (+[^)]*)//' | cut -d' ' -f1,3- >"$T/live-marks.txt"
grep 'vmsync-mark g1' "$T/merged.txt" | sed 's/ (+[^)]*)//' | cut -d' ' -f1,3- >"$T/merged-marks.txt"
cmp -s "$T/live-marks.txt" "$T/merged-marks.txt" ||
	fail "the live view and vmsync merge put the marks at different times: $(diff "$T/live-marks.txt" "$T/merged-marks.txt" | head -4)"
echo "the live view: marks $seq, at the times vmsync merge gives them"
lttng_unload_all
