#!/bin/sh
# The Debian 12 packages each use of the tree needs, installed with apt-get
# (the one list: .ci/run installs through this script too).
#
#   tests/deps.sh [-n] SET...
#
#   demo    build picoflow and run "make demo" (nfdump shows the export);
#           nettle-dev (in every set) for QUIC's server names (QUIC=yes)
#   test    "make check", "make bench" and tests/pgsql.sh: compilers,
#           sanitizers' runtimes, valgrind, the collectors the tests export
#           to (nfdump, pmacct, tshark, PostgreSQL, SQLite), namespaces and
#           netfilter tools, ndpiReader (bench: --app-info beside nDPI);
#           tshark's debconf question is answered first
#   cross   "make cross-check": cross compilers, qemu-user, musl, and what
#           builds libpcap from Debian's source package (adds deb-src lines
#           to the apt sources when they are missing)
#   vm      "make vm-check": the system emulators and cpio; adds the mipsel,
#           arm64 and armhf architectures, whose kernels and libraries
#           vm-check downloads (apt-get download, never installed)
#
# -n prints the apt-get command and changes nothing.  Needs root to install;
# as another user it runs apt-get through sudo when sudo is there.
set -eu

BUILD='build-essential pkg-config libpcap-dev libmnl-dev nettle-dev python3'
DEMO="$BUILD nfdump"
TEST="$DEMO clang valgrind cppcheck shellcheck tshark tcpreplay iproute2 ethtool
    procps util-linux conntrack nftables faketime golang-golang-x-sys-dev
    pmacct postgresql sqlite3 libndpi-bin"
CROSS="$BUILD gcc-mips-linux-gnu gcc-mipsel-linux-gnu
    gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu libc6-dev-mips-cross
    libc6-dev-mipsel-cross libc6-dev-armhf-cross libc6-dev-arm64-cross
    qemu-user musl-tools dpkg-dev flex bison"
VM="qemu-system-mips qemu-system-arm cpio"

dry=0
if [ "${1:-}" = -n ]; then
	dry=1
	shift
fi
[ $# -gt 0 ] || { sed -n '2,23s/^# \{0,1\}//p' "$0" >&2; exit 2; }
pkgs='' sets=''
for s in "$@"; do
	case $s in
	demo) pkgs="$pkgs $DEMO" ;;
	test) pkgs="$pkgs $TEST" ;;
	cross) pkgs="$pkgs $CROSS" ;;
	vm) pkgs="$pkgs $VM" ;;
	*) echo "deps.sh: unknown set '$s' (demo, test, cross, vm)" >&2; exit 2 ;;
	esac
	sets="$sets $s"
done
# shellcheck disable=SC2086 # one package a word
pkgs=$(printf '%s\n' $pkgs | sort -u | tr '\n' ' ' | sed 's/ $//')

if [ "$dry" = 1 ]; then
	echo "apt-get install -y --no-install-recommends $pkgs"
	exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo > /dev/null 2>&1 ||
	    { echo "deps.sh: run this as root (or install sudo)" >&2; exit 1; }
	SUDO=sudo
fi

case " $sets " in *' test '*)
	# tshark asks whether non-root users may capture; answer it first.
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
	    $SUDO debconf-set-selections ;;
esac
case " $sets " in *' cross '*)
	# deb-src lines, for "apt-get source libpcap" (toolchain/sysroot.sh)
	f=/etc/apt/sources.list.d/debian.sources
	if [ -f $f ] && ! grep -q '^Types:.*deb-src' $f; then
		$SUDO sed -i 's/^Types: deb$/Types: deb deb-src/' $f
	elif [ -f /etc/apt/sources.list ] &&
	    ! grep -q '^deb-src ' /etc/apt/sources.list; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list |
		    $SUDO tee /etc/apt/sources.list.d/deb-src.list > /dev/null
	fi ;;
esac
case " $sets " in *' vm '*)
	for a in mipsel arm64 armhf; do
		dpkg --print-foreign-architectures | grep -qx "$a" ||
		    $SUDO dpkg --add-architecture "$a"
	done ;;
esac
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
echo "apt-get install -y --no-install-recommends $pkgs"
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends $pkgs
