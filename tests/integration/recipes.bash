#!/bin/bash
# shellcheck disable=SC2034
# (SC2034: RECIPE_FAIL and EXPECT_* are read by the tests that source this.)
# Helpers for the tests that run docs/collectors.md's recipes as written
# (collectors.sh, collectors_pgsql.sh); sourced after lib.sh.  Not a test
# itself (check.sh runs *.sh only).
#
# In the page, each fenced block follows a marker line:
#   <!-- recipe: NAME -->      run by a test, under that name
#   <!-- not run: REASON -->   not run, and why
#
#   recipes_lint              FAIL unless every fenced block is marked
#   recipe NAME               the block's text, with the page's stand-ins
#                             swapped for the test's (below)
#   recipe_run NAME LOG       run it with bash -e; 1 and the log if it fails
#   recipe_daemon NAME LOG    run it in the background, its last command
#                             (the daemon) replacing the shell, so that
#                             RECIPE_PID is the daemon's own pid (tracked)
#
# Stand-ins (as the page says): 192.0.2.10 -> 127.0.0.1, port 9995 ->
# $RECIPE_PORT, 5432 -> $RECIPE_PGPORT, /var/cache/nfcapd, /var/lib/pmacct,
# /etc/pmacct -> folders under $WORK, nfcapd's "-t 60" -> "-t 2", pmacct's
# print_/sql_refresh_time -> 1 (so that a plugin's first purge, logged, says
# it is up: nfacctd stopped before that loses what it was sent).

RECIPES_MD=$ROOT/docs/collectors.md
RECIPE_PORT='' RECIPE_PGPORT=5432 RECIPE_PID=''

recipes_lint() {
	awk '
		/^<!-- (recipe: [a-z0-9-]+|not run: .+) -->$/ { marked = NR; next }
		/^```/ {
			if (!open && marked != NR - 1) {
				printf "FAIL: docs/collectors.md:%d: a block with no recipe/not run marker\n", NR
				bad = 1
			}
			open = !open
		}
		END { exit bad }' "$RECIPES_MD"
}

recipe() {
	local text
	text=$(awk -v name="$1" '
		$0 == "<!-- recipe: " name " -->" { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$RECIPES_MD")
	[ -n "$text" ] || { echo "FAIL: no recipe '$1' in docs/collectors.md" >&2; return 1; }
	printf '%s\n' "$text" | sed \
	    -e "s|192\.0\.2\.10|127.0.0.1|g" \
	    -e "s|9995|$RECIPE_PORT|g" \
	    -e "s|5432|$RECIPE_PGPORT|g" \
	    -e "s|/var/cache/nfcapd|$WORK/nfcapd|g" \
	    -e "s|/var/lib/pmacct|$WORK/pmacct|g" \
	    -e "s|/etc/pmacct|$WORK/etc|g" \
	    -e "s|\(nfcapd .*\)-t 60|\1-t 2|" \
	    -e "s#^\(print\|sql\)_refresh_time: [0-9]*#\1_refresh_time: 1#"
}

recipe_run() {
	local text
	text=$(recipe "$1") || return 1
	echo "--- recipe $1:"
	printf '%s\n' "$text"
	if ! bash -e -c "$text" > "$2" 2>&1; then
		echo "FAIL: recipe $1 failed:"
		cat "$2"
		return 1
	fi
	cat "$2"
}

# The daemon is the block's last command; a function of its name makes the
# shell exec it (exec runs the program, not the function).
recipe_daemon() {
	local text d
	text=$(recipe "$1") || return 1
	echo "--- recipe $1 (in the background):"
	printf '%s\n' "$text"
	for d in nfcapd nfacctd; do
		text="$d() { exec $d \"\$@\"; }
$text"
	done
	bash -e -c "$text" > "$2" 2>&1 &
	RECIPE_PID=$!
	track "$RECIPE_PID"
}

# recipe_plugin_up LOG: until nfacctd's plugin has logged its first purge
# (20 s at most).
recipe_plugin_up() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	timeout 20 bash -c 'until grep -q "Purging cache - END" "$1"; do sleep 0.1; done' _ "$1" ||
	    { echo "FAIL: nfacctd's plugin never purged its cache:"; cat "$1"; return 1; }
}

# recipe_stop: as nfacctd_stop (lib.sh): drain, SIGINT (nfacctd's plugins
# then write, nfcapd closes its file), wait.
recipe_stop() {
	NFACCTD_PID=$RECIPE_PID NFACCTD_PORT=$RECIPE_PORT
	nfacctd_stop
	RECIPE_PID=''
}

# probe_export: the router's side, a capture replayed to the collector;
# sets EXPECT_PKTS, EXPECT_BYTES, EXPECT_RECORDS from picoflow's stats.
probe_export() {
	local pcap=$1 line
	shift
	"$PICOFLOW" -r "$pcap" -n "127.0.0.1:$RECIPE_PORT" "$@" 2> "$WORK/probe.err" ||
	    { cat "$WORK/probe.err"; echo "FAIL: picoflow -r $pcap exited $?"; return 1; }
	line=$(grep -m1 'picoflow: packets' "$WORK/probe.err")
	EXPECT_PKTS=$(sed -n 's/.* ip \([0-9]*\) .*/\1/p' <<< "$line")
	EXPECT_BYTES=$(sed -n 's/.* ip_bytes \([0-9]*\) .*/\1/p' <<< "$line")
	EXPECT_RECORDS=$(sed -n 's/.* records \([0-9]*\) .*/\1/p' <<< "$line")
	if [ -z "$EXPECT_PKTS" ] || [ -z "$EXPECT_BYTES" ]; then
		echo "FAIL: no stats line from picoflow: $line"
		return 1
	fi
	echo "probe: $EXPECT_RECORDS records, $EXPECT_PKTS packets, $EXPECT_BYTES bytes"
}

# settle WHAT WANT CMD...: run CMD until it prints WANT, 20 s at most, then
# compare as same does.
settle() {
	local what=$1 want=$2 got i
	shift 2
	for i in $(seq 1 100); do
		got=$("$@" 2>/dev/null)
		[ "$got" = "$want" ] && break
		[ "$i" -lt 100 ] && sleep 0.2
	done
	same "$what" "$got" "$want"
}

# same WHAT GOT WANT: one comparison line; sets RECIPE_FAIL on a mismatch.
RECIPE_FAIL=0
same() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1: $2"
	else
		echo "FAIL: $1: got '$2', picoflow exported '$3'"
		RECIPE_FAIL=1
	fi
}
