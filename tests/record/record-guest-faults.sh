# SPDX-License-Identifier: GPL-2.0
# vmsync record with a real Linux guest whose agent answers but cannot
# record (tests/record/guest-agent-faults): first without vmsync's modules,
# then without LTTng. Each time the host's recording goes on, 'vmsync
# record' names the guest and says what it lacks and how to install it,
# exits with status 1 (a named machine has no trace), keeps the host's
# trace (vmsync merge reads it), and leaves nothing behind.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync

lttng_unload_all
modprobe -r kvm_tsc_offset kvm_tsc_sync 2>/dev/null || true
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
modprobe vhost_vsock
"$VMSYNC_REPO/tests/lab/guest" --uuid 7d1c1a10-3c2b-4f0e-9a55-0e7f3b1d2c04 --name g1 \
	--out "$T/g1" --cpu-flags -tsc-adjust \
	--qemu-arg -device --qemu-arg "vhost-vsock-pci,guest-cid=3" \
	"$VMSYNC_REPO/tests/record/guest-agent-faults" >"$T/g1.console" 2>&1 &
g1=$!

# fault PHASE EXPECTED: one recording while the guest's agent lacks PHASE.
fault() {
	local st=0 rec
	for i in $(seq 1 600); do
		[ -e "$T/g1/agent-up-$1" ] && break
		kill -0 "$g1" 2>/dev/null || fail "guest g1 ended before its agent ran ($1): $(tail -20 "$T/g1.console")"
		sleep 1
	done
	rec=$(mktemp -d /tmp/vmsync-rec.XXXXXX)/traces
	"$vmsync" record -A g1@3 -e lttng_logger --wait-guest 300 -o "$rec" -- sleep 20 \
		>"$T/$1.out" 2>"$T/$1.err" || st=$?
	cat "$T/$1.err" "$T/$1.out"
	[ "$st" = 1 ] || fail "$1: vmsync record exited with status $st, not 1 (g1 has no trace)"
	grep -q "guest g1 (CID 3): its agent could not start recording: .*$2" "$T/$1.err" ||
		fail "$1: vmsync record did not say what g1 lacks ('$2')"
	grep -F '  host ' "$T/$1.out" | grep -q ' events ' || fail "$1: the summary has no host trace"
	"$vmsync" merge "$rec" >"$T/$1.merged" 2>&1 || fail "$1: vmsync merge of the host's trace failed: $(tail -5 "$T/$1.merged")"
	pgrep -x lttng-relayd && fail "$1: vmsync record left lttng-relayd running"
	pgrep -x lttng-sessiond && fail "$1: vmsync record left the lttng-sessiond it started"
	grep -q '^kvm_tsc_offset ' /proc/modules && fail "$1: vmsync record left kvm_tsc_offset loaded"
	echo "$1: $(grep -o 'its agent could not start recording: .*' "$T/$1.err" | cut -c1-160)"
}
fault module "cannot load module lttng-clock-tsc in the guest: install vmsync's modules"
fault lttng "lttng-sessiond exited at its start .*is LTTng installed"
for i in $(seq 1 120); do
	[ -e "$T/g1/faults-done" ] && break
	sleep 1
done
[ -e "$T/g1/faults-done" ] || fail "the guest's script did not end: $(tail -20 "$T/g1.console")"
wait "$g1" || true
lttng_unload_all
