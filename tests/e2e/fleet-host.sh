#!/bin/bash
# The host's half of the fleet scenarios (fleet-canary, fleet-stable): the backend as a site
# runs it. `tuxtape-backend serve` takes the nodes' enrolments and reports and serves the
# archive; a driver plays cron, running `tuxtape-backend run` (the rollout pass) every few
# seconds, and publishes the next patch once the first has reached stable.
#
#   fleet-host.sh setup W BIN MODS   archive, serve, tokens, v1 (tt_lp_good) in canary; the
#                                    guests read fleet.url and fleet-*.token from W/www/
#   fleet-host.sh drive W BIN MODS   the cron loop (until killed); W/www/fleet.state says
#                                    how far it got: good, warns, revoked
#   fleet-host.sh check W BIN        the host-side checks, once the guests have ended
set -uo pipefail
cmd=$1 W=$2 BIN=$3 MODS=${4:-}
F=$W/fleet
export TUXTAPE_CONFIG=$F/backend.conf TUXTAPE_DB=$F/backend.db
B=$BIN/tuxtape-backend
KREL_FILE=$F/krel

log() { echo "$(date +%T) $*" >>"$F/driver.log"; }
rollout_status() { sqlite3 -cmd ".timeout 5000" "$TUXTAPE_DB" "SELECT status FROM fleet_rollout WHERE patch_id = '$1'" 2>/dev/null; }

case $cmd in
setup)
	krel=$5
	mkdir -p "$F" "$W/www" "$MODS/trust"
	echo "$krel" >"$KREL_FILE"
	cat >"$TUXTAPE_CONFIG" <<EOF
[backend]
db = $TUXTAPE_DB
[pipeline]
archive = $F/archive
[fleet]
channels = canary stable
promote-nodes = 1
promote-after = 3s
revoke-failures = 1
[serve]
archive = $F/archive
EOF
	"$B" archive init "$F/archive" >/dev/null || exit 1
	cp "$F/archive/metadata/1.root.json" "$MODS/trust/fleet.json"
	"$B" archive publish "$F/archive" "$MODS/tt_lp_good.ko" --kernel "$krel" --series fleet-e2e \
		--patch-id fleet-good --cve CVE-2000-0001 --rollout e2e >/dev/null || exit 1
	# the guests reach the host's 127.0.0.1 as 10.0.2.2 (QEMU user networking)
	"$B" serve --listen 127.0.0.1:0 --port-file "$F/port" >"$F/serve.log" 2>&1 &
	echo $! >"$F/serve.pid"
	for _ in $(seq 600); do [ -s "$F/port" ] && break; kill -0 "$(cat "$F/serve.pid")" 2>/dev/null || break; sleep 0.1; done
	[ -s "$F/port" ] || { echo "serve did not start: $(tail -1 "$F/serve.log")" >&2; exit 1; }
	echo "http://10.0.2.2:$(cat "$F/port")" >"$W/www/fleet.url"
	for n in canary stable; do
		"$B" fleet token --note "e2e $n node" --json | jq -r .token >"$W/www/fleet-$n.token" || exit 1
	done
	echo good >"$W/www/fleet.state"
	;;
drive)
	# cron, quickened: each pass promotes or revokes on the reports received so far
	krel=$(cat "$KREL_FILE")
	while :; do
		"$B" run --json >"$F/run.json" 2>>"$F/run.err" && jq -c '.steps[] | select(.name == "rollout") | .actions[]' "$F/run.json" 2>/dev/null | while read -r a; do log "run: $a"; done
		if [ "$(cat "$W/www/fleet.state")" = good ] && [ "$(rollout_status fleet-good)" = done ]; then
			if "$B" archive publish "$F/archive" "$MODS/tt_lp_warns.ko" --kernel "$krel" \
				--series fleet-e2e --patch-id fleet-warns --cve CVE-2000-0002 --rollout e2e >>"$F/driver.log" 2>&1; then
				log "published fleet-warns to canary"
				echo warns >"$W/www/fleet.state"
			fi
		fi
		if [ "$(cat "$W/www/fleet.state")" = warns ] && [ "$(rollout_status fleet-warns)" = revoked ]; then
			log "fleet-warns revoked"
			echo revoked >"$W/www/fleet.state"
		fi
		sleep 2
	done
	;;
check)
	ok() { echo "ok - $1"; }
	not_ok() { echo "not ok - $1"; }
	check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
	q() { sqlite3 -cmd ".timeout 5000" "$TUXTAPE_DB" "$@"; }
	jqq() { jq -e "$@" >/dev/null; }
	"$B" fleet nodes --json >"$F/nodes.json" 2>"$F/nodes.err"
	"$B" fleet patches --json >"$F/patches.json" 2>"$F/patches.err"
	canary=$(jq -r '[.. | objects | select(.channel? == "canary" and .id?)][0].id // empty' "$F/nodes.json")
	stable=$(jq -r '[.. | objects | select(.channel? == "stable" and .id?)][0].id // empty' "$F/nodes.json")
	check "two nodes enrolled and reporting, one per channel" test -n "$canary" -a -n "$stable"
	check "fleet-good was promoted to stable by the policy" \
		test "$(q "SELECT count(*) FROM fleet_action WHERE patch_id = 'fleet-good' AND action = 'promote' AND channel = 'stable' AND actor = 'policy'")" = 1
	check "the canary node reported fleet-good applied" \
		test "$(q "SELECT count(*) FROM fleet_patch WHERE node = '$canary' AND patch_id = 'fleet-good' AND state = 'applied'")" = 1
	check "the stable node reported fleet-good applied" \
		test "$(q "SELECT count(*) FROM fleet_patch WHERE node = '$stable' AND patch_id = 'fleet-good' AND state = 'applied'")" = 1
	check "the canary node reported fleet-warns quarantined on strong evidence" \
		test "$(q "SELECT count(*) FROM fleet_patch WHERE node = '$canary' AND patch_id = 'fleet-warns' AND state = 'quarantined' AND json_extract(evidence, '\$.strength') = 'strong'")" = 1
	check "the pipeline's run revoked fleet-warns on that evidence" \
		test "$(q "SELECT count(*) FROM fleet_action WHERE patch_id = 'fleet-warns' AND action = 'revoke' AND actor = 'policy'")" = 1
	check "the archive lists fleet-warns revoked" \
		jqq '.signed["x-tuxtape-revoked"][] | select(.patch_id == "fleet-warns")' \
		"$(ls -v "$F"/archive/metadata/*.targets.json | tail -1)"
	check "the stable node never had fleet-warns" \
		test "$(q "SELECT count(*) FROM fleet_patch WHERE node = '$stable' AND patch_id = 'fleet-warns'")" = 0
	check "the kernel's publication is held" test "$(q "SELECT patch_id FROM fleet_hold WHERE kernel = 'e2e'")" = fleet-warns
	check "fleet patches --json: fleet-warns revoked, with the conviction's title" \
		jqq '[.. | objects | select(.id? == "fleet-warns" and has("convictions"))][0] | .rollout.status == "revoked" and (.convictions[0].title | test("WARNING"))' \
		"$F/patches.json"
	"$B" fleet patches >"$F/patches.txt" 2>&1
	check "fleet patches (text) names the conviction" grep -q "WARNING" "$F/patches.txt"
	sed 's/^/# fleet-host: /' "$F/driver.log" 2>/dev/null | tail -8
	;;
*)
	echo "usage: fleet-host.sh setup|drive|check W BIN [MODS KREL]" >&2
	exit 2
	;;
esac
