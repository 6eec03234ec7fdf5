#!/bin/bash
# `cve check` against the sample's EXPECTED_versions.tsv (an independent implementation of the
# CNA's version rule, vulns-format.md §6): the verdict must match the JSON rule, and the fix
# reported for the version's branch must match branch_fix_version/commit, for every record and
# all nine versions. Every known disagreement is listed below with its reason; nothing else may
# differ.
. "$(dirname "$0")/lib.sh"

SAMPLE=$SHARED/data/vulns/sample
EXPECTED=$SAMPLE/EXPECTED_versions.tsv
REPO=$WORK/vulns
DB=$WORK/backend.db
git_init_repo "$REPO"
cp -r "$SAMPLE/cve" "$REPO/"
git_commit_all "$REPO" "sample"
"$BACKEND" scan --db "$DB" --vulns "$REPO" --json >"$WORK/scan.json"
expect_eq "sample scans without errors" 0 "$(jq .errors "$WORK/scan.json")"

for v in $(cut -f2 "$EXPECTED" | tail -n +2 | sort -u); do
	"$BACKEND" cve check --db "$DB" --version "$v" --json >"$WORK/check-$v.json"
	jq -r '.[] | [.id, .version, (if .verdict == "affected" then "affected" else "unaffected" end),
		(if .fixed_version == null then "-" elif .fix_from == "mainline" then "mainline:" + .fixed_version else .fixed_version end),
		(.fixed_commit // "-")] | @tsv' "$WORK/check-$v.json"
done | sort >"$WORK/ours.tsv"
tail -n +2 "$EXPECTED" | cut -f1,2,3,5,6 | sort >"$WORK/expected.tsv"

expect_eq "a verdict for every expected (CVE, version) pair" \
	"$(cut -f1,2 "$WORK/expected.tsv" | md5sum)" "$(cut -f1,2 "$WORK/ours.tsv" | md5sum)"

# branch_fix_* in the table lists every fix on the branch (";"-joined) when a branch had
# several windows; we report the one that matters for the version (the next fix up when
# affected, the latest one it carries otherwise), which must be one of them.
for v in $(cut -f2 "$WORK/expected.tsv" | sort -u); do
	diffs=$(join -t $'\t' -j1 \
		<(awk -F'\t' -v v="$v" '$2 == v {print $1 "\t" $3 "\t" $4 "\t" $5}' "$WORK/expected.tsv") \
		<(awk -F'\t' -v v="$v" '$2 == v {print $1 "\t" $3 "\t" $4 "\t" $5}' "$WORK/ours.tsv") |
		awk -F'\t' '
		function member(set, x,   n, a, i, pre) {
			pre = ""
			if (set ~ /^mainline:/) { pre = "mainline:"; set = substr(set, 10) }
			n = split(set, a, ";")
			for (i = 1; i <= n; i++) if (pre a[i] == x || (i == 1 && pre == "" && a[i] == x)) return i
			return 0
		}
		function commit_at(set, i,   a) { split(set, a, ";"); return a[i] }
		{
			i = member($3, $6)
			if ($2 != $5 || ($3 == "-") != ($6 == "-") || ($3 != "-" && (!i || commit_at($4, i) != $7)))
				print
		}')
	if [ -n "$diffs" ]; then
		echo "disagreements for $v (id, expected verdict/fix/commit, ours):" >&2
		echo "$diffs" | sed 's/^/   /' >&2
	fi
	expect_eq "verdicts and branch fixes agree with the CNA rule for $v" "" "$diffs"
done

# The worked example of vulns-format.md §6.2, beyond the table's versions.
for pair in 6.1.50:affected 6.4.10:affected 6.5.3:affected 6.7.2:affected 4.19.320:not-affected \
	6.8.1:fixed 6.1.120:fixed; do
	ver=${pair%%:*} want=${pair#*:}
	got=$("$BACKEND" cve check --db "$DB" --version "$ver" --json CVE-2024-26581 | jq -r '.[0].verdict')
	expect_eq "CVE-2024-26581 on $ver is $want" "$want" "$got"
done
expect_eq "CVE-2024-26581 on 6.1.50: fix is 6.1.78 by 1296c110c5a0" "6.1.78 1296c110c5a0b45a8fcf58e7d18bc5da61a565cb" \
	"$("$BACKEND" cve check --db "$DB" --version 6.1.50 --json CVE-2024-26581 | jq -r '.[0] | "\(.fixed_version) \(.fixed_commit)"')"
expect_exit "a distribution release is refused with a hint (a usage error)" 2 \
	"$BACKEND" cve check --db "$DB" --version 6.1.0-28-amd64
check "the refusal says what to give" grep -q "upstream kernel version" "$WORK/last.err"
