#!/bin/bash
# The scanner against a real git repository built from the CNA's sample records over several
# commits: first scan, incremental additions, modifications, rejections, a malformed record,
# an unchanged head, a URL mirror, a lock held by another scan, and broken repositories.
. "$(dirname "$0")/lib.sh"

SAMPLE=$SHARED/data/vulns/sample
REPO=$WORK/vulns
DB=$WORK/backend.db
scan() { "$BACKEND" scan --db "$DB" --vulns "$REPO" --json "$@"; }
field() { jq -r "$1" <"$WORK/scan.json"; }
count_files() { find "$@" -name 'CVE-*.json' | wc -l; }

git_init_repo "$REPO"
mkdir -p "$REPO/cve/published"

# 1: the 2021-2023 records
cp -r "$SAMPLE/cve/published/2021" "$SAMPLE/cve/published/2022" "$SAMPLE/cve/published/2023" \
	"$REPO/cve/published/"
echo "not a record" >"$REPO/cve/published/README"
git_commit_all "$REPO" "first records"
n1=$(count_files "$REPO/cve/published")
scan >"$WORK/scan.json"; rc=$?
expect_eq "first scan exits 0" 0 "$rc"
expect_eq "first scan reads every record" "$n1" "$(field .new)"
expect_eq "first scan is full" true "$(field .full)"
expect_eq "first scan has no errors" 0 "$(field .errors)"
expect_eq "scan reports the head commit" "$(git -C "$REPO" rev-parse HEAD)" "$(field .commit)"
expect_eq "stored count matches" "$n1" \
	"$("$BACKEND" cve list --db "$DB" --json | jq length)"

# 2: an unchanged head is a no-op
scan >"$WORK/scan.json"
expect_eq "unchanged head: up to date" true "$(field .up_to_date)"

# 3: the 2024-2025 records arrive
cp -r "$SAMPLE/cve/published/2024" "$SAMPLE/cve/published/2025" "$REPO/cve/published/"
git_commit_all "$REPO" "more records"
n2=$(count_files "$REPO/cve/published/2024" "$REPO/cve/published/2025")
scan >"$WORK/scan.json"
expect_eq "incremental scan: only the new records" "$n2" "$(field .new)"
expect_eq "incremental scan: nothing updated" 0 "$(field .updated)"
expect_eq "incremental scan is not full" false "$(field .full)"
expect_eq "incremental scan reads only changed records" "$n2" "$(field .records)"

# 4: modifications: a new stable fix in a .dyad, a new title in a .json, and a .mbox-only
# change (not read by the scanner: not an update)
d=$REPO/cve/published/2024/CVE-2024-26581
echo "6.4.8:cd66733932399475fe933cb3ec03e687ed401462:6.4.99:0123456789abcdef0123456789abcdef01234567" >>"$d.dyad"
j=$REPO/cve/published/2022/CVE-2022-48664.json
jq '.containers.cna.title = "changed title for the test"' "$j" >"$j.new" && mv "$j.new" "$j"
echo "extra" >>"$REPO/cve/published/2023/CVE-2023-52567.mbox"
git_commit_all "$REPO" "updates"
scan >"$WORK/scan.json"
expect_eq "modified records are updated" 2 "$(field .updated)"
expect_eq "no new records on modification" 0 "$(field .new)"
"$BACKEND" cve show --db "$DB" --json CVE-2024-26581 >"$WORK/show.json"
expect_eq "new dyad line is stored" "0123456789abcdef0123456789abcdef01234567" \
	"$(jq -r '.fixes[] | select(.fixed_version == "6.4.99") | .fixed_commit' "$WORK/show.json")"
expect_eq "new dyad line has its branch" "6.4" \
	"$(jq -r '.fixes[] | select(.fixed_version == "6.4.99") | .branch' "$WORK/show.json")"
expect_eq "new title is stored" "changed title for the test" \
	"$("$BACKEND" cve show --db "$DB" --json CVE-2022-48664 | jq -r .title)"
expect_eq "the change is recorded with the files that changed" "updated dyad" \
	"$(sqlite3 "$DB" "SELECT kind, detail FROM cve_change WHERE cve_id = 'CVE-2024-26581' ORDER BY id DESC LIMIT 1" | tr '|' ' ')"

# 5: a record moves to rejected (git mv, as the CNA does)
mkdir -p "$REPO/cve/rejected/2021"
git -C "$REPO" mv cve/published/2021/CVE-2021-46938 cve/published/2021/CVE-2021-46938.json \
	cve/published/2021/CVE-2021-46938.dyad cve/published/2021/CVE-2021-46938.sha1 \
	cve/published/2021/CVE-2021-46938.mbox cve/rejected/2021/
git_commit_all "$REPO" "reject CVE-2021-46938"
scan >"$WORK/scan.json"
expect_eq "rejection is counted" 1 "$(field .rejected)"
expect_eq "rejected record is kept, marked rejected" rejected \
	"$("$BACKEND" cve show --db "$DB" --json CVE-2021-46938 | jq -r .state)"
expect_eq "rejected record leaves the default list" 0 \
	"$("$BACKEND" cve list --db "$DB" --json | jq '[.[] | select(.id == "CVE-2021-46938")] | length')"
expect_eq "cve list --rejected shows it" 1 \
	"$("$BACKEND" cve list --db "$DB" --rejected --json | jq '[.[] | select(.id == "CVE-2021-46938")] | length')"

# 6: the sample's rejected records (old JSON shapes: cveID, custom versionType, 12-hex ids)
cp -r "$SAMPLE/cve/rejected/." "$REPO/cve/rejected/"
git_commit_all "$REPO" "rejected records"
nrej=$(count_files "$SAMPLE/cve/rejected")
scan >"$WORK/scan.json"
expect_eq "old-shape rejected records parse" "$nrej" "$(field .rejected)"
expect_eq "old-shape rejected records: no errors" 0 "$(field .errors)"

# 7: a malformed record next to a good one: reported with its path, skipped, the rest stored
m=$REPO/cve/published/2025/CVE-2025-99991
printf '{"cveMetadata": {"cveId": "CVE-2025-99991"}, "containers": ' >"$m.json"
cp "$REPO/cve/published/2025/CVE-2025-21734.dyad" "$m.dyad"
g=$REPO/cve/published/2025/CVE-2025-99992
jq '.cveMetadata.cveId = "CVE-2025-99992"' "$REPO/cve/published/2025/CVE-2025-21734.json" >"$g.json"
cp "$REPO/cve/published/2025/CVE-2025-21734.dyad" "$g.dyad"
b=$REPO/cve/published/2025/CVE-2025-99993
jq '.cveMetadata.cveId = "CVE-2025-99993"' "$REPO/cve/published/2025/CVE-2025-21734.json" >"$b.json"
echo "6.1:zzzz:6.2:abc" >"$b.dyad"
git_commit_all "$REPO" "bad and good"
scan >"$WORK/scan.json" 2>"$WORK/scan.err"; rc=$?
expect_eq "malformed records: exit code 3" 3 "$rc"
expect_eq "malformed records are counted" 2 "$(field .errors)"
expect_eq "the good record is stored" 1 "$(field .new)"
check "error names the JSON file and the problem" \
	grep -q 'cve/published/2025/CVE-2025-99991.json: line 1 column' "$WORK/scan.err"
check "error names the dyad file, line and field" \
	grep -q 'cve/published/2025/CVE-2025-99993.dyad: line 1: vulnerable commit' "$WORK/scan.err"
expect_exit "malformed record is not stored" 1 "$BACKEND" cve show --db "$DB" CVE-2025-99991

# 8: fixing it later: the record is retried and stored
jq '.cveMetadata.cveId = "CVE-2025-99991"' "$REPO/cve/published/2025/CVE-2025-21734.json" >"$m.json"
git_commit_all "$REPO" "fix bad record"
scan >"$WORK/scan.json"; rc=$?
expect_eq "fixed record is stored" 1 "$(field .new)"
expect_eq "the still-bad record is retried and still reported" 1 "$(field .errors)"

# 9: a full rescan of a scanned head changes nothing
scan --full >"$WORK/scan.json"
expect_eq "full rescan: nothing new or updated" "0 0 0" \
	"$(field '"\(.new) \(.updated) \(.rejected)"')"

# 10: a scan whose source is broken changes nothing
before=$(sqlite3 "$DB" .dump | md5sum)
expect_exit "not a repository: exit 1" 1 "$BACKEND" scan --db "$DB" --vulns "$WORK/nothing-here"
check "not a repository: message names the path" grep -q "nothing-here: not a git repository" "$WORK/last.err"
expect_exit "missing branch: exit 1" 1 "$BACKEND" scan --db "$DB" --vulns "$REPO" --branch nope
check "missing branch: message names it" grep -q "no branch 'nope'" "$WORK/last.err"
cp -r "$REPO" "$WORK/broken"
echo "more" >>"$WORK/broken/cve/published/2024/CVE-2024-26581.sha1"
git_commit_all "$WORK/broken" "a change"
blob=$(git -C "$WORK/broken" rev-parse HEAD:cve/published/2024/CVE-2024-26581.sha1)
rm -f "$WORK/broken/.git/objects/${blob:0:2}/${blob:2}"
expect_exit "corrupt repository: exit 1" 1 "$BACKEND" scan --db "$DB" --vulns "$WORK/broken"
check "corrupt repository: says the database is unchanged" grep -q "database is unchanged" "$WORK/last.err"
expect_eq "failed scans left the database exactly as before" "$before" "$(sqlite3 "$DB" .dump | md5sum)"

# 11: a held lock makes a second scan exit 4 at once
exec 9>"$DB.lock"
flock 9
expect_exit "a second concurrent scan exits 4" 4 "$BACKEND" scan --db "$DB" --vulns "$REPO"
exec 9>&-

# 12: a URL source is mirrored, then fetched incrementally
URLDB=$WORK/url.db
"$BACKEND" scan --db "$URLDB" --vulns "file://$REPO" --json >"$WORK/scan.json"
check "URL source is cloned into a bare mirror next to the database" test -f "$WORK/vulns.git/HEAD"
expect_eq "URL source: same records as the local scan" \
	"$(sqlite3 "$DB" 'SELECT count(*) FROM cve')" "$(sqlite3 "$URLDB" 'SELECT count(*) FROM cve')"
cp -r "$SAMPLE/cve/published/2024/CVE-2024-26581.json" "$REPO/cve/published/2024/CVE-2024-99999.json"
sed -i 's/CVE-2024-26581/CVE-2024-99999/' "$REPO/cve/published/2024/CVE-2024-99999.json"
git_commit_all "$REPO" "one more"
"$BACKEND" scan --db "$URLDB" --vulns "file://$REPO" --json >"$WORK/scan.json"
expect_eq "URL source: fetch brings the new commit" 1 "$(field .new)"

# 13: schema and journal
expect_eq "database records its schema version" 5 "$(sqlite3 "$DB" 'SELECT version FROM schema_version')"
expect_eq "database is in WAL mode" wal "$(sqlite3 "$DB" 'PRAGMA journal_mode')"
