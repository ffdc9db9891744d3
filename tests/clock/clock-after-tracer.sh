# SPDX-License-Identifier: GPL-2.0
# lttng-clock-tsc loaded after lttng-tracer (which took LTTng's clock when
# it loaded) must fail with the documented error and dmesg line, not load
# and be silently ignored.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng

lttng_unload_all
modprobe lttng-tracer || fail "cannot load lttng-tracer"
if modprobe lttng-clock-tsc assume_invariant=1 2>"$T/err.txt"; then
	fail "lttng-clock-tsc loaded after lttng-tracer"
fi
echo "modprobe: $(cat "$T/err.txt")"
grep -q 'Device or resource busy' "$T/err.txt" ||
	fail "expected EBUSY (Device or resource busy)"
line=$(dmesg | grep 'lttng_clock_tsc: loaded after lttng-tracer') ||
	fail "no dmesg line says it was loaded too late"
echo "dmesg: ${line#*] }"
grep -q '^lttng_clock_tsc ' /proc/modules && fail "lttng_clock_tsc stayed loaded"
lttng_unload_all
