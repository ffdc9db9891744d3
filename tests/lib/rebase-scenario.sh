# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the lab tests of tests/plugin/: a real Linux guest put on its
# host's time by filter.vmsync.tsc, end to end.
#
# rebase_scenario tsc|default UUID
# The lab host traces kvm_tsc_* and the guest traces its kernel, on
# vmsync's TSC clock (tsc) or on LTTng's default clock with kvm_tsc_sync
# beacons on both sides (default). The guest exchanges causal markers with
# the host over a serial line (tests/lib/pingpong) and writes its own
# IA32_TSC half-way, so its offset changes mid-trace. The command users type,
# vmsync-merge and vmsync-merge's CTF output each put the guest on host time;
# tests/lib/check-rebased holds each against causality (and, in tsc mode,
# against KVM's relation to the cycle), and sink.vmsync.check measures the
# guest events against the host's guest-mode intervals of their vCPU.
# Sets CHECK_LINE to the summary line of sink.vmsync.check (vmsync-merge).

rebase_scenario() {
	local mode=$1 uuid=$2 count=20 wrmsr_at=10 delta=1000000000
	local sock pp ctf m n how line exact=()

	lttng_unload_all
	if [ "$mode" = tsc ]; then
		# The lab's emulated CPU declares no invariant TSC (tests/clock/tsc-clock.sh).
		modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1 ||
			fail "lttng-clock-tsc does not load"
		exact=(--exact-delta "$delta")
	fi
	modprobe kvm_tsc_offset		# and kvm_tsc_sync, whose beacons go into kvm_tsc_*
	# Two host sessions: one with every VM entry and exit (for the accuracy
	# check: large), one without (for the other checks: each pass over it
	# is quick under the lab's emulation).
	lttng_start modes 'kvm_tsc_*' 'kvm_vcpu_*'
	lttng_start host 'kvm_tsc_*' lttng_logger
	# Not under $T: that is 9p, which has no sockets.
	sock=$(mktemp -u /run/vmsync-pp.XXXXXX)
	"$VMSYNC_REPO/tests/lib/pingpong" host --socket "$sock" --count "$count" \
		>"$T/pingpong-host.txt" 2>&1 &
	pp=$!
	# Without TSC_ADJUST in its CPUID: Linux would otherwise restore that MSR,
	# moving the guest's TSC back; guest TSC values would then repeat, and
	# which offset applied to an event within the jump back is ambiguous.
	"$VMSYNC_REPO/tests/lab/guest" --uuid "$uuid" --name "$mode-guest" --out "$T/guest" \
		--cpu-flags -tsc-adjust \
		--qemu-arg -chardev --qemu-arg "socket,id=pp,path=$sock,server=on,wait=off" \
		--qemu-arg -device --qemu-arg isa-serial,chardev=pp \
		"$VMSYNC_REPO/tests/plugin/guest-pingpong" "$mode" "$count" "$wrmsr_at" "$delta" ||
		fail "the guest did not run its script"
	wait "$pp" || fail "the host end of pingpong: $(cat "$T/pingpong-host.txt")"
	lttng_stop host
	lttng stop modes >/dev/null
	lttng destroy modes >/dev/null
	[ "$(cat "$T/guest/product_uuid")" = "$uuid" ] || fail "the guest does not see UUID $uuid"
	babeltrace2 --clock-cycles "$T/guest/trace" >"$T/guest.txt"

	# The command of doc/plugin.md, with cycles shown.
	babeltrace2 --plugin-path "$VMSYNC_REPO/build/plugin" --clock-force-correlate \
		--clock-cycles "$T/host" "$T/guest/trace" --component filter.vmsync.tsc \
		>"$T/merged.txt" 2>"$T/merged.err" ||
		fail "babeltrace2 with filter.vmsync.tsc failed: $(cat "$T/merged.err")"
	grep '^filter.vmsync.tsc: ' "$T/merged.err" || true
	# The constant-memory path, printing, then writing CTF (read back here).
	"$VMSYNC_REPO/plugin/vmsync-merge" --cycles "$T/host" "$T/guest/trace" \
		>"$T/merge-text.txt" 2>"$T/merge-text.err" ||
		fail "vmsync-merge failed: $(cat "$T/merge-text.err")"
	# sink.ctf.fs maps its files: not on 9p ($T), so into the lab's tmpfs.
	ctf=$(mktemp -d /tmp/vmsync-ctf.XXXXXX)/merged
	"$VMSYNC_REPO/plugin/vmsync-merge" -o "$ctf" "$T/host" "$T/guest/trace" \
		>"$T/merge-ctf.err" 2>&1 || fail "vmsync-merge -o failed: $(cat "$T/merge-ctf.err")"
	babeltrace2 --clock-cycles "$ctf" >"$T/merge-ctf.txt" 2>"$T/merge-ctf-read.err" ||
		fail "babeltrace2 cannot read vmsync-merge's CTF output: $(cat "$T/merge-ctf-read.err")"
	cp -r "$ctf" "$T/merged-ctf"

	# Both paths put every guest event at the same time: in default-clock
	# mode, the host's beacons are judged alike whatever order its CPUs'
	# streams come in (a run once had 114 events in guest mode through one
	# and 112 through the other).
	h=$(awk 'NR == 1 { print $3; exit }' "$T/host.txt")
	awk -v h="$h" '$3 != h { $2 = ""; print }' "$T/merged.txt" >"$T/guest-convert.txt"
	awk -v h="$h" '$3 != h { $2 = ""; print }' "$T/merge-text.txt" >"$T/guest-merge.txt"
	cmp -s "$T/guest-convert.txt" "$T/guest-merge.txt" ||
		fail "the command of doc/plugin.md and vmsync-merge put guest events at different times: $(diff "$T/guest-convert.txt" "$T/guest-merge.txt" | head -4)"
	echo "both paths: $(grep -c . "$T/guest-convert.txt") guest events at the same times"

	# The check can fail: the traces merged without the filter do not pass it.
	babeltrace2 --clock-force-correlate --clock-cycles "$T/host" "$T/guest/trace" \
		>"$T/unconverted.txt"
	"$VMSYNC_REPO/tests/lib/check-rebased" --uuid "$uuid" "${exact[@]}" \
		--host "$T/host.txt" --guest "$T/guest.txt" --merged "$T/unconverted.txt" \
		>"$T/unconverted-check.txt" &&
		fail "check-rebased passes the unconverted traces: it checks nothing"
	echo "unconverted traces, as expected: $(grep -c FAIL "$T/unconverted-check.txt") errors"
	for m in merged merge-text merge-ctf; do
		echo "$m: $(wc -l <"$T/$m.txt") lines"
		"$VMSYNC_REPO/tests/lib/check-rebased" --uuid "$uuid" "${exact[@]}" \
			--host "$T/host.txt" --guest "$T/guest.txt" --merged "$T/$m.txt" ||
			fail "$m: see above"
	done

	# Guest mode: the accuracy check, through both paths.
	n=$(grep -c . "$T/guest.txt")
	for how in convert merge; do
		if [ "$how" = convert ]; then
			babeltrace2 --plugin-path "$VMSYNC_REPO/build/plugin" --clock-force-correlate \
				"$T/modes" "$T/guest/trace" --component filter.vmsync.tsc \
				--component sink.vmsync.check >"$T/check-$how.txt" 2>&1
		else
			"$VMSYNC_REPO/plugin/vmsync-merge" --check "$T/modes" "$T/guest/trace" \
				>"$T/check-$how.txt" 2>&1
		fi || fail "sink.vmsync.check ($how) failed: $(cat "$T/check-$how.txt")"
		line=$(grep '^vmsync-check: ' "$T/check-$how.txt") ||
			fail "no summary from sink.vmsync.check"
		echo "$how: $line"
		case "$line" in
		"vmsync-check: $n guest events; "*"; 0 without a known vCPU thread;"*) ;;
		*) fail "$how: not all $n guest events were checked" ;;
		esac
	done
	CHECK_LINE=$line
	lttng_unload_all
}
