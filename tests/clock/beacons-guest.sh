# SPDX-License-Identifier: GPL-2.0
# Default-clock mode in a real Linux guest (under KVM in the lab host) that
# has no kvm module loaded: kvm_tsc_sync loads there, and its beacons
# predict the guest TSC of a marker to within 1 us.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

"$VMSYNC_REPO/tests/lab/guest" --out "$T/guest" \
	"$VMSYNC_REPO/tests/clock/record-beacons" --no-kvm rec ||
	fail "the guest did not record its beacons"
cat "$T/guest/rec/kvm"
grep -q 'kvm loaded: no' "$T/guest/rec/kvm" || fail "kvm was loaded in the guest"
"$VMSYNC_REPO/tests/lib/check-beacons" --marks "$T/guest/rec/marks.txt" \
	--cpus 1 "$T/guest/rec/trace/kernel" || fail "see above"
