# Big-endian 32-bit MIPS: ath79/ar71xx routers, OpenWrt's mips_24kc.
# Debian: gcc-mips-linux-gnu, qemu-user.  Byte-order bugs show up here.
CROSS_COMPILE	?= mips-linux-gnu-
QEMU		?= qemu-mips
TC_TRIPLET	:= mips-linux-gnu
TC_SYSROOT_DIR	:= $(TC_TRIPLET)
TC_ELF		:= MIPS R3000
TC_ARCH_PKG	:= mips_24kc
# OpenWrt mips_24kc/mipsel_24kc: its CPU flags, and MIPS16 (USE_MIPS16, on by
# default where the target has it) which takes about a quarter off the code.
TC_OPT		:= -Os -pipe -mno-branch-likely -mips32r2 -mtune=24kc -mips16 \
		   -minterlink-mips16
