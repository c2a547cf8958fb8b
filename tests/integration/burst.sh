#!/usr/bin/env bash
# End-of-file burst: 50,000 flows are all still in the table when the file
# ends, so picoflow exports them at once (about 1,800 datagrams).  nfcapd
# runs with its default socket buffer; pacing must make it lose nothing.
# Also: a table of 4,096 flows under the same random-source flood exports
# the oldest early (evicted, counted, in order of last packet) and still
# loses no packet.
. "$(dirname "$0")/lib.sh"
require_picoflow
require nfcapd nfdump python3

read -r _ want_p _ want_b < <(python3 "$ROOT/tests/data/mkflows.py" \
    "$WORK/flows.pcap" 50000)

start_default_nfcapd() {
	mkdir -p "$1"
	NFCAPD_LOG=$1.log
	NFCAPD_PORT=$(free_udp_port)
	nfcapd -w "$1" -b 127.0.0.1 -p "$NFCAPD_PORT" -t 3600 > "$NFCAPD_LOG" 2>&1 &
	NFCAPD_PID=$!
	track "$NFCAPD_PID"
	for i in $(seq 1 200); do
		grep -q Startup "$NFCAPD_LOG" 2>/dev/null && return 0
		sleep 0.025
	done
	return 1
}

fail=0
for m in 65536 4096; do
	start_default_nfcapd "$WORK/nf$m" || { echo "FAIL: nfcapd"; exit 1; }
	"$PICOFLOW" -r "$WORK/flows.pcap" -m $m -n 127.0.0.1:"$NFCAPD_PORT" \
	    2> "$WORK/pf$m.log" || { cat "$WORK/pf$m.log"; fail=1; }
	nfcapd_stop
	read -r np nb nf < <(nfdump -R "$WORK/nf$m" -q -N -o 'fmt:%pkt %byt' |
		awk '{p += $1; b += $2; n++} END {print p + 0, b + 0, n + 0}')
	ev=$(sed -n 's/.* evicted \([0-9]*\).*/\1/p' "$WORK/pf$m.log")
	echo "-m $m: collector $np packets $nb bytes $nf records; evicted ${ev:-?}; sequence errors ${NFCAPD_SEQERR:-?}"
	[ "$np" = "$want_p" ] && [ "$nb" = "$want_b" ] && [ "$nf" = 50000 ] &&
	    [ "${NFCAPD_SEQERR:-1}" = 0 ] || { echo "FAIL: want $want_p packets $want_b bytes 50000 records, 0 sequence errors"; fail=1; }
	if [ $m = 4096 ]; then
		[ "${ev:-0}" -gt 40000 ] || { echo "FAIL: a small table should evict"; fail=1; }
		# Oldest first: in the order exported (the collector's file
		# order), flows end no earlier than the ones before them.
		# Per address family: a datagram carries one IPv4 and one IPv6
		# FlowSet, so the families interleave by datagram, not record.
		back=$(nfdump -R "$WORK/nf$m" -q -N -o 'fmt:%te %sa' |
		    awk '$1 ~ /^[0-9]/ { f = index($3, ":") ? 6 : 4; t = $1 " " $2
			if (t < last[f]) n++; last[f] = t }
			END { print n + 0 }')
		echo "-m $m: records ending before one exported earlier: $back"
		[ "$back" = 0 ] || { echo "FAIL: eviction is not oldest-first"; fail=1; }
	fi
done
[ $fail = 0 ] && echo "PASS: nothing lost in the end-of-file burst"
exit $fail
