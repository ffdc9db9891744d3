# SPDX-License-Identifier: GPL-2.0
# Every offset change the test guest makes (KVM_VCPU_TSC_OFFSET, IA32_TSC
# through KVM_SET_MSRS, new vCPUs, several VMs in one process, several
# processes) yields exactly one kvm_tsc_offset event through ftrace, with
# the right pid, VM, vCPU, thread and value, and the guest's rdtsc minus that
# value lies between the host TSC reads around it.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
. "$VMSYNC_REPO/tests/lib/offset-scenario.sh"

modprobe kvm_tsc_offset
ftrace_event on
offset_scenario "$T"
ftrace_event off
cp "$TRACEFS/trace" "$T/ftrace.txt"
rmmod kvm_tsc_offset
"$CHECK_EVENTS" --ftrace "$T/ftrace.txt" "$T"/guest-*.log
