#!/bin/bash
# The fleet server as nodes meet it (docs/FLEET.md): the real `tuxtape-backend serve` on
# 127.0.0.1 (any free port) over a real database, signed requests from tests/tools/fleet-sign
# sent with curl. Enrolment, reports, every refusal (and that a refused request changed
# nothing in the database), the rate limit, the archive's static files, and what
# `fleet nodes|node|patches --json` make of the reports.
. "$(dirname "$0")/lib.sh"

SIGN=$BIN/tests/tools/fleet-sign
[ -x "$SIGN" ] || { not_ok "fleet-sign built ($SIGN: make unit-bins)"; exit 1; }
export TUXTAPE_DB=$WORK/fleet.db
A=$WORK/archive
mkdir -p "$A/metadata" "$A/targets/6.1.0-57-amd64" "$A/keys" "$WORK/outside"
echo '{"signed": {}}' >"$A/metadata/timestamp.json"
head -c 3000 /dev/urandom >"$A/targets/6.1.0-57-amd64/lp.ko"
echo secret >"$A/keys/root.key"
echo private >"$WORK/outside/secret"
ln -s "$WORK/outside/secret" "$A/targets/escape"
mkdir "$A/targets/dir"

SERVER_PID=
start_server() { # name [config]
	local name=$1 cfg=${2:-}
	rm -f "$WORK/$name.port"
	"$BACKEND" serve --listen 127.0.0.1:0 --port-file "$WORK/$name.port" --archive "$A" \
		${cfg:+--config "$cfg"} 2>"$WORK/$name.log" &
	SERVER_PID=$!
	for _ in $(seq 200); do
		[ -s "$WORK/$name.port" ] && break
		kill -0 $SERVER_PID 2>/dev/null || break
		sleep 0.05
	done
	PORT=$(cat "$WORK/$name.port" 2>/dev/null)
	URL=http://127.0.0.1:$PORT
}
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM $SERVER_PID 2>/dev/null
	wait $SERVER_PID
	local rc=$?
	SERVER_PID=
	return $rc
}
trap 'stop_server; rm -rf "$WORK"; exit $T_FAILED' EXIT

# post PATH KEY BODYFILE [NODE]: signs the body with KEY, sends it as NODE (default KEY's id);
# prints the status, the answer in $WORK/answer
post() {
	local path=$1 key=$2 body=$3 node=${4:-} sig
	[ -n "$node" ] || node=$("$SIGN" id "$key")
	sig=$("$SIGN" sign "$key" "$body")
	curl -s -o "$WORK/answer" -D "$WORK/headers" -w '%{http_code}' -X POST \
		-H "TuxTape-Node: $node" -H "TuxTape-Signature: $sig" \
		-H 'Content-Type: application/json' --data-binary "@$body" "$URL$path"
}
# report KEY SEQ [EXTRA-JQ]: writes a report body for KEY's node to $WORK/body.json
report() {
	local key=$1 seq=$2 extra=${3:-.} node
	node=$("$SIGN" id "$key")
	jq -cn --arg node "$node" --argjson seq "$seq" '{v: 1, node: $node, seq: $seq,
		time: 1765000000, event: "applied", machine_id: "0123456789abcdef0123456789abcdef",
		boot_id: "01234567-89ab-cdef-0123-456789abcdef", hostname: "web-17",
		kernel: {release: "6.1.0-57-amd64", build_id: "ab12"}, uptime: 86400,
		channel: "canary", interval: 3600, taint: 0,
		kmsg: {records: 12, reports: 0, dropped: 0},
		patches: [{id: "cumulative-deb12-3", version: 3, state: "applied",
			since: 1765000000, reason: "", target: "6.1.0-57-amd64/cumulative-deb12-3.ko"}],
		problems: []}' | jq -c "$extra" >"$WORK/body.json"
}
enroll_body() { # KEY TOKEN [NODE]
	local node=${3:-$("$SIGN" id "$1")}
	jq -cn --arg node "$node" --arg token "$2" '{v: 1, token: $token, node: $node,
		machine_id: "0123456789abcdef0123456789abcdef", hostname: "web-17", time: 1765000000}' \
		>"$WORK/enroll.json"
}
# the fleet tables' content, to show a refused request changed nothing
dbstate() {
	sqlite3 "$TUXTAPE_DB" "SELECT * FROM fleet_node; SELECT * FROM fleet_patch;
		SELECT * FROM fleet_report; SELECT * FROM fleet_token;" | md5sum
}
# refused NAME STATUS: the last answer had STATUS, an {"error"} and the db is unchanged
unchanged() {
	expect_eq "$1: nothing stored" "$BEFORE" "$(dbstate)"
}

expect_exit "fleet token" 0 "$BACKEND" fleet token --note "web-17"
TOKEN=$(cat "$WORK/last.out")
check "the token is 64 hex digits" grep -qE '^[0-9a-f]{64}$' <<<"$TOKEN"
check "the database keeps its SHA-256 only" test "$(sqlite3 "$TUXTAPE_DB" "SELECT hash FROM fleet_token")" = \
	"$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)"
expect_exit "fleet token --expires nonsense is a usage error" 2 "$BACKEND" fleet token --expires soon
expect_exit "fleet node-revoke without --reason is a usage error" 2 "$BACKEND" fleet node-revoke abc
expect_exit "fleet with an unknown verb is a usage error" 2 "$BACKEND" fleet frobnicate
expect_exit "serve --listen nonsense is a usage error" 2 "$BACKEND" serve --listen nowhere

start_server main
check "serve listens on a free port and says so" grep -q "listening on 127.0.0.1:$PORT" "$WORK/main.log"

"$SIGN" keygen "$WORK/a.key" >/dev/null
"$SIGN" keygen "$WORK/b.key" >/dev/null
"$SIGN" keygen "$WORK/c.key" >/dev/null
NODE_A=$("$SIGN" id "$WORK/a.key")
NODE_B=$("$SIGN" id "$WORK/b.key")

enroll_body "$WORK/a.key" "$TOKEN"
expect_eq "enrol: 201" 201 "$(post /v1/enroll "$WORK/a.key" "$WORK/enroll.json")"
expect_eq "  ... answering the node id" "$NODE_A" "$(jq -r .node "$WORK/answer")"
expect_eq "enrol again with the same key and token (a retry): 200" 200 \
	"$(post /v1/enroll "$WORK/a.key" "$WORK/enroll.json")"
BEFORE=$(dbstate)
enroll_body "$WORK/b.key" "$TOKEN"
expect_eq "the token used by another key: 403" 403 "$(post /v1/enroll "$WORK/b.key" "$WORK/enroll.json")"
check "  ... saying why" grep -q "already used" "$WORK/answer"
unchanged "token reuse"
expect_exit "an expired token" 0 "$BACKEND" fleet token --expires 1
OLD=$(cat "$WORK/last.out")
sqlite3 "$TUXTAPE_DB" "UPDATE fleet_token SET expires = created - 10 WHERE used IS NULL"
BEFORE=$(dbstate)
enroll_body "$WORK/b.key" "$OLD"
expect_eq "an expired token: 403" 403 "$(post /v1/enroll "$WORK/b.key" "$WORK/enroll.json")"
check "  ... saying so" grep -q "expired" "$WORK/answer"
unchanged "expired token"
enroll_body "$WORK/b.key" "0000"
expect_eq "an unknown token: 403" 403 "$(post /v1/enroll "$WORK/b.key" "$WORK/enroll.json")"
"$BACKEND" fleet token >"$WORK/token.b"
enroll_body "$WORK/b.key" "$(cat "$WORK/token.b")"
expect_eq "a second node enrols" 201 "$(post /v1/enroll "$WORK/b.key" "$WORK/enroll.json")"

report "$WORK/a.key" 1
expect_eq "report: 200" 200 "$(post /v1/reports "$WORK/a.key" "$WORK/body.json")"
expect_eq "  ... accepted 1" 1 "$(jq -r .accepted "$WORK/answer")"
expect_eq "  ... stored with its patch" "1|applied|canary" \
	"$(sqlite3 "$TUXTAPE_DB" "SELECT n.last_seq, p.state, p.channel FROM fleet_node n JOIN fleet_patch p ON p.node = n.id WHERE n.id = '$NODE_A'")"
report "$WORK/a.key" 5
expect_eq "a gap in the sequence is fine" 200 "$(post /v1/reports "$WORK/a.key" "$WORK/body.json")"

BEFORE=$(dbstate)
report "$WORK/a.key" 5
expect_eq "the same seq again: 409" 409 "$(post /v1/reports "$WORK/a.key" "$WORK/body.json")"
expect_eq "  ... replayed, with last_seq" "replayed 5" "$(jq -r '"\(.error) \(.last_seq)"' "$WORK/answer")"
unchanged "replay"
report "$WORK/a.key" 3
expect_eq "an older seq (out of order): 409" 409 "$(post /v1/reports "$WORK/a.key" "$WORK/body.json")"
unchanged "out of order"
report "$WORK/a.key" 6
sig=$("$SIGN" sign "$WORK/a.key" "$WORK/body.json")
forged=$(tr 0-9a-f 1-9a-f0 <<<"$sig")
expect_eq "a forged signature: 401" 401 "$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST \
	-H "TuxTape-Node: $NODE_A" -H "TuxTape-Signature: $forged" --data-binary @"$WORK/body.json" "$URL/v1/reports")"
unchanged "forged signature"
cp "$WORK/body.json" "$WORK/signed.json"
sed -i 's/web-17/web-18/' "$WORK/body.json"
expect_eq "a body changed after signing: 401" 401 "$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST \
	-H "TuxTape-Node: $NODE_A" -H "TuxTape-Signature: $sig" --data-binary @"$WORK/body.json" "$URL/v1/reports")"
unchanged "changed body"
expect_eq "no signature header: 400" 400 "$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST \
	-H "TuxTape-Node: $NODE_A" --data-binary @"$WORK/signed.json" "$URL/v1/reports")"
report "$WORK/c.key" 1
expect_eq "an unenrolled key: 403" 403 "$(post /v1/reports "$WORK/c.key" "$WORK/body.json")"
check "  ... saying so" grep -q "not enrolled" "$WORK/answer"
unchanged "unenrolled"
report "$WORK/b.key" 7 ".node = \"$NODE_A\""
expect_eq "a report for another node: 403" 403 "$(post /v1/reports "$WORK/b.key" "$WORK/body.json")"
unchanged "another node's report"
head -c 70000 /dev/zero | tr '\0' ' ' >"$WORK/big.json"
expect_eq "a body over 64 KiB: 413" 413 "$(post /v1/reports "$WORK/a.key" "$WORK/big.json")"
unchanged "oversize"
# the bound holds while the body is read too, when no length is announced
expect_eq "  ... and when it comes chunked" 413 "$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST \
	-H "TuxTape-Node: $NODE_A" -H "TuxTape-Signature: $sig" -H 'Transfer-Encoding: chunked' \
	--data-binary @"$WORK/big.json" "$URL/v1/reports")"
unchanged "oversize, chunked"
printf '{"v": 1, "node": ' >"$WORK/body.json"
expect_eq "malformed JSON: 400" 400 "$(post /v1/reports "$WORK/a.key" "$WORK/body.json")"
check "  ... saying it is not JSON" grep -q "not JSON" "$WORK/answer"
unchanged "malformed JSON"
bad_field() { # NAME JQ FIELD
	report "$WORK/a.key" 8 "$2"
	expect_eq "$1: 400" 400 "$(post /v1/reports "$WORK/a.key" "$WORK/body.json")"
	check "  ... naming $3" grep -qF "\"error\":\"$3" "$WORK/answer"
	unchanged "$1"
}
bad_field "a negative seq" '.seq = -1' "seq:"
bad_field "a string interval" '.interval = "1h"' "interval:"
bad_field "an unknown event" '.event = "exploded"' "event:"
bad_field "a patch in an unknown state" '.patches[0].state = "weird"' "patches[0].state:"
bad_field "a patch id over 128 bytes" ".patches[0].id = \"$(printf 'x%.0s' $(seq 129))\"" "patches[0].id:"
bad_field "257 patches" '.patches = [range(257) | {id: "p\(.)", version: 1, state: "applied"}]' "patches:"
bad_field "a problem that is not a string" '.problems = ["ok", 3]' "problems[1]:"
bad_field "a machine id that is not hex" '.machine_id = "xyz"' "machine_id:"
bad_field "evidence of unknown strength" '.patches[0].evidence = {type: "WARNING", title: "t", strength: "maybe"}' \
	"patches[0].evidence.strength:"
bad_field "an integer over 2^53" '.uptime = 9007199254740993' "uptime:"
bad_field "a missing kernel" 'del(.kernel)' "kernel:"

expect_exit "fleet node-revoke" 0 "$BACKEND" fleet node-revoke "$NODE_B" --reason "stolen laptop"
expect_exit "  ... twice is refused" 1 "$BACKEND" fleet node-revoke "$NODE_B" --reason again
expect_exit "  ... an unknown node is refused" 1 "$BACKEND" fleet node-revoke "$("$SIGN" id "$WORK/c.key")" --reason x
BEFORE=$(dbstate)
report "$WORK/b.key" 1
expect_eq "a revoked node's report: 403" 403 "$(post /v1/reports "$WORK/b.key" "$WORK/body.json")"
check "  ... saying so" grep -q "revoked" "$WORK/answer"
unchanged "revoked node"
"$BACKEND" fleet token >"$WORK/token.c"
enroll_body "$WORK/b.key" "$(cat "$WORK/token.c")"
expect_eq "a revoked node cannot enrol again: 403" 403 "$(post /v1/enroll "$WORK/b.key" "$WORK/enroll.json")"
check "every refusal is logged with the address and reason" \
	grep -q "127.0.0.1 node $NODE_B: refused 403: node $NODE_B is revoked" "$WORK/main.log"

# static files of the archive
expect_eq "GET an archive file" 200 "$(curl -s -o "$WORK/got" -w '%{http_code}' "$URL/targets/6.1.0-57-amd64/lp.ko")"
check "  ... its exact bytes" cmp -s "$WORK/got" "$A/targets/6.1.0-57-amd64/lp.ko"
expect_eq "HEAD gives its length" "3000" \
	"$(curl -s -I "$URL/targets/6.1.0-57-amd64/lp.ko" | tr -d '\r' | sed -n 's/^Content-Length: //Ip')"
expect_eq "a missing file: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/metadata/nope.json")"
expect_eq "a directory: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/targets/dir")"
expect_eq "a traversal with ..: 403" 403 "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$URL/targets/../keys/root.key")"
expect_eq "a symlink out of the archive: 403" 403 "$(curl -s -o "$WORK/got" -w '%{http_code}' "$URL/targets/escape")"
expect_eq "the keys are never served: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/keys/root.key")"
expect_eq "POST to a file: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metadata/timestamp.json")"

# what the fleet commands make of it: A applied; C enrolled and quarantining; B revoked
"$BACKEND" fleet token >"$WORK/token.d"
enroll_body "$WORK/c.key" "$(cat "$WORK/token.d")"
post /v1/enroll "$WORK/c.key" "$WORK/enroll.json" >/dev/null
NODE_C=$("$SIGN" id "$WORK/c.key")
report "$WORK/c.key" 1 '.channel = "canary" | .event = "quarantined" | .patches[0].state = "quarantined" |
	.patches[0].evidence = {type: "WARNING", title: "WARNING in foo_bar", strength: "strong", function: "foo_bar", time: 1765000001}'
expect_eq "a quarantine report: 200" 200 "$(post /v1/reports "$WORK/c.key" "$WORK/body.json")"
"$BACKEND" fleet nodes --json >"$WORK/nodes.json"
expect_eq "fleet nodes: each node's state" \
	"$(printf '%s\n' "$NODE_A applied" "$NODE_B revoked" "$NODE_C quarantined" | sort | paste -sd'|')" \
	"$(jq -r 'map("\(.id) \(.state)") | sort | join("|")' "$WORK/nodes.json")"
expect_eq "  ... with kernel, channel and last seq" "6.1.0-57-amd64 canary 5" \
	"$(jq -r --arg n "$NODE_A" '.[] | select(.id == $n) | "\(.kernel) \(.channel) \(.last_seq)"' "$WORK/nodes.json")"
sqlite3 "$TUXTAPE_DB" "UPDATE fleet_node SET last_report = last_report - 7201 WHERE id = '$NODE_A'"
expect_eq "a node silent for two intervals is stale" stale \
	"$("$BACKEND" fleet node "$NODE_A" --json | jq -r .state)"
report "$WORK/a.key" 9 '.patches = []'
post /v1/reports "$WORK/a.key" "$WORK/body.json" >/dev/null
expect_eq "a node reporting no patch: no-patch-for-kernel" no-patch-for-kernel \
	"$("$BACKEND" fleet node "$NODE_A" --json | jq -r .state)"
"$BACKEND" fleet node "$NODE_C" --json >"$WORK/node.json"
expect_eq "fleet node: the last report and recent reports" "quarantined 1 1" \
	"$(jq -r '"\(.report.event) \(.report.seq) \(.recent_reports | length)"' "$WORK/node.json")"
expect_exit "fleet node of an unknown id" 1 "$BACKEND" fleet node 0000
sqlite3 "$TUXTAPE_DB" "INSERT INTO fleet_rollout(patch_id, kernel, channel, status, since, reason, updated)
	VALUES ('cumulative-deb12-3', 'deb12', 'canary', 'held', 1765000000, 'convicted', 1765000000),
	       ('cumulative-deb12-4', 'deb12', 'canary', 'rolling', 1765000100, NULL, 1765000100)"
"$BACKEND" fleet patches --json >"$WORK/patches.json"
expect_eq "fleet patches: the rollout row" "held canary convicted" \
	"$(jq -r '.[] | select(.id == "cumulative-deb12-3") | .rollout | "\(.status) \(.channel) \(.reason)"' "$WORK/patches.json")"
expect_eq "  ... and a published patch no node reports yet" "rolling 0" \
	"$(jq -r '.[] | select(.id == "cumulative-deb12-4") | "\(.rollout.status) \(.channels | length)"' "$WORK/patches.json")"
expect_eq "fleet patches: counts by state per channel" '{"quarantined":1}' \
	"$(jq -c '.[] | select(.id == "cumulative-deb12-3") | .channels[] | select(.channel == "canary") | .states' "$WORK/patches.json")"
expect_eq "  ... convictions by title, with their nodes" "WARNING in foo_bar 1 $NODE_C" \
	"$(jq -r '.[0].convictions[0] | "\(.title) \(.nodes) \(.node_ids[0])"' "$WORK/patches.json")"
check "fleet nodes prints a table" sh -c "'$BACKEND' fleet nodes | grep -q 'STATE'"
check "fleet patches prints the conviction" sh -c "'$BACKEND' fleet patches | grep -q 'WARNING in foo_bar'"
expect_eq "fleet tokens: three used, one unused, one expired" "expired 1 unused 1 used 3" \
	"$("$BACKEND" fleet tokens --json | jq -r 'group_by(.state) | map("\(.[0].state) \(length)") | join(" ")')"

check "SIGTERM stops the server cleanly (exit 0)" stop_server

# HTTPS with a PEM certificate and key
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
rm -f "$WORK/tls.port"
"$BACKEND" serve --listen 127.0.0.1:0 --port-file "$WORK/tls.port" --tls-cert "$WORK/tls.crt" \
	--tls-key "$WORK/tls.key" 2>"$WORK/tls.log" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/tls.port" ] && break; kill -0 $SERVER_PID 2>/dev/null || break; sleep 0.05; done
URL=https://127.0.0.1:$(cat "$WORK/tls.port" 2>/dev/null)
report "$WORK/a.key" 10
expect_eq "a report over HTTPS: 200" 200 "$(curl -s --cacert "$WORK/tls.crt" -o "$WORK/answer" -w '%{http_code}' -X POST \
	-H "TuxTape-Node: $NODE_A" -H "TuxTape-Signature: $("$SIGN" sign "$WORK/a.key" "$WORK/body.json")" \
	--data-binary @"$WORK/body.json" "$URL/v1/reports")"
check "the TLS server stops cleanly" stop_server
expect_exit "--tls-cert without --tls-key is a usage error" 2 "$BACKEND" serve --tls-cert "$WORK/tls.crt"
echo "not a certificate" >"$WORK/bad.crt"
expect_exit "a certificate that is not PEM fails to start (exit 1)" 1 timeout 20 "$BACKEND" serve \
	--listen 127.0.0.1:0 --tls-cert "$WORK/bad.crt" --tls-key "$WORK/tls.key"

# the rate limit: 1 request a second, 3 at once
printf '[serve]\nrate = 1\nburst = 3\n' >"$WORK/rate.conf"
start_server rate "$WORK/rate.conf"
codes=""
for _ in 1 2 3 4; do
	codes+="$(curl -s -o "$WORK/answer" -D "$WORK/headers" -w '%{http_code}' "$URL/metadata/timestamp.json") "
done
expect_eq "the 4th request at once from one address: 429" "200 200 200 429 " "$codes"
check "  ... with Retry-After" grep -qi '^Retry-After: [1-9]' "$WORK/headers"
check "  ... and the error" grep -q "too many requests" "$WORK/answer"
check "the rate server stops cleanly" stop_server
