# Big-endian MIPS as OpenWrt's mips_24kc really is: musl, soft-float.
# toolchain/sysroot.sh builds musl (Debian's source package) with
# mips-linux-gnu-gcc -msoft-float and wraps that gcc in musl-gcc; the
# result is a static soft-float binary a third the size of the glibc one,
# the package that make ipk ARCH_PKG=mips_24kc builds.  Debian's libgcc is
# hard-float: the linker warns about its floating-point helpers, which only
# musl's printf("%f") could reach and picoflow never calls.
CC		= $(SYSROOT)/bin/musl-gcc
CROSS_COMPILE	?= mips-linux-gnu-
QEMU		?= qemu-mips
TC_TRIPLET	:= mips-linux-musl
TC_SYSROOT_DIR	:= mips-linux-musl-sf
TC_CFLAGS	:= -msoft-float
TC_CPPFLAGS_EXTRA = -idirafter $(SYSROOT)/kinc
TC_ELF		:= MIPS R3000
TC_ARCH_PKG	:= mips_24kc
# OpenWrt mips_24kc/mipsel_24kc: its CPU flags, and MIPS16 (USE_MIPS16, on by
# default where the target has it) which takes about a quarter off the code.
TC_OPT		:= -Os -pipe -mno-branch-likely -mips32r2 -mtune=24kc -mips16 \
		   -minterlink-mips16
