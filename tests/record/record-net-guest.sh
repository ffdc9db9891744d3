# SPDX-License-Identifier: GPL-2.0
# vmsync record with a real Linux guest reached over its network, not vsock
# (-A GUEST@ADDRESS:PORT): the guest has a virtio-net device on qemu's user
# network and no vsock device; its agent (--net) takes commands from the
# host as the guest sees it, and its session streams to the relay daemon
# over that network. The agent is the static build (build/static/vmsync,
# no shared library), as copied into a guest without vmsync's build. Exact mode, every VM entry and exit recorded: the
# guest's marks and the host's come out of 'vmsync merge' once each and in
# order, every guest event inside guest mode of its vCPU, vsock never
# needed, nothing left behind. vmsync record begins before the guest is up.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
. "$VMSYNC_REPO/tests/lib/record-scenario.sh"	# record_clean_start, merged_all_inside

count=10
record_clean_start
modprobe -r vhost_vsock 2>/dev/null || true
libs=$(ldd "$VMSYNC_REPO/build/static/vmsync" 2>&1 || true)
case "$libs" in
*"not a dynamic executable"*) ;;
*) fail "build/static/vmsync is not static: $libs" ;;
esac

# The agent's TCP port is forwarded from the lab host's 127.0.0.1:15340;
# the guest reaches the lab host's loopback (the relay daemon) at 10.0.2.2.
"$VMSYNC_REPO/tests/lab/guest" --uuid 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c04 --name g1 \
	--out "$T/g1" --cpu-flags -tsc-adjust \
	--qemu-arg -netdev --qemu-arg "user,id=n0,hostfwd=tcp:127.0.0.1:15340-:5340" \
	--qemu-arg -device --qemu-arg "virtio-net-pci,netdev=n0" \
	"$VMSYNC_REPO/tests/record/guest-agent-net" g1 tsc "$count" \
	>"$T/g1.console" 2>&1 &
g1=$!
# vmsync record starts while the guest boots: qemu's port forward takes its
# connections before the guest's agent listens, and hangs up or stays
# silent; the guest must be waited for all the same.

cat >"$T/during.sh" <<EOS
grep -q '^vhost_vsock ' /proc/modules && echo loaded >"$T/vsock-loaded"
"$VMSYNC_REPO/build/asan/tscmark" --msg "vmsync-mark host" $count >"$T/host-marks.txt"
for i in \$(seq 1 1200); do
	[ -e "$T/g1/marks-done" ] && exit 0
	kill -0 $g1 2>/dev/null || break
	sleep 0.5
done
echo "guest g1 wrote no marks"
exit 1
EOS
rec=$(mktemp -d /tmp/vmsync-rec.XXXXXX)/traces
st=0
"$vmsync" record -A g1@127.0.0.1:15340 -e lttng_logger --modes --wait-guest 900 -o "$rec" \
	-- bash "$T/during.sh" >"$T/record.out" 2>"$T/record.err" || st=$?
cat "$T/record.err" "$T/record.out"
for i in $(seq 1 300); do
	kill -0 "$g1" 2>/dev/null || break
	sleep 1
done
wait "$g1" || fail "guest g1's script failed: $(tail -20 "$T/g1.console"; cat "$T/g1/agent.log")"
cat "$T/g1/agent.log"
cp -r "$rec" "$T/traces"
[ "$st" = 0 ] || fail "vmsync record exited with status $st"

grep -q 'guest g1 (127.0.0.1:15340, host name .*): recording' "$T/record.err" ||
	fail "vmsync record did not say it records g1 over the network"
grep -q 'streaming to net://10.0.2.2:5342:5343$' "$T/g1/agent.log" ||
	fail "g1's agent did not stream to the relay daemon over its network: $(cat "$T/g1/agent.log")"
[ ! -e "$T/vsock-loaded" ] || fail "vmsync record loaded vhost_vsock for a guest reached over the network"
grep -F '  guest g1 (127.0.0.1:15340)' "$T/record.out" | grep -q ' 0 events discarded, 0 packets lost' ||
	fail "the summary does not count what g1 recorded and discarded"
pgrep -x lttng-relayd && fail "vmsync record left lttng-relayd running"
pgrep -x lttng-sessiond && fail "vmsync record left the lttng-sessiond it started"
for m in kvm_tsc_offset lttng_probe_kvm_tsc lttng_probe_kvm_vcpu; do
	grep -q "^$m " /proc/modules && fail "vmsync record left module $m loaded"
done

merged_all_inside "$rec" host g1
lttng_unload_all
