# SPDX-License-Identifier: GPL-2.0
# The lab starts a real Linux guest (the same kernel, under KVM in the lab
# host, the root shared over 9p) with a given -uuid while the host traces
# kvm_tsc_* with LTTng. The guest sees the UUID as its system UUID, its own
# LTTng kernel trace carries it as env.product_uuid, and the host's
# kvm_tsc_guest event for its VM carries the same.
. "$VMSYNC_REPO/tests/lib/labtest.sh"
needs_lttng

uuid=5a1e0c3d-7b2f-4e8a-9c61-0d4f2b8e1a77
modprobe kvm_tsc_offset
lttng_start host 'kvm_tsc_*'
"$VMSYNC_REPO/tests/lab/guest" --uuid "$uuid" --name lab-guest \
	--out "$T/guest" "$VMSYNC_REPO/tests/lib/guest-report" ||
	fail "the guest did not run its script"
lttng_stop host
got=$(cat "$T/guest/product_uuid")
echo "guest product_uuid: $got"
[ "$got" = "$uuid" ] || fail "guest reports UUID '$got', expected $uuid"
env_uuid=$(sed -n 's/^[[:space:]]*product_uuid = "\(.*\)";/\1/p' "$T/guest/metadata.txt")
echo "guest trace env.product_uuid: $env_uuid"
[ "$env_uuid" = "$uuid" ] || fail "guest trace has env.product_uuid '$env_uuid', expected $uuid"
host=$(grep ' kvm_tsc_guest: .*name = "lab-guest"' "$T/host.txt") ||
	fail "the host trace has no kvm_tsc_guest for lab-guest"
echo "host: ${host#*kvm_tsc_guest: }"
# One announcement per qemu started (tests/lab/guest boots again a guest
# that died in its boot), each with the UUID.
boots=$(cat "$T/guest/boots")
[ "$(echo "$host" | wc -l)" = "$boots" ] ||
	fail "lab-guest announced $(echo "$host" | wc -l) times for $boots qemu started"
[ "$(echo "$host" | grep -c "uuid = \"$uuid\"")" = "$boots" ] ||
	fail "the host's kvm_tsc_guest does not carry UUID $uuid"
