# SPDX-License-Identifier: GPL-2.0
# A local live migration of a real Linux guest between two qemu processes,
# exact mode. The guest (self-contained: qemu refuses to migrate a guest with
# a 9p share, tests/lab/mkinitramfs-standalone) traces its kernel on vmsync's
# TSC clock and writes numbered marks; qemu A runs it, qemu B (same UUID,
# -incoming) takes it over mid-trace; the lab host traces kvm_tsc_* and every
# VM entry and exit. filter.vmsync.tsc must put every guest event inside
# guest mode of its vCPU thread, on A before the migration and on B after.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng

uuid=6b1f0d2e-5c4a-4e39-8d71-2a9c3e5f7b80
QMP=$VMSYNC_REPO/tests/lib/qmp
krel=$(uname -r)
# qemu's sockets and the guest's disk: not on 9p ($T).
run=$(mktemp -d /var/tmp/vmsync-migrate.XXXXXX)
a_pid="" b_pid=""
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$a_pid$b_pid" ] && kill -KILL $a_pid $b_pid 2>/dev/null
	cp "$run"/*.console "$run"/*.qemu.log "$T/" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT

"$VMSYNC_REPO/tests/lab/mkinitramfs-standalone" "$krel" \
	"$VMSYNC_REPO/tests/plugin/live-migration-guest" "$run/initrd.cpio" ||
	fail "cannot build the guest's initramfs"
truncate -s 64M "$run/disk.raw"

lttng_unload_all
# The lab's emulated CPU declares no invariant TSC (tests/clock/tsc-clock.sh).
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1 ||
	fail "lttng-clock-tsc does not load"
modprobe kvm_tsc_offset
# As tests/lib/rebase-scenario.sh: every VM entry and exit in a session
# of their own, the offsets alone in another.
lttng_start modes 'kvm_tsc_*' 'kvm_vcpu_*'
lttng_start host 'kvm_tsc_*'

# start_qemu SIDE [QEMU ARGS...]: the same guest and machine on both sides.
start_qemu() {
	local side=$1
	shift
	qemu-system-x86_64 -enable-kvm -cpu host -m 512 -smp 1 -nodefaults \
		-display none -no-reboot -uuid "$uuid" -name migrating \
		-kernel "/boot/vmlinuz-$krel" -initrd "$run/initrd.cpio" \
		-append "console=ttyS0 quiet panic=-1 no_timer_check tsc=reliable" \
		-drive "file=$run/disk.raw,format=raw,if=virtio" \
		-serial "file:$run/$side.console" \
		-qmp "unix:$run/$side.qmp,server=on,wait=off" "$@" \
		</dev/null >"$run/$side.qemu.log" 2>&1 &
}

# wait_until WHAT SECONDS COMMAND...: until COMMAND succeeds.
wait_until() {
	local what=$1 i
	for i in $(seq 1 "$2"); do
		"${@:3}" && return 0
		sleep 1
	done
	fail "$what: not within $2 s"
}

# The destination first: the host then announces it before the source, so
# the filter cannot rely on the order of the announcements (it once did).
start_qemu b -incoming "unix:$run/migrate.sock"
b_pid=$!
vm_of_b() { ls /sys/kernel/debug/kvm | grep -q "^$b_pid-"; }	# KVM's debugfs name
wait_until "B's VM" 60 vm_of_b
start_qemu a
a_pid=$!
tracing_on_a() {
	kill -0 "$a_pid" 2>/dev/null ||
		fail "qemu A ended before the guest traced: $(tail -5 "$run/a.console" "$run/a.qemu.log")"
	grep -qs '^vmsync-migrate: tracing' "$run/a.console"
}
wait_until "the guest tracing on A" 300 tracing_on_a
sleep 3
"$QMP" "$run/a.qmp" migrate "{\"uri\": \"unix:$run/migrate.sock\"}" >/dev/null ||
	fail "qemu A refused to migrate"
migrated() {
	local s
	s=$("$QMP" "$run/a.qmp" query-migrate) || return 1
	case "$s" in
	*'"status": "completed"'*) echo "migration: $s"; return 0 ;;
	*'"status": "failed"'*) fail "the migration failed: $s" ;;
	esac
	return 1
}
wait_until "the migration" 300 migrated
"$QMP" "$run/a.qmp" quit >/dev/null 2>&1 || true
wait "$a_pid" || true
a_pid=""
# Let the guest run on B a while, then tell it to stop and hand its trace over.
sleep 3
printf VMSYNC-STOP | dd of="$run/disk.raw" conv=notrunc 2>/dev/null
b_ended() { ! kill -0 "$b_pid" 2>/dev/null; }
wait_until "the guest ending on B (its console: $T/b.console)" 300 b_ended
b_pid=""
lttng_stop host
lttng stop modes >/dev/null
lttng destroy modes >/dev/null

grep '^vmsync-migrate: ' "$run/a.console" "$run/b.console" || true
grep -q '^vmsync-migrate: done' "$run/b.console" ||
	fail "the guest did not finish on B: $(tail -5 "$run/b.console")"
mkdir -p "$T/guest"
dd if="$run/disk.raw" of="$run/trace.tar" bs=1M skip=1 2>/dev/null &&
	tar -xf "$run/trace.tar" -C "$T/guest" || fail "no trace on the guest's disk"
[ "$(cat "$T/guest/trace/product_uuid")" = "$uuid" ] || fail "the guest does not see UUID $uuid"
marks=$(cat "$T/guest/trace/marks")

# Both VMs ran the guest: A before the migration, B after.
vms=$(grep -c "kvm_tsc_guest: .*uuid = \"$uuid\"" "$T/host.txt") || true
echo "the host announced $vms VMs with UUID $uuid"
[ "$vms" -ge 2 ] || fail "expected the source and the destination VMs"

# The guest on host time, through the command users type and through the
# constant-memory path: every mark once, in order, on both sides. qemu may
# set the guest's TSC back by the migration's downtime (it did by 359 ms in
# one run): downtime-ms (doc/plugin.md) covers that, with room to spare.
babeltrace2 --plugin-path "$VMSYNC_REPO/build/plugin" --clock-force-correlate --clock-cycles \
	"$T/host" "$T/guest/trace" --component filter.vmsync.tsc --params downtime-ms=10000 \
	>"$T/convert.txt" 2>"$T/convert.err" || fail "convert mode: $(tail -5 "$T/convert.err")"
"$VMSYNC_REPO/plugin/vmsync-merge" --cycles --downtime-ms 10000 "$T/host" "$T/guest/trace" \
	>"$T/merge.txt" 2>"$T/merge.err" || fail "vmsync-merge: $(tail -5 "$T/merge.err")"
grep -h '^filter.vmsync.tsc: ' "$T/convert.err" "$T/merge.err" || true
python3 - "$T/host.txt" "$marks" "$T/convert.txt" "$T/merge.txt" <<'PY' || fail "marks: see above"
import re, sys
host, want, outputs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# The destination's first offset: the host TSC from which B runs the guest.
pids = []
resume = None
for line in open(host):
    m = re.search(r'kvm_tsc_offset: .*qemu_pid = (\d+),.*host_tsc = (\d+)', line)
    if m:
        pid, tsc = int(m.group(1)), int(m.group(2))
        if pid not in pids:
            pids.append(pid)
            if len(pids) == 2:
                resume = tsc
if resume is None:
    sys.exit('no kvm_tsc_offset event from a second qemu in the host trace')
bad = False
for out in outputs:
    marks = [(int(t), int(n)) for t, n in re.findall(
        r'^\[(\d+)\] .*lttng_logger: .*msg = "mark (\d+)', open(out).read(), re.M)]
    numbers = [n for _, n in marks]
    before = sum(1 for t, _ in marks if t < resume)
    print('%s: %d marks of %d, %d before B first ran the guest (host TSC %d), %d after'
          % (out.rsplit('/', 1)[1], len(marks), want, before, resume, len(marks) - before))
    if numbers != list(range(want)):
        print('  the marks are not all there, once each, in their order')
        bad = True
    elif [t for t, _ in marks] != sorted(t for t, _ in marks):
        print('  the marks are out of host-time order')
        bad = True
    elif not before or before == len(marks):
        print('  the guest did not write marks on both sides of the migration')
        bad = True
sys.exit(1 if bad else 0)
PY

# The accuracy check: every guest event inside guest mode of its vCPU thread.
n=$(babeltrace2 "$T/guest/trace" | grep -c .)
"$VMSYNC_REPO/plugin/vmsync-merge" --check --downtime-ms 10000 "$T/modes" "$T/guest/trace" \
	>"$T/check.txt" 2>&1 || fail "sink.vmsync.check failed: $(cat "$T/check.txt")"
line=$(grep '^vmsync-check: ' "$T/check.txt") || fail "no summary from sink.vmsync.check"
echo "$line"
case "$line" in
"vmsync-check: $n guest events; "*"), 0 outside; "*"; 0 without a known vCPU thread;"*) ;;
*) fail "in exact mode all $n guest events must be checked, and inside guest mode" ;;
esac
# The check can fail: held to the source VM alone (the map parameter names
# that VM), the guest's events on the destination fall outside guest mode.
src=$(grep -m1 -o 'kvm_tsc_offset: .*vm = "[0-9]*-[0-9]*"' "$T/host.txt" | sed 's/.*vm = "//; s/"$//')
"$VMSYNC_REPO/plugin/vmsync-merge" --check --downtime-ms 10000 --map "vmsync-migrating=$src" "$T/modes" \
	"$T/guest/trace" >"$T/check-source-only.txt" 2>&1 ||
	fail "sink.vmsync.check failed: $(cat "$T/check-source-only.txt")"
line=$(grep '^vmsync-check: ' "$T/check-source-only.txt") || fail "no summary from sink.vmsync.check"
echo "held to the source VM $src alone: ${line#*; }"
case "$line" in
*"), 0 outside;"*) fail "the check passes a guest held to the source VM: it checks nothing" ;;
esac
lttng_unload_all
