# SPDX-License-Identifier: GPL-2.0
# Inside the lab host: the A/B rounds of bench/vm-exits.
set -euo pipefail
rounds=$1 secs=$2
g=$VMSYNC_REPO/build/bin/tscguest

exits_per_sec() {
	"$g" --vms 1 --vcpus 1 --seconds "$secs" --sample-every 0 |
		awk -v s="$secs" '$1 == "runs" { printf "%.0f\n", $4 / s }'
}

lttng-sessiond -d --extra-kmod-probes=kvm-tsc
a=() b=()
printf '%-6s %14s %14s %7s\n' round "A exits/s" "B exits/s" "B/A"
for r in $(seq 1 "$rounds"); do
	# A: module absent.
	ea=$(exits_per_sec)
	# B: module loaded, kvm_tsc_offset recorded by an LTTng kernel session.
	modprobe kvm_tsc_offset
	lttng create bench --output="$LAB_OUT/trace-$r" >/dev/null
	lttng enable-event -k kvm_tsc_offset >/dev/null
	lttng start >/dev/null
	eb=$(exits_per_sec)
	lttng stop >/dev/null
	lttng destroy >/dev/null
	rmmod kvm_tsc_offset
	a+=("$ea") b+=("$eb")
	printf '%-6s %14s %14s %7.4f\n' "$r" "$ea" "$eb" "$(echo "$eb / $ea" | bc -l)"
done
med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ma=$(med "${a[@]}") mb=$(med "${b[@]}")
printf 'median A (module absent):             %s exits/s\n' "$ma"
printf 'median B (loaded, LTTng event on):    %s exits/s\n' "$mb"
printf 'ratio B/A: %.4f (target >= 0.99)\n' "$(echo "$mb / $ma" | bc -l)"
