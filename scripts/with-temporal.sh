#!/usr/bin/env bash
# with-temporal.sh CMD [ARGS...]: runs CMD with a throwaway Temporal server on
# 127.0.0.1 (temporal/server: one process, in-memory SQLite, namespace
# "default"), for the end-to-end tests of issue 16:
#   GRAPHC_TEST_TEMPORAL  the server's frontend, 127.0.0.1:PORT
# The server binary is built once per version of temporal/server (minutes
# cold) and kept in ${XDG_CACHE_HOME:-$HOME/.cache}/graphc/, keyed by a hash of
# that module's go.mod, go.sum and sources. The server is stopped and its
# temporary directory removed however CMD ends; CMD's exit status is the
# script's.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mod=$root/temporal/server
key=$(cat "$mod/go.mod" "$mod/go.sum" "$mod"/*.go | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/graphc
bin=$cache/temporalserver-$key
if [ ! -x "$bin" ]; then
	mkdir -p "$cache"
	echo "with-temporal.sh: building the Temporal server into $bin (minutes when the build cache is cold)" >&2
	start=$(date +%s)
	(cd "$mod" && go build -trimpath -o "$bin.$$.tmp" .)
	mv "$bin.$$.tmp" "$bin"
	echo "with-temporal.sh: built in $(($(date +%s) - start)) s" >&2
	# Older builds are of no further use.
	find "$cache" -maxdepth 1 -name 'temporalserver-*' ! -name "temporalserver-$key" -delete
fi

tmp=$(mktemp -d /tmp/graphc-temporal.XXXXXX)
pid=
stop() {
	if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
		# A clean stop takes a few seconds; past 30, kill it.
		for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The server picks its own free ports; another process may take one between
# the pick and the bind, so try a few times.
addr=
for try in 1 2 3; do
	: >"$tmp/out" # before the server's shell opens it, so that sed finds it
	"$bin" >"$tmp/out" 2>"$tmp/log" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		addr=$(sed -n 's/^temporalserver: ready //p' "$tmp/out")
		[ -n "$addr" ] && break 2
		sleep 0.1
	done
	wait "$pid" 2>/dev/null || true
	pid=
	echo "with-temporal.sh: the server exited before it was ready (try $try):" >&2
	tail -n 20 "$tmp/log" >&2
done
[ -n "$addr" ] || { echo "with-temporal.sh: could not start the Temporal server" >&2; exit 1; }

export GRAPHC_TEST_TEMPORAL=$addr
echo "with-temporal.sh: Temporal server $(basename "$bin") on $addr" >&2
status=0
"$@" || status=$?
exit $status
