#!/bin/bash
# An archive whose top-level targets key is offline (archive init --offline-targets), with
# bins by kernel release: the pipeline publishes without that key, nodes (our client,
# the agent's fetch helper, tuf-js) read only their release's bin, the offline steps (sign,
# rotate) work with the key brought back, and expiry of the offline role is announced.
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/tuf/tufjs.sh")" || { not_ok "install tuf-js"; exit 1; }
CLIENT=$BIN/tuxtape-tuf-client
FETCH=$BIN/tuxtape-agent-fetch
A=$WORK/archive
M=$A/metadata
OFF=$WORK/offline
R1=6.1.0-56-amd64
R2=6.1.0-57-amd64
printf '\177ELF: one' >"$WORK/lp_one.ko"
printf '\177ELF: two' >"$WORK/lp_two.ko"

expect_exit "--bins needs --offline-targets" 2 "$BACKEND" archive init "$WORK/x" --bins 16
expect_exit "--bins takes 16 or 256" 2 "$BACKEND" archive init "$WORK/x" --offline-targets "$OFF" --bins 7
expect_exit "init --offline-targets --bins 16" 0 "$BACKEND" archive init "$A" --offline-targets "$OFF" --bins 16
check "  ... the top-level targets key is in the offline directory only" \
	bash -c "ls '$OFF'/targets-*.key && ! ls '$A'/keys/targets-*.key" >/dev/null 2>&1
check "  ... the online role's key is in the archive's key directory" bash -c "ls '$A'/keys/online-*.key >/dev/null"
expect_eq "  ... targets delegates everything to 'online', terminating" '"online" ["*/*"] true' \
	"$(jq -r '.signed.delegations.roles[0] | "\(.name|tojson) \(.paths|tojson) \(.terminating)"' "$M/1.targets.json")"
expect_eq "  ... which delegates to 16 bins" 16 "$(jq '.signed.delegations.roles | length' "$M/1.online.json")"
# the operator moves the offline key away: the pipeline publishes without it
mv "$OFF" "$WORK/offline-away"
expect_exit "publish for $R1 without the offline key" 0 "$BACKEND" archive publish "$A" "$WORK/lp_one.ko" --any-module --kernel $R1
expect_exit "publish for $R2" 0 "$BACKEND" archive publish "$A" "$WORK/lp_two.ko" --any-module --kernel $R2
expect_exit "verify walks the delegations" 0 "$BACKEND" archive verify "$A"
check "  ... and counts both target files" grep -q ", 2 target files" "$WORK/last.out"
bin1=$(jq -r --arg p "$R1/*" '.signed.delegations.roles[] | select(.paths | index($p)) | .name' "$(ls "$M"/*.online.json | sort -V | tail -1)")
bin2=$(jq -r --arg p "$R2/*" '.signed.delegations.roles[] | select(.paths | index($p)) | .name' "$(ls "$M"/*.online.json | sort -V | tail -1)")
check "roles nodes read often are written without indentation" \
	test "$(cat "$(ls "$M"/*.online.json | sort -V | tail -1)" | wc -l)" -le 1
check "each release is delegated to its bin ($bin1, $bin2)" test -n "$bin1" -a -n "$bin2" -a "$bin1" != "$bin2"

node "$TOP/tests/tuf/serve.cjs" "$A" 300 >"$WORK/port" 2>"$WORK/requests.log" &
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$WORK/port")
expect_exit "our client: init" 0 "$CLIENT" --metadata-dir "$WORK/c" init "$M/1.root.json"
expect_exit "our client downloads $R1's target through online and $bin1" 0 "$CLIENT" --metadata-url "$U/metadata" \
	--metadata-dir "$WORK/c" --target-name $R1/lp_one.ko --target-dir "$WORK/ct" --target-base-url "$U/targets" download
check "  ... the right bytes" cmp "$WORK/lp_one.ko" "$WORK/ct/$R1%2Flp_one.ko"
check "  ... and never asked for $bin2" bash -c "! grep -q '\\.$bin2\\.json' '$WORK/requests.log'"
check "tuf-js accepts the delegated archive with bins" bash -c "TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$M/1.root.json' '$U/metadata' '$U/targets' $R2/lp_two.ko '$WORK/tufjs' >/dev/null"

# the agent's fetch helper: its release's targets, through its release's bin only
"$BACKEND" archive revoke "$A" lp_two >/dev/null
: >"$WORK/requests.log"
fetch() { "$FETCH" --metadata-dir "$WORK/agent-meta" --trusted-root "$M/1.root.json" --url "$U" \
	--cache-dir "$WORK/cache" --release $R1; }
expect_exit "the fetch helper for $R1" 0 fetch
expect_eq "  ... finds its one target" "$R1/lp_one.ko" "$(jq -r '.targets[].path' "$WORK/last.out")"
expect_eq "  ... learns the revocation from the online role" lp_two "$(jq -r '.revoked[]' "$WORK/last.out")"
check "  ... and read no other release's bin" bash -c "! grep -q '\\.$bin2\\.json' '$WORK/requests.log'"
# a publish for the other release: the node's next refresh does not read the other bin
"$BACKEND" archive publish "$A" "$WORK/lp_two.ko" --any-module --kernel $R2 --patch-id lp_two_b >/dev/null
: >"$WORK/requests.log"
expect_exit "the fetch helper after a publish for $R2" 0 fetch
expect_eq "  ... reads timestamp and snapshot, nothing else" "timestamp.json snapshot.json" \
	"$(sed -n 's|^GET /metadata/\([0-9]*\.\)\{0,1\}||p' "$WORK/requests.log" | tr '\n' ' ' | sed 's/ $//')"

# offline steps: the pipeline cannot sign the top-level targets; the operator can
expect_exit "archive sign needs --keys" 2 "$BACKEND" archive sign "$A"
expect_exit "archive sign with the online keys only: refused" 1 "$BACKEND" archive sign "$A" --keys "$A/keys"
check "  ... says the targets key is missing" grep -q "no targets key" "$WORK/last.err"
expect_exit "archive sign with the offline key" 0 "$BACKEND" archive sign "$A" --keys "$WORK/offline-away"
expect_eq "  ... top-level targets v2" 2 "$(jq .signed.version "$(ls "$M"/*.targets.json | sort -V | tail -1)")"
expect_exit "our client follows" 0 "$CLIENT" --metadata-url "$U/metadata" --metadata-dir "$WORK/c" refresh
expect_exit "rotate the offline targets key" 0 "$BACKEND" archive rotate "$A" targets --keys "$WORK/offline-away"
check "  ... the new key went to the offline directory" test "$(ls "$WORK"/offline-away/targets-*.key | wc -l)" = 2
expect_exit "  ... our client follows the rotation" 0 "$CLIENT" --metadata-url "$U/metadata" --metadata-dir "$WORK/c" \
	--target-name $R2/lp_two.ko --target-dir "$WORK/ct" --target-base-url "$U/targets" download
expect_exit "  ... and the archive verifies" 0 "$BACKEND" archive verify "$A"

# a compromised online key: replaced with the offline key at hand, every role signed again
old_online=$(jq -r '.signed.delegations.roles[0].keyids[0]' "$(ls "$M"/*.targets.json | sort -V | tail -1)")
n_files=$(ls "$M" "$A/keys" | wc -l)
expect_exit "rotate the online key without the offline key: refused" 1 "$BACKEND" archive rotate "$A" online
check "  ... says the offline key is needed" grep -q "offline targets key is needed" "$WORK/last.err"
expect_eq "  ... and leaves no new key or file behind" "$n_files" "$(ls "$M" "$A/keys" | wc -l)"
expect_exit "rotate the online key" 0 "$BACKEND" archive rotate "$A" online --keys "$WORK/offline-away"
new_online=$(jq -r '.signed.delegations.roles[0].keyids[0]' "$(ls "$M"/*.targets.json | sort -V | tail -1)")
check "  ... the top-level targets names a new online key" test "$new_online" != "$old_online" -a -n "$new_online"
check "  ... whose private key is in the archive's key directory" bash -c "grep -lq '$new_online' '$A'/keys/online-*.key"
expect_exit "  ... the archive verifies" 0 "$BACKEND" archive verify "$A"
expect_exit "  ... and our client follows" 0 "$CLIENT" --metadata-url "$U/metadata" --metadata-dir "$WORK/c" \
	--target-name $R1/lp_one.ko --target-dir "$WORK/ct2" --target-base-url "$U/targets" download
: >"$WORK/requests.log"
expect_exit "  ... and so does the fetch helper" 0 fetch

# expiry: the top-level targets gets the root expiry; timestamp says when it comes close
B=$WORK/short
expect_exit "init --json, offline targets, 10-day root expiry" 0 "$BACKEND" archive init "$B" --offline-targets "$WORK/off2" --root-expiry 10d --json
expect_eq "  ... says where the offline key went" "$WORK/off2 0" "$(jq -r '"\(.offline_targets) \(.bins)"' "$WORK/last.out")"
expect_exit "timestamp, the offline role expiring in 10 days" 0 "$BACKEND" archive timestamp "$B"
check "  ... warns, naming the offline step" grep -q "archive sign $B --keys" "$WORK/last.err"
expect_exit "archive sign on an archive without offline targets: refused" 1 "$BACKEND" archive sign "$WORK/archive-plain" --keys "$WORK/k"
"$BACKEND" archive init "$WORK/plain" >/dev/null
expect_exit "archive sign on an archive whose targets key is online: refused" 1 "$BACKEND" archive sign "$WORK/plain" --keys "$WORK/plain/keys"
check "  ... says why" grep -q "nothing to sign offline" "$WORK/last.err"

# without bins: the online role holds the targets itself
C=$WORK/nobins
"$BACKEND" archive init "$C" --offline-targets "$WORK/off3" >/dev/null
expect_exit "offline targets without bins: publish" 0 "$BACKEND" archive publish "$C" "$WORK/lp_one.ko" --any-module --kernel $R1
expect_eq "  ... the online role lists the target" 1 "$(jq '.signed.targets | length' "$C/metadata/2.online.json")"
expect_exit "  ... verify" 0 "$BACKEND" archive verify "$C"

# an archive made the old way, turned into one with an online role, its targets key then
# taken offline by a rotation
D=$WORK/legacy
"$BACKEND" archive init "$D" >/dev/null
"$BACKEND" archive publish "$D" "$WORK/lp_one.ko" --any-module --kernel $R1 >/dev/null
"$BACKEND" archive publish "$D" "$WORK/lp_two.ko" --any-module --kernel $R2 >/dev/null
"$BACKEND" archive revoke "$D" lp_two >/dev/null
node "$TOP/tests/tuf/serve.cjs" "$D" 120 >"$WORK/port4" 2>/dev/null &
for _ in $(seq 50); do [ -s "$WORK/port4" ] && break; sleep 0.1; done
U4=http://127.0.0.1:$(cat "$WORK/port4")
lfetch() { "$FETCH" --metadata-dir "$WORK/legacy-agent" --trusted-root "$D/metadata/1.root.json" --url "$U4" \
	--cache-dir "$WORK/legacy-cache" --release $R1; }
expect_exit "a node on the old archive" 0 lfetch
expect_exit "delegate --bins 7: usage" 2 "$BACKEND" archive delegate "$D" --bins 7
expect_exit "delegate --bins 16" 0 "$BACKEND" archive delegate "$D" --bins 16
expect_eq "  ... targets now delegates to online, and holds no target itself" "online 0" \
	"$(jq -r '"\(.signed.delegations.roles[0].name) \(.signed.targets | length)"' "$(ls "$D"/metadata/*.targets.json | sort -V | tail -1)")"
expect_exit "  ... delegate again: refused" 1 "$BACKEND" archive delegate "$D"
check "  ... says so" grep -q "already delegate" "$WORK/last.err"
expect_exit "  ... verify" 0 "$BACKEND" archive verify "$D"
check "  ... the target file is still counted" grep -q ", 1 target files" "$WORK/last.out"
expect_exit "the same node refreshes through the delegation" 0 lfetch
expect_eq "  ... still finds its target" "$R1/lp_one.ko" "$(jq -r '.targets[].path' "$WORK/last.out")"
expect_eq "  ... and the revocation, now in the online role" lp_two "$(jq -r '.revoked[]' "$WORK/last.out")"
expect_exit "rotate the targets key into an offline directory" 0 "$BACKEND" archive rotate "$D" targets --keys "$WORK/legacy-off"
tk=$(jq -r '.signed.roles.targets.keyids[0]' "$(ls "$D"/metadata/*.root.json | sort -V | tail -1)")
check "  ... the trusted targets key is in the offline directory, not the archive's" \
	bash -c "grep -lq '$tk' '$WORK'/legacy-off/targets-*.key && ! grep -lq '$tk' '$D'/keys/*.key"
mv "$WORK/legacy-off" "$WORK/legacy-away"
expect_exit "the pipeline publishes without it" 0 "$BACKEND" archive publish "$D" "$WORK/lp_two.ko" --any-module --kernel $R1 --patch-id lp_two_r1
expect_exit "  ... the node follows (root rotation included)" 0 lfetch
expect_eq "  ... and sees both targets of its release" "$R1/lp_one.ko $R1/lp_two.ko" "$(jq -r '[.targets[].path] | join(" ")' "$WORK/last.out")"

# a channel delegated to a key the pipeline does not hold
E=$WORK/chan
"$BACKEND" archive init "$E" --offline-targets "$WORK/chan-off" >/dev/null
printf '\177ELF: three' >"$WORK/lp_three.ko"
"$BACKEND" archive publish "$E" "$WORK/lp_one.ko" --any-module --kernel $R1 --channel stable >/dev/null
"$BACKEND" archive publish "$E" "$WORK/lp_two.ko" --any-module --kernel $R1 --channel canary >/dev/null
expect_exit "delegate --channel stable without the offline key: refused" 1 "$BACKEND" archive delegate "$E" --channel stable
expect_exit "delegate --channel stable" 0 "$BACKEND" archive delegate "$E" --channel stable --keys "$WORK/chan-off"
check "  ... its key is with the offline one" bash -c "ls '$WORK'/chan-off/channel-stable-*.key >/dev/null"
latest() { ls "$1"/metadata/*."$2".json | sort -V | tail -1; }
expect_eq "  ... the role lists the stable target" "$R1/lp_one.ko" "$(jq -r '.signed.targets | keys | join(" ")' "$(latest "$E" channel-stable)")"
mv "$WORK/chan-off" "$WORK/chan-away"
expect_exit "the pipeline cannot publish to stable now" 1 "$BACKEND" archive publish "$E" "$WORK/lp_three.ko" --any-module --kernel $R1 --channel stable
check "  ... says why" grep -q "channel stable is delegated to a key of its own" "$WORK/last.err"
expect_exit "  ... but to canary" 0 "$BACKEND" archive publish "$E" "$WORK/lp_three.ko" --any-module --kernel $R1 --channel canary
expect_exit "  ... and verify holds" 0 "$BACKEND" archive verify "$E"
node "$TOP/tests/tuf/serve.cjs" "$E" 120 >"$WORK/port5" 2>/dev/null &
for _ in $(seq 50); do [ -s "$WORK/port5" ] && break; sleep 0.1; done
U5=http://127.0.0.1:$(cat "$WORK/port5")
cfetch() { # CHANNEL
	"$FETCH" --metadata-dir "$WORK/cmeta-$1" --trusted-root "$E/metadata/1.root.json" --url "$U5" \
		--cache-dir "$WORK/ccache-$1" --release $R1 --channel "$1"; }
expect_exit "a stable node" 0 cfetch stable
expect_eq "  ... is offered what the stable role lists" "$R1/lp_one.ko" "$(jq -r '[.targets[].path] | join(" ")' "$WORK/last.out")"
expect_exit "a canary node" 0 cfetch canary
expect_eq "  ... is offered the canary targets" "$R1/lp_three.ko $R1/lp_two.ko" "$(jq -r '[.targets[].path] | sort | join(" ")' "$WORK/last.out")"
# the backend machine taken: online, snapshot and timestamp keys sign lp_two into stable (on
# a copy of the archive, served apart, for a node of its own)
F=$WORK/chan-forged
cp -r "$E" "$F"
o=$(latest "$F" online); s=$(latest "$F" snapshot)
resign() { node "$TOP/tests/tuf/resign.cjs" "$@"; }
pin() { # FILE KEY-ROLE NAME REFERRED
	resign "$1" "$1" "s.version += 1; s.meta['$3'].length = fs.statSync('$4').size;
		s.meta['$3'].hashes = { sha256: crypto.createHash('sha256').update(fs.readFileSync('$4')).digest('hex') };
		s.meta['$3'].version = JSON.parse(fs.readFileSync('$4')).signed.version" "$F"/keys/"$2"-*.key
}
v=$(jq .signed.version "$o")
resign "$o" "$F/metadata/$((v + 1)).online.json" "s.version += 1;
	s.targets['$R1/lp_two.ko'].custom.channels.push('stable')" "$F"/keys/online-*.key
sv=$(jq .signed.version "$s")
cp "$s" "$F/metadata/$((sv + 1)).snapshot.json"
pin "$F/metadata/$((sv + 1)).snapshot.json" snapshot online.json "$F/metadata/$((v + 1)).online.json"
pin "$F/metadata/timestamp.json" timestamp snapshot.json "$F/metadata/$((sv + 1)).snapshot.json"
node "$TOP/tests/tuf/serve.cjs" "$F" 120 >"$WORK/port6" 2>/dev/null &
for _ in $(seq 50); do [ -s "$WORK/port6" ] && break; sleep 0.1; done
U6=http://127.0.0.1:$(cat "$WORK/port6")
expect_exit "a forged online role offering a canary target in stable: the stable node refreshes" 0 \
	"$FETCH" --metadata-dir "$WORK/fmeta" --trusted-root "$F/metadata/1.root.json" --url "$U6" \
	--cache-dir "$WORK/fcache" --release $R1 --channel stable
expect_eq "  ... and is still offered only what the stable role lists" "$R1/lp_one.ko" "$(jq -r '[.targets[].path] | join(" ")' "$WORK/last.out")"
check "  ... where a client trusting the top-level search (tuf-js) takes the forgery" bash -c \
	"TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$F/metadata/1.root.json' '$U6/metadata' '$U6/targets' $R1/lp_two.ko '$WORK/tufjs6' | grep -q '\"stable\"'"
# revocation does not wait for the channel's key; the channel's role catches up with it
expect_exit "revoke the stable target without the stable key" 0 "$BACKEND" archive revoke "$E" lp_one
check "  ... warns that the stable role waits" grep -q "channel stable: its role is not signed again" "$WORK/last.err"
expect_exit "  ... the stable node refreshes" 0 cfetch stable
expect_eq "  ... and learns the revocation" lp_one "$(jq -r '.revoked | join(" ")' "$WORK/last.out")"
expect_exit "archive sign with the offline keys" 0 "$BACKEND" archive sign "$E" --keys "$WORK/chan-away"
expect_eq "  ... the stable role no longer lists it" "" "$(jq -r '.signed.targets | keys | join(" ")' "$(latest "$E" channel-stable)")"
expect_exit "  ... verify" 0 "$BACKEND" archive verify "$E"

# bins by load: a release new to the archive goes to a bin that holds no release while one is
# left (then to the one with the fewest targets), and stays in its bin; the snapshot pins
# online and the bins by version alone (their signatures authenticate them)
G=$WORK/load
"$BACKEND" archive init "$G" --offline-targets "$WORK/load-off" --bins 16 >/dev/null
for i in $(seq 16); do
	"$BACKEND" archive publish "$G" "$WORK/lp_one.ko" --any-module --kernel "6.1.0-$i-amd64" \
		--patch-id "lp_$i" >/dev/null 2>&1 || not_ok "publish for 6.1.0-$i-amd64"
done
binof() { jq -r --arg p "$1/*" '.signed.delegations.roles[] | select(.paths | index($p)) | .name' "$(latest "$G" online)"; }
loads() { jq -c '[.signed.delegations.roles[].paths | length] | sort' "$(latest "$G" online)"; }
expect_eq "16 releases over 16 bins: one release in each" "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]" "$(loads)"
b1=$(binof 6.1.0-1-amd64)
expect_exit "a second target for 6.1.0-1-amd64" 0 "$BACKEND" archive publish "$G" "$WORK/lp_two.ko" --any-module --kernel 6.1.0-1-amd64 --patch-id lp_1b
expect_exit "a 17th release" 0 "$BACKEND" archive publish "$G" "$WORK/lp_one.ko" --any-module --kernel 6.1.0-17-amd64 --patch-id lp_17
expect_eq "  ... shares a bin, not the one holding two targets" "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2] no" \
	"$(loads) $([ "$(binof 6.1.0-17-amd64)" = "$b1" ] && echo yes || echo no)"
expect_eq "  ... 6.1.0-1-amd64 stayed in its bin" "$b1" "$(binof 6.1.0-1-amd64)"
sn=$(latest "$G" snapshot)
expect_eq "the snapshot pins online and the bins by version alone" '[["version"]]' \
	"$(jq -c '[.signed.meta | to_entries[] | select(.key != "targets.json") | .value | keys] | unique' "$sn")"
expect_eq "  ... the offline top-level targets by length and sha256 too" '["hashes","length","version"]' \
	"$(jq -c '.signed.meta["targets.json"] | keys' "$sn")"
expect_exit "  ... verify" 0 "$BACKEND" archive verify "$G"
node "$TOP/tests/tuf/serve.cjs" "$G" 120 >"$WORK/port7" 2>/dev/null &
for _ in $(seq 50); do [ -s "$WORK/port7" ] && break; sleep 0.1; done
U7=http://127.0.0.1:$(cat "$WORK/port7")
gdownload() { # NODE-DIR
	"$CLIENT" --metadata-url "$U7/metadata" --metadata-dir "$1" --target-name 6.1.0-1-amd64/lp_two.ko \
		--target-dir "$1-t" --target-base-url "$U7/targets" download; }
"$CLIENT" --metadata-dir "$WORK/g1" init "$G/metadata/1.root.json"
expect_exit "our client reads it" 0 gdownload "$WORK/g1"
check "tuf-js reads it" bash -c "TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$G/metadata/1.root.json' '$U7/metadata' '$U7/targets' 6.1.0-17-amd64/lp_one.ko '$WORK/tufjs7' >/dev/null"
# hostile servers, now that no hash in the snapshot names the bin's file
bf=$(latest "$G" "$b1"); bv=$(jq .signed.version "$bf")
cp "$bf" "$WORK/bin.good"
jq -c '.signed.targets["6.1.0-1-amd64/lp_two.ko"].length += 1' "$WORK/bin.good" >"$bf"
"$CLIENT" --metadata-dir "$WORK/g2" init "$G/metadata/1.root.json"
expect_exit "a bin changed on the server at the same version: refused" 1 gdownload "$WORK/g2"
check "  ... by its signature" grep -qi "signature" "$WORK/last.err"
check "  ... and by tuf-js" bash -c "! TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$G/metadata/1.root.json' '$U7/metadata' '$U7/targets' 6.1.0-1-amd64/lp_two.ko '$WORK/tufjs8' >/dev/null"
cp "$WORK/bin.good" "$bf"
forge_snapshot() { # VERSION EDIT: a snapshot signed with the archive's key, pinned by a timestamp
	resign "$sn" "$G/metadata/$1.snapshot.json" "s.version = $1; $2" "$G"/keys/snapshot-*.key
	resign "$G/metadata/timestamp.json" "$G/metadata/timestamp.json" "s.version += 1;
		s.meta['snapshot.json'] = { version: $1, length: fs.statSync('$G/metadata/$1.snapshot.json').size,
		hashes: { sha256: crypto.createHash('sha256').update(fs.readFileSync('$G/metadata/$1.snapshot.json')).digest('hex') } }" \
		"$G"/keys/timestamp-*.key
}
sv=$(jq .signed.version "$sn")
forge_snapshot $((sv + 1)) "s.meta['$b1.json'].version = $((bv - 1))"
expect_exit "a snapshot taking $b1 back a version: the node that read it refuses" 1 gdownload "$WORK/g1"
check "  ... as a rollback" grep -q "$b1.json went back" "$WORK/last.err"
forge_snapshot $((sv + 2)) "delete s.meta['$b1.json']"
"$CLIENT" --metadata-dir "$WORK/g3" init "$G/metadata/1.root.json"
expect_exit "a snapshot leaving $b1 out: a new node refuses" 1 gdownload "$WORK/g3"
check "  ... says the snapshot does not list it" grep -q "does not list $b1.json" "$WORK/last.err"
