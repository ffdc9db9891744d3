# SPDX-License-Identifier: GPL-2.0
# vmsync record --live on the lab host with a real Linux guest running
# vmsync's agent (exact mode): while the guest writes its marks, one a
# second, the live view (vmsync-merge on the host's and the guest's live
# sessions, through the relay daemon's live port, on vmsync record's
# standard output) prints them, with the host's own marks, on host time and
# in order; each mark at the same host time as 'vmsync merge' puts it from
# the traces left on disk afterwards. Nothing is left behind.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
. "$VMSYNC_REPO/tests/lib/record-scenario.sh"	# record_clean_start, merged_in_order

count=12
record_clean_start
modprobe vhost_vsock

"$VMSYNC_REPO/tests/lab/guest" --uuid 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c03 --name g1 \
	--out "$T/g1" --cpu-flags -tsc-adjust \
	--qemu-arg -device --qemu-arg "vhost-vsock-pci,guest-cid=3" \
	"$VMSYNC_REPO/tests/record/guest-agent" g1 tsc "$count" stop 1 echo go \
	>"$T/g1.console" 2>&1 &
g1=$!
wait_agent_up g1 "$g1"

# While it records: once the view shows both sessions and the host's VMs
# (a viewer sees what is recorded from when it attached: vmsync record has
# the host dump its state again for it), the guest's marks and the host's,
# one a second; when the view first shows the guest's first mark, and when
# the guest has written its last.
cat >"$T/during.sh" <<EOS
first=
for i in \$(seq 1 1200); do
	sed -n '/^-- vmsync record: live view of 2 sessions/,\$p' "$T/record.out" 2>/dev/null |
		grep -q 'kvm_tsc_guest' && break
	sleep 0.5
done
touch "$T/g1/go"
for i in \$(seq 1 $count); do
	echo "vmsync-mark host \$i" >/proc/lttng-logger
	sleep 1
done &
for i in \$(seq 1 1200); do
	[ -n "\$first" ] || ! grep -q 'vmsync-mark g1 1[^0-9]' "$T/record.out" || first=\$SECONDS
	[ -e "$T/g1/marks-done" ] && break
	kill -0 $g1 2>/dev/null || break
	sleep 0.5
done
echo "\${first:-none} \$SECONDS" >"$T/live-times"
wait
sleep 8		# the view catches up with the last marks
[ -e "$T/g1/marks-done" ] || { echo "guest g1 wrote no marks"; exit 1; }
EOS
rec=$(mktemp -d /tmp/vmsync-rec.XXXXXX)/traces
st=0
"$vmsync" record --live -A g1@3 -e lttng_logger --wait-guest 900 -o "$rec" \
	-- bash "$T/during.sh" >"$T/record.out" 2>"$T/record.err" || st=$?
cat "$T/record.err"
for i in $(seq 1 300); do
	kill -0 "$g1" 2>/dev/null || break
	sleep 1
done
cp -r "$rec" "$T/traces"
[ "$st" = 0 ] || fail "vmsync record --live exited with status $st"
grep -q 'live view of 2 sessions' "$T/record.err" ||
	fail "vmsync record --live did not show the guest's session with the host's"
pgrep -x lttng-relayd && fail "vmsync record left lttng-relayd running"
pgrep -x lttng-sessiond && fail "vmsync record left the lttng-sessiond it started"
pgrep -f 'source.ctf.lttng-live' && fail "vmsync record left its live view running"

# The view: every mark once, in order, shown while the guest wrote them.
# The last view (of both sessions, from when the guest began) is judged.
grep '^-- vmsync record: live view' "$T/record.out"
awk '/^-- vmsync record: live view/ { n++ } { print n "\t" $0 }' "$T/record.out" >"$T/views"
last=$(tail -1 "$T/views" | cut -f1)
awk -F'\t' -v n="$last" '$1 == n { sub(/^[^\t]*\t/, ""); print }' "$T/views" >"$T/live.txt"
echo "live view: $(grep -c 'vmsync-mark' "$T/live.txt") marks, $(wc -l <"$T/live.txt") lines in its last start"
for m in host g1; do
	marks_in_order "$T/live.txt" "$m"
done
read -r first done_at <"$T/live-times"
[ "$first" != none ] || fail "the live view never showed g1's first mark while it recorded"
[ "$first" -lt "$done_at" ] ||
	fail "the live view showed g1's first mark at ${first}s, after the guest wrote its last at ${done_at}s"
echo "live view: g1's first mark shown at ${first}s, its last written at ${done_at}s"

# On host time: each mark where vmsync merge puts it from the traces on disk.
merged_in_order "$rec" host g1
grep -o '^\[[^]]*\].*vmsync-mark [a-z0-9]* [0-9]*' "$T/live.txt" |
	sed 's/ (+[^)]*)//; s/^\(\[[^]]*\]\).*\(vmsync-mark .*\)/\1 \2/' | sort >"$T/live-marks"
grep -o '^\[[^]]*\].*vmsync-mark [a-z0-9]* [0-9]*' "$T/merged.txt" |
	sed 's/ (+[^)]*)//; s/^\(\[[^]]*\]\).*\(vmsync-mark .*\)/\1 \2/' | sort >"$T/disk-marks"
cmp -s "$T/live-marks" "$T/disk-marks" ||
	fail "the live view's marks are not at the times vmsync merge gives them: $(diff "$T/live-marks" "$T/disk-marks" | head -6)"
echo "live view: all $(wc -l <"$T/live-marks") marks at the host times vmsync merge gives them"
lttng_unload_all
