#!/bin/sh
# An OpenWrt package (.ipk) from a picoflow binary, without the SDK.
#
#   openwrt/mkipk.sh BINARY ARCH_PKG VERSION OUTDIR     (make ipk runs it)
#
# Writes OUTDIR/picoflow_VERSION-rRELEASE_ARCH_PKG.ipk and prints its path.
# The layout is what opkg and OpenWrt's ipkg-build expect: a gzip'd tar in
# GNU format (opkg mis-reads PAX headers) holding ./debian-binary ("2.0"),
# ./data.tar.gz and ./control.tar.gz, in that order.  Name, release,
# licence, maintainer, user and description come from openwrt/Makefile, the
# files from openwrt/files, so the SDK's package and this one agree.
# postinst/prerm are OpenWrt's default ones: they create the 'picoflow' user
# (Require-User) and enable/start or stop/disable the init script.
#
# Depends: libc as every OpenWrt package, plus a library package for each
# shared library the binary needs (none for the static TOOLCHAIN builds).
# Reproducible: owners 0/0, fixed mtimes (SOURCE_DATE_EPOCH, else the
# last commit's time), sorted names, gzip without names or times.
# Env: STRIP (default: strip), SOURCE_DATE_EPOCH.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 BINARY ARCH_PKG VERSION OUTDIR" >&2; exit 2; }
bin=$1 arch=$2 version=$3 out=$4
[ -n "$arch" ] || { echo "mkipk.sh: no ARCH_PKG (make ipk ARCH_PKG=mips_24kc, or TOOLCHAIN=...)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mk=$here/Makefile

mkvar() {	# mkvar NAME: NAME:=VALUE from openwrt/Makefile
	sed -n "s/^[[:space:]]*$1:=[[:space:]]*//p" "$mk" | head -1
}
name=$(mkvar PKG_NAME)
release=$(mkvar PKG_RELEASE)
license=$(mkvar PKG_LICENSE)
maintainer=$(mkvar PKG_MAINTAINER)
section=$(mkvar SECTION)
userid=$(mkvar USERID)
title=$(mkvar TITLE)
fullver="$version-r$release"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$here" log -1 --format=%ct 2>/dev/null || echo 0)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkipk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
data=$tmp/data ctrl=$tmp/control
mkdir -p "$data/usr/sbin" "$data/etc/init.d" "$data/etc/config" \
    "$data/etc/capabilities" "$ctrl"
${STRIP:-strip} -o "$data/usr/sbin/picoflow" "$bin"
chmod 0755 "$data/usr/sbin/picoflow"
install -m 0755 "$here/files/picoflow.init" "$data/etc/init.d/picoflow"
install -m 0600 "$here/files/picoflow.config" "$data/etc/config/picoflow"
install -m 0644 "$here/files/picoflow.json" "$data/etc/capabilities/picoflow.json"
install -m 0644 "$here/files/picoflow-admin.json" \
    "$data/etc/capabilities/picoflow-admin.json"

depends=libc
for lib in $(readelf -d "$bin" 2>/dev/null |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	case $lib in
	libpcap.so.*) depends="$depends, libpcap1" ;;
	libmnl.so.*) depends="$depends, libmnl0" ;;
	esac
done

# The description: the define in openwrt/Makefile, lines kept as they are.
desc=$(sed -n '/^define Package\/picoflow\/description/,/^endef/p' "$mk" |
    sed '1d;$d')

tarit() {	# tarit DIR OUT: DIR's content as ./... in a reproducible tar.gz
	(cd "$1" && find . -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +)
	tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name \
	    --mtime="@$SOURCE_DATE_EPOCH" -C "$1" -cf - . | gzip -9n > "$2"
}

tarit "$data" "$tmp/data.tar.gz"
size=$(gzip -dc "$tmp/data.tar.gz" | wc -c)
{
	echo "Package: $name"
	echo "Version: $fullver"
	echo "Depends: $depends"
	echo "License: $license"
	echo "Section: $section"
	[ -n "$userid" ] && echo "Require-User: $userid"
	echo "Architecture: $arch"
	echo "Installed-Size: $size"
	echo "Maintainer: $maintainer"
	echo "Description: $title"
	printf '%s\n' "$desc"
} > "$ctrl/control"
echo /etc/config/picoflow > "$ctrl/conffiles"
cat > "$ctrl/postinst" <<'EOF'
#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_postinst $0 $@
EOF
cat > "$ctrl/prerm" <<'EOF'
#!/bin/sh
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_prerm $0 $@
EOF
chmod 0755 "$ctrl/postinst" "$ctrl/prerm"
chmod 0644 "$ctrl/control" "$ctrl/conffiles"
tarit "$ctrl" "$tmp/control.tar.gz"

printf '2.0\n' > "$tmp/debian-binary"
touch -d "@$SOURCE_DATE_EPOCH" "$tmp/debian-binary" "$tmp/data.tar.gz" \
    "$tmp/control.tar.gz"
mkdir -p "$out"
ipk=$out/${name}_${fullver}_${arch}.ipk
tar --format=gnu --numeric-owner --owner=0 --group=0 \
    --mtime="@$SOURCE_DATE_EPOCH" -C "$tmp" \
    -cf - ./debian-binary ./data.tar.gz ./control.tar.gz | gzip -9n > "$ipk"
echo "$ipk"
