#!/bin/bash
# How many export datagrams a second one nfcapd stores on this machine, for
# docs/collectors.md ("how many routers one collector serves").  Prints
# figures, never fails on them.
#
# picoflow exports a capture once (-v V) into a UDP receiver; the datagrams
# it sent, templates first, are then replayed to a fresh nfcapd as fast as
# one python sender can, at a few offered rates, and nfcapd's own count of
# stored flows tells how many arrived and were decoded.
#   tests/bench/collector_rate.sh [CAPTURE] [V]
# Env: RATES (datagrams/s offered, "5000 20000 0"; 0 = as fast as possible),
#      SECS (seconds a rate, 3).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
require python3 nfcapd nfdump
require_picoflow
cap=${1:-$SHARED/pcaps/real/sv-tls-tls-subjectaltname.pcap}
v=${2:-9}
[ -r "$cap" ] || skip "no capture $cap"

sink_start "$WORK/export.pcap" || exit 1
"$PICOFLOW" -v "$v" -r "$cap" -n "127.0.0.1:$SINK_PORT" 2> "$WORK/probe.err" || exit 1
sink_stop
echo "capture $(basename "$cap"), -v $v: $SINK_COUNT datagrams," \
    "$(sed -n 's/.* records \([0-9]*\).*/\1/p' "$WORK/probe.err") flow records"

for rate in ${RATES:-5000 20000 0}; do
	nfcapd_start "$WORK/nf.$rate" || exit 1
	python3 - "$WORK/export.pcap" "$NFCAPD_PORT" "$rate" "${SECS:-3}" > "$WORK/send.$rate" <<'EOF'
import socket, struct, sys, time
pcap, port, rate, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
d = open(pcap, 'rb').read()
off, dg = 24, []
while off + 16 <= len(d):
    n = struct.unpack_from('<I', d, off + 8)[0]
    dg.append(d[off + 16 + 28:off + 16 + n])
    off += 16 + n
recs = {}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(('127.0.0.1', port))
s.send(dg[0])                      # the templates
time.sleep(0.05)
sent, t0 = 0, time.time()
while time.time() - t0 < secs:
    for p in dg[1:]:
        try:
            s.send(p)
        except OSError:
            pass
        sent += 1
        if rate and sent % 100 == 0:
            ahead = sent / rate - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
el = time.time() - t0
print(sent, '%.2f' % el)
EOF
	read -r sent el < "$WORK/send.$rate"
	nfcapd_stop
	flows=$(nfdump -R "$WORK/nf.$rate" -I 2>/dev/null | sed -n 's/^Flows: //p')
	python3 - "$sent" "$el" "$flows" "$SINK_COUNT" "$(sed -n 's/.* records \([0-9]*\).*/\1/p' "$WORK/probe.err")" "$rate" <<'EOF'
import sys
sent, el, flows, dgs, recs, rate = sys.argv[1:7]
sent, el, flows, per = int(sent), float(el), int(flows or 0), int(recs) / int(dgs)
stored = flows / per
print('offered %7s dg/s: sent %7d in %.1f s (%6.0f dg/s), nfcapd stored %6.0f dg (%5.1f%%), %6.0f dg/s = %7.0f flows/s'
      % (rate if rate != '0' else 'max', sent, el, sent / el, stored, 100 * stored / sent,
         stored / el, flows / el))
EOF
done
