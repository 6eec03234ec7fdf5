#!/bin/bash
# The fleet report server's figures (docs/PERFORMANCE.md, "Fleet report server"): 10,000
# enrolled nodes (written into the database directly: enrolment is not what is measured),
# then signed reports driven at `tuxtape-backend serve` on 127.0.0.1 by tests/tools/fleet-load
# over keep-alive connections, each report a signature check and its own SQLite transaction.
# The load generator runs on the same cores as the server. Prints reports/s per round and
# the server's peak RSS (VmHWM).
# Usage: bench/serve.sh  (BIN=build dir; NODES, REPORTS, CONNS, ROUNDS)
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-$PWD/build}
NODES=${NODES:-10000} REPORTS=${REPORTS:-40000} CONNS=${CONNS:-8} ROUNDS=${ROUNDS:-3}
W=$(mktemp -d /tmp/tuxtape-servebench.XXXXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
export TUXTAPE_DB=$W/fleet.db
unset TUXTAPE_CONFIG
[ -x "$BIN/tests/tools/fleet-load" ] || make -s --no-print-directory O="$BIN" "$BIN/tests/tools/fleet-load"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); db on $(df --output=fstype "$W" | tail -1)"
"$BIN/tuxtape-backend" fleet tokens >/dev/null  # creates the schema
"$BIN/tests/tools/fleet-load" --ids "$NODES" |
	awk -v now="$(date +%s)" 'BEGIN { print "BEGIN;" }
		{ printf "INSERT INTO fleet_node(id, public_key, enrolled) VALUES (\x27%s\x27, X\x27%s\x27, %d);\n", $1, $1, now }
		END { print "COMMIT;" }' | sqlite3 "$TUXTAPE_DB"
echo "nodes enrolled: $(sqlite3 "$TUXTAPE_DB" 'SELECT count(*) FROM fleet_node')"

# one address sends it all here: the per-address limit is lifted
printf '[serve]\nrate = 1000000\nburst = 1000000\n' >"$W/serve.conf"
"$BIN/tuxtape-backend" serve --config "$W/serve.conf" --listen 127.0.0.1:0 --port-file "$W/port" 2>"$W/serve.log" &
server=$!
for _ in $(seq 200); do [ -s "$W/port" ] && break; sleep 0.05; done
PORT=$(cat "$W/port")
per=$(( (REPORTS + NODES - 1) / NODES ))
for round in $(seq "$ROUNDS"); do
	printf 'round %d: %d reports, %d connections: ' "$round" "$REPORTS" "$CONNS"
	"$BIN/tests/tools/fleet-load" "$PORT" "$NODES" "$REPORTS" "$CONNS" $(( (round - 1) * per + 1 ))
done
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$server/status)"
echo "stored: $(sqlite3 "$TUXTAPE_DB" 'SELECT count(*) FROM fleet_report') reports, db $(du -sh "$W" | cut -f1)"
kill -TERM $server
wait $server
server=
