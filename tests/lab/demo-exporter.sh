# SPDX-License-Identifier: GPL-2.0
# 'make demo' (until the merged host+guest timeline lands): inside the lab
# host, record kvm_tsc_offset with LTTng while test guests change their TSC
# offsets, print the events, and check them against what the guests saw.
set -euo pipefail
TEST_NAME=demo
. "$VMSYNC_REPO/tests/lib/labtest.sh"
. "$VMSYNC_REPO/tests/kmod/offset-scenario.sh"
TSCGUEST=$VMSYNC_REPO/build/bin/tscguest

modprobe kvm_tsc_offset
lttng_start demo
offset_scenario "$T"
lttng_stop demo
echo
echo "== kvm_tsc_offset events recorded by LTTng (babeltrace2 $T/demo):"
grep kvm_tsc_offset "$T/demo.txt" | sed -e 's/^\[[^]]*\] ([^)]*) //' -e 's/ : container = [0-9]* )/ )/'
echo
echo "== what the guests' own rdtsc says about those offsets:"
"$CHECK_EVENTS" --babeltrace "$T/demo.txt" "$T"/guest-*.log
