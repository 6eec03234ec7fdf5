#!/bin/bash
# The signed archive as operators and nodes meet it: init, publish, timestamp, rotate, revoke,
# verify; served over HTTP on 127.0.0.1 to the independent TUF client tuf-js, which must accept
# it (root chain included) and refuse it once tampered with.
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/tuf/tufjs.sh")" || { not_ok "install tuf-js"; exit 1; }
export TUFJS_DIR
A=$WORK/archive
# module-like ELF objects: a relocatable object with the module structure's section and a
# .modinfo (KEY=VALUE strings), as a livepatch has it or not
fake_ko() { # out modinfo-strings...
	local out=$1 d
	d=$(mktemp -d "$WORK/ko.XXXXXX")
	shift
	printf '%s\0' "$@" >"$d/modinfo"
	printf '\0%.0s' $(seq 64) >"$d/this_module"
	echo 'int tuxtape_test_symbol;' | cc -c -x c - -o "$d/m.o"
	objcopy --add-section .modinfo="$d/modinfo" --add-section .gnu.linkonce.this_module="$d/this_module" \
		"$d/m.o" "$out"
}
fake_ko "$WORK/livepatch_a.ko" livepatch=Y name=livepatch_a
fake_ko "$WORK/plain.ko" name=isofs license=GPL
printf 'not an ELF file' >"$WORK/bogus.ko"
echo 'int x;' | cc -c -x c - -o "$WORK/object.o" && cp "$WORK/object.o" "$WORK/object.ko"

expect_exit "archive init" 0 "$BACKEND" archive init "$A" --root-threshold 2
expect_exit "init twice is refused" 1 "$BACKEND" archive init "$A"
check "keys are private (0600)" test "$(stat -c %a "$A"/keys/timestamp-*.key)" = 600
check "the key directory is private (0700)" test "$(stat -c %a "$A/keys")" = 700
expect_eq "two root keys, threshold 2" "2 2" \
	"$(jq -r '"\(.signed.roles.root.keyids | length) \(.signed.roles.root.threshold)"' "$A/metadata/1.root.json")"
expect_eq "consistent snapshots" true "$(jq -r .signed.consistent_snapshot "$A/metadata/1.root.json")"

expect_exit "publish a module" 0 "$BACKEND" archive publish "$A" "$WORK/livepatch_a.ko" \
	--kernel 6.1.0-56-amd64 --build-id 00aa11bb --cve CVE-2024-26581 --cve CVE-2025-39754 --patch-id lp-a
expect_exit "publish needs --kernel" 2 "$BACKEND" archive publish "$A" "$WORK/livepatch_a.ko"
expect_exit "a file that is not ELF is refused" 1 "$BACKEND" archive publish "$A" "$WORK/bogus.ko" --kernel 6.1.0-56-amd64
check "  ... saying so" grep -q "not an ELF file" "$WORK/last.err"
expect_exit "a kernel module that is not a livepatch is refused" 1 "$BACKEND" archive publish "$A" "$WORK/plain.ko" --kernel 6.1.0-56-amd64
check "  ... saying so" grep -q "plain.ko: a kernel module but not a livepatch (no livepatch=Y" "$WORK/last.err"
expect_exit "an ELF object that is not a kernel module is refused" 1 "$BACKEND" archive publish "$A" "$WORK/object.ko" --kernel 6.1.0-56-amd64
check "  ... saying so" grep -q "object.ko: not a kernel module" "$WORK/last.err"
expect_exit "a bad release name is refused" 1 "$BACKEND" archive publish "$A" "$WORK/livepatch_a.ko" --kernel "../etc"
"$BACKEND" archive verify "$A" --json >"$WORK/verify.json"
expect_eq "verify: one target, versions moved on" "1 2 2 2" \
	"$(jq -r '"\(.target_files) \(.targets) \(.snapshot) \(.timestamp)"' "$WORK/verify.json")"
t=$(ls "$A"/metadata/*.targets.json | sort -V | tail -1)
expect_eq "the target carries its custom metadata" '"6.1.0-56-amd64 00aa11bb lp-a 1 stable CVE-2024-26581,CVE-2025-39754"' \
	"$(jq '.signed.targets["6.1.0-56-amd64/livepatch_a.ko"].custom | "\(.kernel_release) \(.build_id) \(.patch_id) \(.patch_version) \(.channel) \(.cves | join(","))"' "$t")"
check "the target is stored under its hash (consistent snapshots)" \
	test -f "$A/targets/6.1.0-56-amd64/$(sha256sum "$WORK/livepatch_a.ko" | cut -d' ' -f1).livepatch_a.ko"
expect_eq "the timestamp expires in a day by default" "$(date -u -d '+1 day' +%Y-%m-%d)" \
	"$(jq -r .signed.expires "$A/metadata/timestamp.json" | cut -dT -f1)"

# a new version of the same patch records what it replaces
mkdir -p "$WORK/v2" && fake_ko "$WORK/v2/livepatch_a.ko" livepatch=Y name=livepatch_a version=2
"$BACKEND" archive publish "$A" "$WORK/v2/livepatch_a.ko" --kernel 6.1.0-56-amd64 --patch-id lp-a --json >"$WORK/pub.json"
expect_eq "publish --json says what was published" 6.1.0-56-amd64/livepatch_a.ko "$(jq -r .published "$WORK/pub.json")"
t=$(ls "$A"/metadata/*.targets.json | sort -V | tail -1)
expect_eq "republishing a patch bumps its patch_version" 2 \
	"$(jq '.signed.targets["6.1.0-56-amd64/livepatch_a.ko"].custom.patch_version' "$t")"
snap=$(ls "$A"/metadata/*.snapshot.json | sort -V | tail -1)
expect_eq "the snapshot pins targets.json by length and sha256" \
	"$(stat -c %s "$t") $(sha256sum "$t" | cut -d' ' -f1)" \
	"$(jq -r '.signed.meta["targets.json"] | "\(.length) \(.hashes.sha256)"' "$snap")"

# a cumulative series: each module supersedes the series' last one for that release only
fake_ko "$WORK/livepatch_cum_1.ko" livepatch=Y name=livepatch_cum_1
fake_ko "$WORK/livepatch_cum_2.ko" livepatch=Y name=livepatch_cum_2
fake_ko "$WORK/livepatch_cum_o.ko" livepatch=Y name=livepatch_cum_o
S=$WORK/series-archive
"$BACKEND" archive init "$S" >/dev/null
"$BACKEND" archive publish "$S" "$WORK/livepatch_cum_1.ko" --kernel 6.1.0-56-amd64 --series cumulative-deb >/dev/null
"$BACKEND" archive publish "$S" "$WORK/livepatch_cum_o.ko" --kernel 6.1.0-99-amd64 --series cumulative-deb >/dev/null
"$BACKEND" archive publish "$S" "$WORK/livepatch_cum_2.ko" --kernel 6.1.0-56-amd64 --series cumulative-deb >/dev/null
t=$(ls "$S"/metadata/*.targets.json | sort -V | tail -1)
expect_eq "a series' new module supersedes its last one (same release only)" \
	"6.1.0-56-amd64/livepatch_cum_2.ko 6.1.0-99-amd64/livepatch_cum_o.ko" \
	"$(jq -r '[.signed.targets | to_entries[] | select(.value.custom.series == "cumulative-deb") | .key] | sort | join(" ")' "$t")"
expect_eq "  ... and lists what it replaces" '["6.1.0-56-amd64/livepatch_cum_1.ko"]' \
	"$(jq -c '.signed.targets["6.1.0-56-amd64/livepatch_cum_2.ko"].custom.replaces' "$t")"
expect_exit "a bad series name is refused" 1 "$BACKEND" archive publish "$S" "$WORK/livepatch_cum_2.ko" --kernel 6.1.0-56-amd64 --series "a/b"

# timestamp and rotations
expect_exit "archive timestamp" 0 "$BACKEND" archive timestamp "$A"
expect_eq "timestamp --json is a JSON result" true "$("$BACKEND" archive timestamp "$A" --json | jq .timestamped)"
expect_exit "rotate the timestamp key" 0 "$BACKEND" archive rotate "$A" timestamp
expect_exit "rotate the root keys" 0 "$BACKEND" archive rotate "$A" root
expect_eq "rotations published 2.root.json and 3.root.json" "3" \
	"$("$BACKEND" archive verify "$A" --json | jq .root)"
expect_eq "the new root still needs 2 root keys" 2 "$(jq .signed.roles.root.threshold "$A/metadata/3.root.json")"
expect_eq "3.root.json is signed by the old and the new root keys" 4 "$(jq '.signatures | length' "$A/metadata/3.root.json")"

# tuf-js, an independent client, over HTTP
node "$TOP/tests/tuf/serve.cjs" "$A" 120 >"$WORK/port" 2>"$WORK/requests.log" &
server=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
P=$(cat "$WORK/port")
tufjs() { node "$TOP/tests/tuf/verify-tufjs.cjs" "$A/metadata/1.root.json" "http://127.0.0.1:$P/metadata" \
	"http://127.0.0.1:$P/targets" "$1" "$WORK/client-$2"; }
check "tuf-js accepts the archive and downloads the module" tufjs 6.1.0-56-amd64/livepatch_a.ko ok
check "  ... walking the root chain" grep -q "GET /metadata/3.root.json" "$WORK/requests.log"
check "  ... and gets the right bytes" cmp "$WORK/v2/livepatch_a.ko" "$WORK/client-ok/targets/6.1.0-56-amd64%2Flivepatch_a.ko"

# tampering: a target's bytes, then signed metadata
f=$(ls "$A"/targets/6.1.0-56-amd64/*.livepatch_a.ko | while read -r x; do cmp -s "$x" "$WORK/v2/livepatch_a.ko" && echo "$x"; done)
cp "$f" "$WORK/saved.ko"
printf 'X' | dd of="$f" bs=1 seek=3 conv=notrunc 2>/dev/null
check "tuf-js refuses a tampered module" bash -c "! tufjs_out=\$(node '$TOP/tests/tuf/verify-tufjs.cjs' '$A/metadata/1.root.json' http://127.0.0.1:$P/metadata http://127.0.0.1:$P/targets 6.1.0-56-amd64/livepatch_a.ko '$WORK/client-t1')"
expect_exit "archive verify refuses it too" 1 "$BACKEND" archive verify "$A"
check "  ... naming the target" grep -q "livepatch_a.ko: sha256 mismatch" "$WORK/last.err"
cp "$WORK/saved.ko" "$f"
t=$(ls "$A"/metadata/*.targets.json | sort -V | tail -1)
cp "$t" "$WORK/saved.targets.json"
jq '.signed.targets["6.1.0-56-amd64/livepatch_a.ko"].custom.channel = "evil"' "$WORK/saved.targets.json" >"$t"
expect_exit "archive verify refuses changed signed metadata" 1 "$BACKEND" archive verify "$A"
check "  ... as the snapshot pins its length" grep -q "targets.json: length [0-9]*, expected" "$WORK/last.err"
check "tuf-js refuses it" bash -c "! node '$TOP/tests/tuf/verify-tufjs.cjs' '$A/metadata/1.root.json' http://127.0.0.1:$P/metadata http://127.0.0.1:$P/targets 6.1.0-56-amd64/livepatch_a.ko '$WORK/client-t2' >/dev/null"
cp "$WORK/saved.targets.json" "$t"
check "restored, tuf-js accepts again" tufjs 6.1.0-56-amd64/livepatch_a.ko again

# expiry: verify as of a later time
expect_exit "the archive is valid now" 0 "$BACKEND" archive verify "$A"
expect_exit "two days on, the timestamp has expired" 1 "$BACKEND" archive verify "$A" --at "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)"
check "  ... and says so" grep -q "timestamp.json: expired" "$WORK/last.err"

# revocation
expect_exit "revoking a patch id the archive does not carry is refused" 1 "$BACKEND" archive revoke "$A" lp-typo
check "  ... saying so" grep -q "no target has patch id 'lp-typo'" "$WORK/last.err"
expect_exit "revoke the patch" 0 "$BACKEND" archive revoke "$A" lp-a
expect_exit "revoking it twice is refused" 1 "$BACKEND" archive revoke "$A" lp-a
check "  ... as already revoked" grep -q "lp-a: already revoked" "$WORK/last.err"
t=$(ls "$A"/metadata/*.targets.json | sort -V | tail -1)
expect_eq "the revoked patch is gone from the targets" 0 "$(jq '.signed.targets | length' "$t")"
expect_eq "  ... and listed as revoked" lp-a "$(jq -r '.signed["x-tuxtape-revoked"][0].patch_id' "$t")"
check "tuf-js accepts the revocation (unknown fields are kept and signed)" bash -c \
	"node '$TOP/tests/tuf/verify-tufjs.cjs' '$A/metadata/1.root.json' http://127.0.0.1:$P/metadata http://127.0.0.1:$P/targets 6.1.0-56-amd64/livepatch_a.ko '$WORK/client-r' | grep -q 'no target'"

# a missing online key: nothing half-published reaches clients
mv "$A"/keys/timestamp-*.key "$WORK/"
before=$("$BACKEND" archive verify "$A" --json | jq -c .)
expect_exit "publish without the timestamp key fails" 1 "$BACKEND" archive publish "$A" "$WORK/livepatch_a.ko" --kernel 6.1.0-56-amd64
check "  ... naming the missing key" grep -q "no timestamp key" "$WORK/last.err"
expect_eq "  ... and clients still see the previous, valid archive" "$before" "$("$BACKEND" archive verify "$A" --json | jq -c .)"
mv "$WORK"/timestamp-*.key "$A/keys/"
kill $server 2>/dev/null

# --json everywhere; --any-module lets a test archive carry what nodes must refuse
B=$WORK/b
expect_eq "init --json is a JSON result" "$B 1" "$("$BACKEND" archive init "$B" --json | jq -r '"\(.archive) \(.root_threshold)"')"
expect_eq "publish --any-module takes a module that is not a livepatch" 6.1.0-56-amd64/plain.ko \
	"$("$BACKEND" archive publish "$B" "$WORK/plain.ko" --kernel 6.1.0-56-amd64 --any-module --json | jq -r .published)"
expect_eq "revoke --json" plain "$("$BACKEND" archive revoke "$B" plain --json | jq -r .revoked)"

# archive verify on a damaged archive: an error, not a crash (a double free once)
rm "$B/metadata/timestamp.json"
expect_exit "verify without timestamp.json fails cleanly" 1 "$BACKEND" archive verify "$B"
check "  ... naming the file" grep -q "timestamp.json: No such file" "$WORK/last.err"
check "  ... without a crash" bash -c "! grep -qi 'free\|abort\|sanitizer' '$WORK/last.err'"
C=$WORK/c
"$BACKEND" archive init "$C" >/dev/null
expect_eq "rotate --json" root "$("$BACKEND" archive rotate "$C" root --json | jq -r .rotated)"
echo '{"signed": garbage' >"$C/metadata/2.root.json"
expect_exit "verify with a bad 2.root.json fails cleanly" 1 "$BACKEND" archive verify "$C"
check "  ... naming the file" grep -q "2.root.json: " "$WORK/last.err"
check "  ... without a crash" bash -c "! grep -qi 'free\|abort\|sanitizer' '$WORK/last.err'"
