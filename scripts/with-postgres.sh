#!/usr/bin/env bash
# with-postgres.sh CMD [ARGS...]: runs CMD with a throwaway PostgreSQL
# cluster on 127.0.0.1, for the tests of store/postgres:
#   GRAPHC_TEST_POSTGRES      its connection string
#   GRAPHC_TEST_POSTGRES_CTL  a script taking stop|start (the connection-loss test)
# Installs PostgreSQL from Debian's packages if missing (as root). The
# cluster lives in a temporary directory and is removed on exit.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bindir" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "with-postgres.sh: PostgreSQL is not installed: apt-get install postgresql (as root)" >&2
		exit 2
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
	bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi

tmp=$(mktemp -d /tmp/graphc-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then # initdb refuses root: the cluster belongs to postgres
	chown postgres "$tmp"
	as_owner=(runuser -u postgres --)
fi

"${as_owner[@]}" "$bindir/initdb" -D "$tmp/data" -U graphc -A trust --no-sync -E UTF8 >"$tmp/initdb.log" ||
	{ cat "$tmp/initdb.log" >&2; exit 1; }
mkdir -p "$tmp/sock" && chown --reference="$tmp/data" "$tmp/sock"

stop() {
	[ -x "$tmp/ctl" ] && "$tmp/ctl" stop 2>/dev/null || true
	rm -rf "$tmp"
}
trap stop EXIT

# A free port below Linux's ephemeral range; another process may take it
# between the check and the start, so try a few.
port=
for try in 1 2 3 4 5; do
	p=$(shuf -i 20000-32000 -n 1)
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
	cat >"$tmp/ctl" <<CTL
#!/usr/bin/env bash
# stop|start the throwaway cluster
case "\$1" in
stop) exec ${as_owner[*]} "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null ;;
start) exec ${as_owner[*]} "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \\
	-o "-p $p -k $tmp/sock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null ;;
*) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CTL
	chmod +x "$tmp/ctl"
	if "$tmp/ctl" start; then port=$p; break; fi
done
[ -n "$port" ] || { cat "$tmp/log" >&2; echo "with-postgres.sh: could not start PostgreSQL" >&2; exit 1; }

export GRAPHC_TEST_POSTGRES="postgres://graphc@127.0.0.1:$port/postgres?sslmode=disable"
export GRAPHC_TEST_POSTGRES_CTL="$tmp/ctl"
echo "with-postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
status=0
"$@" || status=$?
exit $status
