# picoflow: a small NetFlow v9 probe.  See README.md.
#
# Everything a user or a cross build sets is honoured and appended after our
# own flags: CC, CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS, CROSS_COMPILE, PREFIX,
# DESTDIR, PKG_CONFIG.  Required flags live in PF_* variables so that
# "make CFLAGS=-O0" never drops -std=c99.
#
# BACKEND picks the live capture backend: platform/$(BACKEND).mk, by default
# linux (AF_PACKET, TPACKET_V3) on Linux, bsd (/dev/bpf) on the BSDs and
# macOS, and pcap (libpcap) elsewhere; BACKEND=afpacket is another name for
# linux, BACKEND=bpf for bsd.  The pcap file reader (-r) is built into every
# backend.
#
# TOOLCHAIN=mips|mipsel|armhf|aarch64|musl|mips-musl cross-builds into
# build/$(TOOLCHAIN)/ with the settings of toolchain/$(TOOLCHAIN).mk (see
# toolchain/toolchain.mk).

include toolchain/toolchain.mk

CROSS_COMPILE	?=
ifeq ($(origin CC),default)
CC		:= $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,cc)
endif
PKG_CONFIG	?= pkg-config
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DESTDIR		?=
CFLAGS		?= -O2 -g
ifeq ($(shell uname -s 2>/dev/null),Linux)
BACKEND		?= linux
endif
ifneq ($(filter %BSD DragonFly Darwin,$(shell uname -s 2>/dev/null)),)
BACKEND		?= bsd
endif
BACKEND		?= pcap
override BACKEND := $(if $(filter bpf,$(BACKEND)),bsd,$(BACKEND))
override BACKEND := $(if $(filter afpacket,$(BACKEND)),linux,$(BACKEND))

VERSION		:= 0.1.0
comma		:= ,

PF_WARN		:= -Wall -Wextra -Werror -Wmissing-prototypes \
		   -Wmissing-declarations -Wshadow -Wpointer-arith -Wvla
PF_CFLAGS	:= -std=c99 $(PF_WARN)
# _FILE_OFFSET_BITS=64: 32-bit glibc (mips, armhf) otherwise fails stat()
# and readdir() with EOVERFLOW on 64-bit inode numbers or large files.
PF_CPPFLAGS	:= -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		   -D_FILE_OFFSET_BITS=64 -DPF_VERSION=\"$(VERSION)\" -Isrc
PF_LDLIBS	:=
PF_CFLAGS	+= $(TC_CFLAGS)
PF_CPPFLAGS	+= $(TC_CPPFLAGS)
PF_LDFLAGS	:= $(TC_LDFLAGS)

include platform/$(BACKEND).mk

# NETLINK: how picoflow learns the host's interfaces, and (--egress,
# --nat) routes and NAT translations.  mnl: Linux netlink through libmnl, link events included; the
# default on Linux when libmnl is found (pkg-config, or a TOOLCHAIN
# sysroot that has it).  none: names from if_nameindex(3), re-read once a
# second while a capture waits for its interface; any POSIX system.
ifeq ($(TOOLCHAIN),)
NETLINK_FOUND	= $(if $(filter Linux,$(shell uname -s 2>/dev/null)),$(shell \
		  $(PKG_CONFIG) --exists libmnl 2>/dev/null && echo mnl))
else
NETLINK_FOUND	= $(if $(wildcard $(SYSROOT)/lib/libmnl.a),mnl)
endif
NETLINK		?= $(or $(NETLINK_FOUND),none)
ifeq ($(NETLINK),mnl)
PLATFORM_EXTRA	+= platform/links_netlink.c platform/nl_link.c \
		   platform/enrich_netlink.c platform/nl_msg.c \
		   platform/nl_route.c platform/nl_ct.c \
		   platform/offload_netlink.c platform/nl_sock.c \
		   platform/procinfo_netlink.c
PF_LDLIBS	+= -lmnl
else ifeq ($(NETLINK),none)
PLATFORM_EXTRA	+= platform/links_posix.c platform/enrich_none.c \
		   platform/offload_none.c platform/procinfo_none.c
else
$(error NETLINK=$(NETLINK): expected mnl or none)
endif

CORE		:= opts probe pipeline stats decode sample flowtab expire nf9 \
		   export clock mem log print filter kfilter privs iftable \
		   lcache util
# what a bad command line is told (nearest names, softflowd's flags)
CORE		+= opts_hint
# APP_INFO=no: a build without --app-info (names, TCP quality), as small
# as before it; app_none.c refuses the flag, and PF_APP_NONE compiles the
# shared files' calls for it away (app_probe.h).  Switching it over an
# existing build needs a make clean, as QUIC does.
APP_INFO	?= yes
ifeq ($(APP_INFO),yes)
CORE		+= app app_probe appname kfilter_app nf9_app
else ifeq ($(APP_INFO),no)
CORE		+= app_none
PF_CPPFLAGS	+= -DPF_APP_NONE
else
$(error APP_INFO=$(APP_INFO): expected yes or no)
endif
# QUIC: the server name in QUIC Initials (--app-info), opened with
# Nettle's HKDF, AES and GCM (quic.c).  By default yes for a native build
# with APP_INFO=yes where pkg-config finds nettle, no for TOOLCHAIN= cross
# builds (their sysroots have no Nettle).  QUIC=no links quic_none.c and
# leaves PF_QUIC undefined, so app.c's QUIC path is compiled out and the
# binary is what it was without QUIC.
ifeq ($(TOOLCHAIN),)
QUIC_FOUND	:= $(if $(filter yes,$(APP_INFO)),$(shell \
		   $(PKG_CONFIG) --exists nettle 2>/dev/null && echo yes))
endif
QUIC		?= $(or $(QUIC_FOUND),no)
ifeq ($(QUIC),yes)
ifneq ($(APP_INFO),yes)
$(error QUIC=yes needs APP_INFO=yes)
endif
CORE		+= quic
PF_CPPFLAGS	+= -DPF_QUIC $(shell $(PKG_CONFIG) --cflags nettle)
PF_LDLIBS	+= $(or $(shell $(PKG_CONFIG) --libs nettle),-lnettle)
else ifeq ($(QUIC),no)
CORE		+= $(if $(filter yes,$(APP_INFO)),quic_none)
else
$(error QUIC=$(QUIC): expected yes or no)
endif
# bpf_walk.c is pure and built everywhere, so its tests run on Linux too.
PLATFORM_SRC	:= platform/capture_file.c platform/file_format.c \
		   platform/capture_pcap.c platform/bpf_walk.c $(PLATFORM_EXTRA)
LIB_SRC		:= $(CORE:%=src/%.c) $(PLATFORM_SRC)

ALL_CFLAGS	= $(PF_CFLAGS) $(CFLAGS)
ALL_CPPFLAGS	= $(PF_CPPFLAGS) $(CPPFLAGS)
ALL_LDLIBS	= $(PF_LDLIBS) $(LDLIBS)
ALL_LDFLAGS	= $(PF_LDFLAGS) $(LDFLAGS)

B		:= build$(if $(TOOLCHAIN),/$(TOOLCHAIN))
PROG		:= $(if $(TOOLCHAIN),$(B)/picoflow,picoflow)
LIB		:= $(B)/libpicoflow.a
LIB_OBJ		:= $(LIB_SRC:%.c=$(B)/%.o)

SAN		:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
SAN_LIB		:= $(B)/san/libpicoflow.a
SAN_OBJ		:= $(LIB_SRC:%.c=$(B)/san/%.o)

# test_nl_*: netlink message parsing, built only where libmnl is;
# test_sandbox_linux: the seccomp program, only where it is linked;
# test_appname, test_app, test_nf9_app, test_kfilter_app: the name parsers,
# the TCP analysis, the encoder's application records and the classifier,
# only where they are (APP_INFO=yes); test_quic: QUIC Initials, only with
# QUIC=yes.
UNIT		:= $(filter-out $(if $(filter none,$(NETLINK)),nl_%) \
		   $(if $(filter linux,$(BACKEND)),,sandbox_linux) \
		   $(if $(filter no,$(APP_INFO)),appname app nf9_app kfilter_app) \
		   $(if $(filter no,$(QUIC)),quic), \
		   $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c)))
UNIT_BIN	:= $(UNIT:%=$(B)/test_%)
UNIT_SAN_BIN	:= $(UNIT:%=$(B)/san/test_%)
# fuzz_netlink: the netlink answer parsers, built only where libmnl is;
# fuzz_appname: the name parsers, with APP_INFO=yes; fuzz_quic: QUIC
# Initials, with QUIC=yes.
FUZZ		:= decode pipeline opts reader \
		   $(if $(filter mnl,$(NETLINK)),netlink) \
		   $(if $(filter yes,$(APP_INFO)),appname) \
		   $(if $(filter yes,$(QUIC)),quic)
FUZZ_REPLAY	:= $(FUZZ:%=$(B)/fuzz_%_replay) $(FUZZ:%=$(B)/san/fuzz_%_replay)

.PHONY: all check unit clean install uninstall fuzz demo bench cross-bins \
	cross-check ipk vm-bins vm-check
all: $(PROG)

# A cross build keeps its link map: make cross-check reads picoflow's own
# share of the static binary from it.
$(PROG): $(B)/src/main.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(if $(TOOLCHAIN),-Wl$(comma)-Map=$(B)/picoflow.map) \
	    -o $@ $^ $(ALL_LDLIBS)

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(CROSS_COMPILE)ar rcs $@ $^

$(SAN_LIB): $(SAN_OBJ)
	rm -f $@
	ar rcs $@ $^

# HOT_CFLAGS: extra flags for the files every packet goes through, after
# CFLAGS; empty by default.  A router build is -Os throughout, as OpenWrt
# builds packages; HOT_CFLAGS=-O2 buys back the speed -Os costs there
# (x86_64 musl: 765 -> 585 instructions a packet) for ~8 KB more code
# (BENCHMARKS.md).
HOT_OBJ		:= $(addprefix $(B)/,src/pipeline.o src/decode.o src/sample.o \
		   src/flowtab.o src/expire.o src/nf9.o src/nf9_app.o src/clock.o \
		   platform/capture_file.o \
		   platform/file_format.o platform/capture_afpacket.o)
$(HOT_OBJ): ALL_CFLAGS += $(HOT_CFLAGS)

# -MMD: each object lists the headers it really includes (a .d file beside
# it, read back below), so a header change rebuilds only what uses it.
DEPFLAGS	= -MMD -MP

$(B)/%.o: %.c Makefile platform/$(BACKEND).mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/san/%.o: %.c Makefile platform/$(BACKEND).mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(SAN) -O1 $(DEPFLAGS) -c -o $@ $<

# Tests may also include platform headers (pure helpers live there).
$(B)/test_%: tests/unit/test_%.c $(LIB)
	$(CC) $(ALL_CPPFLAGS) -Iplatform $(ALL_CFLAGS) $(DEPFLAGS) $(ALL_LDFLAGS) \
	    -o $@ $< $(LIB) $(ALL_LDLIBS)

$(B)/san/test_%: tests/unit/test_%.c $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Iplatform $(ALL_CFLAGS) $(SAN) -O1 $(DEPFLAGS) \
	    $(ALL_LDFLAGS) -o $@ $< $(SAN_LIB) $(ALL_LDLIBS)

# Each fuzz target also links with replay.c, so make check replays its
# corpus (tests/fuzz/corpus/TARGET) with any compiler.  Like the unit
# tests, targets may include platform headers (the readers live there).
$(B)/fuzz_%_replay: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB)
	$(CC) $(ALL_CPPFLAGS) -Iplatform $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ \
	    $< tests/fuzz/replay.c $(LIB) $(ALL_LDLIBS)

$(B)/san/fuzz_%_replay: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Iplatform $(ALL_CFLAGS) $(SAN) -O1 $(ALL_LDFLAGS) -o $@ \
	    $< tests/fuzz/replay.c $(SAN_LIB) $(ALL_LDLIBS)

# A sanitizer build of the whole probe, for the hostile-capture test.
$(B)/san/picoflow: $(B)/san/src/main.o $(SAN_LIB)
	$(CC) $(ALL_CFLAGS) $(SAN) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

unit: $(UNIT_BIN) $(UNIT_SAN_BIN)

# The unit tests and fuzz targets this build has: the others (APP_INFO=no,
# QUIC=no, NETLINK=none) are skipped by name, not failed as not built.
check: picoflow $(B)/san/picoflow unit $(FUZZ_REPLAY)
	CHECK_UNITS="$(UNIT)" CHECK_FUZZ="$(FUZZ)" tests/check.sh

# libFuzzer builds (clang only), one per target:
#   make fuzz [FUZZ_TARGETS="pipeline opts"] [FUZZ_SECONDS=60] [FUZZ_ARGS=...]
# New inputs go to build/fuzz/corpus-TARGET; the checked-in seeds and
# crash regressions are in tests/fuzz/corpus/TARGET, a dictionary (if any)
# in tests/fuzz/TARGET.dict.  Targets' own output is closed (-close_fd_mask).
FUZZ_SECONDS	?= 60
FUZZ_TARGETS	?= $(FUZZ)
FUZZ_ARGS	?=
FUZZ_BIN	:= $(FUZZ:%=$(B)/fuzz/fuzz_%)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(wildcard src/*.h platform/*.h)
	@mkdir -p $(dir $@)
	clang $(ALL_CPPFLAGS) -Iplatform -std=c99 -g -O1 \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(LIB_SRC) \
	    $(ALL_LDLIBS)

fuzz: $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(B)/fuzz/corpus-$$t && \
		dict=; [ -f tests/fuzz/$$t.dict ] && \
		    dict=-dict=tests/fuzz/$$t.dict; \
		$(B)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
		    -close_fd_mask=3 $$dict $(FUZZ_ARGS) $(B)/fuzz/corpus-$$t \
		    tests/fuzz/corpus/$$t || exit 1; \
	done

demo: picoflow
	tests/demo.sh

# Figures beside softflowd's on the shared benchmark trace (not in check).
bench: picoflow
	tests/bench/bench.sh

# What a TOOLCHAIN build runs under qemu-user (no sanitizers there).
cross-bins: $(PROG) $(UNIT_BIN) $(FUZZ:%=$(B)/fuzz_%_replay)

# A TOOLCHAIN build's static libpcap: built once, when absent.
ifneq ($(TOOLCHAIN),)
$(LIB_OBJ) $(B)/src/main.o: | $(SYSROOT)/lib/libpcap.a
$(SYSROOT)/lib/libpcap.a:
	toolchain/sysroot.sh $(TOOLCHAIN)
endif

# Every toolchain: build, unit tests under qemu, exports byte-identical to
# the native build's; then the table of binary sizes.
cross-check: picoflow
	tests/cross-check.sh

# Live tests on Debian's own MIPS and ARM kernels under qemu-system
# (tests/vm/vm-check.sh): each TOOLCHAIN build's picoflow with the VMs'
# packet sender and collector, built with the same compiler and flags.
VM_TOOLS	:= $(B)/vmtools/pktsend $(B)/vmtools/collect
$(B)/vmtools/%: tests/vm/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

vm-bins: $(PROG) $(VM_TOOLS)

vm-check: picoflow
	tests/vm/vm-check.sh

# An OpenWrt package from a cross build, without the SDK:
#   make ipk ARCH_PKG=mips_24kc   (or TOOLCHAIN=mips)
ipk: $(PROG)
	STRIP=$(CROSS_COMPILE)strip openwrt/mkipk.sh $(PROG) $(ARCH_PKG) \
	    $(VERSION) $(B)

# (build/vm: make vm-check's packages and images, whose trees have *.d
# folders of their own)
-include $(shell find $(B) -path build/vm -prune -o -name '*.d' -type f \
	-print 2>/dev/null)

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(PROG) $(DESTDIR)$(BINDIR)/picoflow
	install -m 0644 src/picoflow.8 $(DESTDIR)$(MANDIR)/man8/picoflow.8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/picoflow $(DESTDIR)$(MANDIR)/man8/picoflow.8

clean:
	rm -rf $(B) picoflow
