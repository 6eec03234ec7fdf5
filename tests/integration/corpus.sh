#!/bin/bash
# The whole CNA corpus (14,626 published, 312 rejected records) in one commit scans without
# an error, and `cve check` runs over it for the three reference versions.
. "$(dirname "$0")/lib.sh"

TARBALL=$SHARED/data/vulns/vulns-cve-d9dda40c.tar.xz
REPO=$WORK/vulns
DB=$WORK/backend.db
git_init_repo "$REPO"
tar -xJf "$TARBALL" -C "$REPO"
git -C "$REPO" add -A cve/published cve/rejected
git -C "$REPO" commit -q -m corpus
"$BACKEND" scan --db "$DB" --vulns "$REPO" --json >"$WORK/scan.json" 2>"$WORK/scan.err"; rc=$?
expect_eq "whole corpus: exit 0" 0 "$rc"
expect_eq "whole corpus: no malformed records" 0 "$(jq .errors "$WORK/scan.json")"
expect_eq "whole corpus: 14626 published" 14626 "$(jq .new "$WORK/scan.json")"
expect_eq "whole corpus: 312 rejected" 312 "$(jq .rejected "$WORK/scan.json")"
expect_eq "whole corpus: no warnings" "" "$(cat "$WORK/scan.err")"
expect_eq "records with a CVSS score" 5373 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM cve WHERE state = 'published' AND cvss_score IS NOT NULL")"
for v in 5.15.170 6.1.120 6.6.50; do
	"$BACKEND" cve check --db "$DB" --version "$v" --json >"$WORK/check.json"
	expect_eq "cve check $v covers every published record" 14626 "$(jq length "$WORK/check.json")"
done
