#!/bin/bash
# The patch generator's real score: the CVEs whose 6.1-branch fix landed in 6.1.171-6.1.176,
# for Debian's 6.1.170 kernel (linux-image-6.1.0-47-amd64, source linux-source-6.1 6.1.170-3),
# each fix taken from the 6.1.176-1 source (--fix-source) and, when a module comes out, loaded
# on that kernel in QEMU (tests/e2e/vet.sh: transition finished, no WARN/Oops). Prints one line
# per CVE and a table of outcomes by step and reason.
#   SERIES=6.12 the second series instead: Debian's 6.12.95 (linux-image-6.12.95+deb12-amd64
#             and linux-source-6.12 6.12.95 from bookworm-backports), CVEs fixed on the 6.12
#             branch in 6.12.96-6.12.101, fixes from the 6.12.107 source (bookworm-security)
#   LIMIT=N   how many of the applicable CVEs (default 20, 60 for SERIES=6.12; 0 = all, hours)
#   VET=0     build only, do not boot
# Downloads (once, into /var/cache/tuxtape-test): image/headers, two source tarballs.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bin=${TUXTAPE_BIN:-$top/build}
SHARED=${TUXTAPE_SHARED:-$top/../shared}
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}
SERIES=${SERIES:-6.1}
case "$SERIES" in
6.1) REL=6.1.0-47-amd64 KNAME=deb170 FIRST=171 LAST=176 LIMIT=${LIMIT:-20} ;;
6.12) REL=6.12.95+deb12-amd64 KNAME=deb612 FIRST=96 LAST=101 LIMIT=${LIMIT:-60} ;;
*) echo "generator-cves: SERIES=$SERIES is not 6.1 or 6.12" >&2; exit 2 ;;
esac
VET=${VET:-1}
W=${BENCH_WORK:-$(mktemp -d /tmp/tuxtape-gencves.XXXXXX)}
echo "# bench/generator-cves.sh SERIES=$SERIES, $(date -u +%F), work in $W"

eval "$(KREL=$REL tests/debian-kernel.sh)"                      # KSOURCE KCONFIG
eval "$(E2E_KREL=$REL tests/e2e/kernel.sh)"                     # KBUILD VMLINUZ KMODDIR
KALLSYMS=$(E2E_KREL=$REL tests/e2e/kallsyms.sh)
eval "$(SERIES=$SERIES bench/fix-source.sh)"                   # FIXSRC
DB=$W/b.db
if [ ! -s "$DB" ]; then
	git init -q -b master "$W/vulns"
	tar -xJf "$SHARED/data/vulns/vulns-cve-d9dda40c.tar.xz" -C "$W/vulns"
	git -C "$W/vulns" add -A cve/published cve/rejected
	git -C "$W/vulns" -c user.email=b@tuxtape.invalid -c user.name=bench commit -q -m corpus
	"$bin/tuxtape-backend" scan --db "$DB" --vulns "$W/vulns" >/dev/null
fi
# the modules (ext4 and what the VM loads) give a module's static functions their positions;
# a work directory from before they were registered gets them now
if [ -z "$(sqlite3 "$DB" "SELECT modules FROM kernel WHERE name = '$KNAME'")" ]; then
	"$bin/tuxtape-backend" kernel add $KNAME --db "$DB" --kconfig "$KCONFIG" --source "$KSOURCE" \
		--release "$REL" --headers "$KBUILD" --system-map "$KALLSYMS" --modules "$KMODDIR" >/dev/null
	"$bin/tuxtape-backend" gauge --db "$DB" >/dev/null
fi
# fixed on the 6.1 branch in 171..176 and applicable to this kernel (its files are built)
sqlite3 "$DB" "SELECT DISTINCT d.cve_id FROM cve_dyad d JOIN gauge g ON g.cve_id = d.cve_id
	AND g.kernel = '$KNAME' AND g.verdict = 'affected'
	WHERE d.fixed_version LIKE '$SERIES.%'
	AND CAST(substr(d.fixed_version, ${#SERIES} + 2) AS INTEGER) BETWEEN $FIRST AND $LAST
	ORDER BY d.cve_id" \
	>"$W/cves"
total=$(wc -l <"$W/cves")
[ "$LIMIT" -gt 0 ] && sed -i "$((LIMIT + 1)),\$d" "$W/cves"
echo "applicable CVEs fixed in $SERIES.$FIRST-$SERIES.$LAST: $total; attempting $(wc -l <"$W/cves")"

vet=()
[ "$VET" = 1 ] && vet=(--vet-command "env E2E_KREL=$REL $top/tests/e2e/vet.sh")
: >"$W/outcomes"
while read -r cve; do
	[ -n "${ONLY:-}" ] && ! grep -qw -- "$cve" <<<"$ONLY" && continue
	t0=$(date +%s)
	"$bin/tuxtape-backend" generate --db "$DB" --kernel $KNAME --cve "$cve" --fix-source "$FIXSRC" \
		--out "$W/out/$cve" --cache "$CACHE/generator" "${vet[@]}" --json >"$W/$cve.json" 2>"$W/$cve.err" || true
	outcome=$(jq -r 'if .outcome == "ok" then
		"module loads, transition finished" + (if any(.steps[]; .name == "vet" and .status == "ok")
		then " (vetted)" else " (not vetted)" end)
		else "\(.outcome) at \(.step): \(.reason // "" | gsub("\\s+"; " ") | .[0:110])" end' "$W/$cve.json" 2>/dev/null ||
		echo "failed: no report ($(tail -1 "$W/$cve.err"))")
	printf '%s\t%ss\t%s\n' "$cve" "$(( $(date +%s) - t0 ))" "$outcome" | tee -a "$W/outcomes"
done <"$W/cves"

echo
echo "outcomes by step and reason (paths, symbols and names folded):"
while read -r cve; do
	jq -r 'if .outcome == "ok" then "module built, loaded, transition finished" +
		(if any(.steps[]; .name == "vet" and .status == "ok") then " (vetted)" else "" end)
		else "\(.outcome) at \(.step): \(.reason // "" | gsub("\\s+"; " ")
		| sub("^[^ ]+\\.o: [^ ]+\\.o: "; "") | sub("^kbuild failed: .*error: "; "kbuild failed: error: "))"
		end' "$W/$cve.json" 2>/dev/null || echo "failed: no report"
done <"$W/cves" | sed -E "s/'[^']*'/<sym>/g; s/‘[^’]*’/<sym>/g; s/struct [a-z_0-9]+ in [^ ]+/struct <S> in <header>/;
	s/module [a-z_0-9]+:/module <M>:/; s/exited [0-9]+: .*/exited non-zero/; s/^(refused at diff: )[^:]+: /\1/;
	s/ \(in [^)]*\)//" | cut -c1-120 | sort | uniq -c | sort -rn
