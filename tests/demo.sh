#!/bin/bash
# make demo: the backend pipeline on built-in data. Builds a git repository from the CNA's
# sample records (as the real vulns repository would deliver them, in two commits), scans it
# twice (full, then incremental), and shows what an operator asks first.
set -eu
cd "$(dirname "$0")/.."
BACKEND=${BACKEND:-build/tuxtape-backend}
SAMPLE=${TUXTAPE_SHARED:-../shared}/data/vulns/sample
DEMO=${DEMO_DIR:-$(mktemp -d /tmp/tuxtape-demo.XXXXXX)}
export TUXTAPE_DB=$DEMO/backend.db
unset TUXTAPE_CONFIG

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ -d "$SAMPLE/cve" ] || { echo "demo: no sample data at $SAMPLE" >&2; exit 1; }
rm -rf "$DEMO/vulns" "$TUXTAPE_DB"*
git init -q -b master "$DEMO/vulns"
git -C "$DEMO/vulns" config user.email demo@tuxtape.invalid
git -C "$DEMO/vulns" config user.name "TuxTape demo"
mkdir -p "$DEMO/vulns/cve/published"
cp -r "$SAMPLE"/cve/published/202[1-3] "$DEMO/vulns/cve/published/"
git -C "$DEMO/vulns" add -A && git -C "$DEMO/vulns" commit -q -m "records 2021-2023"

step "first scan of $DEMO/vulns (every record)"
$BACKEND scan --vulns "$DEMO/vulns"

cp -r "$SAMPLE"/cve/published/202[45] "$DEMO/vulns/cve/published/"
cp -r "$SAMPLE"/cve/rejected "$DEMO/vulns/cve/"
git -C "$DEMO/vulns" add -A && git -C "$DEMO/vulns" commit -q -m "records 2024-2025, rejections"
step "incremental scan (only the new commit's records)"
$BACKEND scan --vulns "$DEMO/vulns" --json

step "cve show CVE-2024-26581"
$BACKEND cve show CVE-2024-26581 | head -30

step "cve list --file 'net/netfilter/*'"
$BACKEND cve list --file 'net/netfilter/*'

step "cve check --version 6.1.120 (first 15 affected)"
$BACKEND cve check --version 6.1.120 2>"$DEMO/check.summary" | grep ' affected' | head -15
cat "$DEMO/check.summary"

step "cve check --version 6.1.50 CVE-2024-26581 --json"
$BACKEND cve check --version 6.1.50 CVE-2024-26581 --json

step "kernel add: Debian's current 6.1 kernel, profile from its source tarball and .config"
eval "$(tests/debian-kernel.sh)"
$BACKEND kernel add debian-6.1 --kconfig "$KCONFIG" --source "$KSOURCE" --release "$KREL"
$BACKEND kernel list

step "gauge: applicability of every CVE to every registered kernel"
$BACKEND gauge

step "triage --kernel debian-6.1 (what to patch first, and why)"
$BACKEND triage --kernel debian-6.1

step "archive: a signed (TUF) archive, a module published into it, checked by our client"
ARCHIVE=$DEMO/archive
$BACKEND archive init "$ARCHIVE" --root-threshold 2
$BACKEND archive publish "$ARCHIVE" "$KSAMPLEKO" --any-module --kernel "$KREL" --cve CVE-2024-26581 --patch-id demo-isofs
$BACKEND archive verify "$ARCHIVE"
node tests/tuf/serve.cjs "$ARCHIVE" 60 >"$DEMO/port" 2>"$DEMO/requests.log" &
for _ in $(seq 50); do [ -s "$DEMO/port" ] && break; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$DEMO/port")
build/tuxtape-tuf-client --metadata-dir "$DEMO/node/metadata" init "$ARCHIVE/metadata/1.root.json"
build/tuxtape-tuf-client --metadata-url "$URL/metadata" --metadata-dir "$DEMO/node/metadata" \
	--target-name "$KREL/isofs.ko" --target-dir "$DEMO/node/targets" --target-base-url "$URL/targets" download
echo "what the node fetched:"; sed 's/^/  /' "$DEMO/requests.log"
echo
echo "demo state kept in $DEMO"
