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

# probe_is entry|exit Y|N: kvm_tsc_offset's probe on KVM's VM-entry (or
# VM-exit) path is attached (Y) or not; it follows the consumers of its events
# within a few ms (a work item), at most 5 s here. False if it does not.
probe_is() {
	local p=/sys/module/kvm_tsc_offset/parameters/${1}_probe i
	for i in $(seq 1 50); do
		[ "$(cat "$p")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# entry_probe_attached: once a consumer of kvm_tsc_offset appeared, wait
# until the module attached to KVM (if it is loaded), so that VMs started
# next are recorded from their creation.
entry_probe_attached() {
	[ -d /sys/module/kvm_tsc_offset ] || return 0
	probe_is entry Y || fail "kvm_tsc_offset did not attach to kvm_entry once its events were recorded"
}

# ftrace_event on|off: the kvm_tsc_offset tracepoint in the global buffer.
ftrace_event() {
	local e=$TRACEFS/events/kvm_tsc/kvm_tsc_offset/enable
	if [ "$1" = on ]; then
		echo >"$TRACEFS/trace"
		echo 1 >"$e"
		entry_probe_attached
	else
		echo 0 >"$e"
	fi
}

# needs_lttng: a test that needs LTTng's kernel tracer ends here, with
# status 77 (tests/lab/suite lists it as SKIP, never as PASS), on a lab
# kernel that Debian has no lttng-modules for (tests/lab/run sets
# VMSYNC_LAB_NO_LTTNG: 7.3).
needs_lttng() {
	if [ -n "${VMSYNC_LAB_NO_LTTNG:-}" ]; then
		echo "SKIP: $VMSYNC_LAB_NO_LTTNG (this test needs LTTng)"
		exit 77
	fi
}

# lttng_start NAME [EVENT...]: a kernel session recording kvm_tsc_offset
# (or the EVENTs) into $T/NAME.
lttng_start() {
	needs_lttng
	if ! pgrep -x lttng-sessiond >/dev/null; then
		lttng-sessiond -d --extra-kmod-probes=kvm-tsc,kvm-vcpu ||
			fail "lttng-sessiond did not start"
	fi
	# A session a failed earlier run left behind must not block this one.
	lttng destroy "$1" >/dev/null 2>&1 || true
	lttng create "$1" --output="$T/$1" >/dev/null
	local events=kvm_tsc_offset
	[ $# -gt 1 ] && events=$(IFS=,; echo "${*:2}")
	lttng enable-event -k "$events" >/dev/null
	lttng start >/dev/null
	case ",$events," in
	*,kvm_tsc_offset,* | *,kvm_tsc_vcpu,* | *,kvm_vcpu_entry,* | *kvm_tsc_\** | *kvm_vcpu_\**)
		entry_probe_attached ;;
	esac
}

# lttng_stop NAME: stop, destroy, and write the text of the trace to $T/NAME.txt.
lttng_stop() {
	lttng stop >/dev/null
	lttng destroy >/dev/null
	babeltrace2 "$T/$1" >"$T/$1.txt"
}

# lttng_unload_all: stop lttng-sessiond and unload every LTTng module (and
# vmsync's clock plugin with them), so that the next load takes LTTng's
# clock afresh. Fails if a module stays.
lttng_unload_all() {
	local i mods
	pkill -x lttng-sessiond || true
	for i in $(seq 1 100); do
		pgrep -x lttng-sessiond >/dev/null || break
		sleep 0.2
	done
	pgrep -x lttng-sessiond >/dev/null && fail "lttng-sessiond does not exit"
	for i in 1 2 3 4 5 6; do
		mods=$(lsmod | awk '$1 ~ /^lttng/ { print $1 }')
		[ -z "$mods" ] && return 0
		for m in $mods; do modprobe -r "$m" 2>/dev/null || true; done
	done
	fail "cannot unload LTTng's modules: $(echo $mods)"
}

# expected_tsc_clock: "UUID FREQ" that vmsync's TSC clock must declare on
# this machine, computed from the boot id and the kernel's boot log.
expected_tsc_clock() {
	PYTHONPATH=$VMSYNC_REPO/tests/lib python3 -c '
import sys, tscclock
uuid = tscclock.expected_uuid(open("/proc/sys/kernel/random/boot_id").read())
freq = tscclock.expected_freq(open(sys.argv[1]).read())
print(uuid, freq)' "$LAB_OUT/dmesg-boot.txt"
}

# wait_agent_up NAME PID: until the nested guest NAME, started by
# tests/lab/guest (PID, console in $T/NAME.console, --out $T/NAME), runs
# its vmsync agent (tests/lib/agent-guest.sh writes $T/NAME/agent-up).
wait_agent_up() {
	local i
	for i in $(seq 1 600); do
		[ -e "$T/$1/agent-up" ] && return 0
		kill -0 "$2" 2>/dev/null || fail "guest $1 ended before its agent ran: $(tail -20 "$T/$1.console")"
		sleep 1
	done
	fail "guest $1's agent did not start in 600 s"
}
