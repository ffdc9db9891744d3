# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced inside a real Linux guest (tests/lab/guest) given a virtio-net
# device on qemu's user network (-netdev user): guest_net_up brings it up
# at qemu's usual address, 10.0.2.15, with qemu's gateway 10.0.2.2 (the
# lab host's loopback, as the guest sees it) as the default route.
guest_net_up() {
	local dev="" i
	modprobe virtio_net
	for i in $(seq 1 50); do
		dev=$(ip -o link show | awk -F': ' '$2 != "lo" { print $2; exit }')
		[ -n "$dev" ] && break
		sleep 0.2
	done
	[ -n "$dev" ] || { echo "no network device in the guest"; exit 1; }
	ip link set "$dev" up
	ip addr add 10.0.2.15/24 dev "$dev"
	ip route add default via 10.0.2.2
}
