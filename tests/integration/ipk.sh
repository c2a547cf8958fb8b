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
for f in etc/init.d/picoflow etc/config/picoflow etc/capabilities/picoflow.json; do
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
sed "s|/lib/functions/network.sh|$WORK/network.sh|" "$init" > "$WORK/init.sh"
cat > "$WORK/harness.sh" <<EOF
config_load() { :; }
config_foreach() { fn=\$1; shift 2; "\$fn" main "\$@"; }
uci_load_validate() { . "$WORK/cfg.sh"; "\$4" "\$3" 0; }
procd_open_instance() { :; }
procd_close_instance() { :; }
procd_add_jail() { :; }
procd_set_param() {
	case \$1 in
	command) shift; printf '%s\n' "\$@" > "$WORK/cmd" ;;
	netdev) shift; echo "\$*" > "$WORK/netdev" ;;
	esac
}
procd_append_param() { shift; printf '%s\n' "\$@" >> "$WORK/cmd"; }
. "$WORK/init.sh"
start_service
EOF
sh "$WORK/harness.sh" || bad "init script start_service failed against mocks"
if [ -s "$WORK/cmd" ]; then
	[ "$(head -1 "$WORK/cmd")" = /usr/sbin/picoflow ] || bad "command is not /usr/sbin/picoflow"
	[ "$(cat "$WORK/netdev" 2>/dev/null)" = br-lan ] || bad "netdev is not br-lan"
	grep -A1 -x -- -i "$WORK/cmd" | grep -qx br-lan ||
	    bad "logical 'lan' did not become -i br-lan"
	# the packaged binary checks it (-r instead of the live device)
	mapfile -t args < <(tail -n +2 "$WORK/cmd" |
	    awk -v r="$WORK/demo.pcap" 'p == "-i" { print r; p = ""; next }
		$0 == "-i" { print "-r"; p = "-i"; next } { print }')
	echo "command: picoflow ${args[*]}"
	# shellcheck disable=SC2086 # no qemu for a native package
	$qemu "$b" "${args[@]}" -T > "$WORK/check.out" 2>&1 ||
	    { cat "$WORK/check.out"; bad "picoflow -T rejects the init script's command line"; }
else
	bad "the init script built no command line"
fi

[ "$fail" = 0 ] || exit 1
echo "PASS: $(basename "$ipk") ($(stat -c %s "$ipk") bytes): GNU tar, control, conffiles, $m, init script, config"
