# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for tests that need many idle VMs: qemu processes that halt at
# once (a firmware of one hlt), and tscguest processes in --idle mode.
# Sourced after labtest.sh.

# start_qemu UUID NAME VCPUS: a qemu VM in the background; prints its pid.
start_qemu() {
	local fw=$T/hlt-firmware.bin
	if [ ! -e "$fw" ]; then
		# 64 KiB of BIOS, "hlt; jmp hlt" at the reset vector (0xffff0).
		python3 -c 'import sys; b = bytearray(65536); b[0xfff0:0xfff3] = b"\xf4\xeb\xfd"; sys.stdout.buffer.write(b)' >"$fw"
	fi
	qemu-system-x86_64 -enable-kvm -cpu host -machine pc -m 16 -smp "$3" \
		-nodefaults -display none -no-reboot -bios "$fw" \
		-uuid "$1" -name "$2,debug-threads=on" >"$T/qemu-$2.log" 2>&1 &
	echo $!
}

# qemu_vm PID: KVM's debugfs name of qemu PID's VM (PID-FD of its VM fd).
qemu_vm() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		if [ "$(readlink "$fd")" = "anon_inode:kvm-vm" ]; then
			echo "$1-$(basename "$fd")"
			return 0
		fi
	done
	return 1
}

# comm_tids PID: "VCPU TID" for each thread PID named "CPU n/KVM".
comm_tids() {
	local task comm
	for task in /proc/"$1"/task/*; do
		comm=$(cat "$task/comm" 2>/dev/null) || continue
		case "$comm" in
		"CPU "*/KVM) n=${comm#CPU }; echo "${n%/KVM} $(basename "$task")" ;;
		esac
	done
}

# wait_for COUNT FILE PATTERN: until FILE has COUNT lines matching PATTERN.
wait_for() {
	local i
	for i in $(seq 1 600); do
		[ "$(grep -c "$3" "$2" 2>/dev/null || true)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "$2: fewer than $1 lines matching '$3' after 60 s"
}

# stop_qemu PID...: terminate qemu VMs and wait until they are gone (they
# are not children of the test's shell: start_qemu runs in a subshell).
stop_qemu() {
	local pid i
	kill "$@" 2>/dev/null || true
	for pid in "$@"; do
		for i in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && fail "qemu $pid does not exit"
	done
	return 0
}
