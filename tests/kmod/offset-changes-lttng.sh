# SPDX-License-Identifier: GPL-2.0
# The same scenario as offset-changes-ftrace.sh, recorded by a real LTTng
# kernel session ('lttng enable-event -k kvm_tsc_offset', the probe loaded
# by lttng-sessiond --extra-kmod-probes=kvm-tsc) and read by babeltrace2.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
. "$VMSYNC_REPO/tests/lib/offset-scenario.sh"

modprobe kvm_tsc_offset
lttng_start offsets
# Into a file first: 'grep -q' quits at the first match and, under pipefail,
# the SIGPIPE it leaves lttng would count as a failure.
lttng list -k >"$T/list-k.txt" || fail "'lttng list -k' failed"
grep -q kvm_tsc_offset "$T/list-k.txt" || fail "'lttng list -k' does not list kvm_tsc_offset"
offset_scenario "$T"
lttng_stop offsets
"$CHECK_EVENTS" --babeltrace "$T/offsets.txt" "$T"/guest-*.log
