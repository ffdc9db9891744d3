# SPDX-License-Identifier: GPL-2.0
# Exact mode: the kernel and a user-space application trace on vmsync's
# raw-TSC clock. lttng-clock-tsc is loaded before LTTng; lttng-sessiond and
# the application get LTTNG_UST_CLOCK_PLUGIN. Both traces must declare the
# clock vmsync_tsc with the UUID derived from the boot id and the kernel's
# TSC frequency (from its boot log); every marker event's timestamp must be
# the raw TSC, between the rdtsc reads taken around it; and babeltrace2 must
# put the two traces on one timeline without being forced.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng

lttng_unload_all
# On a CPU that does not declare an invariant TSC (the lab's TCG) the
# plugin refuses unless told the TSC is steady anyway.
if grep -qw constant_tsc /proc/cpuinfo && grep -qw nonstop_tsc /proc/cpuinfo; then
	modprobe lttng-clock-tsc || fail "lttng-clock-tsc refused an invariant TSC"
else
	modprobe lttng-clock-tsc 2>"$T/refused.txt" &&
		fail "lttng-clock-tsc loaded on a CPU without constant_tsc/nonstop_tsc"
	dmesg | grep -q 'lttng_clock_tsc: this CPU does not declare a constant, non-stop TSC' ||
		fail "no dmesg line says why lttng-clock-tsc refused"
	echo "refused without an invariant TSC: $(cat "$T/refused.txt")"
	modprobe lttng-clock-tsc assume_invariant=1 ||
		fail "lttng-clock-tsc assume_invariant=1 did not load"
fi
clock=$(expected_tsc_clock)
uuid=${clock% *} freq=${clock#* }
got_freq=$(cat /sys/module/lttng_clock_tsc/parameters/freq)
echo "clock: expected uuid $uuid, freq $freq Hz; the module's freq parameter: $got_freq"
[ "$got_freq" = "$freq" ] || fail "freq parameter $got_freq, the kernel's TSC runs at $freq Hz"

export LTTNG_UST_CLOCK_PLUGIN=$VMSYNC_REPO/build/lib/liblttng-ust-clock-tsc.so
lttng-sessiond -d || fail "lttng-sessiond did not start"
lttng create clk --output="$T/clk" >/dev/null
lttng enable-event -k lttng_logger >/dev/null
lttng enable-event -u 'vmsync_test:mark' >/dev/null
lttng start >/dev/null
"$VMSYNC_REPO/build/asan/tscmark" --ust --gap-us 10000 20 >"$T/marks.txt" 2>"$T/tscmark.err" ||
	fail "tscmark failed: $(cat "$T/tscmark.err")"
lttng stop >/dev/null
lttng destroy >/dev/null
"$VMSYNC_REPO/tests/lib/check-tsc-clock" --uuid "$uuid" --freq "$freq" \
	--marks "$T/marks.txt" "$T/clk/kernel" "$T/clk/ust" || fail "see above"
lttng_unload_all	# the next tests trace on LTTng's default clock
