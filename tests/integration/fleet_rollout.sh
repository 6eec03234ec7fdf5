#!/bin/bash
# The fleet's rollout policy as `tuxtape-backend run` applies it, and its manual verbs: a
# cumulative livepatch moves from canary to stable once enough fresh nodes on canary ran it
# long enough, is revoked on strong evidence or too many failures (the series' previous target
# serves the channel again, the kernel is held, the fixes it added are refused and queued), and
# an action a crash cut short between the archive and the database is completed by the next run.
# The nodes' last reports are written into the database as `serve` stores them (fleet_serve.sh
# and the e2e fleet scenario cover the reports' way in).
. "$(dirname "$0")/lib.sh"

A=$WORK/archive
DB=$WORK/backend.db
REL=6.1.0-56-amd64
NOW=$(date +%s)
fake_ko() { # out name
	local d
	d=$(mktemp -d "$WORK/ko.XXXXXX")
	printf '%s\0' livepatch=Y "name=$2" >"$d/modinfo"
	printf '\0%.0s' $(seq 64) >"$d/this_module"
	echo 'int tuxtape_test_symbol;' | cc -c -x c - -o "$d/m.o"
	objcopy --add-section .modinfo="$d/modinfo" --add-section .gnu.linkonce.this_module="$d/this_module" \
		"$d/m.o" "$1"
}
cat >"$WORK/backend.conf" <<EOF
[backend]
db = $DB
[pipeline]
archive = $A
[fleet]
promote-nodes = 2
promote-after = 60
revoke-failures = 1
EOF
export TUXTAPE_CONFIG=$WORK/backend.conf TUXTAPE_DB=$DB
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }
channels() { # patch-id: the channels its target is offered in, or "gone"
	jq -r --arg p "$1" '[.signed.targets[] | select(.custom.patch_id == $p) | .custom.channels | join(",")] | if length == 0 then "gone" else .[0] end' \
		"$(ls -v "$A"/metadata/*.targets.json | tail -1)"
}
publish() { # n: cumulative-k-N to canary, as the pipeline does
	fake_ko "$WORK/livepatch_cumulative_k_$1.ko" "livepatch_cumulative_k_$1"
	"$BACKEND" archive publish "$A" "$WORK/livepatch_cumulative_k_$1.ko" --kernel $REL \
		--series cumulative-k --channel canary --patch-id "cumulative-k-$1" >/dev/null || return 1
	q "INSERT INTO fleet_rollout(patch_id, kernel, series, release, target, channel, status, since, updated)
	   VALUES ('cumulative-k-$1', 'k', 'cumulative-k', '$REL', '$REL/livepatch_cumulative_k_$1.ko', 'canary', 'rolling', $NOW, $NOW);
	   INSERT INTO pipeline_cumulative VALUES ('k', $1, 'cumulative-k-$1', '$2', '$REL/livepatch_cumulative_k_$1.ko', NULL, $NOW);"
}
node() { # id channel [last-report-age]
	q "INSERT OR REPLACE INTO fleet_node(id, public_key, hostname, enrolled, last_seq, last_report, channel, interval)
	   VALUES ('$1', x'00', 'host-$1', $NOW, 1, $((NOW - ${3:-0})), '$2', 3600)"
}
patch_state() { # node patch state age [evidence-json]
	q "INSERT OR REPLACE INTO fleet_patch(node, patch_id, version, state, since, channel, evidence, updated)
	   VALUES ('$1', '$2', 1, '$3', $((NOW - $4)), NULL, $(if [ -n "${5:-}" ]; then printf "'%s'" "$5"; else echo NULL; fi), $NOW)"
}
run() { "$BACKEND" run --json >"$WORK/run.json" 2>"$WORK/run.err"; }

expect_exit "archive init" 0 "$BACKEND" archive init "$A"
expect_exit "the database" 0 "$BACKEND" gauge --db "$DB"
q "INSERT INTO pipeline_attempt VALUES ('k', 'CVE-2026-0001', 'f1', 1, 'vetted', NULL, NULL, 1, 'p1', 1, $NOW),
                                       ('k', 'CVE-2026-0002', 'f2', 1, 'vetted', NULL, NULL, 2, 'p2', 1, $NOW)"
check "publish v1 to canary" publish 1 CVE-2026-0001
expect_eq "v1 is offered in canary only" canary "$(channels cumulative-k-1)"

node n1 canary
patch_state n1 cumulative-k-1 applied 3600
check "a run with one healthy node" run
expect_eq "  ... does not promote (2 needed)" canary "$(channels cumulative-k-1)"
node n2 canary
patch_state n2 cumulative-k-1 applied 10
run
expect_eq "a node that ran it for less than promote-after does not count" canary "$(channels cumulative-k-1)"
patch_state n2 cumulative-k-1 applied 3600
node n2 canary $((3 * 3600))
run
expect_eq "a stale node does not count" canary "$(channels cumulative-k-1)"
node n3 stable
patch_state n3 cumulative-k-1 applied 3600
run
expect_eq "a node on another channel does not count" canary "$(channels cumulative-k-1)"
node n2 canary
run
expect_eq "two fresh canary nodes for long enough: promoted to stable" canary,stable "$(channels cumulative-k-1)"
expect_eq "  ... the run says so" promote "$(jq -r '.steps[] | select(.name == "rollout") | .actions[0].action' "$WORK/run.json")"
check "  ... in its summary" grep -q "1 promoted" <(jq -r .summary "$WORK/run.json")
expect_eq "  ... recorded done on the last channel" "stable done" "$(q "SELECT channel || ' ' || status FROM fleet_rollout WHERE patch_id = 'cumulative-k-1'")"
expect_eq "  ... logged by the policy" "promote stable policy" "$(q "SELECT action, channel, actor FROM fleet_action WHERE action = 'promote'" | tr '|' ' ')"

check "publish v2 to canary" publish 2 CVE-2026-0001,CVE-2026-0002
expect_eq "v2 takes canary from v1" "canary stable" "$(channels cumulative-k-2) $(channels cumulative-k-1)"
patch_state n1 cumulative-k-2 quarantined 100 '{"type":"WARNING","title":"WARNING in tt_warn","strength":"weak"}'
run
expect_eq "one weak-evidence quarantine (failures 1, not more than 1) does not revoke" canary "$(channels cumulative-k-2)"
patch_state n2 cumulative-k-2 quarantined 50 '{"type":"WARNING","title":"WARNING in tt_warn","strength":"strong"}'
run
expect_eq "a strong-evidence quarantine revokes" gone "$(channels cumulative-k-2)"
check "  ... listed revoked for the nodes" jq -e >/dev/null '.signed["x-tuxtape-revoked"][] | select(.patch_id == "cumulative-k-2")' "$(ls -v "$A"/metadata/*.targets.json | tail -1)"
expect_eq "  ... v1 serves canary again" stable,canary "$(channels cumulative-k-1)"
expect_eq "  ... the kernel is held" cumulative-k-2 "$(q "SELECT patch_id FROM fleet_hold WHERE kernel = 'k'")"
expect_eq "  ... the fix v2 added is refused, v1's stays" "CVE-2026-0001 vetted CVE-2026-0002 refused" \
	"$(q "SELECT cve_id, outcome FROM pipeline_attempt ORDER BY cve_id" | tr '|\n' '  ' | sed 's/ $//')"
check "  ... and queued for a person with the nodes' evidence" test "$(q "SELECT count(*) FROM gen_failure WHERE cve_id = 'CVE-2026-0002' AND step = 'fleet' AND report LIKE '%WARNING in tt_warn%'")" = 1
expect_eq "  ... the run says why" revoke "$(jq -r '.steps[] | select(.name == "rollout") | .actions[0].action' "$WORK/run.json")"
expect_exit "fleet rollouts --json" 0 "$BACKEND" fleet rollouts --json
check "  ... lists the held kernel" jq -e >/dev/null '.held[0].kernel == "k"' "$WORK/last.out"

# the verbs
expect_exit "promote needs a reason" 2 "$BACKEND" fleet promote cumulative-k-1
expect_exit "an unknown patch" 2 "$BACKEND" fleet promote nosuch --reason x
expect_exit "promote past the last channel: nothing to do" 5 "$BACKEND" fleet promote cumulative-k-1 --reason x
expect_exit "a revoked patch cannot be promoted" 2 "$BACKEND" fleet promote cumulative-k-2 --reason x
expect_exit "revoking twice: nothing to do" 5 "$BACKEND" fleet revoke cumulative-k-2 --reason x
expect_exit "release the kernel" 0 "$BACKEND" fleet release k --reason "fixed CVE-2026-0002 by hand"
expect_eq "  ... the hold is gone" 0 "$(q "SELECT count(*) FROM fleet_hold")"
expect_exit "  ... releasing again: nothing to do" 5 "$BACKEND" fleet release cumulative-k-2 --reason x
expect_eq "  ... logged with who and why" "release fixed CVE-2026-0002 by hand" \
	"$(q "SELECT action, reason FROM fleet_action WHERE action = 'release'" | tr '|' ' ')"

check "publish v3 to canary" publish 3 CVE-2026-0001,CVE-2026-0003
expect_exit "hold v3" 0 "$BACKEND" fleet hold cumulative-k-3 --reason "wait for the weekend"
patch_state n1 cumulative-k-3 applied 3600
patch_state n2 cumulative-k-3 applied 3600
run
expect_eq "a held patch is not promoted" canary "$(channels cumulative-k-3)"
expect_exit "promote it by hand" 0 "$BACKEND" fleet promote cumulative-k-3 --reason "tested in the lab"
expect_eq "  ... v3 in both channels, v1 gone" "canary,stable gone" "$(channels cumulative-k-3) $(channels cumulative-k-1)"
expect_eq "  ... v1 superseded" superseded "$(q "SELECT status FROM fleet_rollout WHERE patch_id = 'cumulative-k-1'")"

# too many failures, and a crash between the archive's revoke and the database
check "publish v4 to canary" publish 4 CVE-2026-0001,CVE-2026-0003,CVE-2026-0004
patch_state n1 cumulative-k-4 stalled 100
patch_state n2 cumulative-k-4 failed 100
"$BACKEND" archive revoke "$A" cumulative-k-4 >/dev/null
run
expect_eq "two nodes stalled or failed (more than 1): revoked, the archive's earlier revoke completed" \
	"revoked" "$(q "SELECT status FROM fleet_rollout WHERE patch_id = 'cumulative-k-4'")"
check "  ... the reason counts the nodes" grep -q "on 2 node(s)" <(q "SELECT reason FROM fleet_rollout WHERE patch_id = 'cumulative-k-4'")
expect_eq "  ... v3 serves stable and canary again" stable,canary "$(channels cumulative-k-3)"
expect_exit "bad [fleet] channels" 2 env TUXTAPE_CONFIG=/dev/null "$BACKEND" fleet rollouts --config <(printf '[fleet]\nchannels = canary canary\n')

# a patch published by hand joins the rollout too
fake_ko "$WORK/livepatch_hand.ko" livepatch_hand
expect_exit "archive publish --rollout" 0 "$BACKEND" archive publish "$A" "$WORK/livepatch_hand.ko" \
	--kernel $REL --series hand --patch-id hand-1 --rollout hand-kernel
expect_eq "  ... rolls out from the first channel" "canary rolling hand-kernel" \
	"$(q "SELECT channel, status, kernel FROM fleet_rollout WHERE patch_id = 'hand-1'" | tr '|' ' ')"
expect_eq "  ... offered in canary" canary "$(channels hand-1)"
expect_exit "--rollout needs --series" 2 "$BACKEND" archive publish "$A" "$WORK/livepatch_hand.ko" \
	--kernel $REL --patch-id hand-2 --rollout hand-kernel
expect_exit "--rollout starts in the first channel only" 2 "$BACKEND" archive publish "$A" \
	"$WORK/livepatch_hand.ko" --kernel $REL --series hand --patch-id hand-2 --rollout hand-kernel --channel stable
