#!/bin/bash
# docs/collectors.md's PostgreSQL recipe, run as written (recipes.bash says
# what is swapped) against a throw-away cluster set up as Debian's
# postgresql package sets up its own: local connections by peer
# authentication, TCP on localhost with scram-sha-256 passwords.  The
# recipe makes its role, database and table; nfacctd (pgsql plugin) gets
# the demo capture's export and the recipe's query must give the packets
# and bytes picoflow exported.  tests/pgsql.sh checks the same plugin
# against the real captures' ground truth, in every format.
# Needs root (the recipe is typed as root and runs psql as 'postgres').
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/recipes.bash
. "$(dirname "$0")/recipes.bash"

require python3 timeout nfacctd runuser
require_picoflow
[ "$(id -u)" = 0 ] || skip "needs root: the recipe runs as root and switches to the postgres user"
id postgres > /dev/null 2>&1 || skip "no 'postgres' user (apt-get install postgresql)"
PGBIN=
for p in /usr/lib/postgresql/*/bin/initdb; do
	[ -x "$p" ] && PGBIN=$(dirname "$p")	# the newest
done
[ -n "$PGBIN" ] || skip "PostgreSQL server binaries not found (apt-get install postgresql)"
command -v psql > /dev/null 2>&1 || skip "psql is not installed"

# The cluster lives outside WORK (which is root's only); removed at exit.
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/picoflow-pgrecipe.XXXXXX")
chown postgres: "$PGDIR"
pg_cleanup() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop \
	    > /dev/null 2>&1
	rm -rf "$PGDIR"
}
at_exit pg_cleanup

RECIPE_PGPORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -E UTF8 \
    --auth-local=peer --auth-host=scram-sha-256 > "$PGDIR/initdb.log" 2>&1 ||
    { cat "$PGDIR/initdb.log"; echo "FAIL: initdb"; exit 1; }
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
    -o "-c listen_addresses=localhost -c port=$RECIPE_PGPORT -k $PGDIR" start > /dev/null ||
    { cat "$PGDIR/server.log"; echo "FAIL: the server did not start"; exit 1; }
echo "$("$PGBIN/pg_ctl" --version): cluster in $PGDIR, localhost:$RECIPE_PGPORT, Debian's authentication"
# What Debian's cluster has by default: its socket folder and port.
export PGHOST=$PGDIR PGPORT=$RECIPE_PGPORT

python3 "$ROOT/tests/data/mkdemo.py" "$WORK/demo.pcap" || { echo "FAIL: mkdemo.py"; exit 1; }
recipe_run pgsql-setup "$WORK/setup.out" || exit 1
RECIPE_PORT=$(free_udp_port)
recipe_daemon pmacct-pgsql "$WORK/nfacctd.out" || exit 1
wait_started nfacctd "$RECIPE_PID" 'waiting for NetFlow' "$WORK/nfacctd.out" || exit 1
# pgsql_sums: the recipe's query, rows " 9 | 800 | 6 | 228 | 77442" summed
pgsql_sums() {
	recipe_run pgsql-queries "$WORK/query.out" > /dev/null &&
	    awk -F'|' 'NF == 5 && $1 ~ /[0-9]/ { p += $4; b += $5 } END { print p + 0, b + 0 }' \
	    "$WORK/query.out"
}
probe_export "$WORK/demo.pcap" || exit 1
recipe_plugin_up "$WORK/nfacctd.out" || exit 1
recipe_stop
settle "PostgreSQL packets bytes" "$EXPECT_PKTS $EXPECT_BYTES" pgsql_sums
cat "$WORK/query.out"
[ "$RECIPE_FAIL" = 0 ] || { tail -20 "$WORK/nfacctd.out"; exit 1; }
echo "collectors_pgsql: the recipe's role, database, table and nfacctd hold what picoflow exported"
