#!/usr/bin/env bash
# The OpenWrt package: builds an .ipk and takes it apart.
#
#   IPK_TOOLCHAIN=mips tests/integration/ipk.sh   make ipk TOOLCHAIN=mips
#   tests/integration/ipk.sh                      the native ./picoflow
#                                                 packaged as ARCH_PKG=x86_64
#                                                 (structure only; run by
#                                                 make check)
# Checks: the outer archive is a gzip'd GNU tar (no PAX header anywhere) of
# ./debian-binary ("2.0"), ./data.tar.gz, ./control.tar.gz in that order;
# the control fields; conffiles; postinst/prerm are OpenWrt's defaults and
# parse; /usr/sbin/picoflow is an ELF for the right machine; the init
# script parses (sh -n, shellcheck when installed) and, run against mock
# procd/uci functions with the shipped config, builds a command line that
# the packaged binary accepts (-T, under qemu-user for a cross build); the
# config is UCI with enabled '0', and every option in it is validated by
# the init script and turned into a flag.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 readelf gzip tar
cd "$ROOT" || exit 2

t=${IPK_TOOLCHAIN:-}
if [ -n "$t" ]; then
	ipk=$(make -s --no-print-directory TOOLCHAIN="$t" ipk 2> "$WORK/make.err" | tail -1) ||
	    { cat "$WORK/make.err"; echo "FAIL: make ipk TOOLCHAIN=$t"; exit 1; }
	arch=$(make -s --no-print-directory TOOLCHAIN="$t" print-ARCH_PKG)
	elf=$(make -s --no-print-directory TOOLCHAIN="$t" print-TC_ELF)
	qemu=$(make -s --no-print-directory TOOLCHAIN="$t" print-QEMU)
else
	require_picoflow
	arch=x86_64
	ipk=$(openwrt/mkipk.sh "$PICOFLOW" "$arch" 0.0.0 "$WORK") ||
	    { echo "FAIL: mkipk.sh"; exit 1; }
	elf=$(readelf -h "$PICOFLOW" | sed -n 's/^ *Machine: *//p')
	qemu=
fi
[ -s "$ipk" ] || { echo "FAIL: no package ($ipk)"; exit 1; }

fail=0
bad() { echo "FAIL: $*"; fail=1; }

# Every tar header of a (gzip'd) tar: GNU magic, no PAX ('x'/'g') entry;
# prints the member names in archive order.
tar_names() {
	python3 -c '
import gzip, sys
d = gzip.open(sys.argv[1]).read()
off, bad = 0, 0
while off + 512 <= len(d):
    h = d[off:off + 512]
    if h == bytes(512):
        break
    name = h[:100].rstrip(b"\0").decode()
    size = int(h[124:136].rstrip(b"\0 ") or b"0", 8)
    if h[257:265] != b"ustar  \0":
        print("NOT-GNU-HEADER", name); bad = 1
    if h[156:157] in (b"x", b"g", b"X"):
        print("PAX-HEADER", name); bad = 1
    print(name)
    off += 512 + (size + 511) // 512 * 512
sys.exit(bad)' "$1"
}

mkdir -p "$WORK/x" "$WORK/data" "$WORK/control"
gzip -t "$ipk" || bad "$ipk is not gzip"
outer=$(tar_names "$ipk" | tr '\n' ' ') || bad "outer tar: $outer"
[ "$outer" = "./debian-binary ./data.tar.gz ./control.tar.gz " ] ||
    bad "outer members: '$outer'"
tar -xzf "$ipk" -C "$WORK/x" || bad "cannot unpack $ipk"
[ "$(od -An -c "$WORK/x/debian-binary" | tr -d ' ')" = '2.0\n' ] ||
    bad "debian-binary is not '2.0\\n'"
for m in data control; do
	names=$(tar_names "$WORK/x/$m.tar.gz") || bad "$m.tar.gz: $names"
	case $names in ./*) ;; *) bad "$m.tar.gz names do not start with ./" ;; esac
	tar -xzf "$WORK/x/$m.tar.gz" -C "$WORK/$m" || bad "cannot unpack $m.tar.gz"
done

# control
c=$WORK/control/control
for f in Package Version Architecture Depends Installed-Size Description \
    Maintainer License Section; do
	grep -q "^$f: ." "$c" || bad "control has no $f"
done
grep -qx "Package: picoflow" "$c" || bad "Package is not picoflow"
grep -qx "Architecture: $arch" "$c" || bad "Architecture is not $arch"
grep -qx "License: ISC" "$c" || bad "License is not ISC"
grep -Eq '^Installed-Size: [1-9][0-9]*$' "$c" || bad "Installed-Size is not a number"
grep -q '^Require-User: picoflow' "$c" || bad "no Require-User for the picoflow user"
[ "$(cat "$WORK/control/conffiles")" = /etc/config/picoflow ] ||
    bad "conffiles is not /etc/config/picoflow"
for s in postinst prerm; do
	[ -x "$WORK/control/$s" ] || bad "$s is missing or not executable"
	sh -n "$WORK/control/$s" || bad "$s does not parse"
	grep -q "default_$s \$0 \$@" "$WORK/control/$s" || bad "$s is not OpenWrt's default"
done

# data
b=$WORK/data/usr/sbin/picoflow
[ -x "$b" ] || bad "no executable /usr/sbin/picoflow"
m=$(readelf -h "$b" 2>/dev/null | sed -n 's/^ *Machine: *//p')
[ "$m" = "$elf" ] || bad "/usr/sbin/picoflow: machine '$m', expected '$elf'"
readelf -S "$b" | grep -q '\.symtab' && bad "/usr/sbin/picoflow is not stripped"
for f in etc/init.d/picoflow etc/config/picoflow etc/capabilities/picoflow.json \
    etc/capabilities/picoflow-admin.json; do
	[ -f "$WORK/data/$f" ] || bad "no /$f"
done
init=$WORK/data/etc/init.d/picoflow
cfg=$WORK/data/etc/config/picoflow
[ -x "$init" ] || bad "init script not executable"
[ "$(head -1 "$init")" = '#!/bin/sh /etc/rc.common' ] || bad "init script is no rc.common script"
sh -n "$init" || bad "init script does not parse"
if command -v shellcheck > /dev/null 2>&1; then
	shellcheck -e SC1091 "$init" || bad "shellcheck on the init script"
else
	echo "note: shellcheck is not installed"
fi
for w in 'USE_PROCD=1' 'procd_set_param respawn' 'procd_set_param stderr 1' \
    'procd_set_param netdev' 'procd_add_reload_trigger picoflow' \
    'procd_add_reload_interface_trigger' 'procd_add_validation' \
    'uci_load_validate' 'network_get_device' 'procd_add_jail' \
    'procd_set_param user picoflow' 'procd_set_param capabilities'; do
	grep -qF "$w" "$init" || bad "init script lacks $w"
done
python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert all(j[k] == ["CAP_NET_RAW"] for k in ("bounding", "effective", "permitted", "ambient", "inheritable")), j
' "$WORK/data/etc/capabilities/picoflow.json" ||
    bad "capabilities are not exactly CAP_NET_RAW"
python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert all(j[k] == ["CAP_NET_RAW", "CAP_NET_ADMIN"] for k in ("bounding", "effective", "permitted", "ambient", "inheritable")), j
' "$WORK/data/etc/capabilities/picoflow-admin.json" ||
    bad "admin capabilities are not exactly CAP_NET_RAW and CAP_NET_ADMIN"
grep -q 'Description: .*v9, IPFIX and v5' "$WORK/control/control" ||
    bad "the description does not name v9, IPFIX and v5"

# config: UCI syntax, enabled '0', each option commented and validated
python3 - "$cfg" "$init" <<'EOF' || bad "config check"
import re, sys
cfg, init = open(sys.argv[1]).read().splitlines(), open(sys.argv[2]).read()
ok, prev, opts = True, "", []
for ln in cfg:
    s = ln.strip()
    if not s or s.startswith("#"):
        prev = s; continue
    m = re.fullmatch(r"(config) (\w+)(?: '(\w+)')?|(option|list) (\w+) '([^']*)'", s)
    if not m:
        print("not UCI:", ln); ok = False; continue
    if m.group(4):
        name = m.group(5)
        opts.append(name)
        if not prev.startswith("#"):
            print("option without a comment above it:", name); ok = False
        if not re.search(r"'%s:" % name, init):
            print("option not validated by the init script:", name); ok = False
    prev = s
if "enabled" not in opts or "option enabled '0'" not in [l.strip() for l in cfg]:
    print("no option enabled '0'"); ok = False
for need in ("interface", "collector", "sample", "max_flows", "memory",
             "timeout_active", "source_id"):
    if need not in opts:
        print("config lacks", need); ok = False
sys.exit(0 if ok else 1)
EOF

# The init script against mock procd/uci: the command line it builds.
python3 tests/data/mkdemo.py "$WORK/demo.pcap" > /dev/null
awk '
/^[ \t]*option / || /^[ \t]*list / {
	v = $0; sub(/^[^'\'']*'\''/, "", v); sub(/'\''[ \t]*$/, "", v)
	if ($1 == "list") printf "%s=\"${%s:+$%s }%s\"\n", $2, $2, $2, v
	else printf "%s=\"%s\"\n", $2, v
}' "$cfg" | sed 's/^enabled=.*/enabled="1"/' > "$WORK/cfg.sh"
cat > "$WORK/network.sh" <<'EOF'
network_get_device() { eval "$1=br-$2"; }
network_get_physdev() { return 1; }
EOF
sed -e "s|/lib/functions/network.sh|$WORK/network.sh|" \
    -e "s|^CT_ACCT=.*|CT_ACCT=$WORK/nf_conntrack_acct|" "$init" > "$WORK/init.sh"
echo 0 > "$WORK/nf_conntrack_acct"
# harness OVERRIDES SECTION...: start_service against mock procd/uci with
# the shipped config (enabled '1', then the shell assignments in the file
# OVERRIDES) for each SECTION; instance N's command line, one word a line,
# goes to $WORK/cmd.N and its netdev to $WORK/netdev.N.
harness() {
	local over=$1
	shift
	rm -f "$WORK"/cmd.* "$WORK"/netdev.*
	cat > "$WORK/harness.sh" <<EOF
config_load() { :; }
config_foreach() { fn=\$1; shift 2; for s in $*; do "\$fn" "\$s" "\$@"; done; }
uci_load_validate() { . "$WORK/cfg.sh"; . "$over"; "\$4" "\$3" 0; }
n=0
procd_open_instance() { n=\$((n + 1)); }
procd_close_instance() { :; }
procd_add_jail() { :; }
procd_set_param() {
	case \$1 in
	command) shift; printf '%s\n' "\$@" > "$WORK/cmd.\$n" ;;
	netdev) shift; echo "\$*" > "$WORK/netdev.\$n" ;;
	esac
}
procd_append_param() { shift; printf '%s\n' "\$@" >> "$WORK/cmd.\$n"; }
. "$WORK/init.sh"
start_service
EOF
	sh "$WORK/harness.sh"
}

# args_of N [DEVICE]: instance N's arguments, each -i IFACE as -r demo.pcap
# (a capture file works under qemu-user too), or as -i DEVICE
args_of() {
	tail -n +2 "$WORK/cmd.$1" | awk -v r="$WORK/demo.pcap" -v d="${2:-}" '
		p == "-i" { print (d == "" ? r : d); p = ""; next }
		$0 == "-i" { print (d == "" ? "-r" : "-i"); p = "-i"; next }
		{ print }'
}

: > "$WORK/none.sh"
harness "$WORK/none.sh" main || bad "init script start_service failed against mocks"
if [ -s "$WORK/cmd.1" ]; then
	[ "$(head -1 "$WORK/cmd.1")" = /usr/sbin/picoflow ] || bad "command is not /usr/sbin/picoflow"
	[ "$(cat "$WORK/netdev.1" 2>/dev/null)" = br-lan ] || bad "netdev is not br-lan"
	grep -A1 -x -- -i "$WORK/cmd.1" | grep -qx br-lan ||
	    bad "logical 'lan' did not become -i br-lan"
	# the packaged binary checks it (-r instead of the live device)
	mapfile -t args < <(args_of 1)
	echo "command: picoflow ${args[*]}"
	# shellcheck disable=SC2086 # no qemu for a native package
	$qemu "$b" "${args[@]}" -T > "$WORK/check.out" 2>&1 ||
	    { cat "$WORK/check.out"; bad "picoflow -T rejects the init script's command line"; }
	grep -qx 'configuration OK' "$WORK/check.out" ||
	    { cat "$WORK/check.out"; bad "picoflow -T warns about the shipped config"; }
else
	bad "the init script built no command line"
fi

# Two sections, neither setting source_id: Source IDs 1 and 2.
harness "$WORK/none.sh" main second || bad "two sections: start_service failed"
for n in 1 2; do
	[ "$(grep -A1 -x -- -S "$WORK/cmd.$n" 2>/dev/null | tail -1)" = "$n" ] ||
	    bad "section $n: want -S $n, got: $(tr '\n' ' ' < "$WORK/cmd.$n" 2>/dev/null)"
done

# Every option on: each flag is there, and the binary (natively, as root:
# the live capture on lo) takes it with the shipped memory budget without
# turning anything off: "configuration OK", no warning.
# An APP_INFO=no build has no --app-info or --process to turn on.
app_on='app_info=1 process=1' app_flags='--app-info --process'
# shellcheck disable=SC2086 # no qemu for a native package
if ! $qemu "$b" --help 2>&1 | grep -q -- --app-info; then
	app_on='' app_flags=''
	echo "note: every option on: this build has no --app-info, --process"
fi
cat > "$WORK/allon.sh" <<ALLON
egress=1 nat=1 offload_flows=hw debug=1 ifnames=1 promisc=0 pace=500
lookup_rate=200 source_id=77 $app_on
ALLON
harness "$WORK/allon.sh" main || bad "every option on: start_service failed"
# shellcheck disable=SC2086 # app_flags is two words or none
for w in --egress --nat --offload-flows=hw -d --no-promisc --pace \
    --lookup-rate -M $app_flags; do
	grep -qx -- "$w" "$WORK/cmd.1" || bad "every option on: no $w in the command"
done
[ "$(cat "$WORK/nf_conntrack_acct")" = 1 ] ||
	bad "every option on: nf_conntrack_acct was not turned on for --offload-flows"
# (an OpenWrt package is a NETLINK=mnl build: --nat and the rest need it)
if [ -z "$qemu" ] && [ "$(id -u)" = 0 ] &&
    readelf -d "$b" 2>/dev/null | grep -q 'libmnl' && netns_add NS_PKG; then
	# a namespace of its own: its conntrack accounting, as the init
	# script set it, and no change to the host's
	ip -n "$NS_PKG" link set lo up
	# a route towards the shipped config's collector (-T sends nothing)
	ip -n "$NS_PKG" link add pkg0 type veth peer name pkg1 &&
	    ip -n "$NS_PKG" addr add 192.168.1.1/24 dev pkg0 &&
	    ip -n "$NS_PKG" link set pkg0 up
	modprobe nf_conntrack 2>/dev/null
	ip netns exec "$NS_PKG" sysctl -q -w net.netfilter.nf_conntrack_acct=1
	mapfile -t args < <(args_of 1 lo)
	echo "every option on: picoflow ${args[*]}"
	ip netns exec "$NS_PKG" "$b" "${args[@]}" -T > "$WORK/allon.out" 2>&1
	grep -qx 'configuration OK' "$WORK/allon.out" ||
	    { cat "$WORK/allon.out"; bad "every option on: -T does not say 'configuration OK'"; }
else
	echo "note: every option on: the live -T check needs a native NETLINK=mnl package and root"
fi

# Each UCI type against the binary's own parser, value by value.
# shellcheck disable=SC2086 # no qemu for a native package
python3 "$ROOT/tests/data/uci_types.py" "$init" "$WORK/demo.pcap" $qemu "$b" ||
	bad "UCI types and the binary disagree"

[ "$fail" = 0 ] || exit 1
echo "PASS: $(basename "$ipk") ($(stat -c %s "$ipk") bytes): GNU tar, control, conffiles, $m, init script, config"
