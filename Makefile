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

$(BUILD)/jvpnctl: $(wildcard tools/jvpnctl/*.c) daemon/keys.c daemon/keys.h | $(BUILD)
	$(CC) $(USER_CFLAGS) -Idaemon -o $@ $(wildcard tools/jvpnctl/*.c) \
		daemon/keys.c $(shell pkg-config --cflags --libs libsodium)

deps:
	tools/install-deps.sh

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

unit: $(UNIT_BINS) $(DUNIT_BINS)
	selftests/unit/run.sh $(UNIT_BINS) $(DUNIT_BINS)

# libFuzzer harnesses, selftests/fuzz/X_fuzz.c, against the daemon's
# parsers: a short run of each in make check, a long one in make fuzz.
FUZZ_SRCS := $(wildcard selftests/fuzz/*_fuzz.c)
FUZZ_BINS := $(patsubst selftests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Iuapi -Idaemon -Ikernel \
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
