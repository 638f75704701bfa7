#!/bin/sh
# Start or stop a throwaway PostgreSQL 15 cluster for the tests.
#   pgtmp.sh start DIR   -> creates DIR, starts a server on a free loopback port,
#                           prints the connection URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   pgtmp.sh stop DIR    -> stops it and removes DIR
# PostgreSQL refuses to run as root, so as root the cluster runs as user postgres.
set -eu
cmd=${1:?usage: pgtmp.sh start|stop DIR}
dir=${2:?usage: pgtmp.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "pgtmp: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	echo "postgres://postgres@127.0.0.1:$port/postgres"
	;;
stop)
	[ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: pgtmp.sh start|stop DIR" >&2; exit 2 ;;
esac
