# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests/record/record-guests*.sh: vmsync record on the lab host
# with two real Linux guests running vmsync's agent, reached over vsock. g1
# is up before the recording begins and shuts down during it; g2 starts
# during the recording (vmsync record waits for its agent) and is stopped
# with it. One after the other: two nested guests at once are more than
# the lab's emulation bears (its kernel died of a stack overflow in a vCPU
# thread, doc/lab.md). Meanwhile a program on the host writes marks too.
#
# record_scenario tsc|default
# All four levels on one timeline: host kernel and user space (tscmark on
# the host), guest kernel (g1's lttng-logger marks, g2's) and user space
# (g2's tscmark; in exact mode only: its events on the guest's TSC clock).
# Every mark must come out of 'vmsync merge' once and in order, each guest
# user-space mark between its own kernel mark and the next; nothing vmsync
# record started (relay and session daemons, modules) left behind. Sets
# CHECK_LINE to 'vmsync check's summary.

# guest NAME CID UUID MODE END MARKS: a guest running tests/record/guest-agent.
record_guest() {
	"$VMSYNC_REPO/tests/lab/guest" --uuid "$3" --name "$1" --out "$T/$1" \
		--cpu-flags -tsc-adjust \
		--qemu-arg -device --qemu-arg "vhost-vsock-pci,guest-cid=$2" \
		"$VMSYNC_REPO/tests/record/guest-agent" "$1" "$4" "$count" "$5" 0.2 "$6"
}

# marks_in_order FILE WHO: WHO's kernel marks 1..count once each, in order.
marks_in_order() {
	local seq
	seq=$(grep 'lttng_logger' "$1" | grep -o "vmsync-mark $2 [0-9]*" | awk '{ print $3 }' | paste -sd' ')
	[ "$seq" = "$(seq -s' ' 1 "$count")" ] ||
		fail "$2's marks in the merged timeline: '$seq', not 1 to $count once each in order"
	echo "$2: kernel marks $seq"
}

# record_clean_start: exact mode on the lab host, as a test of vmsync record
# begins: no LTTng session or module of an earlier test, none of vmsync's
# modules but the clock plugin, loaded the way the lab's CPU needs it (no
# invariant TSC declared, doc/clocks.md), and no relay daemon running.
record_clean_start() {
	lttng_unload_all
	modprobe -r kvm_tsc_offset kvm_tsc_sync 2>/dev/null || true
	modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
	if pgrep -x lttng-relayd; then
		fail "an lttng-relayd runs before the test"
	fi
}

# merged_in_order DIR WHO...: vmsync merge of DIR (in $T/merged.txt) has
# each WHO's marks 1..count once each and in order.
merged_in_order() {
	local dir=$1 m
	shift
	"$vmsync" merge "$dir" >"$T/merged.txt" 2>"$T/merge.err" ||
		fail "vmsync merge of $dir failed: $(cat "$T/merge.err")"
	cat "$T/merge.err"
	for m in "$@"; do
		marks_in_order "$T/merged.txt" "$m"
	done
}

# merged_all_inside DIR WHO...: merged_in_order, and vmsync check finds
# every guest event, at least count of them, inside guest mode of its vCPU.
merged_all_inside() {
	local line total inside
	merged_in_order "$@"
	"$vmsync" check "$1" >"$T/check.txt" 2>&1 || fail "vmsync check failed: $(cat "$T/check.txt")"
	line=$(grep '^vmsync-check: ' "$T/check.txt") || fail "no summary from vmsync check"
	echo "$line"
	read -r total inside <<<"$(echo "$line" |
		sed -n 's/^vmsync-check: \([0-9]*\) guest events; \([0-9]*\) inside.*/\1 \2/p')"
	[ -n "$total" ] && [ "$total" -ge "$count" ] && [ "$inside" = "$total" ] ||
		fail "every guest event (at least $count marks) must be inside guest mode"
}

record_scenario() {
	local mode=$1 st=0 ust=() g1 g2 n m
	count=10
	lttng_unload_all
	modprobe -r kvm_tsc_offset kvm_tsc_sync 2>/dev/null || true
	if [ "$mode" = tsc ]; then
		# The lab's emulated CPU declares no invariant TSC: vmsync record
		# would say so; a user on such a machine loads it this way first.
		modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
		ust=(-u 'vmsync_test:*')
	fi
	modprobe vhost_vsock	# the VMs' vsock device needs it before they start
	pgrep -x lttng-relayd && fail "an lttng-relayd runs before the test"

	record_guest g1 3 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c01 "$mode" shutdown echo \
		>"$T/g1.console" 2>&1 &
	g1=$!
	wait_agent_up g1 "$g1"

	# While vmsync record records: the host's marks; g1 writes its marks
	# and shuts down; then g2 boots and writes its own; then the command
	# ends, and vmsync record stops g2's recording.
	cat >"$T/during.sh" <<EOS
$(declare -f record_guest)
T=$T VMSYNC_REPO=$VMSYNC_REPO count=$count
"$VMSYNC_REPO/build/asan/tscmark" ${ust:+--ust} --msg "vmsync-mark host" $count >"$T/host-marks.txt"
for i in \$(seq 1 1200); do
	kill -0 $g1 2>/dev/null || break
	sleep 0.5
done
[ -e "$T/g1/marks-done" ] || { echo "guest g1 wrote no marks"; exit 1; }
record_guest g2 4 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c02 $mode stop ${ust:+tscmark} >"$T/g2.console" 2>&1 &
echo \$! >"$T/g2.pid"
for i in \$(seq 1 1200); do
	[ -e "$T/g2/marks-done" ] && exit 0
	kill -0 \$(cat "$T/g2.pid") 2>/dev/null || break
	sleep 0.5
done
echo "guest g2 wrote no marks"
exit 1
EOS
	rec=$(mktemp -d /tmp/vmsync-rec.XXXXXX)/traces
	"$vmsync" record --clock "$mode" -A g1@3 -A g2@4 -e lttng_logger "${ust[@]}" --modes \
		--wait-guest 900 -o "$rec" -- bash "$T/during.sh" \
		>"$T/record.out" 2>"$T/record.err" || st=$?
	cat "$T/record.err" "$T/record.out"
	wait "$g1" || fail "guest g1's script failed: $(tail -20 "$T/g1.console"; cat "$T/g1/agent.log")"
	g2=$(cat "$T/g2.pid" 2>/dev/null) || fail "guest g2 was not started"
	for i in $(seq 1 300); do
		kill -0 "$g2" 2>/dev/null || break
		sleep 1
	done
	grep -q . "$T/g2/product_uuid" 2>/dev/null ||
		fail "guest g2's script did not end well: $(tail -20 "$T/g2.console"; cat "$T/g2/agent.log")"
	cp -r "$rec" "$T/traces"
	[ "$st" = 0 ] || fail "vmsync record exited with status $st"

	# What vmsync record said: both guests recorded, g1's end noticed.
	grep -q 'guest g1 (CID 3.*recording' "$T/record.err" || fail "vmsync record did not say it records g1"
	grep -q 'guest g2 (CID 4.*recording' "$T/record.err" || fail "vmsync record did not say it records g2"
	grep -q 'guest g1 (CID 3): it stopped answering mid-recording' "$T/record.err" ||
		fail "vmsync record did not say that g1 went away mid-recording"
	for m in host 'guest g1 (CID 3)' 'guest g2 (CID 4)'; do
		grep -F "  $m" "$T/record.out" | grep -q ' events ' ||
			fail "the summary has no events line for $m"
	done
	grep -F '  guest g2 (CID 4)' "$T/record.out" | grep -q ' 0 events discarded, 0 packets lost' ||
		fail "the summary does not count what g2 discarded"

	# Nothing left behind.
	pgrep -x lttng-relayd && fail "vmsync record left lttng-relayd running"
	pgrep -x lttng-sessiond && fail "vmsync record left the lttng-sessiond it started"
	for m in kvm_tsc_offset kvm_tsc_sync lttng_probe_kvm_tsc lttng_probe_kvm_vcpu; do
		grep -q "^$m " /proc/modules && fail "vmsync record left module $m loaded"
	done
	grep -q '^vhost_vsock ' /proc/modules || fail "vmsync record unloaded vhost_vsock, which it had not loaded"
	# host, g1, g2, and in exact mode the host's and g2's user space
	n=$(find "$rec" -name metadata | wc -l)
	[ "$n" = $((3 + ${#ust[@]})) ] || fail "$n traces under $rec: $(find "$rec" -name metadata)"

	# One timeline: every mark once, in order.
	merged_in_order "$rec" host g1 g2
	# Both user-space traces on the timeline, each against its kernel's marks.
	if [ -n "${ust[*]}" ]; then
		for m in host g2; do
			"$VMSYNC_REPO/tests/lib/check-levels" "$T/merged.txt" "$m" "$count" || fail "see above"
		done
	fi
	"$vmsync" check "$rec" >"$T/check.txt" 2>&1 || fail "vmsync check failed: $(cat "$T/check.txt")"
	CHECK_LINE=$(grep '^vmsync-check: ' "$T/check.txt") || fail "no summary from vmsync check"
	echo "$CHECK_LINE"
	lttng_unload_all
}
