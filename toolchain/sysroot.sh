#!/bin/sh
# Builds a static, minimal libpcap for each cross target into
# toolchain/sysroot/<dir> (gitignored), because Debian ships no libpcap for
# big-endian mips and none at all for musl.  Idempotent: a target whose
# sysroot has a stamp for this libpcap version and configuration is skipped,
# so CI pays for each build once per machine.
#
#   toolchain/sysroot.sh [TARGET...]     mips mipsel armhf aarch64 musl (default: all)
#
# Source: Debian's source package (needs deb-src lines in the apt sources and
# dpkg-dev), downloaded once into toolchain/sysroot/src.  Only the upstream
# .orig tarball is used: Debian's patches touch the shared library, the
# manual sections and Hurd/kFreeBSD, none of which a static build needs.
# A libpcap-*.tar.gz or libpcap_*.orig.tar.gz dropped into that folder by
# hand is used as it is.
#
# libmnl is not built: no code uses it yet, and netlink support is to stay
# optional at build time (a stub when the library is absent).
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
	*) return 1 ;;
	esac
}

cc_of() {
	case $1 in
	musl) echo musl-gcc ;;
	*) echo "$(host_of "$1")-gcc" ;;
	esac
}

dir_of() {
	case $1 in
	musl) echo "$SR/musl" ;;
	*) echo "$SR/$(host_of "$1")" ;;
	esac
}

# Print the path of the libpcap source tarball, fetching it if need be.
source_tarball() {
	mkdir -p "$SR/src"
	t=$(find "$SR/src" -maxdepth 1 \( -name 'libpcap_*.orig.tar.gz' -o \
	    -name 'libpcap-*.tar.gz' \) | sort | tail -1)
	if [ -z "$t" ]; then
		command -v apt-get >/dev/null 2>&1 ||
		    { echo "sysroot.sh: no apt-get; put a libpcap tarball in $SR/src" >&2; return 1; }
		(cd "$SR/src" && apt-get source --download-only libpcap) >&2 || {
			echo "sysroot.sh: 'apt-get source libpcap' failed: add deb-src" \
			    "lines (Types: deb deb-src) and install dpkg-dev," \
			    "or put a libpcap tarball in $SR/src" >&2
			return 1
		}
		t=$(find "$SR/src" -maxdepth 1 -name 'libpcap_*.orig.tar.gz' |
		    sort | tail -1)
	fi
	echo "$t"
}

build_one() {
	target=$1
	host=$(host_of "$target") || { echo "sysroot.sh: unknown target $target" >&2; return 2; }
	cc=$(cc_of "$target")
	dest=$(dir_of "$target")
	tarball=$(source_tarball)
	stamp="$(basename "$tarball") rev $CONFIG_REV $cc"
	if [ -f "$dest/lib/libpcap.a" ] && [ "$(cat "$dest/.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "sysroot.sh: $target: up to date ($dest)"
		return 0
	fi
	command -v "$cc" >/dev/null 2>&1 ||
	    { echo "sysroot.sh: $target: $cc is not installed" >&2; return 1; }
	for t in flex bison make; do
		command -v $t >/dev/null 2>&1 ||
		    { echo "sysroot.sh: $t is needed to build libpcap" >&2; return 1; }
	done
	echo "sysroot.sh: $target: building libpcap for $host into $dest"
	rm -rf "$dest" "$SR/build/$target"
	mkdir -p "$SR/build/$target" "$dest"
	tar xzf "$tarball" -C "$SR/build/$target" --strip-components=1
	cppflags=
	if [ "$target" = musl ]; then
		# musl-gcc sees only musl's headers; libpcap needs the
		# kernel's UAPI headers (linux/, asm/, asm-generic/).
		mkdir -p "$dest/kinc"
		ma=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
		ln -sfn /usr/include/linux "$dest/kinc/linux"
		ln -sfn /usr/include/asm-generic "$dest/kinc/asm-generic"
		ln -sfn "/usr/include/$ma/asm" "$dest/kinc/asm"
		cppflags="-I$dest/kinc"
	fi
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

[ $# -gt 0 ] || set -- mips mipsel armhf aarch64 musl
for t in "$@"; do
	build_one "$t"
done
