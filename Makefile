# Jumping VPN: `make` builds jvpn.ko and every userspace program,
# `make check` runs every test tier, `make demo` runs the main job in a VM.

KVER ?= $(shell tools/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := build
VERSION := $(shell cat VERSION)

CC ?= cc
CFLAGS ?= -O2 -g
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iuapi \
	-DJVPN_VERSION='"$(VERSION)"' $(CFLAGS)

JVPNK_SRCS := $(wildcard tools/jvpnk/*.c)
JVPNK_HDRS := $(wildcard tools/jvpnk/*.h) uapi/linux/jvpn.h

.PHONY: all module user clean check deps kunit vmtest vm-shell dkms-check unit \
	install uninstall dkms-install \
	fuzz fuzz-short \
	demo bench

all: module user

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) JVPN_VERSION=$(VERSION) modules

DAEMON_SRCS := $(wildcard daemon/*.c)
DAEMON_LIB_SRCS := $(filter-out daemon/main.c,$(DAEMON_SRCS))
DAEMON_HDRS := $(wildcard daemon/*.h) uapi/linux/jvpn.h kernel/wire.h
DAEMON_LIBS := $(shell pkg-config --cflags --libs libmnl libsodium) -lm

user: $(BUILD)/jvpnk $(BUILD)/jvpn-pkt $(BUILD)/jvpnd $(BUILD)/jvpnctl

$(BUILD):
	mkdir -p $@

$(BUILD)/jvpnk: $(JVPNK_SRCS) $(JVPNK_HDRS) | $(BUILD)
	$(CC) $(USER_CFLAGS) -o $@ $(JVPNK_SRCS) $(shell pkg-config --cflags --libs libmnl) -lm

$(BUILD)/jvpn-pkt: selftests/jvpn-pkt.c kernel/wire.h | $(BUILD)
	$(CC) $(USER_CFLAGS) -Ikernel -o $@ selftests/jvpn-pkt.c \
		$(shell pkg-config --cflags --libs libsodium)

$(BUILD)/jvpnd: $(DAEMON_SRCS) $(DAEMON_HDRS) | $(BUILD)
	$(CC) $(USER_CFLAGS) -Idaemon -Ikernel -o $@ $(DAEMON_SRCS) $(DAEMON_LIBS)

# jvpnctl reads the kernel with jvpnk's netlink code and keys with jvpnd's
JVPNCTL_SRCS := $(wildcard tools/jvpnctl/*.c) daemon/keys.c \
	tools/jvpnk/netlink.c tools/jvpnk/format.c tools/jvpnk/names.c \
	tools/jvpnk/parse.c

$(BUILD)/jvpnctl: $(JVPNCTL_SRCS) $(wildcard tools/jvpnctl/*.h) $(JVPNK_HDRS) | $(BUILD)
	$(CC) $(USER_CFLAGS) -Itools/jvpnctl -Itools/jvpnk -Idaemon -o $@ \
		$(JVPNCTL_SRCS) $(shell pkg-config --cflags --libs libmnl libsodium)

deps:
	tools/install-deps.sh

# `make install` puts the userspace, its systemd unit, man pages and bash
# completion in place; `make dkms-install` the module, through DKMS, for
# every installed kernel (docs/operations.md). DESTDIR stages a package.
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DKMS_SOURCES := Kbuild Makefile dkms.conf VERSION kernel uapi

install: $(BUILD)/jvpnd $(BUILD)/jvpnctl
	install -D -m 0755 $(BUILD)/jvpnd $(DESTDIR)$(SBINDIR)/jvpnd
	install -D -m 0755 $(BUILD)/jvpnctl $(DESTDIR)$(SBINDIR)/jvpnctl
	install -D -m 0644 dist/jvpnd@.service $(DESTDIR)$(UNITDIR)/jvpnd@.service
	install -D -m 0644 dist/jvpnctl.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/jvpnctl
	install -D -m 0644 docs/man/jvpnd.8 $(DESTDIR)$(MANDIR)/man8/jvpnd.8
	install -D -m 0644 docs/man/jvpnctl.8 $(DESTDIR)$(MANDIR)/man8/jvpnctl.8
	install -D -m 0644 docs/man/jvpnd.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/jvpnd.conf.5
	install -d -m 0700 $(DESTDIR)/etc/jvpn
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/jvpnd $(DESTDIR)$(SBINDIR)/jvpnctl \
		$(DESTDIR)$(UNITDIR)/jvpnd@.service \
		$(DESTDIR)$(COMPLETIONDIR)/jvpnctl \
		$(DESTDIR)$(MANDIR)/man8/jvpnd.8 $(DESTDIR)$(MANDIR)/man8/jvpnctl.8 \
		$(DESTDIR)$(MANDIR)/man5/jvpnd.conf.5

dkms-install:
	rm -rf /usr/src/jvpn-$(VERSION)
	mkdir -p /usr/src/jvpn-$(VERSION)
	cp -r $(DKMS_SOURCES) /usr/src/jvpn-$(VERSION)/
	dkms remove jvpn/$(VERSION) --all 2>/dev/null || true
	dkms add jvpn/$(VERSION)
	dkms install jvpn/$(VERSION)

kunit:
	tools/kunit.sh

vmtest: all
	tools/vm/run.sh selftests/run.sh

vm-shell: all
	tools/vm/run.sh --shell

dkms-check:
	tools/dkms-check.sh

demo: deps all
	tools/vm/run.sh tools/demo/failover.sh

check: deps
	tools/check.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf $(BUILD)

# cmocka unit tests of userspace code: each selftests/unit/X_test.c links
# with the jvpnk sources it tests (all but main.c).
UNIT_SRCS := $(wildcard selftests/unit/*_test.c)
UNIT_BINS := $(patsubst selftests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
JVPNK_LIB_SRCS := $(filter-out tools/jvpnk/main.c,$(JVPNK_SRCS))

$(BUILD)/unit/%: selftests/unit/%.c $(JVPNK_LIB_SRCS) $(JVPNK_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itools/jvpnk -o $@ $< $(JVPNK_LIB_SRCS) \
		$(shell pkg-config --cflags --libs libmnl cmocka) -lm

# selftests/unit/daemon/X_test.c links with every daemon source but main.c
DUNIT_SRCS := $(wildcard selftests/unit/daemon/*_test.c)
DUNIT_BINS := $(patsubst selftests/unit/daemon/%.c,$(BUILD)/unit/daemon/%,$(DUNIT_SRCS))

$(BUILD)/unit/daemon/%: selftests/unit/daemon/%.c $(DAEMON_LIB_SRCS) $(DAEMON_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Idaemon -Ikernel -o $@ $< $(DAEMON_LIB_SRCS) \
		$(DAEMON_LIBS) $(shell pkg-config --cflags --libs cmocka)

# selftests/unit/jvpnctl/X_test.c links with jvpnctl's sources but main.c
CUNIT_SRCS := $(wildcard selftests/unit/jvpnctl/*_test.c)
CUNIT_BINS := $(patsubst selftests/unit/jvpnctl/%.c,$(BUILD)/unit/jvpnctl/%,$(CUNIT_SRCS))
JVPNCTL_LIB_SRCS := $(filter-out tools/jvpnctl/main.c,$(JVPNCTL_SRCS))

$(BUILD)/unit/jvpnctl/%: selftests/unit/jvpnctl/%.c $(JVPNCTL_LIB_SRCS) $(wildcard tools/jvpnctl/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itools/jvpnctl -Itools/jvpnk -Idaemon -o $@ $< \
		$(JVPNCTL_LIB_SRCS) \
		$(shell pkg-config --cflags --libs libmnl libsodium cmocka)

unit: $(UNIT_BINS) $(DUNIT_BINS) $(CUNIT_BINS)
	selftests/unit/run.sh $(UNIT_BINS) $(DUNIT_BINS) $(CUNIT_BINS)

# libFuzzer harnesses, selftests/fuzz/X_fuzz.c, against the daemon's
# parsers: a short run of each in make check, a long one in make fuzz.
FUZZ_SRCS := $(wildcard selftests/fuzz/*_fuzz.c)
FUZZ_BINS := $(patsubst selftests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Iuapi -Idaemon -Ikernel \
	-DJVPN_VERSION='"$(VERSION)"' \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(BUILD)/fuzz/%: selftests/fuzz/%.c $(DAEMON_LIB_SRCS) $(DAEMON_HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(DAEMON_LIB_SRCS) $(DAEMON_LIBS)

fuzz-short: $(FUZZ_BINS)
	selftests/fuzz/run.sh $${FUZZ_SECONDS:-20} $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	selftests/fuzz/run.sh $${FUZZ_SECONDS:-600} $(FUZZ_BINS)

# make bench: the benchmarks of docs/benchmarks.md. SCENARIOS picks a
# subset (throughput,latency,failover,nat,scale,control); a subset writes
# build/bench/ only, the full set also docs/benchmarks.md and docs/bench/.
SCENARIOS ?= all
BENCH_BINS := $(BUILD)/bench/cpbench $(BUILD)/bench/sessbench

$(BUILD)/bench/cpbench: tools/bench/cpbench.c $(DAEMON_LIB_SRCS) $(DAEMON_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Idaemon -Ikernel -o $@ $< $(DAEMON_LIB_SRCS) \
		$(DAEMON_LIBS)

$(BUILD)/bench/sessbench: tools/bench/sessbench.c $(JVPNK_LIB_SRCS) $(JVPNK_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itools/jvpnk -o $@ $< $(JVPNK_LIB_SRCS) \
		$(shell pkg-config --cflags --libs libmnl) -lm

bench: deps all $(BENCH_BINS)
	tools/bench/bench.sh $(SCENARIOS)
