#!/usr/bin/env bash
# nfdump 1.7 and --app-info (issue 18): nfcapd does not know ntop's
# elements (IPFIX PEN 35632, v9 types 57472 + id, names as variable-length
# fields) and must skip them safely.  Each capture is exported twice to a
# fresh nfcapd on 127.0.0.1, without and with --app-info, as -v 9 and as
# -v 10: the flows nfdump lists (start, protocol, ends, packets, bytes)
# must be the same both times, their totals equal to picoflow's own stats,
# and nfcapd must report no bad packet and no sequence error.
# Captures: the demo capture (tests/data/mkdemo.py: DNS and HTTP names,
# TCP handshakes) and, when ../shared is there, two real ones with DNS,
# TLS and HTTP names.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 nfcapd nfdump
require_picoflow
"$PICOFLOW" --help 2>&1 | grep -q -- --app-info ||
	skip "picoflow was built without --app-info (APP_INFO=no)"

fail=0
bad() { echo "FAIL: $*"; fail=1; }

python3 "$ROOT/tests/data/mkdemo.py" "$WORK/demo.pcap" > /dev/null ||
	{ echo "FAIL: mkdemo.py"; exit 1; }
pcaps=("$WORK/demo.pcap")
for f in sv-tls-tls-subjectaltname.pcap zeek-wikipedia.pcap; do
	if [ -r "$SHARED/pcaps/real/$f" ]; then
		pcaps+=("$SHARED/pcaps/real/$f")
	else
		echo "note: $SHARED/pcaps/real/$f is absent (PICOFLOW_SHARED): not run"
	fi
done

# export PCAP V TAG [--app-info]: picoflow -r PCAP into a fresh nfcapd;
# writes $WORK/TAG.flows (nfdump's flows, sorted), $WORK/TAG.stats
# (picoflow's records, packets, bytes; nfdump's flows, packets, bytes;
# nfcapd's bad packets and sequence errors) and $WORK/TAG.names (the
# app-info counters line, if any).
export_one() {
	local pcap=$1 v=$2 tag=$3 line
	shift 3
	rm -rf "${WORK:?}/$tag"
	nfcapd_start "$WORK/$tag" || { bad "$tag: nfcapd did not start"; return 1; }
	"$PICOFLOW" -r "$pcap" -v "$v" -n "127.0.0.1:$NFCAPD_PORT" "$@" \
	    2> "$WORK/$tag.err" || bad "$tag: picoflow exited $?"
	nfcapd_stop
	line=$(grep -m1 'picoflow: packets' "$WORK/$tag.err")
	grep 'app-info:' "$WORK/$tag.err" > "$WORK/$tag.names"
	nfdump -R "$WORK/$tag" -q -N -o 'fmt:%ts %pr %sap %dap %pkt %byt' |
	    tr -s ' ' | sort > "$WORK/$tag.flows"
	printf '%s %s %s | %s %s %s | %s %s\n' \
	    "$(sed -n 's/.* records \([0-9]*\) .*/\1/p' <<< "$line")" \
	    "$(sed -n 's/.* ip \([0-9]*\) .*/\1/p' <<< "$line")" \
	    "$(sed -n 's/.* ip_bytes \([0-9]*\) .*/\1/p' <<< "$line")" \
	    "$(wc -l < "$WORK/$tag.flows")" \
	    "$(awk '{ p += $(NF - 1) } END { print p + 0 }' "$WORK/$tag.flows")" \
	    "$(awk '{ b += $NF } END { print b + 0 }' "$WORK/$tag.flows")" \
	    "${NFCAPD_BADPKT:-?}" "${NFCAPD_SEQERR:-?}" > "$WORK/$tag.stats"
}

for pcap in "${pcaps[@]}"; do
	name=$(basename "$pcap")
	for v in 9 10; do
		export_one "$pcap" "$v" plain || continue
		export_one "$pcap" "$v" app --app-info || continue
		read -r pr pp pb _ nf np nb _ bp se < "$WORK/app.stats"
		echo "$name -v $v --app-info: picoflow $pr records $pp packets $pb bytes;" \
		    "nfdump $nf flows $np packets $nb bytes; nfcapd bad packets $bp," \
		    "sequence errors $se; $(sed 's/^picoflow: //' "$WORK/app.names")"
		[ "$pr $pp $pb" = "$nf $np $nb" ] ||
		    bad "$name -v $v --app-info: nfdump's flows, packets, bytes differ from picoflow's"
		[ "$bp $se" = "0 0" ] ||
		    bad "$name -v $v --app-info: nfcapd reports $bp bad packets, $se sequence errors"
		grep -q 'app-info: names [1-9]' "$WORK/app.names" ||
		    bad "$name -v $v: no name exported, so nothing was tested"
		if [ "$(cat "$WORK/plain.stats")" != "$(cat "$WORK/app.stats")" ]; then
			bad "$name -v $v: without --app-info: $(cat "$WORK/plain.stats"); with: $(cat "$WORK/app.stats")"
		fi
		if ! cmp -s "$WORK/plain.flows" "$WORK/app.flows"; then
			bad "$name -v $v: nfdump lists other flows with --app-info:"
			diff "$WORK/plain.flows" "$WORK/app.flows" | head -10
		fi
	done
done

[ "$fail" = 0 ] || exit 1
echo "appinfo_nfdump: nfdump 1.7 skips --app-info's elements; flows, packets and bytes as without them, in v9 and IPFIX"
