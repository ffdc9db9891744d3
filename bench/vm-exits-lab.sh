# SPDX-License-Identifier: GPL-2.0
# Inside the lab host: the interleaved rounds of bench/vm-exits.
#   A: module absent
#   B: module loaded, no session
#   C: module loaded, kvm_tsc_offset recorded by an LTTng kernel session
#   E: module loaded, kvm_tsc_offset and every VM entry and exit
#      (kvm_vcpu_entry/exit, the accuracy check's events) recorded
#   L: module absent, the same LTTng session running (cost of LTTng alone)
# Odd rounds run A B C E L, even rounds L E C B A, so that drift cancels out.
set -euo pipefail
rounds=$1 secs=$2
g=$VMSYNC_REPO/build/bin/tscguest

exits_per_sec() {
	# The vCPU on CPU 1, LTTng's daemons on CPU 0: less noise from each other.
	taskset -c 1 "$g" --vms 1 --vcpus 1 --seconds "$secs" --sample-every 0 |
		awk -v s="$secs" '$1 == "runs" { printf "%.0f\n", $4 / s }'
}

session() {	# start [EVENTS] | stop
	if [ "$1" = start ]; then
		lttng create bench --output="$LAB_OUT/trace" >/dev/null
		lttng enable-event -k "${2:-kvm_tsc_offset}" >/dev/null
		lttng start >/dev/null
	else
		lttng destroy >/dev/null
		rm -rf "$LAB_OUT/trace"
	fi
}

measure() {	# MODE
	case "$1" in
	A) exits_per_sec ;;
	B) modprobe kvm_tsc_offset; exits_per_sec; rmmod kvm_tsc_offset ;;
	C) modprobe kvm_tsc_offset; session start; exits_per_sec; session stop
	   rmmod kvm_tsc_offset ;;
	E) modprobe kvm_tsc_offset
	   session start kvm_tsc_offset,kvm_vcpu_entry,kvm_vcpu_exit
	   exits_per_sec; session stop; rmmod kvm_tsc_offset ;;
	L) session start; exits_per_sec; session stop ;;
	esac
}

taskset -c 0 lttng-sessiond -d --extra-kmod-probes=kvm-tsc,kvm-vcpu
declare -A all
printf '%-6s %12s %12s %12s %12s %12s\n' round A B C E L
for r in $(seq 1 "$rounds"); do
	order="A B C E L"
	[ $((r % 2)) = 0 ] && order="L E C B A"
	declare -A v=()
	for m in $order; do
		v[$m]=$(measure "$m")
		all[$m]="${all[$m]:-} ${v[$m]}"
	done
	printf '%-6s %12s %12s %12s %12s %12s\n' "$r" "${v[A]}" "${v[B]}" "${v[C]}" "${v[E]}" "${v[L]}"
done
med() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ma=$(med "${all[A]}") mb=$(med "${all[B]}") mc=$(med "${all[C]}") ml=$(med "${all[L]}")
me=$(med "${all[E]}")
echo "VM exits per second, median of $rounds rounds of ${secs}s (lab: nested KVM under TCG):"
printf '  A module absent                    %8s\n' "$ma"
printf '  B module loaded                    %8s  B/A %.4f\n' "$mb" "$(echo "$mb / $ma" | bc -l)"
printf '  C loaded, LTTng event enabled      %8s  C/A %.4f (target >= 0.99)\n' "$mc" "$(echo "$mc / $ma" | bc -l)"
printf '  E C + every VM entry and exit       %8s  E/A %.4f (the accuracy check'"'"'s events)\n' "$me" "$(echo "$me / $ma" | bc -l)"
printf '  L absent, same LTTng session       %8s  L/A %.4f (cost of the session alone)\n' "$ml" "$(echo "$ml / $ma" | bc -l)"
printf '  C/L (the module under a session)   %.4f\n' "$(echo "$mc / $ml" | bc -l)"
spread() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { printf "%s..%s", v[1], v[NR] }'; }
echo "spread (min..max): A $(spread "${all[A]}")  B $(spread "${all[B]}")  C $(spread "${all[C]}")  E $(spread "${all[E]}")  L $(spread "${all[L]}")"
echo "(the lab's TCG makes single runs vary by +-20%: read the medians, and more rounds narrow them)"
