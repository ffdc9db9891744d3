# SPDX-License-Identifier: GPL-2.0
# vmsync installed the way README.md's "Install" says, through DKMS: 'make
# dkms-add' and 'dkms install' build vmsync's modules for the lab kernel
# inside the lab host (the LTTng probes and clock plugin with them, against
# the lttng-modules tree the lab's LTTng modules come from) and put them in
# /lib/modules/<release>/updates/dkms. The copies tests/lab/run staged in
# extra/ are removed first, so that modprobe and lttng-sessiond can only
# find DKMS's. Then they load, and an LTTng session and ftrace both record
# the kvm_tsc_offset event of a new test guest's vCPU (reason create).
# It all happens in the lab's overlay: nothing is left on the machine. At
# the end the DKMS modules are removed and the staged copies put back (a
# CI-like run on 2026-12-02: live-migration's nested guest, next in the same
# boot, found no lttng-clock-tsc in extra/).
# Under TCG the DKMS build and install take about 220 s of its 240 s. DKMS
# signs the modules with its own key, which the lab's kernel does not know:
# it says "module verification failed" and loads them, as any kernel
# without enforced signatures does.
. "$VMSYNC_REPO/tests/lib/labtest.sh"

krel=$(uname -r)
mods="kvm_tsc_offset kvm_tsc_sync lttng-probe-kvm-tsc lttng-probe-kvm-vcpu lttng-clock-tsc"
command -v dkms >/dev/null || fail "no dkms in the lab host: install the dkms package ('make deps')"
# dkms reads through <(...), which needs /dev/fd: udev makes it on a real
# system; the lab's bare devtmpfs has none (without it, 'dkms status'
# fails: "/dev/fd/63: No such file or directory").
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$VMSYNC_REPO/dkms.conf")

# Nothing of vmsync's loaded or staged.
lttng_unload_all
for m in kvm_tsc_offset kvm_tsc_sync; do
	if grep -q "^$m " /proc/modules; then
		timeout 60 rmmod "$m" || fail "cannot unload $m"
	fi
done
# Put back as it was at the end: the staged copies in extra/, no DKMS
# modules (tests after this one, like live-migration's nested guest, take
# their modules from extra/).
staged=$(mktemp -d /tmp/vmsync-staged.XXXXXX)
restore() {
	set +e
	lttng_unload_all >/dev/null 2>&1
	rmmod kvm_tsc_offset kvm_tsc_sync 2>/dev/null
	dkms remove "vmsync/$ver" --all >/dev/null 2>&1
	mv "$staged"/*.ko "/lib/modules/$krel/extra/" 2>/dev/null
	depmod -a "$krel"
}
trap restore EXIT
for m in $mods; do
	[ ! -f "/lib/modules/$krel/extra/$m.ko" ] || mv "/lib/modules/$krel/extra/$m.ko" "$staged/"
done

echo "make dkms-add"
make -s -C "$VMSYNC_REPO" dkms-add >"$T/dkms-add.log" 2>&1 ||
	{ cat "$T/dkms-add.log"; fail "make dkms-add failed"; }
echo "dkms install vmsync/$ver -k $krel"
start=$SECONDS
if ! timeout 600 dkms install "vmsync/$ver" -k "$krel" -j 2 >"$T/dkms-install.log" 2>&1; then
	cat "$T/dkms-install.log"
	cat "/var/lib/dkms/vmsync/$ver/build/make.log" 2>/dev/null
	fail "dkms install failed"
fi
echo "built and installed in $((SECONDS - start)) s"
cp "/var/lib/dkms/vmsync/$ver/$krel/x86_64/log/make.log" "$T/make.log" 2>/dev/null || true
dkms status vmsync | tee "$T/dkms-status.txt"
grep -q "^vmsync/$ver, $krel, x86_64: installed" "$T/dkms-status.txt" ||
	fail "dkms status does not say vmsync/$ver is installed for $krel"

# modprobe finds each module in updates/dkms, and only there.
for m in $mods; do
	path=$(modinfo -n "$m" 2>/dev/null) || fail "modprobe does not know $m after dkms install"
	case $path in
	"/lib/modules/$krel/updates/dkms/$m.ko"*) echo "$m: $path" ;;
	*) fail "$m resolves to $path, not to DKMS's updates/dkms" ;;
	esac
done

modprobe kvm_tsc_offset || fail "modprobe kvm_tsc_offset (DKMS's) failed"
grep -q '^kvm_tsc_sync ' /proc/modules || fail "kvm_tsc_sync did not load with kvm_tsc_offset"

# A new VM while LTTng (its probe loaded by lttng-sessiond from
# updates/dkms) and ftrace record.
ftrace_event on
lttng_start dkms
grep -q '^lttng_probe_kvm_tsc ' /proc/modules ||
	fail "lttng-sessiond did not load lttng-probe-kvm-tsc (DKMS's)"
"$TSCGUEST" --vms 1 --vcpus 1 --iters 100 --sample-every 0 --recover-glitches \
	>"$T/guest.log" || fail "the test guest failed"
lttng_stop dkms
ftrace_event off
cp "$TRACEFS/trace" "$T/ftrace.txt"
pid=$(awk '$1 == "vm" { print $4; exit }' "$T/guest.log")
[ -n "$pid" ] || fail "the test guest did not say its pid"
n=$(grep "kvm_tsc_offset: .*qemu_pid = $pid, " "$T/dkms.txt" | grep -c '"create"' || true)
echo "LTTng: $n kvm_tsc_offset events (reason create) for the test guest (pid $pid)"
[ "$n" -ge 1 ] || fail "LTTng recorded no kvm_tsc_offset event for the test guest's vCPU"
n=$(grep -c "kvm_tsc_offset: qemu_pid=$pid .*reason=create" "$T/ftrace.txt" || true)
echo "ftrace: $n kvm_tsc_offset events (reason create) for the test guest"
[ "$n" -ge 1 ] || fail "ftrace recorded no kvm_tsc_offset event for the test guest's vCPU"
timeout 60 rmmod kvm_tsc_offset || fail "rmmod kvm_tsc_offset failed"
echo "the modules DKMS installed load and record"
