# Little-endian 32-bit MIPS: ramips mt7621/mt76x8 routers, OpenWrt's
# mipsel_24kc.  Debian: gcc-mipsel-linux-gnu, qemu-user.
CROSS_COMPILE	?= mipsel-linux-gnu-
QEMU		?= qemu-mipsel
TC_TRIPLET	:= mipsel-linux-gnu
TC_SYSROOT_DIR	:= $(TC_TRIPLET)
TC_ELF		:= MIPS R3000
TC_ARCH_PKG	:= mipsel_24kc
# OpenWrt mips_24kc/mipsel_24kc: its CPU flags, and MIPS16 (USE_MIPS16, on by
# default where the target has it) which takes about a quarter off the code.
TC_OPT		:= -Os -pipe -mno-branch-likely -mips32r2 -mtune=24kc -mips16 \
		   -minterlink-mips16
