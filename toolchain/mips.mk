# Big-endian 32-bit MIPS: ath79/ar71xx routers, OpenWrt's mips_24kc.
# Debian: gcc-mips-linux-gnu, qemu-user.  Byte-order bugs show up here.
CROSS_COMPILE	?= mips-linux-gnu-
QEMU		?= qemu-mips
TC_TRIPLET	:= mips-linux-gnu
TC_SYSROOT_DIR	:= $(TC_TRIPLET)
TC_ELF		:= MIPS R3000
TC_ARCH_PKG	:= mips_24kc
