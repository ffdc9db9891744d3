# SPDX-License-Identifier: GPL-2.0
# Inside the lab host: the interleaved rounds of bench/statedump-start.
#   A: module absent        B: module loaded (the start dumps 64 guests)
# Odd rounds run A then B, even rounds B then A, so that drift cancels out.
set -euo pipefail
rounds=$1
g=$VMSYNC_REPO/build/bin/tscguest
out=$LAB_OUT/rounds
mkdir -p "$out"

"$g" --vms 64 --vcpus 4 --idle --stop-file "$LAB_OUT/stop" --sample-every 0 \
	>"$LAB_OUT/guests.log" &
for _ in $(seq 1 600); do
	[ "$(grep -c '^idle' "$LAB_OUT/guests.log")" = 256 ] && break
	sleep 0.1
done
echo "$(grep -c '^idle' "$LAB_OUT/guests.log") vCPUs in 64 VMs, idle"
lttng-sessiond -d --extra-kmod-probes=kvm-tsc

start_ms() {	# MODE ROUND: time 'lttng start' of a fresh session, in ms
	local t0 t1 dir=$out/$1-$2
	lttng create bench --output="$dir" >/dev/null
	lttng enable-event -k 'kvm_tsc_*,sched_switch' >/dev/null
	t0=$(date +%s%N)
	lttng start >/dev/null
	t1=$(date +%s%N)
	lttng stop >/dev/null
	lttng destroy >/dev/null
	echo $(( (t1 - t0) / 1000 ))	# us
}

measure() {	# MODE ROUND
	if [ "$1" = A ]; then
		rmmod kvm_tsc_offset 2>/dev/null || true
	else
		modprobe kvm_tsc_offset
	fi
	echo "$1 $(start_ms "$1" "$2")" | tee -a "$LAB_OUT/times"
}

for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
	for m in $order; do measure "$m" "$r"; done
done
touch "$LAB_OUT/stop"
wait

# The dump's own duration: from its start marker to its end marker.
for d in "$out"/B-*; do
	babeltrace2 "$d" | python3 -c '
import re, sys
when = {}
for line in sys.stdin:
    m = re.match(r"\[(\d+):(\d+):(\d+)\.(\d+)\] .* (kvm_tsc_statedump_(start|end)):", line)
    if m and m[5] not in when:
        when[m[5]] = ((int(m[1]) * 60 + int(m[2])) * 60 + int(m[3])) * 10**9 + int(m[4])
print((when["kvm_tsc_statedump_end"] - when["kvm_tsc_statedump_start"]) // 1000)
'
done >"$LAB_OUT/dump-us"
python3 - "$LAB_OUT/times" "$LAB_OUT/dump-us" <<'PY'
import statistics, sys
times = {'A': [], 'B': []}
for line in open(sys.argv[1]):
    m, us = line.split()
    times[m].append(int(us))
dump = [int(x) for x in open(sys.argv[2]).read().split()]
a, b = statistics.median(times['A']), statistics.median(times['B'])
print('lttng start, module absent (A): median %.1f ms over %d rounds (min %.1f, max %.1f)'
      % (a / 1000, len(times['A']), min(times['A']) / 1000, max(times['A']) / 1000))
print('lttng start, module loaded (B): median %.1f ms over %d rounds (min %.1f, max %.1f)'
      % (b / 1000, len(times['B']), min(times['B']) / 1000, max(times['B']) / 1000))
print('added by the statedump (B - A): %.2f ms (target < 10 ms); B/A = %.3f'
      % ((b - a) / 1000, b / a))
print('the dump itself (start to end marker, 64 guests, 256 vCPUs): median %.2f ms'
      % (statistics.median(dump) / 1000))
PY
