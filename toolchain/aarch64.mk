# 64-bit ARM: Raspberry Pi 3/4/5 (64-bit OS), mediatek filogic/ipq807x
# routers, OpenWrt's aarch64_cortex-a53.  Debian: gcc-aarch64-linux-gnu,
# qemu-user.
CROSS_COMPILE	?= aarch64-linux-gnu-
QEMU		?= qemu-aarch64
TC_TRIPLET	:= aarch64-linux-gnu
TC_SYSROOT_DIR	:= $(TC_TRIPLET)
TC_ELF		:= AArch64
TC_ARCH_PKG	:= aarch64_cortex-a53
# OpenWrt aarch64_cortex-a53: -Os and its CPU flags.
TC_OPT		:= -Os -pipe -mcpu=cortex-a53
