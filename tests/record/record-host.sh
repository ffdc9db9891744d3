# SPDX-License-Identifier: GPL-2.0
# vmsync record on the lab host alone, and its faults: host kernel and
# user-space events on one recording (a UST program as the command, on the
# TSC clock), the command's exit status passed on, Ctrl-C (once recording,
# and during the setup), the relay daemon's port in use, --relayd (none
# there, then a central one), a guest whose agent never answers. Each
# time: the message, what was kept, and nothing left behind.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
vmsync=$VMSYNC_REPO/build/asan/vmsync
tmp=$(mktemp -d /tmp/vmsync-rec.XXXXXX)

lttng_unload_all
modprobe -r kvm_tsc_offset kvm_tsc_sync 2>/dev/null || true
# The lab's emulated CPU declares no invariant TSC (doc/clocks.md).
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1

# no_leftovers WHAT: nothing vmsync record started still runs or is loaded.
no_leftovers() {
	local m
	pgrep -x lttng-relayd >/dev/null && fail "$1: lttng-relayd left running"
	pgrep -x lttng-sessiond >/dev/null && fail "$1: lttng-sessiond left running"
	for m in kvm_tsc_offset kvm_tsc_sync lttng_probe_kvm_tsc lttng_probe_kvm_vcpu; do
		grep -q "^$m " /proc/modules && fail "$1: module $m left loaded"
	done
	grep -q '^lttng_clock_tsc ' /proc/modules || fail "$1: unloaded lttng-clock-tsc, which it had not loaded"
	echo "$1: nothing left behind"
}

# 1. Host kernel and user-space events; the command's status.
ust=$VMSYNC_REPO/build/lib/liblttng-ust-clock-tsc.so
st=0
"$vmsync" record -e lttng_logger,sched_switch -u 'vmsync_test:*' -o "$tmp/one" -- \
	env LTTNG_UST_CLOCK_PLUGIN="$ust" "$VMSYNC_REPO/build/asan/tscmark" --ust 5 \
	>"$T/one.out" 2>"$T/one.err" || st=$?
cat "$T/one.err" "$T/one.out"
[ "$st" = 0 ] || fail "record with a command that succeeds: status $st"
no_leftovers "one"
k=$(find "$tmp/one" -path '*vmsync-host-*/kernel/metadata') || true
u=$(find "$tmp/one" -path '*vmsync-host-*/ust/*/metadata') || true
[ -n "$k" ] && [ -n "$u" ] || fail "no kernel and user-space traces of the host: $(find "$tmp/one" -name metadata)"
babeltrace2 "$(dirname "$k")" >"$T/one-kernel.txt" || fail "the host's kernel trace does not read"
babeltrace2 "$(dirname "$u")" >"$T/one-ust.txt" || fail "the host's user-space trace does not read"
[ "$(grep -c 'vmsync-mark [1-5]' "$T/one-kernel.txt")" = 5 ] || fail "not 5 kernel marks"
grep -q sched_switch "$T/one-kernel.txt" || fail "no sched_switch (-e) in the host's kernel trace"
grep -q kvm_tsc_statedump_end "$T/one-kernel.txt" || fail "no kvm_tsc_* in the host's kernel trace"
[ "$(grep -c 'vmsync_test:mark' "$T/one-ust.txt")" = 5 ] || fail "not 5 user-space marks (-u)"
grep -q 'vmsync_tsc' "$(dirname "$u")/metadata" || fail "the user-space trace is not on vmsync's TSC clock"
# The summary counts each of the host's traces as babeltrace2 reads it.
for t in kernel ust; do
	n=$(grep -c . "$T/one-$t.txt")
	grep -qE "^  host +$n events " "$T/one.out" || fail "the summary does not give the $n events of the host's $t trace"
done
echo "one: $(grep -c . "$T/one-kernel.txt") kernel and $(grep -c . "$T/one-ust.txt") user-space events"
st=0
"$vmsync" record -q -o "$tmp/status" -- sh -c 'exit 3' >/dev/null 2>"$T/status.err" || st=$?
[ "$st" = 3 ] || fail "the command's exit status 3 came back as $st: $(cat "$T/status.err")"
no_leftovers "status"

# 2. Ctrl-C while recording, and during the setup.
"$vmsync" record -o "$tmp/int" >"$T/int.out" 2>"$T/int.err" &
pid=$!
for i in $(seq 1 600); do
	grep -q 'recording until Ctrl-C' "$T/int.err" && break
	sleep 0.1
done
grep -q 'recording until Ctrl-C' "$T/int.err" || fail "record did not say it records until Ctrl-C: $(cat "$T/int.err")"
echo "vmsync-mark before the interrupt" >/proc/lttng-logger
sleep 1
kill -INT "$pid"
st=0
wait "$pid" || st=$?
cat "$T/int.err" "$T/int.out"
[ "$st" = 0 ] || fail "Ctrl-C while recording: status $st"
grep -q '^  host .* events' "$T/int.out" || fail "no summary after Ctrl-C"
babeltrace2 "$tmp/int" >/dev/null || fail "the trace left by Ctrl-C does not read"
no_leftovers "Ctrl-C"
for delay in 0.2 1 3; do
	"$vmsync" record -o "$tmp/early$delay" >"$T/early.out" 2>"$T/early.err" &
	pid=$!
	sleep "$delay"
	kill -INT "$pid"
	wait "$pid" || true
	no_leftovers "Ctrl-C after $delay s"
done

# 3. The relay daemon's port in use.
# (SO_REUSEADDR: the connections of the relay daemons before linger.)
python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 5343)); s.listen(1); time.sleep(120)' &
blocker=$!
sleep 1
st=0
"$vmsync" record -o "$tmp/port" -- true >"$T/port.out" 2>"$T/port.err" || st=$?
cat "$T/port.err"
[ "$st" = 1 ] || fail "a port in use: status $st"
grep -q 'TCP port 5343 on 127.0.0.1 is in use.*--relayd-port' "$T/port.err" ||
	fail "a port in use: the message does not name it and the option"
no_leftovers "port in use"
"$vmsync" record -q --relayd-port 6342 -o "$tmp/port2" -- true >"$T/port2.out" 2>&1 ||
	fail "--relayd-port 6342 failed: $(cat "$T/port2.out")"
kill "$blocker"
no_leftovers "--relayd-port"

# 4. --relayd: none there, then a central one.
st=0
"$vmsync" record --relayd 127.0.0.1:7342 -- true >/dev/null 2>"$T/norelay.err" || st=$?
[ "$st" = 1 ] && grep -q 'no relay daemon answers at 127.0.0.1:7342' "$T/norelay.err" ||
	fail "--relayd with none there: status $st, $(cat "$T/norelay.err")"
no_leftovers "--relayd, none there"
lttng-relayd -d -o "$tmp/central" -C tcp://127.0.0.1:7342 -D tcp://127.0.0.1:7343 \
	-L tcp://127.0.0.1:7344 || fail "cannot start a central lttng-relayd"
sleep 1
"$vmsync" record --relayd net://127.0.0.1:7342 -e lttng_logger -- \
	sh -c 'echo vmsync-mark central >/proc/lttng-logger' >"$T/central.out" 2>&1 ||
	fail "--relayd net://127.0.0.1:7342 failed: $(cat "$T/central.out")"
pkill -x lttng-relayd
sleep 1
babeltrace2 "$tmp/central" | grep -q 'vmsync-mark central' ||
	fail "the central relay daemon has no trace with the mark: $(find "$tmp/central")"
no_leftovers "--relayd"

# 5. A guest whose agent never answers: the host is still recorded.
st=0
"$vmsync" record -A nobody@9 --wait-guest 2 -o "$tmp/noagent" -- sleep 4 \
	>"$T/noagent.out" 2>"$T/noagent.err" || st=$?
cat "$T/noagent.err" "$T/noagent.out"
[ "$st" = 1 ] || fail "a guest that never answered: status $st, not 1"
grep -q 'guest nobody (CID 9): its agent did not answer on vsock port 5340 within 2 s.*vmsync agent' \
	"$T/noagent.err" || fail "no message naming the guest and how to start its agent"
grep -q 'guest nobody (CID 9) *not recorded' "$T/noagent.out" || fail "the summary does not list the guest as not recorded"
grep -q '^  host .* events' "$T/noagent.out" || fail "the host was not recorded"
no_leftovers "no agent"
modprobe -r vhost_vsock 2>/dev/null || true
