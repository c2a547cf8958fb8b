#!/bin/bash
# Router link framings beyond Ethernet, end to end: tests/data/mklinks.py
# writes a pcap for each of DLT_PPP (ff 03 or not, 1- or 2-byte protocol,
# MPLS 0x0281/0x0283), DLT_C_HDLC (Cisco serial: IPv4, IPv6, MPLS, SLARP),
# DLT_PPP_SERIAL (PPP and Cisco framing) and PPPoE carrying MPLS.  For each:
#   - the flows picoflow prints (-P: protocol, addresses, ports or ICMP
#     type/code, packets, bytes) equal the flows tshark decodes from the
#     same file (IP lengths summed per 5-tuple, first IP header of a frame);
#   - the frames skipped as not_ip are exactly the control frames;
#   - --libpcap-reader prints the same flows;
# and -f on the Cisco HDLC capture keeps what BPF selects there, with
# either reader (libpcap compiles filters for DLT_C_HDLC).
# Env: PICOFLOW, KEEP_WORK=1.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 tshark timeout
require_picoflow

python3 "$ROOT/tests/data/mklinks.py" "$WORK" > "$WORK/made" ||
    { echo "FAIL: mklinks.py"; exit 1; }
nfail=0

# picoflow -P lines -> "proto src sport dst dport packets bytes", sorted;
# ICMP type and code go in dport as type * 256 + code, as NetFlow has it
flows_probe() {
	python3 -c '
import sys
for line in sys.stdin:
    t = line.split()
    if len(t) < 10 or t[5] != "->":
        continue
    proto = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58}.get(t[3], t[3])
    if t[3] in ("ICMP", "ICMP6"):
        src, sp, dst = t[4], "0", t[6]
        dp = int(t[8]) * 256 + int(t[10])
    else:
        src, sp = t[4].strip("[").rsplit(":", 1)
        dst, dp = t[6].strip("[").rsplit(":", 1)
        src, dst = src.rstrip("]"), dst.rstrip("]")
    print(proto, src, sp, dst, dp, t[-3], t[-2])
' | sort
}

# tshark's decode of the same file, summed the same way
flows_tshark() {
	tshark -r "$1" -T fields -E occurrence=f -E separator=' ' \
	    -e ip.src -e ip.dst -e ip.proto -e ip.len \
	    -e ipv6.src -e ipv6.dst -e ipv6.nxt -e ipv6.plen \
	    -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
	    -e icmp.type -e icmp.code 2> /dev/null | python3 -c '
import sys
fl = {}
for line in sys.stdin:
    f = line.rstrip("\n").split(" ")
    if len(f) < 14:
        continue
    if f[0]:
        src, dst, proto, ln = f[0], f[1], int(f[2]), int(f[3])
    elif f[4]:
        src, dst, proto, ln = f[4], f[5], int(f[6]), int(f[7]) + 40
    else:
        continue
    sp = f[8] or f[10] or "0"
    dp = f[9] or f[11] or "0"
    if proto == 1:
        dp = str(int(f[12]) * 256 + int(f[13]))
    k = (proto, src, sp, dst, dp)
    p, b = fl.get(k, (0, 0))
    fl[k] = (p + 1, b + ln)
for k, (p, b) in fl.items():
    print(*k, p, b)
' | sort
}

while read -r name _ frames _ non_ip; do
	pcap=$WORK/$name.pcap
	"$PICOFLOW" -r "$pcap" -P > "$WORK/$name.out" 2> "$WORK/$name.err"
	rc=$?
	flows_probe < "$WORK/$name.out" > "$WORK/$name.probe"
	flows_tshark "$pcap" > "$WORK/$name.tshark"
	"$PICOFLOW" --libpcap-reader -r "$pcap" -P 2> /dev/null |
	    flows_probe > "$WORK/$name.libpcap"
	skipped=$(sed -n 's/^picoflow: skipped\/noted: //p' "$WORK/$name.err")
	nflows=$(wc -l < "$WORK/$name.probe")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL  $name: exit $rc: $(head -1 "$WORK/$name.err")"
		nfail=$((nfail + 1))
	elif [ "$nflows" -eq 0 ] || ! cmp -s "$WORK/$name.probe" "$WORK/$name.tshark"; then
		echo "FAIL  $name: flows differ from tshark's (< picoflow, > tshark)"
		diff "$WORK/$name.probe" "$WORK/$name.tshark" | sed 's/^/      /'
		nfail=$((nfail + 1))
	elif [ "$skipped" != "not_ip $non_ip" ]; then
		echo "FAIL  $name: skipped '$skipped', want 'not_ip $non_ip'"
		nfail=$((nfail + 1))
	elif ! cmp -s "$WORK/$name.probe" "$WORK/$name.libpcap"; then
		echo "FAIL  $name: --libpcap-reader gives other flows"
		diff "$WORK/$name.probe" "$WORK/$name.libpcap" | sed 's/^/      /'
		nfail=$((nfail + 1))
	else
		echo "ok    $name: $frames frames, $nflows flows as tshark decodes them, not_ip $non_ip, same with --libpcap-reader"
	fi
done < "$WORK/made"

# Filters on Cisco HDLC, with both readers: 'udp' keeps the UDP flows
# outside MPLS (BPF looks inside a label stack only after 'mpls', as on
# Ethernet), 'mpls' the one flow carried in labels (172.16.0.2).
awk '$1 == 17 && $2 != "172.16.0.2"' "$WORK/chdlc.tshark" > "$WORK/want.udp"
grep -w 172.16.0.2 "$WORK/chdlc.tshark" > "$WORK/want.mpls"
for reader in "" --libpcap-reader; do
	for expr in udp mpls; do
		# shellcheck disable=SC2086 # $reader: no word, or one flag
		"$PICOFLOW" $reader -r "$WORK/chdlc.pcap" -P -f "$expr" \
		    2> /dev/null | flows_probe > "$WORK/chdlc.f"
		what="chdlc -f $expr ${reader:-(built-in reader)}"
		if [ -s "$WORK/want.$expr" ] &&
		    cmp -s "$WORK/chdlc.f" "$WORK/want.$expr"; then
			echo "ok    $what: $(wc -l < "$WORK/chdlc.f") flows, as expected"
		else
			echo "FAIL  $what"
			diff "$WORK/chdlc.f" "$WORK/want.$expr" | sed 's/^/      /'
			nfail=$((nfail + 1))
		fi
	done
done

echo "links: $nfail FAIL"
[ "$nfail" -eq 0 ]
