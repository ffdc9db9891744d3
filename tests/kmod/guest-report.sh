# SPDX-License-Identifier: GPL-2.0
# Runs inside a nested guest: report what the guest sees of itself, and
# trace it with LTTng (its kernel trace's env holds product_uuid).
set -eu
cat /sys/class/dmi/id/product_uuid >"$LAB_OUT/product_uuid"
uname -r >"$LAB_OUT/uname"
lttng-sessiond -d
lttng create guest --output="$LAB_OUT/trace" >/dev/null
lttng enable-event -k sched_switch >/dev/null
lttng start >/dev/null
sleep 1
lttng stop >/dev/null
lttng destroy >/dev/null
babeltrace2 --output-format=ctf-metadata "$LAB_OUT/trace/kernel" \
	>"$LAB_OUT/metadata.txt"
