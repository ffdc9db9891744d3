# SPDX-License-Identifier: GPL-2.0
# Without kvm, or with kvm but no vendor module, the module refuses to load
# with one clear line in the kernel log.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

ko=/lib/modules/$(uname -r)/extra/kvm_tsc_offset.ko
vendor=$(lsmod | awk '$1 == "kvm_amd" || $1 == "kvm_intel" { print $1 }')
[ -n "$vendor" ] || fail "no kvm vendor module loaded in the lab"
restore() { modprobe "$vendor"; }
trap restore EXIT

expect_refusal() {	# WHAT PATTERN
	dmesg -C
	if insmod "$ko" 2>"$T/insmod.err"; then
		rmmod kvm_tsc_offset
		fail "loaded $1"
	fi
	dmesg >"$T/dmesg.txt"
	cat "$T/dmesg.txt"
	# The kernel's own first-load taint notices are not ours.
	n=$(grep 'kvm_tsc_offset' "$T/dmesg.txt" | grep -cv 'taint\|verification failed' || true)
	[ "$n" = 1 ] || fail "$1: expected one kernel log line, got $n"
	grep -q "$2" "$T/dmesg.txt" || fail "$1: the line does not say '$2'"
}

# kvm_tsc_sync (which defines the tracepoints) needs no KVM: it loads here.
modprobe kvm_tsc_sync || fail "kvm_tsc_sync does not load"
modprobe -r "$vendor" kvm
expect_refusal "without kvm" "kvm is not loaded"
modprobe kvm
expect_refusal "without $vendor" "neither kvm_intel nor kvm_amd"
modprobe "$vendor"
modprobe kvm_tsc_offset || fail "does not load once kvm is back"
rmmod kvm_tsc_offset
