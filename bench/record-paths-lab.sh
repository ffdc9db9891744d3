# SPDX-License-Identifier: GPL-2.0
# Inside the lab host: bench/record-paths. The guest (bench/record-paths-guest)
# runs the paths in turn; host and guest take turns through files in the
# guest's output directory (shared over 9p): the guest writes STEP-ready
# when it waits for the host, the host STEP-go once it is ready, the guest
# STEP-done (with "SECONDS") when its load ended.
set -euo pipefail
TEST_NAME=bench
. "$VMSYNC_REPO/tests/lib/labtest.sh"
rounds=$1 count=$2
vmsync=$VMSYNC_REPO/build/bin/vmsync
g=$T/guest

lttng_unload_all
# The lab's emulated CPU declares no invariant TSC (doc/clocks.md).
modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
modprobe vhost_vsock

# await FILE: until it exists (the guest's side), at most 600 s.
await() {
	local end=$((SECONDS + 600))
	while [ ! -e "$1" ]; do
		[ $SECONDS -lt $end ] || fail "no $1 after 600 s: $(tail -5 "$T/guest.console")"
		kill -0 "$guest" 2>/dev/null || fail "the guest ended: $(tail -20 "$T/guest.console")"
		sleep 0.2
	done
}

# events DIR: events in the guest's traces under DIR (kernel and user space).
events() {
	local t n=0
	for t in $(find "$1" -name metadata -printf '%h\n'); do
		n=$((n + $(babeltrace2 "$t" -c sink.utils.counter | awk '/Event messages/ { n = $1 } END { print n + 0 }')))
	done
	echo "$n"
}

"$VMSYNC_REPO/tests/lab/guest" --name bench-guest --out "$g" --cpus 1 \
	--qemu-arg -device --qemu-arg vhost-vsock-pci,guest-cid=3 \
	--qemu-arg -netdev --qemu-arg user,id=n0 \
	--qemu-arg -device --qemu-arg virtio-net-pci,netdev=n0 \
	"$VMSYNC_REPO/bench/record-paths-guest" "$rounds" "$count" >"$T/guest.console" 2>&1 &
guest=$!

printf '%-6s %-6s %10s %10s %8s %8s %12s\n' round path written recorded lost seconds events/s
declare -A rate lost
for r in $(seq 1 "$rounds"); do
	for p in disk vsock net; do
		step=$g/$r-$p
		await "$step-ready"
		case $p in
		disk)
			touch "$step-go"
			await "$step-done"
			got=$(cat "$g/$r-disk-events") ;;
		vsock)
			out=$(mktemp -d /tmp/vmsync-bench.XXXXXX)
			"$vmsync" record -q -A bench@3 -e lttng_logger -u 'vmsync_test:*' -o "$out" -- \
				bash -c "touch '$step-go'; while [ ! -e '$step-done' ]; do sleep 0.2; done" \
				>"$T/$r-vsock.out" 2>&1 || fail "vmsync record failed: $(cat "$T/$r-vsock.out")"
			got=$(events "$(find "$out" -maxdepth 2 -type d -name 'vmsync-bench-*' | head -1)")
			rm -rf "$out" ;;
		net)
			out=$(mktemp -d /tmp/vmsync-bench.XXXXXX)
			lttng-relayd -d -o "$out" -C tcp://127.0.0.1:6342 -D tcp://127.0.0.1:6343 \
				-L tcp://127.0.0.1:6344
			touch "$step-go"
			await "$step-done"
			pkill -x lttng-relayd
			sleep 1
			got=$(events "$out")
			rm -rf "$out" ;;
		esac
		secs=$(cat "$step-done")
		written=$((2 * count))
		l=$((written - got))
		ev=$(awk -v n="$got" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
		printf '%-6s %-6s %10s %10s %8s %8s %12s\n' "$r" "$p" "$written" "$got" "$l" "$secs" "$ev"
		rate[$p]="${rate[$p]:-} $ev"
		lost[$p]=$(( ${lost[$p]:-0} + l ))
	done
done
wait "$guest" || fail "the guest's script failed: $(tail -20 "$T/guest.console")"
med() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "median events/s over $rounds rounds of $count marks (2 events each), events lost in all:"
for p in disk vsock net; do
	printf '  %-6s %10s events/s  %8s lost  (%s of disk)\n' "$p" "$(med "${rate[$p]}")" \
		"${lost[$p]}" "$(awk -v a="$(med "${rate[$p]}")" -v b="$(med "${rate[disk]}")" \
		'BEGIN { printf "%.2f", b ? a / b : 0 }')"
done
echo "target: no events lost where the disk path loses none, at the rate it sustains"
lttng_unload_all
