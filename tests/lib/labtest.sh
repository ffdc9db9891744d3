# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for lab tests (scripts run inside the lab host by tests/lab/suite).
set -euo pipefail

TSCGUEST=${TSCGUEST:-$VMSYNC_REPO/build/asan/tscguest}
CHECK_EVENTS=$VMSYNC_REPO/tests/lib/check-offset-events
GUESTS=${GUESTS:-$VMSYNC_REPO/build/asan/vmsync-guests}
TRACEFS=/sys/kernel/tracing
T=$LAB_OUT/${TEST_NAME:-test}
rm -rf "$T"	# a rerun into the same output starts clean
mkdir -p "$T"

fail() {
	echo "FAIL: $*"
	exit 1
}

# ftrace_event on|off: the kvm_tsc_offset tracepoint in the global buffer.
ftrace_event() {
	local e=$TRACEFS/events/kvm_tsc/kvm_tsc_offset/enable
	if [ "$1" = on ]; then
		echo >"$TRACEFS/trace"
		echo 1 >"$e"
	else
		echo 0 >"$e"
	fi
}

# lttng_start NAME [EVENT...]: a kernel session recording kvm_tsc_offset
# (or the EVENTs) into $T/NAME.
lttng_start() {
	if ! pgrep -x lttng-sessiond >/dev/null; then
		lttng-sessiond -d --extra-kmod-probes=kvm-tsc ||
			fail "lttng-sessiond did not start"
	fi
	lttng create "$1" --output="$T/$1" >/dev/null
	local events=kvm_tsc_offset
	[ $# -gt 1 ] && events=$(IFS=,; echo "${*:2}")
	lttng enable-event -k "$events" >/dev/null
	lttng start >/dev/null
}

# lttng_stop NAME: stop, destroy, and write the text of the trace to $T/NAME.txt.
lttng_stop() {
	lttng stop >/dev/null
	lttng destroy >/dev/null
	babeltrace2 "$T/$1" >"$T/$1.txt"
}
