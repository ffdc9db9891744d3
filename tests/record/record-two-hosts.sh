# SPDX-License-Identifier: GPL-2.0
# Several hosts recording into one central relay daemon (vmsync record
# --relayd), and vmsync merge taking the whole tree. The lab has one
# machine that runs KVM guests, so the second host is one of its guests,
# itself a KVM host (the lab's emulated SVM passes on), on qemu's user
# network: both run 'vmsync record --relayd' to an lttng-relayd on the lab
# host, in exact mode, while each writes its marks. The central tree holds
# one directory per host name; 'vmsync merge' on it puts both hosts' marks
# on one timeline, once each and in order (the second host's through the
# first's offsets for its VM: in a real cluster, hosts are related by
# their clocks, doc/plugin.md); every event of the second host lies inside
# guest mode of its vCPU (vmsync check); nothing is left behind.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
. "$VMSYNC_REPO/tests/lib/record-scenario.sh"	# record_clean_start, merged_all_inside

count=10
record_clean_start

central=$(mktemp -d /tmp/vmsync-central.XXXXXX)
lttng-relayd -d -o "$central" || fail "cannot start the central lttng-relayd"

"$VMSYNC_REPO/tests/lab/guest" --uuid 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c05 --name hostb \
	--out "$T/hostb" --cpu-flags -tsc-adjust \
	--qemu-arg -netdev --qemu-arg "user,id=n0" \
	--qemu-arg -device --qemu-arg "virtio-net-pci,netdev=n0" \
	"$VMSYNC_REPO/tests/record/guest-second-host" hostb "$count" \
	>"$T/hostb.console" 2>&1 &
hostb=$!
wait_agent_up hostb "$hostb"

cat >"$T/during.sh" <<EOS
touch "$T/hostb/go"
"$VMSYNC_REPO/build/asan/tscmark" --msg "vmsync-mark host" $count >"$T/host-marks.txt"
for i in \$(seq 1 1200); do
	[ -e "$T/hostb/record-status" ] && exit 0
	kill -0 $hostb 2>/dev/null || break
	sleep 0.5
done
echo "the second host's vmsync record did not end"
exit 1
EOS
st=0
"$vmsync" record --relayd 127.0.0.1 -e lttng_logger --modes -- bash "$T/during.sh" \
	>"$T/record.out" 2>"$T/record.err" || st=$?
cat "$T/record.err" "$T/record.out"
for i in $(seq 1 300); do
	kill -0 "$hostb" 2>/dev/null || break
	sleep 1
done
wait "$hostb" || fail "the second host's script failed: $(tail -20 "$T/hostb.console")"
echo "second host:"
cat "$T/hostb/record.err" "$T/hostb/record.out"
pkill -TERM -x lttng-relayd
for i in $(seq 1 60); do
	pgrep -x lttng-relayd >/dev/null || break
	sleep 0.5
done
cp -r "$central" "$T/central"
[ "$st" = 0 ] || fail "vmsync record on the first host exited with status $st"
[ "$(cat "$T/hostb/record-status")" = 0 ] ||
	fail "vmsync record on the second host exited with status $(cat "$T/hostb/record-status")"
for f in "$T/record.err" "$T/hostb/record.err"; do
	grep -q 'recording the host into the relay daemon at ' "$f" ||
		fail "a host did not record into the central relay daemon: $(cat "$f")"
done
pgrep -x lttng-sessiond && fail "vmsync record left the lttng-sessiond it started"
grep -q "^kvm_tsc_offset " /proc/modules && fail "vmsync record left kvm_tsc_offset loaded"

# The tree: a directory per host name, each with its host session.
for h in vmsync-host vmsync-guest; do
	ls -d "$central/$h"/vmsync-host-*/kernel >/dev/null 2>&1 ||
		fail "no trace of host $h in the central tree: $(find "$central" -name metadata)"
done
merged_all_inside "$central" host hostb
lttng_unload_all
