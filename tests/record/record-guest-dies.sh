# SPDX-License-Identifier: GPL-2.0
# vmsync record with a real Linux guest that dies mid-recording: once it
# wrote its marks (and a few seconds passed: its channels send their
# sub-buffers every second), its VM is killed (SIGKILL to qemu) while the
# host records on. vmsync record says the guest stopped answering and
# that its trace up to then is kept, goes on recording the host, ends
# with the command's status, counts the guest's trace in its summary;
# vmsync merge puts every mark the guest wrote on the timeline, once and
# in order; nothing is left behind.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
. "$VMSYNC_REPO/tests/lib/record-scenario.sh"	# record_clean_start, merged_in_order

count=10
record_clean_start
modprobe vhost_vsock

"$VMSYNC_REPO/tests/lab/guest" --uuid 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c06 --name g1 \
	--out "$T/g1" --cpu-flags -tsc-adjust \
	--qemu-arg -device --qemu-arg "vhost-vsock-pci,guest-cid=3" \
	"$VMSYNC_REPO/tests/record/guest-agent" g1 tsc "$count" killed \
	>"$T/g1.console" 2>&1 &
g1=$!
wait_agent_up g1 "$g1"

# While vmsync record records: g1's marks, then its VM killed; the host's
# marks after, while vmsync record goes on without it.
cat >"$T/during.sh" <<EOS
for i in \$(seq 1 1200); do
	[ -e "$T/g1/marks-done" ] && break
	kill -0 $g1 2>/dev/null || { echo "guest g1 ended before its marks"; exit 1; }
	sleep 0.5
done
[ -e "$T/g1/marks-done" ] || { echo "guest g1 wrote no marks"; exit 1; }
sleep 4
pkill -KILL -f '^qemu-system-x86_64 .*guest-cid=3' || { echo "no qemu of g1 to kill"; exit 1; }
for i in \$(seq 1 120); do
	grep -q 'stopped answering' "$T/record.err" && break
	sleep 0.5
done
"$VMSYNC_REPO/build/asan/tscmark" --msg "vmsync-mark host" $count >"$T/host-marks.txt"
EOS
rec=$(mktemp -d /tmp/vmsync-rec.XXXXXX)/traces
st=0
"$vmsync" record -A g1@3 -e lttng_logger --wait-guest 900 -o "$rec" -- bash "$T/during.sh" \
	>"$T/record.out" 2>"$T/record.err" || st=$?
cat "$T/record.err" "$T/record.out"
wait "$g1" || true	# its script never reported a status: the VM was killed
cp -r "$rec" "$T/traces"
# (A nested guest that died by itself before its marks is the lab's flake:
# its console says so, and the suite tries again.)
[ -e "$T/g1/marks-done" ] || fail "guest g1 wrote no marks: $(tail -20 "$T/g1.console")"
[ "$st" = 0 ] || fail "vmsync record exited with status $st, not the command's 0 (g1 has a trace)"
grep -q 'guest g1 (CID 3): it stopped answering mid-recording (shut down or died): its trace up to then is kept' \
	"$T/record.err" || fail "vmsync record did not say that g1 died and its trace is kept"
grep -F '  guest g1 (CID 3)' "$T/record.out" | grep -qE ' [1-9][0-9]* events ' ||
	fail "the summary counts no events of g1"
pgrep -x lttng-relayd && fail "vmsync record left lttng-relayd running"
pgrep -x lttng-sessiond && fail "vmsync record left the lttng-sessiond it started"
grep -q '^kvm_tsc_offset ' /proc/modules && fail "vmsync record left kvm_tsc_offset loaded"

merged_in_order "$rec" host g1
lttng_unload_all
