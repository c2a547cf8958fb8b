# Native static build against musl, the C library of OpenWrt (Debian:
# musl-tools).  musl-gcc sees only musl's headers, so the kernel's UAPI
# headers that libpcap needs are linked into the sysroot by sysroot.sh.
CC		:= musl-gcc
QEMU		?=
TC_TRIPLET	:= $(shell uname -m)-linux-musl
TC_SYSROOT_DIR	:= musl
TC_ELF		:= $(if $(filter x86_64,$(shell uname -m)),Advanced Micro Devices X86-64,$(shell uname -m))
TC_CPPFLAGS_EXTRA = -idirafter $(SYSROOT)/kinc
TC_ARCH_PKG	:= $(shell uname -m)
# OpenWrt x86_64: -Os.
TC_OPT		:= -Os -pipe
