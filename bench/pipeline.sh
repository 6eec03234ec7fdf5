#!/bin/bash
# The cron pipeline on real fixes: Debian's 6.1.170 kernel (linux-image-6.1.0-47-amd64), the
# kernel CNA's whole corpus reduced to the records whose 6.1-branch fix landed in
# 6.1.171-6.1.176 (the set bench/generator-cves.sh uses), fixes from the 6.1.176-1 source,
# `tuxtape-backend run --limit 40` (the 40 highest-priority applicable CVEs), each module and
# the cumulative one vetted in the kernel's own VM (tuxtape-backend vet). Prints wall time per
# step, per CVE and for the run, how many fixes made it into the cumulative module, and the
# time to build and vet it.
#   LIMIT=N  attempts (default 40)
# Downloads (once, into /var/cache/tuxtape-test): image/headers 6.1.0-47, two source tarballs.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bin=${TUXTAPE_BIN:-$top/build}
SHARED=${TUXTAPE_SHARED:-$top/../shared}
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}
LIMIT=${LIMIT:-40}
REL=6.1.0-47-amd64
W=${BENCH_WORK:-$(mktemp -d /tmp/tuxtape-benchpl.XXXXXX)}
echo "# bench/pipeline.sh, $(date -u +%F), work in $W"

eval "$(KREL=$REL tests/debian-kernel.sh)"                      # KSOURCE KCONFIG (6.1.170-3)
eval "$(E2E_KREL=$REL tests/e2e/kernel.sh)"                     # KBUILD IMAGE_DEB
eval "$(bench/fix-source.sh)"                                  # FIXSRC (6.1.176-1)

# the vulns repository: the records fixed on the 6.1 branch in 171..176
mkdir -p "$W/all"
tar -xJf "$SHARED/data/vulns/vulns-cve-d9dda40c.tar.xz" -C "$W/all"
git init -q -b master "$W/vulns"
grep -l -E '^[^#].*:6\.1\.(17[1-6]):' -r "$W/all/cve/published" --include='*.dyad' | while read -r d; do
	rel=${d#"$W/all/"}
	mkdir -p "$W/vulns/$(dirname "$rel")"
	cp "${d%.dyad}".* "$W/vulns/$(dirname "$rel")/"
done
git -C "$W/vulns" add -A
git -C "$W/vulns" -c user.email=b@tuxtape.invalid -c user.name=bench commit -q -m "fixed in 6.1.171-176"
echo "records fixed on 6.1 in 171..176: $(find "$W/vulns/cve" -name '*.json' | wc -l)"

DB=$W/b.db
# as an operator registers it: from Debian's image package (image, .config, every module for
# the vet, the kernel's own symbols from one boot, cached)
"$bin/tuxtape-backend" kernel add deb170 --db "$DB" --package "$IMAGE_DEB" \
	--kernels-dir "$CACHE/kernels" --source "$KSOURCE" --release "$REL" --headers "$KBUILD" >/dev/null
"$bin/tuxtape-backend" archive init "$W/archive" >/dev/null
cat >"$W/backend.conf" <<CONF
[scan]
vulns = $W/vulns
mirror = $W/vulns.git
[generate]
cache = $CACHE/generator
[pipeline]
fixes = $FIXSRC
min-priority = low
limit = $LIMIT
archive = $W/archive
work = $W/pipeline
CONF
t0=$(date +%s)
"$bin/tuxtape-backend" run --db "$DB" --config "$W/backend.conf" --json >"$W/run.json" 2>"$W/run.err" || true
echo "run: $(( $(date +%s) - t0 )) s wall: $(jq -r .summary "$W/run.json")"
echo
echo "steps (seconds):"
jq -r '.steps[] | "  \(.name)\t\(.seconds)"' "$W/run.json"
echo
echo "per CVE (generate + vet, seconds, outcome):"
sqlite3 -separator $'\t' "$DB" "SELECT cve_id, printf('%.0f', seconds), outcome || coalesce(' at ' || step, '')
	FROM pipeline_attempt ORDER BY seconds DESC" | sed 's/^/  /'
sqlite3 "$DB" "SELECT 'per CVE: mean ' || printf('%.1f', avg(seconds)) || ' s, median-ish ' ||
	printf('%.1f', (SELECT seconds FROM pipeline_attempt ORDER BY seconds LIMIT 1 OFFSET
	(SELECT count(*) / 2 FROM pipeline_attempt))) || ' s, max ' || printf('%.1f', max(seconds)) || ' s'
	FROM pipeline_attempt"
echo
echo "outcomes:"
sqlite3 "$DB" "SELECT count(*), outcome || coalesce(' at ' || step, '') FROM pipeline_attempt
	GROUP BY 2 ORDER BY 1 DESC" | sed 's/^/  /'
echo
jq -r '.kernels[0].cumulative | "cumulative module: \(.status), \(.fixes) fixes, v\(.version // "-"), built and vetted in \(.seconds // "-") s" +
	(if .reason then " (\(.step): \(.reason | .[0:200]))" else "" end)' "$W/run.json"
