# SPDX-License-Identifier: GPL-2.0
# A migration, as a VMM makes one: test guest A (tscguest, UUID U) runs,
# saves its guest TSC and exits; test guest B, a new process and a new VM
# with the same UUID, writes that TSC back (KVM_SET_MSRS) before it first
# runs, so the guest TSC goes on from where it stopped. The host traces
# kvm_tsc_* on the TSC clock. The guests' own samples become a guest trace
# (each sample: the guest TSC G, read between host TSC reads H0 and H1), and
# filter.vmsync.tsc must put every sample of both VMs inside its [H0, H1],
# through the convert-mode command and through vmsync-merge.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng

uuid=3d7a1c55-96e2-4b0f-8a3e-5c1b2d4e6f70
lttng_unload_all
# The lab's emulated CPU declares no invariant TSC (tests/clock/tsc-clock.sh).
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1 ||
	fail "lttng-clock-tsc does not load"
modprobe kvm_tsc_offset
lttng_start host 'kvm_tsc_*'
for side in a b; do
	args=(--save-tsc "$T/tsc")
	[ "$side" = b ] && args=(--restore-tsc "$T/tsc")
	# Over a second: KVM takes a TSC written within a second of where it
	# expects it as a synchronization, and would keep its own value. The
	# lab's flake (doc/lab.md) is recovered from: the samples stay true.
	"$TSCGUEST" --uuid "$uuid" --name migrating --seconds 1.6 --pace-us 5000 \
		--recover-glitches "${args[@]}" >"$T/$side.log" 2>&1 ||
		fail "tscguest $side: $(tail -3 "$T/$side.log")"
	grep -E '^(save|restore|glitch) ' "$T/$side.log"
done
lttng_stop host
saved=$(awk '$1 == "save" { print $5 }' "$T/a.log")
first=$(awk '$1 == "sample" { print $5; exit }' "$T/b.log")
echo "guest TSC saved by A: $saved; first read by B: $first"
[ -n "$first" ] && [ "$first" -ge "$saved" ] || fail "B's guest TSC did not go on from A's"
vms=$(grep -c "kvm_tsc_guest: .*uuid = \"$uuid\"" "$T/host.txt")
echo "the host announced $vms VMs with UUID $uuid"
[ "$vms" = 2 ] || fail "expected 2 VMs with UUID $uuid (source and destination)"
freq=$(cat /sys/module/lttng_clock_tsc/parameters/freq)
# The guest clock's offset from the epoch: as if the guest's wall clock
# agreed with the host's (NTP), from the host clock's and the vCPU's offsets.
host_off=$(grep -a -A8 '^clock {' "$T/host/kernel/metadata" | sed -n 's/^[[:space:]]*offset = \([0-9]*\);.*/\1/p')
vcpu_off=$(awk '$1 == "vcpu" && $2 == 0 && $3 == 0 { print $7 }' "$T/a.log")
[ -n "$host_off" ] && [ -n "$vcpu_off" ] || fail "no clock offset ($host_off) or vCPU offset ($vcpu_off)"
cat "$T/a.log" "$T/b.log" |
	"$VMSYNC_REPO/build/bin/vmsync-gentrace" --from-samples "$uuid" "$freq" \
		"$((host_off - vcpu_off))" "$T/guest" ||
	fail "no guest trace from the samples"
babeltrace2 --plugin-path "$VMSYNC_REPO/build/plugin" --clock-force-correlate --clock-cycles \
	"$T/host" "$T/guest" --component filter.vmsync.tsc --params downtime-ms=10000 \
	>"$T/convert.txt" 2>"$T/convert.err" || fail "convert mode: $(tail -5 "$T/convert.err")"
"$VMSYNC_REPO/plugin/vmsync-merge" --cycles --downtime-ms 10000 "$T/host" "$T/guest" \
	>"$T/merge.txt" 2>"$T/merge.err" || fail "vmsync-merge: $(tail -5 "$T/merge.err")"
# Without the margin: samples after the restore may come out early, but
# never silently.
"$VMSYNC_REPO/plugin/vmsync-merge" --cycles "$T/host" "$T/guest" \
	>"$T/nomargin.txt" 2>"$T/nomargin.err" || fail "vmsync-merge: $(tail -5 "$T/nomargin.err")"
n=$(grep -c '^sample 0 0 ' "$T/a.log" "$T/b.log" | awk -F: '{ s += $2 } END { print s }')
for m in convert merge nomargin; do
	ok=1
	python3 - "$T/$m.txt" "$n" <<'PY' || ok=0
import re, sys
n = bad = 0
for line in open(sys.argv[1]):
    m = re.match(r'\[(\d+)\] .* tscguest sample: .* h0 = (\d+), h1 = (\d+) \}', line)
    if m:
        n += 1
        t, h0, h1 = map(int, m.groups())
        if not h0 <= t <= h1:
            bad += 1
            if bad <= 3:
                print('  sample at host TSC %d, read between %d and %d' % (t, h0, h1))
print('%s: %d of %s samples; %d outside their host TSC reads' % (sys.argv[1].rsplit('/', 1)[1], n, sys.argv[2], bad))
sys.exit(1 if bad or n != int(sys.argv[2]) else 0)
PY
	if [ "$m" != nomargin ]; then
		[ "$ok" = 1 ] || fail "$m: see above"
		continue
	fi
	[ "$ok" = 0 ] || continue	# read in an order where it did not matter
	if grep -q 'WARNING: .*was set back' "$T/nomargin.err"; then
		echo "without downtime-ms, as expected: $(grep -o 'set back by [^:]*' "$T/nomargin.err")"
	else
		fail "samples were early without downtime-ms, and no warning said so"
	fi
done
lttng_unload_all
