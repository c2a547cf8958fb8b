#!/bin/bash
# picoflow -> nfacctd (pmacct) -> a real PostgreSQL database, in each export
# format (-v 5, 9, 10).  Not part of "make check" (it starts a database
# server); .ci/run calls it after make check.
#
# The test makes a throw-away cluster with initdb in a temporary folder,
# owned by and run as the 'postgres' system user when started as root (as
# the caller otherwise), listening on a unix socket in that folder only (no
# TCP), and removes it at the end.  nfacctd's pgsql plugin writes per
# (ethertype, protocol, export version) into a table; every real capture is
# replayed in each format, -S telling the runs apart for nfacctd; then one
# SQL query a format gives packets and bytes per (IP version, protocol),
# which must equal the sum of pcap_truth over the captures (v5: its IPv4
# part).
# Skips (77) when PostgreSQL, pmacct or the captures are not there.
# Env: PCAPS_ONLY=glob, FORMATS ("5 9 10"), KEEP_WORK=1, PICOFLOW_SHARED.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/integration/lib.sh"

[ -d "$SHARED/pcaps/real" ] || skip "no captures: $SHARED/pcaps/real is absent"
require_truth
require python3 nfacctd timeout
require_picoflow
PGBIN=
for p in "$(command -v initdb 2>/dev/null)" /usr/lib/postgresql/*/bin/initdb; do
	[ -x "$p" ] && PGBIN=$(dirname "$(readlink -f "$p")")	# the last found
done
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ] || [ ! -x "$PGBIN/psql" ]; then
	skip "PostgreSQL server binaries not found (apt-get install postgresql)"
fi
as_pg() {	# run as the database owner
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
if [ "$(id -u)" = 0 ]; then
	id postgres > /dev/null 2>&1 || skip "running as root and there is no 'postgres' user to run the server"
	command -v runuser > /dev/null 2>&1 || skip "runuser is not installed"
fi

# The cluster lives outside WORK (root-only); removed at exit.
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/picoflow-pg.XXXXXX")
[ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
pg_cleanup() {
	as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop > /dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "database folder kept: $PGDIR" >&2; else rm -rf "$PGDIR"; fi
}
at_exit pg_cleanup

as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 \
    > "$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log"; echo "FAIL: initdb"; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
    -o "-c listen_addresses='' -k $PGDIR" start > /dev/null ||
    { cat "$PGDIR/server.log"; echo "FAIL: the server did not start"; exit 1; }
psql_q() { "$PGBIN/psql" -h "$PGDIR" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_q -d postgres -c 'CREATE DATABASE pmacct' || { echo "FAIL: createdb"; exit 1; }
# The columns sql_optimize_clauses wants for these primitives.
psql_q -d pmacct <<'EOF' || { echo "FAIL: create table"; exit 1; }
CREATE TABLE acct (
	etype VARCHAR(5) NOT NULL DEFAULT '0',
	ip_proto SMALLINT NOT NULL DEFAULT 0,
	export_proto_version SMALLINT NOT NULL DEFAULT 0,
	packets BIGINT NOT NULL,
	bytes BIGINT NOT NULL,
	stamp_inserted TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT '0001-01-01',
	stamp_updated TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (etype, ip_proto, export_proto_version, stamp_inserted)
);
EOF
echo "$("$PGBIN/pg_ctl" --version) cluster in $PGDIR (unix socket only)"

nfacctd_start "$WORK/nfa" "plugins: pgsql" \
    "aggregate: etype, proto, export_proto_version" \
    "sql_host: $PGDIR" "sql_user: postgres" "sql_passwd: none" "sql_db: pmacct" "sql_table: acct" \
    "sql_optimize_clauses: true" "sql_num_protos: true" "sql_refresh_time: 1" \
    "sql_dont_try_update: false" || { echo "FAIL: nfacctd did not start"; exit 1; }

formats=${FORMATS:-5 9 10}
n=0 fail=0
for f in "$SHARED"/pcaps/real/${PCAPS_ONLY:-*}; do
	case $f in *.pcap|*.pcapng) ;; *) continue ;; esac
	n=$((n + 1))
	truth_get "$f" ip_packets > /dev/null || exit 1
	for v in $formats; do
		run_limited 60 "$PICOFLOW" -v "$v" -S "$n" -r "$f" \
		    -n "127.0.0.1:$NFACCTD_PORT" > /dev/null 2>> "$WORK/probe.err" ||
		    { echo "FAIL: picoflow -v $v -r $f exited $?"; fail=1; }
	done
done
[ "$n" -gt 0 ] || skip "no .pcap/.pcapng files in $SHARED/pcaps/real"
# The plugin writes every sql_refresh_time seconds and once more at exit.
sleep 2
nfacctd_stop
query='SELECT export_proto_version, etype, ip_proto, SUM(packets), SUM(bytes)
    FROM acct GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'
echo "\$ psql -c \"$query\""
psql_q -d pmacct -A -F ' ' -t -c "$query" > "$WORK/sql.out" || { echo "FAIL: query"; exit 1; }
python3 - "$WORK" "$formats" <<'EOF' || fail=1
import glob, json, sys
work, formats = sys.argv[1], sys.argv[2].split()
truth = {}
for f in glob.glob(work + '/truth.*.json'):
    for k, v in json.load(open(f)).get('by_protocol', {}).items():
        a = truth.setdefault(k, [0, 0])
        a[0] += v['packets']
        a[1] += v['bytes']
got = {}
for line in open(work + '/sql.out'):
    p = line.split()
    if len(p) == 5:
        k = 'v%d/%s' % (6 if p[1] == '86dd' else 4, p[2])
        got.setdefault(p[0], {})[k] = [int(p[3]), int(p[4])]
fails = 0
print('%-7s %-8s %12s %14s   %12s %14s' % ('format', 'proto', 'db packets', 'db bytes',
                                          'truth pkts', 'truth bytes'))
for v in formats:
    want = {k: x for k, x in truth.items() if v != '5' or k.startswith('v4/')}
    g = got.get(v, {})
    for k in sorted(set(want) | set(g)):
        a, b = g.get(k, [0, 0]), want.get(k, [0, 0])
        bad = a != b
        fails += bad
        print('-v %-4s %-8s %12d %14d   %12d %14d  %s' % (v, k, a[0], a[1], b[0], b[1],
                                                        'FAIL' if bad else 'ok'))
    tot = [sum(x[i] for x in g.values()) for i in (0, 1)]
    tw = [sum(x[i] for x in want.values()) for i in (0, 1)]
    print('-v %-4s %-8s %12d %14d   %12d %14d  %s' % (v, 'total', tot[0], tot[1], tw[0], tw[1],
                                                    'ok' if tot == tw else 'FAIL'))
sys.exit(1 if fails else 0)
EOF
if [ "$fail" -ne 0 ]; then
	echo "pgsql: FAIL (nfacctd log: $WORK/nfa/log)"
	tail -20 "$WORK/nfa/log"
	exit 1
fi
echo "pgsql: $n captures x formats $formats: the database holds every packet and byte"
