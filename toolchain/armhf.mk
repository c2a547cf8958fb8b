# 32-bit ARMv7 hard-float: Raspberry Pi 2/3 (32-bit OS), ipq40xx/mvebu
# routers, OpenWrt's arm_cortex-a7_neon-vfpv4.  Debian:
# gcc-arm-linux-gnueabihf, qemu-user.
CROSS_COMPILE	?= arm-linux-gnueabihf-
QEMU		?= qemu-arm
TC_TRIPLET	:= arm-linux-gnueabihf
TC_SYSROOT_DIR	:= $(TC_TRIPLET)
TC_ELF		:= ARM
TC_ARCH_PKG	:= arm_cortex-a7_neon-vfpv4
# OpenWrt arm_cortex-a7_neon-vfpv4: -Os and its CPU flags.
TC_OPT		:= -Os -pipe -mcpu=cortex-a7 -mfpu=neon-vfpv4
