#!/bin/sh
# Builds a static, minimal libpcap and libmnl for each cross target into
# toolchain/sysroot/<dir> (gitignored), because Debian ships no libpcap for
# big-endian mips and none at all for musl.  Idempotent: a target whose
# sysroot has a stamp for this libpcap version and configuration is skipped,
# so CI pays for each build once per machine.
#
#   toolchain/sysroot.sh [TARGET...]     mips mipsel armhf aarch64 musl mips-musl
#                                        (default: all)
#
# Source: Debian's source package (needs deb-src lines in the apt sources and
# dpkg-dev), downloaded once into toolchain/sysroot/src.  Only the upstream
# .orig tarball is used: Debian's patches touch the shared library, the
# manual sections and Hurd/kFreeBSD, none of which a static build needs.
# A libpcap-*.tar.gz or libpcap_*.orig.tar.gz dropped into that folder by
# hand is used as it is.
#
# libmnl (netlink: interface table, routes, conntrack) comes from Debian's
# source package the same way when the archive has it; it is small and has
# no dependencies.  Where it cannot be had the target is built with
# NETLINK=none (platform/linux.mk), which the Makefile picks by itself.
#
# Env: JOBS (parallel make jobs, default 2).
set -eu
cd "$(dirname "$0")"
TC=$(pwd)
SR=$TC/sysroot
JOBS=${JOBS:-2}
# Bump when the configure line below changes, to rebuild the sysroots.
CONFIG_REV=1

# target -> configure host triplet, C compiler, sysroot folder
host_of() {
	case $1 in
	mips) echo mips-linux-gnu ;;
	mipsel) echo mipsel-linux-gnu ;;
	armhf) echo arm-linux-gnueabihf ;;
	aarch64) echo aarch64-linux-gnu ;;
	musl) echo "$(uname -m)-linux-musl" ;;
	mips-musl) echo mips-linux-musl ;;
	*) return 1 ;;
	esac
}

cc_of() {
	case $1 in
	musl) echo musl-gcc ;;
	mips-musl) echo "$(dir_of "$1")/bin/musl-gcc" ;;
	*) echo "$(host_of "$1")-gcc" ;;
	esac
}

dir_of() {
	case $1 in
	musl) echo "$SR/musl" ;;
	mips-musl) echo "$SR/mips-linux-musl-sf" ;;
	*) echo "$SR/$(host_of "$1")" ;;
	esac
}

# source_tarball PKG: the path of PKG's source tarball (libpcap, musl),
# fetched with apt-get source if need be.
source_tarball() {
	mkdir -p "$SR/src"
	t=$(find "$SR/src" -maxdepth 1 \( -name "$1_*.orig.tar.*" -o \
	    -name "$1-*.tar.*" \) ! -name '*.asc' | sort | tail -1)
	if [ -z "$t" ]; then
		command -v apt-get >/dev/null 2>&1 ||
		    { echo "sysroot.sh: no apt-get; put a $1 tarball in $SR/src" >&2; return 1; }
		(cd "$SR/src" && apt-get source --download-only "$1") >&2 || {
			echo "sysroot.sh: 'apt-get source $1' failed: add deb-src" \
			    "lines (Types: deb deb-src) and install dpkg-dev," \
			    "or put a $1 tarball in $SR/src" >&2
			return 1
		}
		t=$(find "$SR/src" -maxdepth 1 -name "$1_*.orig.tar.*" \
		    ! -name '*.asc' | sort | tail -1)
	fi
	echo "$t"
}

# mips-musl: musl itself, soft-float as OpenWrt's mips_24kc, built with
# Debian's mips-linux-gnu-gcc; its musl-gcc wrapper is the compiler.
build_musl() {
	dest=$1
	mt=$(source_tarball musl) || return 1
	echo "sysroot.sh: mips-musl: building $(basename "$mt") (soft-float)"
	rm -rf "$SR/build/musl-libc"
	mkdir -p "$SR/build/musl-libc"
	tar xzf "$mt" -C "$SR/build/musl-libc" --strip-components=1
	(
		cd "$SR/build/musl-libc"
		./configure --target=mips-linux-musl --prefix="$dest" \
		    CROSS_COMPILE=mips-linux-gnu- CC=mips-linux-gnu-gcc \
		    CFLAGS="-O2 -msoft-float" --disable-shared \
		    --enable-wrapper=gcc > configure.log 2>&1 ||
		    { tail -30 configure.log; exit 1; }
		make -j"$JOBS" > make.log 2>&1 || { tail -30 make.log; exit 1; }
		make install > install.log 2>&1 || { tail -30 install.log; exit 1; }
	) || return 1
	rm -rf "$SR/build/musl-libc"
}

build_one() {
	target=$1
	host=$(host_of "$target") || { echo "sysroot.sh: unknown target $target" >&2; return 2; }
	cc=$(cc_of "$target")
	dest=$(dir_of "$target")
	tarball=$(source_tarball libpcap) || return 1
	stamp="$(basename "$tarball") rev $CONFIG_REV $cc"
	if [ -f "$dest/lib/libpcap.a" ] && [ "$(cat "$dest/.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "sysroot.sh: $target: up to date ($dest)"
		return 0
	fi
	if [ "$target" = mips-musl ]; then
		command -v mips-linux-gnu-gcc >/dev/null 2>&1 ||
		    { echo "sysroot.sh: $target: mips-linux-gnu-gcc is not installed" >&2; return 1; }
	else
		command -v "$cc" >/dev/null 2>&1 ||
		    { echo "sysroot.sh: $target: $cc is not installed" >&2; return 1; }
	fi
	for t in flex bison make; do
		command -v $t >/dev/null 2>&1 ||
		    { echo "sysroot.sh: $t is needed to build libpcap" >&2; return 1; }
	done
	echo "sysroot.sh: $target: building libpcap for $host into $dest"
	rm -rf "$dest" "$SR/build/$target"
	mkdir -p "$SR/build/$target" "$dest"
	[ "$target" = mips-musl ] && { build_musl "$dest" || return 1; }
	tar xzf "$tarball" -C "$SR/build/$target" --strip-components=1
	cppflags=
	case $target in musl | mips-musl)
		# musl-gcc sees only musl's headers; libpcap needs the
		# kernel's UAPI headers (linux/, asm/, asm-generic/).
		if [ "$target" = musl ]; then
			asm=/usr/include/$(gcc -print-multiarch 2>/dev/null ||
			    echo "$(uname -m)-linux-gnu")/asm
		else
			asm=/usr/mips-linux-gnu/include/asm
			cppflags=-msoft-float
		fi
		mkdir -p "$dest/kinc"
		ln -sfn /usr/include/linux "$dest/kinc/linux"
		ln -sfn /usr/include/asm-generic "$dest/kinc/asm-generic"
		ln -sfn "$asm" "$dest/kinc/asm"
		cppflags="$cppflags -idirafter $dest/kinc"
	esac
	(
		cd "$SR/build/$target"
		./configure --host="$host" --prefix="$dest" CC="$cc" \
		    CFLAGS="-O2 $cppflags" \
		    --with-pcap=linux --disable-shared --without-libnl \
		    --disable-dbus --disable-rdma --disable-bluetooth \
		    --disable-usb --disable-netmap --disable-remote \
		    --without-dag --without-septel --without-snf \
		    --without-turbocap --without-dpdk \
		    > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
		make -j"$JOBS" > make.log 2>&1 || { tail -30 make.log; exit 1; }
		make install > install.log 2>&1 || { tail -30 install.log; exit 1; }
	)
	rm -rf "$SR/build/$target"
	echo "$stamp" > "$dest/.stamp"
	echo "sysroot.sh: $target: done"
}

# libmnl into the same sysroot, after libpcap (which may have rebuilt it).
build_mnl() {
	target=$1
	host=$(host_of "$target")
	cc=$(cc_of "$target")
	dest=$(dir_of "$target")
	# Optional: without it the target is built with NETLINK=none.
	tarball=$(source_tarball libmnl 2>/dev/null) && [ -n "$tarball" ] || {
		echo "sysroot.sh: $target: no libmnl source (apt-get source" \
		    "libmnl failed; a libmnl-*.tar.bz2 in $SR/src would do):" \
		    "this target builds without netlink (NETLINK=none)"
		return 0
	}
	stamp="$(basename "$tarball") $cc"
	if [ -f "$dest/lib/libmnl.a" ] && [ "$(cat "$dest/.stamp-mnl" 2>/dev/null)" = "$stamp" ]; then
		echo "sysroot.sh: $target: libmnl up to date"
		return 0
	fi
	echo "sysroot.sh: $target: building libmnl for $host into $dest"
	rm -rf "$SR/build/mnl-$target"
	mkdir -p "$SR/build/mnl-$target"
	tar xf "$tarball" -C "$SR/build/mnl-$target" --strip-components=1
	cppflags=
	[ -d "$dest/kinc" ] && cppflags="-idirafter $dest/kinc"
	[ "$target" = mips-musl ] && cppflags="$cppflags -msoft-float"
	(
		cd "$SR/build/mnl-$target"
		./configure --host="$host" --prefix="$dest" CC="$cc" \
		    CFLAGS="-O2 $cppflags" --disable-shared --enable-static \
		    > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
		make -j"$JOBS" -C src > make.log 2>&1 || { tail -30 make.log; exit 1; }
		make -C src install > install.log 2>&1 || { tail -30 install.log; exit 1; }
		make -C include install >> install.log 2>&1 || { tail -30 install.log; exit 1; }
	)
	rm -rf "$SR/build/mnl-$target"
	echo "$stamp" > "$dest/.stamp-mnl"
}

[ $# -gt 0 ] || set -- mips mipsel armhf aarch64 musl mips-musl
# (build_one's own loops reuse t: the target needs a name of its own)
for tgt in "$@"; do
	build_one "$tgt"
	build_mnl "$tgt"
done
