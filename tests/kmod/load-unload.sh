# SPDX-License-Identifier: GPL-2.0
# Load and unload the module over and over while VMs run and while other
# VMs are created and destroyed in a loop, with an LTTng session recording
# kvm_tsc_offset throughout (LTTng attaches to the tracepoint as the module
# comes, before it looks at any vCPU). Each load must announce the running
# vCPUs once (reason attach) and each unload must succeed; the lab fails the
# test if the kernel log holds any BUG, WARNING or Oops.
# load-unload-ftrace.sh: the same through ftrace, on kernels without LTTng.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng
. "$VMSYNC_REPO/tests/lib/load-unload-scenario.sh"
load_unload_scenario lttng
