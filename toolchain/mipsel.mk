# Little-endian 32-bit MIPS: ramips mt7621/mt76x8 routers, OpenWrt's
# mipsel_24kc.  Debian: gcc-mipsel-linux-gnu, qemu-user.
CROSS_COMPILE	?= mipsel-linux-gnu-
QEMU		?= qemu-mipsel
TC_TRIPLET	:= mipsel-linux-gnu
TC_SYSROOT_DIR	:= $(TC_TRIPLET)
TC_ELF		:= MIPS R3000
TC_ARCH_PKG	:= mipsel_24kc
