# SPDX-License-Identifier: GPL-2.0
# The lab starts a real Linux guest (the same kernel, under KVM in the lab
# host, the root shared over 9p) with a given -uuid, and the guest sees it
# as its system UUID.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

uuid=5a1e0c3d-7b2f-4e8a-9c61-0d4f2b8e1a77
"$VMSYNC_REPO/tests/lab/guest" --uuid "$uuid" --name lab-guest \
	--out "$T/guest" "$VMSYNC_REPO/tests/kmod/guest-report.sh" ||
	fail "the guest did not run its script"
got=$(cat "$T/guest/product_uuid")
echo "guest product_uuid: $got"
[ "$got" = "$uuid" ] || fail "guest reports UUID '$got', expected $uuid"
