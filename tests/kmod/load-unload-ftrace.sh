# SPDX-License-Identifier: GPL-2.0
# load-unload.sh's scenario recorded by ftrace instead of LTTng, for kernels
# Debian has no lttng-modules for (7.3): kvm_tsc_sync, which defines the
# tracepoint, is loaded first and stays, its kvm_tsc_offset event enabled
# before the first load of kvm_tsc_offset, so every load's announcements
# are recorded as LTTng's would be.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
. "$VMSYNC_REPO/tests/lib/load-unload-scenario.sh"
load_unload_scenario ftrace
