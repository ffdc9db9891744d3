# SPDX-License-Identifier: GPL-2.0
# vmsync: see README.md. Targets: deps, all, demo, check, check-host, bench,
# fuzz, clean, install, uninstall, dkms-add, dkms-remove.
SHELL := /bin/bash

LAB_KREL := $(shell scripts/lab-kernel-release 2>/dev/null)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
# The running kernel's build directory when it has one, else the lab kernel's.
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)),$(RUNNING_KDIR),/lib/modules/$(LAB_KREL)/build)
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
USER_CFLAGS := -std=c11 -Wall -Wextra -Werror $(CFLAGS)
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

all: kmod tools

deps:
	scripts/install-deps

kmod:
	@test -n "$(KREL)" || { echo "no kernel build directory at $(KDIR): run 'make deps' or set KDIR"; exit 1; }
	KDIR=$(KDIR) kmod/build-for $(KREL)

tools: build/bin/tscguest build/asan/tscguest build/bin/vmsync-guests build/asan/vmsync-guests \
	build/lib/liblttng-ust-clock-tsc.so build/asan/tscmark build/bin/tscmark build/bin/ust-clock-read \
	build/plugin/babeltrace-plugin-vmsync.so build/asan/plugin/babeltrace-plugin-vmsync.so \
	build/bin/vmsync-gentrace build/bin/vmsync build/asan/vmsync build/static/vmsync

GUESTS_SRC := statedump/vmsync-guests.c statedump/vmm_args.c

# The vmsync command (cli/): record, agent, and the other tools' entry point.
CLI_SRC := $(wildcard cli/*.c)
CLI_LIBS := -llttng-ctl -pthread

build/bin/vmsync: $(CLI_SRC) $(wildcard cli/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $(CLI_SRC) $(CLI_LIBS)

build/asan/vmsync: $(CLI_SRC) $(wildcard cli/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SANITIZE) -o $@ $(CLI_SRC) $(CLI_LIBS)

# The same command as one file without shared libraries, to copy into a
# guest that has LTTng but not vmsync's build (its agent). glibc still loads
# its name service at run time to resolve host names: give addresses.
# libxml2 (liblttng-ctl's) pulls ICU, which is C++.
build/static/vmsync: $(CLI_SRC) $(wildcard cli/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -ffunction-sections -fdata-sections -Wl,--gc-sections -s \
		-o $@ $(CLI_SRC) $$(pkg-config --static --libs lttng-ctl libxml-2.0) -lstdc++ -pthread \
		2>$@.log || { cat $@.log; exit 1; }
	@grep -v "statically linked applications requires at runtime\|: in function \`" $@.log || true

build/bin/vmsync-guests: $(GUESTS_SRC) statedump/vmm_args.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $(GUESTS_SRC)

build/asan/vmsync-guests: $(GUESTS_SRC) statedump/vmm_args.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SANITIZE) -o $@ $(GUESTS_SRC)

build/bin/tscguest: tests/lab/tscguest.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -pthread -o $@ $<

build/asan/tscguest: tests/lab/tscguest.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SANITIZE) -pthread -o $@ $<

# LTTng-UST clock plugin (ust/): loaded by LTTng-UST through LTTNG_UST_CLOCK_PLUGIN.
build/lib/liblttng-ust-clock-tsc.so: ust/lttng_ust_clock_tsc.c kmod/tsc_clock_id.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -fPIC -shared -o $@ $< -llttng-ust-common

build/bin/tscmark: tests/lab/tscmark.c tests/lab/tscmark_tp.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Itests/lab -o $@ $< -llttng-ust -ldl

build/asan/tscmark: tests/lab/tscmark.c tests/lab/tscmark_tp.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SANITIZE) -Itests/lab -o $@ $< -llttng-ust -ldl

build/bin/ust-clock-read: bench/ust-clock-read.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< -llttng-ust-common -ldl

# The babeltrace2 plugin (plugin/): babeltrace2 --plugin-path build/plugin ...
PLUGIN_SRC := $(wildcard plugin/*.c)
# It runs per message: -O3, and across its files (-flto; calls within the
# .so need not go through the PLT: -fno-semantic-interposition) make it
# about 4% faster (bench/plugin-throughput).
PLUGIN_OPT := -O3 -flto -flto-partition=one -fno-semantic-interposition \
	-Wl,--version-script=plugin/exports.map
build/plugin/babeltrace-plugin-vmsync.so: $(PLUGIN_SRC) $(wildcard plugin/*.h) plugin/exports.map
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(PLUGIN_OPT) -fPIC -shared -o $@ $(PLUGIN_SRC) -lbabeltrace2

# The same under AddressSanitizer/UBSan, for the tests (babeltrace2 runs it
# with the sanitizers' runtimes preloaded: tests/lib/bt2-asan).
build/asan/plugin/babeltrace-plugin-vmsync.so: $(PLUGIN_SRC) $(wildcard plugin/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SANITIZE) -fPIC -shared -o $@ $(PLUGIN_SRC) -lbabeltrace2

# Host and guest traces with known guest times (tests, bench).
build/bin/vmsync-gentrace: tests/lib/gentrace.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

# The libFuzzer target (tests/fuzz/vmsync_fuzz.c): clang's -fsanitize=fuzzer,
# the plugin built with coverage and ASan/UBSan, a fixed generated trace.
# 'make fuzz' runs it FUZZ_SECONDS (300) and adds what reached new coverage
# to tests/fuzz/corpus/ (tests/unit/bad-input replays it).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
build/fuzz/plugin/babeltrace-plugin-vmsync.so: $(PLUGIN_SRC) $(wildcard plugin/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -Wall -Wextra -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -fPIC -shared -o $@ $(PLUGIN_SRC) -lbabeltrace2

build/fuzz/vmsync_fuzz: tests/fuzz/vmsync_fuzz.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -Wall -Wextra -Werror -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< -lbabeltrace2

build/fuzz/base/host/metadata: build/bin/vmsync-gentrace
	rm -rf build/fuzz/base
	build/bin/vmsync-gentrace build/fuzz/base 200 2 4 1500

fuzz: build/fuzz/vmsync_fuzz build/fuzz/plugin/babeltrace-plugin-vmsync.so build/fuzz/base/host/metadata
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-fuzz $(CURDIR)/build/fuzz/vmsync_fuzz \
		$(CURDIR)/build/fuzz/plugin/babeltrace-plugin-vmsync.so $(CURDIR)/build/fuzz/base

# make install / make uninstall (README.md, "Install"): the commands, the
# babeltrace2 plugin, the LTTng-UST clock, the man pages, and the kernel
# modules built for KREL ('make kmod'; by default the running kernel's,
# see KDIR above; 'make install KREL=RELEASE' installs those built for
# another) into /lib/modules/KREL/updates/vmsync, then depmod. DESTDIR
# stages it all elsewhere (then depmod is left to the target).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UST_DIR ?= $(PREFIX)/lib/vmsync
SYSTEMD_DIR ?= $(PREFIX)/lib/systemd/system
# babeltrace2's system plugin directory (Debian: /usr/lib/<triplet>/babeltrace2/plugins).
BT2_LIBDIR := $(shell pkg-config --variable=libdir babeltrace2 2>/dev/null)
BT2_PLUGIN_DIR ?= $(if $(BT2_LIBDIR),$(BT2_LIBDIR)/babeltrace2/plugins)
MOD_DIR = /lib/modules/$(KREL)/updates/vmsync
DEPMOD ?= depmod
VMSYNC_MODULES := kvm_tsc_offset kvm_tsc_sync lttng-probe-kvm-tsc lttng-probe-kvm-vcpu lttng-clock-tsc
MAN_PAGES := $(wildcard man/*.[1-9])
INSTALL_TOOLS := build/bin/vmsync build/bin/vmsync-guests build/plugin/babeltrace-plugin-vmsync.so \
	build/lib/liblttng-ust-clock-tsc.so

install: install-tools install-modules

install-plugin: build/plugin/babeltrace-plugin-vmsync.so
	@test -n "$(BT2_PLUGIN_DIR)" || { echo "make install: babeltrace2's plugin directory is unknown: install libbabeltrace2-dev (pkg-config babeltrace2), or give BT2_PLUGIN_DIR=DIR" >&2; exit 1; }
	install -D -m 0644 $< $(DESTDIR)$(BT2_PLUGIN_DIR)/babeltrace-plugin-vmsync.so

install-tools: $(INSTALL_TOOLS) install-plugin
	install -D -m 0755 build/bin/vmsync $(DESTDIR)$(BINDIR)/vmsync
	install -D -m 0755 build/bin/vmsync-guests $(DESTDIR)$(BINDIR)/vmsync-guests
	@mkdir -p $(DESTDIR)$(SYSTEMD_DIR)
	sed 's|@BINDIR@|$(BINDIR)|' systemd/vmsync-agent.service.in >$(DESTDIR)$(SYSTEMD_DIR)/vmsync-agent.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_DIR)/vmsync-agent.service
	install -D -m 0755 plugin/vmsync-merge $(DESTDIR)$(BINDIR)/vmsync-merge
	install -D -m 0644 build/lib/liblttng-ust-clock-tsc.so $(DESTDIR)$(UST_DIR)/liblttng-ust-clock-tsc.so
	for m in $(MAN_PAGES); do \
		install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m#man/} || exit; \
	done

# The modules 'make kmod' built for KREL: vmsync's two always, the LTTng
# probes and clock plugin where lttng-modules supports KREL.
install-modules:
	@test -n "$(KREL)" || { echo "make install: no kernel release: no headers at $(KDIR); give KREL=RELEASE (the modules of build/kmod/RELEASE)" >&2; exit 1; }
	@test -f build/kmod/$(KREL)/kvm_tsc_offset.ko -a -f build/kmod/$(KREL)/kvm_tsc_sync.ko || { \
		echo "make install: no modules built for Linux $(KREL) in build/kmod/$(KREL)/: run 'make kmod' first (KDIR=/lib/modules/RELEASE/build for another kernel), or install them through DKMS (README.md, Install); 'make install-tools' installs everything else" >&2; exit 1; }
	for m in $(VMSYNC_MODULES); do \
		[ ! -f build/kmod/$(KREL)/$$m.ko ] || install -D -m 0644 build/kmod/$(KREL)/$$m.ko $(DESTDIR)$(MOD_DIR)/$$m.ko || exit; \
	done
	$(call run_depmod)

# depmod for KREL: not when staging into DESTDIR (the target's own depmod
# does it), nor for a kernel this machine does not have.
run_depmod = @if [ -n "$(DESTDIR)" ]; then echo "DESTDIR set: not running depmod (run 'depmod -a $(KREL)' on the target)"; \
	elif [ -d /lib/modules/$(KREL)/kernel ]; then echo "$(DEPMOD) -a $(KREL)"; $(DEPMOD) -a $(KREL); \
	else echo "no /lib/modules/$(KREL)/kernel: not running depmod"; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vmsync $(DESTDIR)$(BINDIR)/vmsync-guests $(DESTDIR)$(BINDIR)/vmsync-merge
	rm -f $(DESTDIR)$(SYSTEMD_DIR)/vmsync-agent.service
	rm -f $(if $(BT2_PLUGIN_DIR),$(DESTDIR)$(BT2_PLUGIN_DIR)/babeltrace-plugin-vmsync.so)
	rm -f $(DESTDIR)$(UST_DIR)/liblttng-ust-clock-tsc.so
	rm -f $(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	@test -n "$(KREL)" || { echo "make uninstall: no kernel release: give KREL=RELEASE to remove the modules" >&2; exit 1; }
	rm -f $(foreach m,$(VMSYNC_MODULES),$(DESTDIR)$(MOD_DIR)/$(m).ko)
	rmdir $(DESTDIR)$(MOD_DIR) $(DESTDIR)$(UST_DIR) 2>/dev/null || true
	$(call run_depmod)

# DKMS (dkms.conf). 'make dkms-add' copies what the modules' build needs to
# DKMS_SRC/vmsync-VERSION and registers it ('dkms add'); 'make dkms-remove'
# undoes both, for every kernel. DKMS_FLAGS go to each dkms command (e.g.
# --dkmstree DIR --sourcetree DIR for a private tree).
VMSYNC_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS ?= dkms
DKMS_FLAGS ?=
DKMS_SRC ?= /usr/src
DKMS_FILES := dkms.conf Makefile LICENSE README.md kmod/Kbuild kmod/Makefile kmod/build-for \
	$(filter-out kmod/kvm_btf.h %.mod.c,$(wildcard kmod/*.c kmod/*.h)) \
	$(wildcard kmod/lttng/*.h) $(filter-out %.o %.cmd,$(wildcard kmod/compat/*)) \
	statedump/vmm_args.c statedump/vmm_args.h scripts/kbuild-run scripts/build-chroot \
	scripts/lab-kernel-release

dkms-source:
	@test -n "$(VMSYNC_VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	rm -rf $(DESTDIR)$(DKMS_SRC)/vmsync-$(VMSYNC_VERSION)
	for f in $(DKMS_FILES); do \
		install -D -m $$([ -x $$f ] && echo 0755 || echo 0644) $$f $(DESTDIR)$(DKMS_SRC)/vmsync-$(VMSYNC_VERSION)/$$f || exit; \
	done

dkms-add: dkms-source
	@command -v $(DKMS) >/dev/null || { echo "make dkms-add: no $(DKMS) command: install the dkms package (Debian: apt-get install dkms)" >&2; exit 1; }
	$(DKMS) add $(DKMS_FLAGS) -m vmsync -v $(VMSYNC_VERSION)

dkms-remove:
	-$(DKMS) remove $(DKMS_FLAGS) -m vmsync -v $(VMSYNC_VERSION) --all
	rm -rf $(DESTDIR)$(DKMS_SRC)/vmsync-$(VMSYNC_VERSION)

# What dkms.conf's MAKE runs, in DKMS's copy of the sources: kmod/build-for
# for the kernel DKMS builds for (KERNELRELEASE; KDIR, LTTNG_MODULES_DIR
# from dkms.conf).
dkms-modules:
	@test -n "$(KERNELRELEASE)" || { echo "make dkms-modules: for DKMS (dkms.conf), which gives KERNELRELEASE; else use 'make kmod'" >&2; exit 1; }
	@[ -n "$(LTTNG_MODULES_DIR)" ] || echo "vmsync: no built lttng-modules tree for $(KERNELRELEASE): the LTTng probes and clock plugin are left out (dkms.conf says what they need)"
	@[ -z "$(LTTNG_MODULES_DIR)" ] || [ -f "$(LTTNG_MODULES_DIR)/Module.symvers" ] || { echo "vmsync: $(LTTNG_MODULES_DIR) is not a built lttng-modules tree (no Module.symvers): build lttng-modules there for $(KERNELRELEASE) (scripts/build-lttng-modules does), or unset VMSYNC_LTTNG_MODULES_DIR" >&2; exit 1; }
	+KDIR="$(KDIR)" LTTNG_MODULES_DIR="$(LTTNG_MODULES_DIR)" kmod/build-for $(KERNELRELEASE)

demo: tools
	tests/lab/run --out build/demo tests/lab/demo.sh
	@echo "make demo: the report's page: $(CURDIR)/build/demo/demo/report.html"

check: tools
	tests/check

# On a real KVM host: loads vmsync into the running kernel (asks first).
check-host: tools kmod
	scripts/check-host

bench: tools
	build/bin/ust-clock-read build/lib/liblttng-ust-clock-tsc.so
	bench/vm-exits
	bench/statedump-start
	bench/plugin-throughput
	bench/report-throughput
	bench/record-paths

clean:
	rm -rf build

.PHONY: all deps kmod tools demo check check-host bench fuzz clean install install-plugin \
	install-tools install-modules uninstall dkms-source dkms-add dkms-remove dkms-modules
