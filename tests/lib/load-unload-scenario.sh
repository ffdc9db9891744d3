# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The scenario of load-unload.sh (LTTng) and load-unload-ftrace.sh:
# load_unload_scenario lttng|ftrace, after tests/lib/labtest.sh.

load_unload_scenario() {
	local recorder=$1 cycles=15 stop=$T/stop runner churn pid i n others glitches s

	# Each load below must be a load: not one left by an earlier test.
	rmmod kvm_tsc_offset 2>/dev/null || true
	"$TSCGUEST" --vms 2 --vcpus 2 --iters 0 --pace-us 500 --recover-glitches \
		--stop-file "$stop" --sample-every 0 \
		>"$T/guest.log" &
	runner=$!
	# A churn run takes a few seconds. One whose vCPU a reset does not bring
	# back (seen on 7.3, 2026-12-02: "no VM exit for 2 s" 64 times in a row,
	# tscguest ends such a run only after 1000) is told to stop after 30 s,
	# as a signal does (doc/lab.md), and counted.
	(
		while [ ! -e "$stop" ]; do
			s=0
			timeout -s TERM 30 "$TSCGUEST" --vms 2 --vcpus 1 --iters 100 \
				--sample-every 0 --recover-glitches >>"$T/churn.log" || s=$?
			case $s in
			0) ;;
			124) echo "stopped: a churn run still glitching after 30 s" >>"$T/churn.log" ;;
			*) exit 1 ;;
			esac
		done
	) &
	churn=$!
	if [ "$recorder" = lttng ]; then
		lttng_start cycles
	else
		# The tracepoint is kvm_tsc_sync's: it stays loaded across the cycles.
		timeout 60 modprobe kvm_tsc_sync || fail "cannot load kvm_tsc_sync (status $?)"
		# Room for every event of the run: none overwritten.
		echo 16384 >"$TRACEFS/buffer_size_kb"
		ftrace_event on
	fi
	sleep 2
	pid=$(awk '$1 == "vm" { print $4; exit }' "$T/guest.log")

	# Every step is bounded, so a hang names itself instead of eating the
	# suite's whole timeout.
	for i in $(seq 1 "$cycles"); do
		timeout 60 modprobe kvm_tsc_offset || fail "load $i failed or hung (status $?)"
		sleep 0.5
		timeout 60 rmmod kvm_tsc_offset || fail "unload $i failed or hung (status $?)"
	done
	echo "$cycles load/unload cycles done"
	touch "$stop"
	# wait_bounded PID WHAT: wait for PID, at most 60 s
	wait_bounded() {
		local i
		for i in $(seq 600); do
			kill -0 "$1" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$1" 2>/dev/null && fail "$2 still running 60 s after it was told to stop"
		wait "$1" || fail "$2 failed (status $?)"
	}
	wait_bounded "$runner" "the running guest"
	wait_bounded "$churn" "the create/destroy loop"
	if [ "$recorder" = lttng ]; then
		lttng_stop cycles
	else
		ftrace_event off
		cp "$TRACEFS/trace" "$T/ftrace.txt"
		grep -q '^# entries-in-buffer/entries-written: \([0-9]*\)/\1 ' "$T/ftrace.txt" ||
			fail "ftrace lost events: $(grep -m1 entries-in-buffer "$T/ftrace.txt")"
		# LTTng's text, as far as these checks read it.
		sed -n 's/.* kvm_tsc_offset: qemu_pid=\([0-9]*\) .*reason=\([a-z_]*\).*/qemu_pid = \1, reason = "\2"/p' \
			"$T/ftrace.txt" >"$T/cycles.txt"
	fi
	grep -q '^done' "$T/guest.log" || fail "the running guest did not finish"

	n=$(grep -c "qemu_pid = $pid, .*\"attach\"" "$T/cycles.txt" || true)
	echo "$n attach events for the 4 running vCPUs"
	[ "$n" = $((cycles * 4)) ] || fail "expected $((cycles * 4)) attach events, got $n"
	others=$(grep "qemu_pid = $pid, " "$T/cycles.txt" | grep -vc '"attach"\|"create"' || true)
	[ "$others" = 0 ] || fail "$others events for the running guest that are neither creation nor attach"
	glitches=$(cat "$T/guest.log" "$T/churn.log" | grep -c '^glitch' || true)
	echo "nested-TCG glitches the test guests recovered from (doc/lab.md): $glitches"
	n=$(grep -c '^stopped: ' "$T/churn.log" || true)
	echo "churn runs stopped after 30 s, still glitching: $n"
}
