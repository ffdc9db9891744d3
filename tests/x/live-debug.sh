# debugging lttng-live in the lab (not committed)
. "$VMSYNC_REPO/tests/lib/labtest.sh"
lttng_unload_all
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
modprobe kvm_tsc_offset
lttng-relayd -d -o /tmp/lvout -C tcp://127.0.0.1:5342 -D tcp://127.0.0.1:5343 -L tcp://127.0.0.1:5344
lttng-sessiond -d --extra-kmod-probes=kvm-tsc
sleep 2
lttng create lv --live=100000 --set-url=net://127.0.0.1:5342:5343
lttng enable-event -k 'kvm_tsc_*,lttng_logger'
lttng start
h=$(hostname)
P=$VMSYNC_REPO/build/plugin
# plain lttng-live reader
stdbuf -oL babeltrace2 net://127.0.0.1:5344/host/$h/lv > $T/plain.out 2> $T/plain.err &
p1=$!
# through the filter
stdbuf -oL babeltrace2 --plugin-path $P run --retry-duration=50000 \
  --component live0:source.ctf.lttng-live --params "inputs=[\"net://127.0.0.1:5344/host/$h/lv\"],session-not-found-action=\"fail\"" \
  --component v:filter.vmsync.tsc --component out:sink.text.pretty --connect live0:v --connect v:out > $T/filt.out 2> $T/filt.err &
p2=$!
for i in $(seq 1 10); do echo "vmsync-mark live $i" > /proc/lttng-logger; sleep 1; done
echo "after 10 s: plain $(grep -c . $T/plain.out) lines, $(grep -c vmsync-mark $T/plain.out) marks; filter $(grep -c . $T/filt.out) lines, $(grep -c vmsync-mark $T/filt.out) marks"
# with a tscguest VM running (the host then has a VM)
timeout 20 $VMSYNC_REPO/build/asan/tscguest --help > /dev/null 2>&1 || true
time lttng stop
echo "after stop: plain $(grep -c . $T/plain.out) lines; filter $(grep -c . $T/filt.out) lines"
time lttng destroy
sleep 5
echo "after destroy: plain $(grep -c . $T/plain.out) lines; filter $(grep -c . $T/filt.out) lines"
kill $p1 $p2 2>/dev/null
sleep 1
tail -5 $T/plain.err; tail -20 $T/filt.err
head -5 $T/plain.out; head -5 $T/filt.out
pkill lttng-relayd
lttng_unload_all
