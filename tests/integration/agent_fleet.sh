#!/bin/bash
# The node's side of the fleet (docs/FLEET.md) against the real `tuxtape-backend serve` on
# 127.0.0.1 and its database: enrolment with agentctl (a bad token refused, a good one
# taken), signed reports accepted in seq order, the server down while the agent changes
# patch states and is restarted (SIGTERM and SIGKILL) then back: every queued report
# delivered once and in order (the server's fleet_report holds 1..N, no gap, no double); a
# corrupt queue file and reports refused for good (revoked key) dropped and logged; the
# queue's bound of 1,000 reports. The agent runs against a fake node root, without archive.
. "$(dirname "$0")/lib.sh"

export TUXTAPE_DB=$WORK/fleet.db
REL=6.1.0-99-fake
R=$WORK/root
ST=$WORK/state
SOCK=$WORK/run/agent.sock
mkdir -p "$R/proc/sys/kernel/random" "$R/etc" "$R/sys/kernel/livepatch"
echo "$REL" >"$R/proc/sys/kernel/osrelease"
echo "11111111-2222-3333-4444-555555555555" >"$R/proc/sys/kernel/random/boot_id"
echo "0123456789abcdef0123456789abcdef" >"$R/etc/machine-id"
echo "4242.17 100.0" >"$R/proc/uptime"
echo 512 >"$R/proc/sys/kernel/tainted"

SERVER_PID= AGENT_PID= PORT=
trap 'kill $AGENT_PID $SERVER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; exit $T_FAILED' EXIT

# start_server [PORT]: on a free port the first time, then on the same one (the node keeps
# the URL it enrolled with)
start_server() {
	rm -f "$WORK/port"
	"$BACKEND" serve --listen "127.0.0.1:${1:-0}" --port-file "$WORK/port" 2>>"$WORK/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 200); do
		[ -s "$WORK/port" ] && break
		kill -0 $SERVER_PID 2>/dev/null || break
		sleep 0.05
	done
	PORT=$(cat "$WORK/port" 2>/dev/null)
}
stop_server() { kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; SERVER_PID=; }
conf() { # [extra lines]
	cat >"$WORK/agent.conf" <<CONF
[agent]
refresh-interval = 1h
refresh-jitter = 0
healthy-window = 2
[watch]
enabled = no
$*
[paths]
root = $R
state-dir = $ST
socket = $SOCK
CONF
}
start_agent() {
	rm -f "$SOCK"      # a killed agent leaves its socket behind
	"$BIN/tuxtape-agent" -c "$WORK/agent.conf" >>"$WORK/agent.log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 200); do [ -S "$SOCK" ] && break; sleep 0.05; done
}
stop_agent() { kill "${1:--TERM}" "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=; }
ctl() { "$BIN/agentctl" -s "$SOCK" "$@"; }
fleet() { ctl status --json | jq -r ".fleet$1"; }
# wait_for SECONDS CMD...: polls CMD until it succeeds
wait_for() {
	local limit=$(($1 * 10)); shift
	for _ in $(seq $limit); do "$@" && return 0; sleep 0.1; done
	return 1
}
server_seqs() { sqlite3 "$TUXTAPE_DB" "SELECT group_concat(seq, ' ') FROM (SELECT seq FROM fleet_report WHERE node = '$NODE' ORDER BY seq)"; }
agent_seq() { sqlite3 "$ST/agent.db" "SELECT value FROM meta WHERE key = 'fleet-seq'"; }
queued() { [ "$(fleet .queued)" = "$1" ]; }
# waiting: the reports made since seq $1 wait in the queue
waiting_since() { [ "$(fleet .queued)" = $(($(agent_seq) - $1)) ] && [ "$(agent_seq)" -gt "$1" ]; }
# the queued report of an event: its file
queued_report() { grep -l "\"event\":\"$1\"" "$ST"/reports/*.json | head -1; }

start_server
check "serve listens" test -n "$PORT"
URL=http://127.0.0.1:$PORT

# not enrolled: no report is queued, status says so
conf
start_agent
NODE=$(fleet .node)
check "the node id is the hex of an Ed25519 public key" grep -qE '^[0-9a-f]{64}$' <<<"$NODE"
check "its secret key is STATE/node.key, 64 bytes, mode 0600" \
	[ "$(stat -c '%s %a' "$ST/node.key")" = "64 600" ]
check "not enrolled, nothing queued" [ "$(fleet .enrolled)/$(fleet .queued)" = false/0 ]
check "status shows the node id" sh -c "'$BIN/agentctl' -s '$SOCK' status | grep -q 'node id:   $NODE'"

ctl enroll "$URL" --token not-a-token >/dev/null 2>"$WORK/err"
rc=$?
check "enroll with an unknown token: exit 4 with the server's refusal" \
	sh -c "[ $rc = 4 ] && grep -q 'HTTP 403' '$WORK/err'"
ctl enroll "$URL" 2>/dev/null
check "enroll without --token is a usage error (64)" [ $? = 64 ]
ctl enroll ftp://x --token t 2>/dev/null
check "enroll of a non-http URL is a usage error (64)" [ $? = 64 ]
ctl enroll "$URL" --token t --token-file /dev/null 2>/dev/null
check "enroll with both --token and --token-file is a usage error (64)" [ $? = 64 ]
ctl enroll "$URL" --token-file "$WORK/no-such-file" 2>/dev/null
check "enroll with a missing --token-file is a usage error (64)" [ $? = 64 ]
TOKEN=$("$BACKEND" fleet token --note agent_fleet | tail -1)
# the token from a file (not on the command line, where ps shows it), its newline dropped
printf '%s\n' "$TOKEN" >"$WORK/token"
ctl enroll "$URL" --token-file "$WORK/token" >"$WORK/out" 2>"$WORK/err"
check "enroll with the operator's token" grep -q "enrolled with $URL as node $NODE" "$WORK/out"
check "status: enrolled, with the URL" [ "$(fleet .enrolled) $(fleet .url)" = "true $URL" ]
check "the server knows the node" sh -c "'$BACKEND' fleet nodes --json | jq -e --arg n '$NODE' 'map(.node // .id) | index(\$n) != null' >/dev/null"
check "the enrolled report is delivered" wait_for 10 queued 0
expect_eq "the server's fleet_report holds it" "1" "$(server_seqs)"
check "status: the last report, accepted" \
	[ "$(fleet '.last_report | "\(.seq) \(.event) \(.status)"')" = "1 enrolled 200" ]
check "agentctl status prints it" sh -c "'$BIN/agentctl' -s '$SOCK' status | grep -q 'last report sent: seq 1 (enrolled, .*): accepted'"

# a restart reports "start" (and the refresh at start: without an archive, a report alone);
# the server's last seq moves on
stop_agent
start_agent
check "a start report after a restart, delivered" wait_for 10 sh -c "'$BIN/agentctl' -s '$SOCK' events | grep -q 'started' && [ \"\$('$BIN/agentctl' -s '$SOCK' status --json | jq .fleet.queued)\" = 0 ] && [ \"\$(sqlite3 '$ST/agent.db' \"SELECT value FROM meta WHERE key = 'fleet-seq'\")\" -ge 2 ]"
wait_for 10 queued 0
expect_eq "fleet_report: 1 to the agent's seq" "$(seq -s ' ' 1 "$(agent_seq)")" "$(server_seqs)"
check "the second is the start report" [ "$(sqlite3 "$TUXTAPE_DB" "SELECT event FROM fleet_report WHERE node = '$NODE' AND seq = 2")" = start ]
expect_eq "the server's node: the last report's kernel, channel, uptime" "$REL stable" \
	"$("$BACKEND" fleet node "$NODE" --json | jq -r '[.kernel // .last_report.kernel.release // .release, .channel] | join(" ")')"

# the server down: patch state changes (the crash guard quarantines, reconcile reverts)
# and restarts, one by SIGKILL; reports wait in the queue, in files
stop_server
now=$(date +%s)
stop_agent
D=$(agent_seq)
sqlite3 "$ST/agent.db" "
INSERT INTO patches (id, module, target, kernel_release, cves, state, reason, version, since, boot_id)
  VALUES ('lp-crashed', 'lp_crashed', '$REL/lp_crashed.ko', '$REL', '[]', 'applying', 'loading', 1, $now, 'old-boot');
INSERT INTO applying VALUES ('lp-crashed', 'old-boot', $now);"
start_agent
check "while the server is down the reports wait (start, quarantined)" wait_for 10 waiting_since "$D"
check "the delivery error is shown" [ "$(fleet ".last_error | test(\"report $((D + 1)): \")")" = true ]
check "the queue is files, SEQ.json" test -f "$ST/reports/$((D + 1)).json"
Q=$(queued_report quarantined)
check "the quarantine is reported" test -n "$Q"
check "each signed: 128 hex digits, then the body" \
	sh -c "head -1 '$Q' | grep -qE '^[0-9a-f]{128}\$'"
bodyq=$(tail -n +2 "$Q")
check "the quarantined report: the patch with its state and the crash guard's reason" \
	[ "$(jq -r '.patches[] | select(.id == "lp-crashed") | .state + " " + (.reason | test("went down") | tostring)' <<<"$bodyq")" = "quarantined true" ]
check "the report: the node's uptime, taint, channel, interval, ids" \
	[ "$(jq -r '"\(.uptime) \(.taint) \(.channel) \(.interval) \(.machine_id) \(.kernel.release) \(.v)"' <<<"$bodyq")" = \
	  "4242 512 stable 3600 0123456789abcdef0123456789abcdef $REL 1" ]
stop_agent -KILL
sqlite3 "$ST/agent.db" "
INSERT INTO patches (id, module, target, kernel_release, cves, state, reason, version, since, boot_id)
  VALUES ('lp-gone', 'lp_gone', '$REL/lp_gone.ko', '$REL', '[]', 'applied', '', 1, $now,
          '11111111-2222-3333-4444-555555555555');"
start_agent
check "after SIGKILL and a restart: reverted queued too" wait_for 10 sh -c "grep -lq '\"event\":\"reverted\"' '$ST'/reports/*.json"
check "nothing was lost across the SIGKILL" wait_for 10 waiting_since "$D"
ctl unquarantine lp-crashed >/dev/null
stop_agent -KILL
start_agent
check "and after a second SIGKILL" wait_for 10 waiting_since "$D"
N=$(agent_seq)
start_server "$PORT"
check "the server is back on its port" test "$(cat "$WORK/port" 2>/dev/null)" = "$PORT"
# the agent retries after its backoff (15 s after one failure)
check "once the server is back every report is delivered" wait_for 60 queued 0
expect_eq "fleet_report: every seq once and in order, none missing" "$(seq -s ' ' 1 "$N")" "$(server_seqs)"
check "none was sent twice (the server refused nothing as replayed)" sh -c "! grep -q 'refused 409' '$WORK/serve.log'"
check "the agent logged the failure and the recovery" \
	sh -c "'$BIN/agentctl' -s '$SOCK' events | grep -q 'report-failed' && '$BIN/agentctl' -s '$SOCK' events | grep -q 'delivered again'"

# a corrupt queue file and a revoked key: dropped for good, logged
stop_agent
{ printf 'x%.0s' $(seq 128); printf '\n{}'; } >"$ST/reports/9000.json"
"$BACKEND" fleet node-revoke "$NODE" --reason "agent_fleet test" >/dev/null
start_agent
check "reports refused for good are dropped (queue empty)" wait_for 20 queued 0
ctl events >"$WORK/events"
check "the refusal is in the event log (HTTP 403)" grep -q "report-refused.*report $((N + 1)) refused by the server for good (HTTP 403)" "$WORK/events"
check "the corrupt file is dropped with the reason" grep -q "report 9000 in the queue is corrupt (the first line is not a 128-digit" "$WORK/events"
check "status: the last report was refused" [ "$(fleet .last_report.status)" = 403 ]
expect_eq "nothing more stored by the server" "$(seq -s ' ' 1 "$N")" "$(server_seqs)"

# the queue's bound: 1,000 reports, the oldest dropped first
stop_agent
stop_server
rm -f "$ST"/reports/*.json
sig=$(printf '0%.0s' $(seq 128))
# the node's own seqs go on above the 1,000 stand-ins
sqlite3 "$ST/agent.db" "UPDATE meta SET value = '5000' WHERE key = 'fleet-seq'"
for i in $(seq 1 1000); do printf '%s\n{"seq":%d}' "$sig" "$i" >"$ST/reports/$i.json"; done
start_agent
check "the queue holds at most 1,000 reports" wait_for 10 sh -c "[ \"\$(sqlite3 '$ST/agent.db' \"SELECT value FROM meta WHERE key = 'fleet-seq'\")\" -ge 5002 ]"
expect_eq "... counted by status" 1000 "$(fleet .queued)"
expect_eq "... on disk" 1000 "$(ls "$ST/reports" | grep -c '^[0-9]*\.json$')"
check "the oldest were dropped, first first" test ! -e "$ST/reports/1.json" -a ! -e "$ST/reports/2.json" -a -e "$ST/reports/3.json"
check "the newest is there" test -e "$ST/reports/$(agent_seq).json"
check "the drop is logged" sh -c "'$BIN/agentctl' -s '$SOCK' events | grep -q 'report-dropped.*dropped 1, seq 1 to 1'"
stop_agent

# configuration: [fleet] enrols at start; errors name file and line
rm -rf "$ST"
start_server "$PORT"
TOKEN=$("$BACKEND" fleet token | tail -1)
printf '%s\n' "$TOKEN" >"$WORK/token"
conf "[fleet]
url = $URL
token-file = $WORK/token"
start_agent
check "[fleet] url and token-file: enrolled at start" wait_for 10 sh -c "[ \"\$('$BIN/agentctl' -s '$SOCK' status --json | jq -r .fleet.enrolled)\" = true ]"
NODE=$(fleet .node)
check "its reports are delivered" wait_for 10 queued 0
# queued before the enrolment (the url is known), delivered after it
expect_eq "... all of them, start first, enrolled among them" "$(seq -s ' ' 1 "$(agent_seq)") start 1" \
	"$(server_seqs) $(sqlite3 "$TUXTAPE_DB" "SELECT event FROM fleet_report WHERE node = '$NODE' AND seq = 1") $(sqlite3 "$TUXTAPE_DB" "SELECT count(*) FROM fleet_report WHERE node = '$NODE' AND event = 'enrolled'")"
stop_agent
printf '[fleet]\nurl = gopher://x\n' >"$WORK/bad.conf"
"$BIN/tuxtape-agent" -c "$WORK/bad.conf" 2>"$WORK/err"
check "[fleet] url not http: refused with file:line" \
	sh -c "[ $? = 1 ] && grep -q 'bad.conf:2: url = .gopher://x. is not an http' '$WORK/err'"
printf '[fleet]\ntoken = a\ntoken-file = /etc/hostname\n' >"$WORK/bad.conf"
"$BIN/tuxtape-agent" -c "$WORK/bad.conf" 2>"$WORK/err"
check "[fleet] token and token-file both: refused" \
	sh -c "[ $? = 1 ] && grep -q 'bad.conf:3: \[fleet\] has both token and token-file' '$WORK/err'"
printf '[fleet]\ntoken = s3cret with space\n' >"$WORK/bad.conf"
"$BIN/tuxtape-agent" -c "$WORK/bad.conf" 2>"$WORK/err"
check "[fleet] bad token: refused without repeating it" \
	sh -c "[ $? = 1 ] && grep -q 'bad.conf:2: token is not valid' '$WORK/err' && ! grep -q s3cret '$WORK/err'"
check "the daemon still maps no libcurl" sh -c "! ldd '$BIN/tuxtape-agent' | grep -q libcurl"
