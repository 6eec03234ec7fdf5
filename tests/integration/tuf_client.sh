#!/bin/bash
# Our TUF client (tuxtape-tuf-client) against an archive served on 127.0.0.1, then against
# the attacks of the TUF threat model: each must fail with a clear message and leave the
# client's trusted metadata exactly as it was.
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/tuf/tufjs.sh")" || { not_ok "install tuf-js"; exit 1; }
CLIENT=$BIN/tuxtape-tuf-client
A=$WORK/archive
M=$A/metadata
C=$WORK/client
printf '\177ELF: module one' >"$WORK/lp_one.ko"
"$BACKEND" archive init "$A" --root-threshold 2 >/dev/null
"$BACKEND" archive publish "$A" "$WORK/lp_one.ko" --any-module --kernel 6.1.0-56-amd64 >/dev/null
node "$TOP/tests/tuf/serve.cjs" "$A" 300 >"$WORK/port" 2>"$WORK/requests.log" &
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$WORK/port")
T=6.1.0-56-amd64/lp_one.ko
refresh() { "$CLIENT" --metadata-url "$U/metadata" --metadata-dir "$C/meta" refresh; }
download() { "$CLIENT" --metadata-url "$U/metadata" --metadata-dir "$C/meta" --target-name "$T" \
	--target-dir "$C/targets" --target-base-url "$U/targets" download; }
# the trusted files an attack on a role must leave alone: that role's and those after it
# (the roles before it passed their own checks and may have been updated, as TUF specifies)
STATE_FILES="root.json timestamp.json snapshot.json targets.json"
state() { (cd "$C/meta" && md5sum $STATE_FILES) | md5sum; }
latest() { ls "$M"/*."$1".json | sort -V | tail -1; }
resign() { node "$TOP/tests/tuf/resign.cjs" "$@"; }
# attack NAME MESSAGE CMD...: CMD must fail, print MESSAGE, and leave the trusted state alone
attack() {
	local name=$1 msg=$2 before; shift 2
	before=$(state)
	expect_exit "$name: refused" 1 "$@"
	if grep -q -- "$msg" "$WORK/last.err"; then ok "$name: says '$msg'"; else
		not_ok "$name: says '$msg'"; sed 's/^/   | /' "$WORK/last.err" >&2; fi
	expect_eq "$name: trusted metadata untouched" "$before" "$(state)"
}

expect_exit "init with the archive's first root" 0 "$CLIENT" --metadata-dir "$C/meta" init "$M/1.root.json"
expect_exit "init needs a root file that parses" 1 "$CLIENT" --metadata-dir "$WORK/x" init "$WORK/lp_one.ko"
expect_exit "refresh" 0 refresh
expect_exit "download" 0 download
check "  ... the right bytes" cmp "$WORK/lp_one.ko" "$C/targets/6.1.0-56-amd64%2Flp_one.ko"
expect_exit "usage errors exit 2" 2 "$CLIENT" --metadata-dir "$C/meta" frobnicate
# a target already in the target directory with the right length and hashes is not fetched
# again; a damaged local copy is
target_gets() { grep -c "^GET /targets/6.1.0-56-amd64/.*lp_one.ko" "$WORK/requests.log"; }
n=$(target_gets)
expect_exit "download again" 0 download
expect_eq "  ... the copy already there is not fetched again" "$n" "$(target_gets)"
printf 'X' | dd of="$C/targets/6.1.0-56-amd64%2Flp_one.ko" bs=1 seek=3 conv=notrunc 2>/dev/null
expect_exit "download over a damaged local copy" 0 download
expect_eq "  ... fetches it once more" "$((n + 1))" "$(target_gets)"
check "  ... and the right bytes are back" cmp "$WORK/lp_one.ko" "$C/targets/6.1.0-56-amd64%2Flp_one.ko"
# the attacks below are on the archive's copy: the node must not hold a good one already
rm -f "$C/targets/6.1.0-56-amd64%2Flp_one.ko"

# targets
f=$(ls "$A"/targets/6.1.0-56-amd64/*.lp_one.ko)
cp "$f" "$WORK/saved"
printf 'X' | dd of="$f" bs=1 seek=5 conv=notrunc 2>/dev/null
attack "tampered target" "hash mismatch" download
printf 'XXXX' >>"$f"
attack "endless target data" "longer than its" download
cp "$WORK/saved" "$f"

# metadata: the snapshot pins targets.json by hash; behind that, its signature
expect_exit "a second client, for the signature attack: refresh" 0 bash -c \
	"'$CLIENT' --metadata-dir '$WORK/c-sig/meta' init '$M/1.root.json' &&
	 '$CLIENT' --metadata-url '$U/metadata' --metadata-dir '$WORK/c-sig/meta' refresh"
printf '\177ELF: module two' >"$WORK/lp_two.ko"
"$BACKEND" archive publish "$A" "$WORK/lp_two.ko" --any-module --kernel 6.1.0-56-amd64 >/dev/null
t=$(latest targets); s=$(latest snapshot)
cp "$t" "$WORK/saved"; cp "$s" "$WORK/saved.snapshot"; cp "$M/timestamp.json" "$WORK/saved.timestamp"
sed -i -E 's/"expires": ?"20[0-9]{2}/"expires":"2099/' "$t"
STATE_FILES=targets.json attack "tampered targets metadata" "sha256 does not match the referrer" refresh
# pin FILE ROLE NAME REFERRED: FILE's meta entry NAME re-pinned to REFERRED, signed with ROLE's keys
pin() {
	resign "$1" "$1" "s.meta['$3'].length = fs.statSync('$4').size;
		s.meta['$3'].hashes = { sha256: crypto.createHash('sha256').update(fs.readFileSync('$4')).digest('hex') }" \
		"$A"/keys/"$2"-*.key
}
pin "$s" snapshot targets.json "$t"
pin "$M/timestamp.json" timestamp snapshot.json "$s"
C=$WORK/c-sig STATE_FILES=targets.json attack \
	"tampered targets metadata, snapshot and timestamp keys compromised" \
	"targets.json: 0 valid signatures of 1 needed" refresh
cp "$WORK/saved" "$t"; cp "$WORK/saved.snapshot" "$s"; cp "$WORK/saved.timestamp" "$M/timestamp.json"
cp "$M/timestamp.json" "$WORK/saved"
jq '.signatures += [.signatures[0]]' "$WORK/saved" >"$M/timestamp.json"
attack "duplicate signatures" "appears twice" refresh
cp "$WORK/saved" "$M/timestamp.json"
expect_exit "refresh to the new version" 0 refresh

# rollback and freeze
cp "$M/timestamp.json" "$WORK/old-timestamp.json"
"$BACKEND" archive timestamp "$A" >/dev/null
expect_exit "refresh to a newer timestamp" 0 refresh
cp "$M/timestamp.json" "$WORK/saved"
cp "$WORK/old-timestamp.json" "$M/timestamp.json"
attack "timestamp rollback" "older than the trusted" refresh
cp "$WORK/saved" "$M/timestamp.json"
resign "$M/timestamp.json" "$M/timestamp.json" \
	's.version += 1; s.meta["snapshot.json"].version -= 1; delete s.meta["snapshot.json"].length; delete s.meta["snapshot.json"].hashes' \
	"$A"/keys/timestamp-*.key
attack "snapshot rollback (through a validly signed timestamp)" "snapshot version went back" refresh
cp "$WORK/saved" "$M/timestamp.json"
"$BACKEND" archive timestamp "$A" --timestamp-expiry 1s >/dev/null
sleep 2
attack "expired timestamp (freeze)" "timestamp.json has expired" refresh
"$BACKEND" archive timestamp "$A" >/dev/null
"$BACKEND" archive publish "$A" "$WORK/lp_one.ko" --any-module --kernel 6.1.0-56-amd64 --patch-id again --snapshot-expiry 1s >/dev/null
sleep 2
STATE_FILES="snapshot.json targets.json" attack "expired snapshot (freeze)" "snapshot.json has expired" refresh
"$BACKEND" archive publish "$A" "$WORK/lp_two.ko" --any-module --kernel 6.1.0-56-amd64 --targets-expiry 1s >/dev/null
sleep 2
# timestamp and snapshot pass their checks and are kept; the expired targets are not
cp "$C/meta/targets.json" "$WORK/trusted-targets"
expect_exit "expired targets (freeze): refused" 1 refresh
check "expired targets (freeze): says so" grep -q "targets.json has expired" "$WORK/last.err"
check "expired targets (freeze): the trusted targets stay" cmp "$WORK/trusted-targets" "$C/meta/targets.json"
"$BACKEND" archive publish "$A" "$WORK/lp_two.ko" --any-module --kernel 6.1.0-56-amd64 >/dev/null
expect_exit "fresh again: refresh" 0 refresh

# mix-and-match: a validly signed older snapshot served in place of the current one
"$BACKEND" archive publish "$A" "$WORK/lp_one.ko" --any-module --kernel 6.1.0-56-amd64 --patch-id mix >/dev/null
s=$(latest snapshot); cp "$s" "$WORK/saved"; cp "$M/2.snapshot.json" "$s"
STATE_FILES="snapshot.json targets.json" attack "mix-and-match snapshot" "the referrer" refresh
cp "$WORK/saved" "$s"

# endless metadata
cp "$M/timestamp.json" "$WORK/saved"
{ cat "$WORK/saved"; head -c 20000 /dev/zero | tr '\0' ' '; } >"$M/timestamp.json"
attack "oversized timestamp (endless data)" "larger than 16384 bytes" refresh
cp "$WORK/saved" "$M/timestamp.json"
expect_exit "refresh" 0 refresh

# root rotation: below threshold, then old keys after a rotation
cp -r "$A/keys" "$WORK/old-keys"
"$BACKEND" archive rotate "$A" root >/dev/null
r=$(latest root); cp "$r" "$WORK/saved"
jq '.signatures |= .[1:]' "$WORK/saved" >"$r"   # the old root's threshold is 2: one old signature left
attack "new root below the old root's threshold" "1 valid signature of 2 needed" refresh
cp "$WORK/saved" "$r"
expect_exit "refresh through the rotation" 0 refresh
expect_eq "the client trusts root v2" 2 "$(jq .signed.version "$C/meta/root.json")"
resign "$r" "$M/3.root.json" 's.version = 3' "$WORK"/old-keys/root-*.key
attack "a root signed by the rotated-out keys" "0 valid signatures" refresh
rm -f "$M/3.root.json"

# fast-forward recovery: a compromised timestamp key pushed version 1000; rotating it recovers
cp "$M/timestamp.json" "$WORK/saved"
resign "$M/timestamp.json" "$M/timestamp.json" 's.version = 1000' "$A"/keys/timestamp-*.key
expect_exit "the client takes the fast-forwarded timestamp (it is validly signed)" 0 refresh
expect_eq "  ... version 1000" 1000 "$(jq .signed.version "$C/meta/timestamp.json")"
cp "$WORK/saved" "$M/timestamp.json"   # the archive itself never signed version 1000
"$BACKEND" archive rotate "$A" timestamp >/dev/null
expect_exit "after the timestamp key rotation the client recovers" 0 refresh
check "  ... trusting the new, lower timestamp" test "$(jq .signed.version "$C/meta/timestamp.json")" -lt 1000
expect_exit "and downloads again" 0 download

# interop, the other way: tuf-js accepts what our client accepted
check "tuf-js accepts the same archive" bash -c "TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$M/1.root.json' '$U/metadata' '$U/targets' '$T' '$WORK/tufjs' >/dev/null"

# endless targets metadata: it streams into a temporary file, which must not survive
expect_exit "a new client: init" 0 "$CLIENT" --metadata-dir "$WORK/c3" init "$M/1.root.json"
t=$(latest targets)
cp "$t" "$WORK/saved"
{ cat "$WORK/saved"; head -c 100000 /dev/zero | tr '\0' ' '; } >"$t"
expect_exit "oversized targets metadata (endless data): refused" 1 \
	"$CLIENT" --metadata-url "$U/metadata" --metadata-dir "$WORK/c3" refresh
check "  ... says so" grep -q "targets.json: larger than" "$WORK/last.err"
check "  ... leaves no targets.json and no temporary file" \
	test -z "$(ls -A "$WORK/c3" | grep -E '^\.#|^targets\.json$')"
cp "$WORK/saved" "$t"
expect_exit "  ... and the same client refreshes once it is fixed" 0 \
	"$CLIENT" --metadata-url "$U/metadata" --metadata-dir "$WORK/c3" refresh
check "no temporary file left behind by any of the attacks" \
	test -z "$(ls -A "$C/meta" "$WORK/c3" "$WORK/c-sig/meta" | grep '^\.#')"
# a download cut short by a crash: the next refresh removes its temporary, not a live one's
printf partial >"$C/meta/.#targets.jsonOLD123"
touch -d '2 hours ago' "$C/meta/.#targets.jsonOLD123"
printf partial >"$C/meta/.#targets.jsonNEW123"
expect_exit "refresh after a crash mid-download" 0 refresh
check "  ... removes the crashed download's temporary" test ! -e "$C/meta/.#targets.jsonOLD123"
check "  ... and leaves a recent one (a download still running)" test -e "$C/meta/.#targets.jsonNEW123"
rm -f "$C/meta/.#targets.jsonNEW123"

# interop: a repository made by tuf-js's own models (ECDSA P-256 root key, Ed25519 others),
# with 300 more targets in tuf-js's own order and layout
R=$WORK/jsrepo
TUFJS_DIR=$TUFJS_DIR node "$TOP/tests/tuf/make-repo.cjs" "$R" 6.1.0-test/hello.ko "hello from @tufjs/models" 300 >/dev/null
node "$TOP/tests/tuf/serve.cjs" "$R" 120 >"$WORK/port2" 2>/dev/null &
for _ in $(seq 50); do [ -s "$WORK/port2" ] && break; sleep 0.1; done
U2=http://127.0.0.1:$(cat "$WORK/port2")
check "tuf-js accepts the @tufjs/models repository (the generator is sound)" bash -c \
	"TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$R/metadata/1.root.json' '$U2/metadata' '$U2/targets' 6.1.0-test/hello.ko '$WORK/tufjs2' >/dev/null"
expect_exit "our client: init from its root (ECDSA root key)" 0 "$CLIENT" --metadata-dir "$WORK/c2" init "$R/metadata/1.root.json"
expect_exit "our client verifies it and downloads the target" 0 "$CLIENT" --metadata-url "$U2/metadata" \
	--metadata-dir "$WORK/c2" --target-name 6.1.0-test/hello.ko --target-dir "$WORK/c2t" --target-base-url "$U2/targets" download
expect_eq "  ... with the right content" "hello from @tufjs/models" "$(cat "$WORK/c2t/6.1.0-test%2Fhello.ko")"

# without consistent snapshots (the specification allows it): plain file names everywhere
R=$WORK/jsplain
CONSISTENT_SNAPSHOT=false TUFJS_DIR=$TUFJS_DIR node "$TOP/tests/tuf/make-repo.cjs" "$R" 6.1.0-test/hello.ko "hello, plainly" 20 >/dev/null
node "$TOP/tests/tuf/serve.cjs" "$R" 120 >"$WORK/port5" 2>"$WORK/requests5.log" &
for _ in $(seq 50); do [ -s "$WORK/port5" ] && break; sleep 0.1; done
U5=http://127.0.0.1:$(cat "$WORK/port5")
check "tuf-js accepts the repository without consistent snapshots (the generator is sound)" bash -c \
	"TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$R/metadata/1.root.json' '$U5/metadata' '$U5/targets' 6.1.0-test/hello.ko '$WORK/tufjs5' >/dev/null"
expect_exit "our client: init (no consistent snapshots)" 0 "$CLIENT" --metadata-dir "$WORK/c5" init "$R/metadata/1.root.json"
: >"$WORK/requests5.log" # the server writes on at its offset: NULs stand before that
expect_exit "our client verifies it and downloads the target" 0 "$CLIENT" --metadata-url "$U5/metadata" \
	--metadata-dir "$WORK/c5" --target-name 6.1.0-test/hello.ko --target-dir "$WORK/c5t" --target-base-url "$U5/targets" download
expect_eq "  ... with the right content" "hello, plainly" "$(cat "$WORK/c5t/6.1.0-test%2Fhello.ko")"
expect_eq "  ... asking for the plain names" "/metadata/2.root.json /metadata/timestamp.json /metadata/snapshot.json /metadata/targets.json /targets/6.1.0-test/hello.ko" \
	"$(tr -d '\000' <"$WORK/requests5.log" | sed -n 's/^GET //p' | tr '\n' ' ' | sed 's/ $//')"

# interop with delegations: @tufjs/models builds hashed bins (path_hash_prefixes) and, under
# the target's bin, a role whose name must be quoted; tuf-js and our client both accept it
R=$WORK/jsbins
TUFJS_DIR=$TUFJS_DIR node "$TOP/tests/tuf/make-repo.cjs" "$R" 6.1.0-test/hello.ko "hello through delegations" 300 hashbins >/dev/null
node "$TOP/tests/tuf/serve.cjs" "$R" 120 >"$WORK/port3" 2>"$WORK/requests3.log" &
for _ in $(seq 50); do [ -s "$WORK/port3" ] && break; sleep 0.1; done
U3=http://127.0.0.1:$(cat "$WORK/port3")
check "tuf-js accepts the @tufjs/models repository with hashed bins" bash -c \
	"TUFJS_DIR=$TUFJS_DIR node '$TOP/tests/tuf/verify-tufjs.cjs' '$R/metadata/1.root.json' '$U3/metadata' '$U3/targets' 6.1.0-test/hello.ko '$WORK/tufjs3' >/dev/null"
expect_exit "our client: init (hashed bins)" 0 "$CLIENT" --metadata-dir "$WORK/c4" init "$R/metadata/1.root.json"
: >"$WORK/requests3.log"
expect_exit "our client finds the target through a bin and a quoted role" 0 "$CLIENT" --metadata-url "$U3/metadata" \
	--metadata-dir "$WORK/c4" --target-name 6.1.0-test/hello.ko --target-dir "$WORK/c4t" --target-base-url "$U3/targets" download
expect_eq "  ... with the right content" "hello through delegations" "$(cat "$WORK/c4t/6.1.0-test%2Fhello.ko")"
check "  ... storing the role under its quoted name, in the metadata directory" \
	test -f "$WORK/c4/..%2Fodd%20role%3F%23.json" -a ! -e "$WORK/odd role?#.json"
expect_eq "  ... having read one bin of 16" 1 "$(grep -c '^GET /metadata/1\.bin-' "$WORK/requests3.log")"
