# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# offset_scenario DIR: two test-guest processes making every kind of offset
# change; their logs land in DIR/guest-*.log.
offset_scenario() {
	local dir=$1
	# 2 VMs x 2 vCPUs in one process, a third vCPU added mid-run, offsets
	# set by KVM_VCPU_TSC_OFFSET and by IA32_TSC, and one write of the
	# value already in place (which must not yield an event).
	"$TSCGUEST" --vms 2 --vcpus 2 --iters 3000 --sample-every 25 \
		--set 0:0:1000:offset:-5000000 \
		--set 0:1:1500:tsc:1000000000000 \
		--set 1:0:2000:offset:123456789 \
		--set 1:0:2500:offset:123456789 \
		--set 1:1:800:offset:-1 \
		--add-vcpu 1:1200 >"$dir/guest-a.log" &
	local a=$!
	"$TSCGUEST" --vms 1 --vcpus 1 --iters 2000 --sample-every 25 \
		--set 0:0:700:tsc:5 --set 0:0:1400:offset:0 >"$dir/guest-b.log" &
	local b=$!
	wait "$a" || fail "tscguest (a) failed"
	wait "$b" || fail "tscguest (b) failed"
}
