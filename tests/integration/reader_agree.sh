#!/bin/bash
# The built-in pcap/pcapng reader and libpcap's (--libpcap-reader) on
# crafted files, good and bad (tests/data/mkbadfiles.py): versions,
# trailing block lengths, record and snap lengths, undeclared interfaces,
# interfaces of mixed link types.  For each file, as mkbadfiles.py says:
#   read    both exit 0 and print the same flows and counters (-P);
#   refuse  both exit 1 with a message naming the file, having printed the
#           same flows (those read before the bad record);
#   differ  the one documented difference (README, --libpcap-reader): a
#           pcapng file whose interfaces have different link types, one of
#           them decodable.  The built-in reader reads it, whichever comes
#           first, skipping the other's frames as linktype; libpcap refuses
#           it ("different from the type of the first interface", or, with
#           the undecodable one first, picoflow refuses its link type).
# Then -f on such a file: compiled per link type, it applies to the
# decodable interface's frames.
# Env: PICOFLOW, KEEP_WORK=1.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 timeout
require_picoflow

python3 "$ROOT/tests/data/mkbadfiles.py" "$WORK" > "$WORK/list" ||
    { echo "FAIL: mkbadfiles.py"; exit 1; }
nok=0 nfail=0

res() {	# res ok|FAIL NAME DETAIL
	if [ "$1" = ok ]; then
		nok=$((nok + 1))
	else
		nfail=$((nfail + 1))
	fi
	printf '%-4s  %-36s %s\n' "$1" "$2" "$3"
}

# flows and counters of a run, without the message line
body() { grep -v "^picoflow: $WORK/" "$1"; }
msg() { grep -m1 "^picoflow: $WORK/" "$1" | sed "s|$WORK/||"; }

while read -r f want; do
	run_limited 20 "$PICOFLOW" -r "$WORK/$f" -P > "$WORK/a" 2>&1
	ra=$?
	run_limited 20 "$PICOFLOW" --libpcap-reader -r "$WORK/$f" -P > "$WORK/b" 2>&1
	rb=$?
	na=$(grep -c ' UDP ' "$WORK/a")
	case $want in
	read)
		if [ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] && [ "$na" -gt 0 ] &&
		    cmp -s "$WORK/a" "$WORK/b"; then
			res ok "$f" "both read it: $na flows, same output"
		else
			res FAIL "$f" "exit $ra / libpcap $rb, or output differs"
			diff "$WORK/a" "$WORK/b" | head -6 | sed 's/^/      /'
		fi ;;
	refuse)
		if [ "$ra" -eq 1 ] && [ "$rb" -eq 1 ] && [ -n "$(msg "$WORK/a")" ] &&
		    cmp -s <(body "$WORK/a") <(body "$WORK/b"); then
			res ok "$f" "both refuse it ($na flows before): $(msg "$WORK/a")"
		else
			res FAIL "$f" "exit $ra / libpcap $rb (want 1 / 1), or flows differ"
			sed 's/^/      built-in: /' "$WORK/a" | head -4
			sed 's/^/      libpcap:  /' "$WORK/b" | head -4
		fi ;;
	differ)
		if [ "$ra" -eq 0 ] && [ "$na" -eq 2 ] &&
		    grep -q 'skipped/noted: linktype 1$' "$WORK/a" && [ "$rb" -eq 1 ] &&
		    grep -Eq 'different from the type of the first interface|link type 147' "$WORK/b"; then
			res ok "$f" "built-in reads it ($na flows, linktype 1); libpcap refuses it"
		else
			res FAIL "$f" "exit $ra / libpcap $rb (want 0 / 1)"
			sed 's/^/      built-in: /' "$WORK/a" | head -6
			sed 's/^/      libpcap:  /' "$WORK/b" | head -3
		fi ;;
	esac
done < "$WORK/list"

# -f on a mixed file: the unsupported interface comes first, the filter
# cannot apply to its link type; the Ethernet frames are still filtered.
f=$WORK/ng-mixed-unsupported-first.pcapng
"$PICOFLOW" -r "$f" -P -f 'udp and src port 1001' > "$WORK/a" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c ' UDP ' "$WORK/a")" -eq 1 ] &&
    grep -q ':1001 ' "$WORK/a"; then
	res ok "mixed link types with -f" "the Ethernet interface's frames filtered"
else
	res FAIL "mixed link types with -f" "exit $rc"
	head -5 "$WORK/a" | sed 's/^/      /'
fi

echo
echo "reader_agree: $nok ok, $nfail FAIL"
[ "$nfail" -eq 0 ]
