# Cross-build settings, included by the Makefile before anything else.
#
#   make TOOLCHAIN=mips          settings from toolchain/mips.mk
#   make ipk ARCH_PKG=mips_24kc  the toolchain follows from OpenWrt's package
#                                architecture (mips_* -> mips-musl, mipsel_*,
#                                arm_*, aarch64_*, x86_64 -> musl)
#
# A toolchain file sets CROSS_COMPILE (or CC), QEMU (qemu-user to run the
# results), TC_TRIPLET, TC_ELF (readelf's Machine line) and TC_ARCH_PKG
# (default OpenWrt architecture); this file adds the sysroot that
# toolchain/sysroot.sh fills with a static libpcap, and links statically so
# that qemu-user needs no target libraries and an .ipk runs on any libc.
# Objects and the binary of a TOOLCHAIN build go to build/$(TOOLCHAIN)/, so
# a native and a cross build never share an object.
#
# Without TOOLCHAIN nothing here applies: CROSS_COMPILE=... or CC=... with
# CFLAGS/LDFLAGS (an OpenWrt SDK) work as for any Makefile.
TOOLCHAIN	?=
ARCH_PKG	?=
ifeq ($(TOOLCHAIN),)
ifneq ($(ARCH_PKG),)
TOOLCHAIN	:= $(strip \
	$(if $(filter mipsel_%,$(ARCH_PKG)),mipsel, \
	$(if $(filter mips_%,$(ARCH_PKG)),mips-musl, \
	$(if $(filter arm_%,$(ARCH_PKG)),armhf, \
	$(if $(filter aarch64_%,$(ARCH_PKG)),aarch64, \
	$(if $(filter x86_64,$(ARCH_PKG)),musl,$(error \
	    ARCH_PKG=$(ARCH_PKG): no toolchain for it; set TOOLCHAIN=)))))))
endif
endif

ifneq ($(TOOLCHAIN),)
include toolchain/$(TOOLCHAIN).mk
# A router build is optimised as OpenWrt builds the package for that
# architecture (TC_OPT in the toolchain file: -Os and the target's CPU
# flags) plus what openwrt/Makefile adds for size (TC_SIZE: unused
# functions dropped at link time; no unwind tables, which a C program only
# needs for backtraces without -g, as musl builds itself), so that the
# sizes make cross-check prints are the ones that ship.  CFLAGS on the
# command line replaces both, as it does for a native build.
TC_SIZE		:= -ffunction-sections -fdata-sections \
		   -fno-asynchronous-unwind-tables -fno-unwind-tables
CFLAGS		?= $(TC_OPT) $(TC_SIZE) -g
SYSROOT		?= toolchain/sysroot/$(TC_SYSROOT_DIR)
TC_CPPFLAGS	:= -I$(SYSROOT)/include $(TC_CPPFLAGS_EXTRA)
TC_LDFLAGS	:= -static -L$(SYSROOT)/lib -Wl,--gc-sections
# The link is static, so position-independent code would only cost
# (Debian's compilers default to PIE; on MIPS every call then goes through
# the GOT, 8 % of the code).  OpenWrt, too, builds packages without PIE
# unless they ask for it (PKG_ASLR_PIE_REGULAR).
TC_CFLAGS	+= -fno-pie
ARCH_PKG	:= $(or $(ARCH_PKG),$(TC_ARCH_PKG))
endif

# make -s print-VAR: a variable's value, for scripts (tests/cross-check.sh).
print-%:
	@echo '$($*)'
