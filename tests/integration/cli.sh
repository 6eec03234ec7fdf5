#!/bin/bash
# The command line as users and scripts meet it: help, usage errors and exit codes, the
# configuration file and its errors, $TUXTAPE_DB, the JSON contracts, --since and --file
# filters, and the progress line that only a terminal gets.
. "$(dirname "$0")/lib.sh"

SAMPLE=$SHARED/data/vulns/sample
REPO=$WORK/vulns
git_init_repo "$REPO"
cp -r "$SAMPLE/cve" "$REPO/"
git_commit_all "$REPO" "sample"

for cmd in "" "scan" "cve"; do
	expect_exit "--help of '$cmd' exits 0" 0 "$BACKEND" $cmd --help
	check "--help of '$cmd' prints usage" grep -q "Usage: tuxtape-backend" "$WORK/last.out"
done
expect_exit "no command: exit 2" 2 "$BACKEND"
expect_exit "unknown command: exit 2" 2 "$BACKEND" frobnicate
expect_exit "unknown option: exit 2" 2 "$BACKEND" scan --bogus
expect_exit "cve without a verb: exit 2" 2 "$BACKEND" cve
expect_exit "cve check without --version: exit 2" 2 "$BACKEND" cve check
expect_exit "a malformed CVE id: exit 2" 2 "$BACKEND" cve show CVE-12
check "the malformed id is named" grep -q "'CVE-12' is not a CVE id" "$WORK/last.err"
expect_exit "reading a database that does not exist: exit 1" 1 "$BACKEND" cve list --db "$WORK/none.db"
check "and says to scan first" grep -q "run 'tuxtape-backend scan' first" "$WORK/last.err"

# $TUXTAPE_DB and the configuration file
export TUXTAPE_DB=$WORK/env.db
expect_exit "scan into \$TUXTAPE_DB" 0 "$BACKEND" scan --vulns "$REPO"
check "\$TUXTAPE_DB is used" test -s "$WORK/env.db"
unset TUXTAPE_DB
cat >"$WORK/good.conf" <<CONF
# comment
[backend]
db = $WORK/conf.db
[scan]
vulns = $REPO
branch = master
CONF
expect_exit "scan with only a config file" 0 "$BACKEND" scan --config "$WORK/good.conf"
check "the config's database is used" test -s "$WORK/conf.db"
printf '[backend]\ndb = /x\n[scan]\nvulnz = /y\n' >"$WORK/bad.conf"
expect_exit "unknown key: exit 1" 1 "$BACKEND" scan --config "$WORK/bad.conf"
check "unknown key is named with file and line" grep -q "bad.conf:4: unknown key 'vulnz' in section \[scan\]" "$WORK/last.err"
printf '[backend]\nthis is not ini\n' >"$WORK/bad2.conf"
expect_exit "syntax error: exit 1" 1 "$BACKEND" cve list --config "$WORK/bad2.conf"
check "syntax error names the line" grep -q "bad2.conf:2: syntax error" "$WORK/last.err"
expect_exit "a named config file must exist" 1 "$BACKEND" cve list --config "$WORK/missing.conf"
TUXTAPE_CONFIG=$WORK/good.conf expect_exit "\$TUXTAPE_CONFIG is read" 0 "$BACKEND" cve list
DB=$WORK/conf.db

# JSON contracts
"$BACKEND" cve show --db "$DB" --json CVE-2024-26581 >"$WORK/show.json"
expect_eq "cve show --json has the contract's keys" "cvss_score files fixes id state title" \
	"$(jq -r '[keys[] | select(. == "id" or . == "state" or . == "title" or . == "files" or . == "cvss_score" or . == "fixes")] | sort | join(" ")' "$WORK/show.json")"
expect_eq "fixes carry branch, versions and commit" "6.1 6.1.43 6.1.78 1296c110c5a0b45a8fcf58e7d18bc5da61a565cb" \
	"$(jq -r '.fixes[] | select(.branch == "6.1") | "\(.branch) \(.vulnerable_version) \(.fixed_version) \(.fixed_commit)"' "$WORK/show.json")"
expect_eq "cvss_score is a number" 7.8 "$(jq .cvss_score "$WORK/show.json")"
expect_eq "an unscored CVE has cvss_score null" null \
	"$("$BACKEND" cve show --db "$DB" --json CVE-2022-49358 | jq .cvss_score)"
expect_eq "cve check --json has the contract's keys" "fixed_commit fixed_version id verdict version" \
	"$("$BACKEND" cve check --db "$DB" --version 6.6.50 --json CVE-2024-26581 | jq -r '.[0] | [keys[] | select(. == "id" or . == "version" or . == "verdict" or . == "fixed_version" or . == "fixed_commit")] | sort | join(" ")')"
expect_exit "cve show of an unknown CVE: exit 1" 1 "$BACKEND" cve show --db "$DB" CVE-2030-0001
check "and says so" grep -q "CVE-2030-0001: not in the database" "$WORK/last.err"

# list filters
all=$("$BACKEND" cve list --db "$DB" --json | jq length)
expect_eq "--since long ago lists everything" "$all" "$("$BACKEND" cve list --db "$DB" --since 2000-01-01 --json | jq length)"
expect_eq "--since in the future lists nothing" 0 "$("$BACKEND" cve list --db "$DB" --since 2999-01-01T00:00:00 --json | jq length)"
expect_exit "--since with a bad date is a usage error: exit 2" 2 "$BACKEND" cve list --db "$DB" --since yesterday
check "the bad date is named" grep -q "since 'yesterday': expected YYYY-MM-DD" "$WORK/last.err"
expect_exit "cve check --version banana is a usage error: exit 2" 2 "$BACKEND" cve check --db "$DB" --version banana
check "  ... naming the value" grep -q "version 'banana': expected an upstream kernel version" "$WORK/last.err"
expect_eq "cve pin --json is a JSON result" "CVE-2024-26581 high" \
	"$("$BACKEND" cve pin CVE-2024-26581 --db "$DB" --priority high --reason test --json | jq -r '"\(.id) \(.pinned)"')"
expect_eq "cve unpin --json is a JSON result" "CVE-2024-26581 null" \
	"$("$BACKEND" cve unpin CVE-2024-26581 --db "$DB" --json | jq -r '"\(.id) \(.pinned)"')"

printf '{"vulnerabilities": [{"cveID": "CVE-2024-26581", "dateAdded": "2024-03-01"}]}' >"$WORK/kev.json"
expect_eq "feeds import-kev --json is a JSON result" "kev 1" \
	"$("$BACKEND" feeds import-kev --db "$DB" "$WORK/kev.json" --json | jq -r '"\(.feed) \(.imported)"')"

# a database file that is not one says what is wrong with it
head -c 8192 /dev/urandom >"$WORK/garbage.db"
expect_exit "a garbage database: exit 1" 1 "$BACKEND" cve list --db "$WORK/garbage.db"
check "  ... is not a SQLite database" grep -q "garbage.db: not a SQLite database" "$WORK/last.err"
head -c 20000 "$DB" >"$WORK/truncated.db"
expect_exit "a truncated database: exit 1" 1 "$BACKEND" cve list --db "$WORK/truncated.db"
check "  ... is named damaged" grep -Eq "truncated.db: (damaged database|not a usable SQLite database)" "$WORK/last.err"
check "  ... not a schema version" bash -c "! grep -q 'schema version 0' '$WORK/last.err'"
sqlite3 "$WORK/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
expect_exit "someone else's SQLite database: exit 1" 1 "$BACKEND" cve list --db "$WORK/other.db"
check "  ... says it lacks TuxTape's tables" grep -q "other.db: a SQLite database without TuxTape's tables" "$WORK/last.err"
expect_exit "  ... and a scan does not add them to it" 1 "$BACKEND" scan --db "$WORK/other.db" --vulns "$REPO"
check "  ... saying so" grep -q "without TuxTape's tables (not adding them" "$WORK/last.err"
mkdir "$WORK/dir.db"
expect_exit "a directory as the database: exit 1" 1 "$BACKEND" cve list --db "$WORK/dir.db"
check "  ... is named" grep -q "dir.db: not a database file" "$WORK/last.err"
expect_exit "scan into a directory that does not exist: exit 1" 1 "$BACKEND" scan --db "$WORK/nonexistent/dir/x.db" --vulns "$REPO"
check "  ... naming the directory" grep -q "the directory $WORK/nonexistent/dir does not exist" "$WORK/last.err"
check "  ... which is not created" test ! -e "$WORK/nonexistent"
git_init_repo "$WORK/notvulns"
echo hello >"$WORK/notvulns/README"
git_commit_all "$WORK/notvulns" "not records"
expect_exit "scan of a repository without CVE records: exit 1" 1 "$BACKEND" scan --db "$WORK/nv.db" --vulns "$WORK/notvulns"
check "  ... saying so" grep -q "not a CVE records repository (no cve/published or cve/rejected" "$WORK/last.err"
expect_eq "--file matches programFiles by glob" "CVE-2024-26581" \
	"$("$BACKEND" cve list --db "$DB" --file 'net/netfilter/nft_set_rbtree.c' --json | jq -r '.[].id')"
expect_eq "--file output carries the files" "net/netfilter/nft_set_rbtree.c" \
	"$("$BACKEND" cve list --db "$DB" --file 'net/netfilter/nft_set_*' --json | jq -r '.[0].files[0]')"

# progress: only when stderr is a terminal
rm -f "$WORK"/tty.db*
script -qec "$BACKEND scan --db $WORK/tty.db --vulns $REPO" /dev/null >"$WORK/tty.out"
check "a terminal gets a progress line" grep -q "scanning: .*records" "$WORK/tty.out"
rm -f "$WORK"/notty.db*
"$BACKEND" scan --db "$WORK/notty.db" --vulns "$REPO" >"$WORK/notty.out" 2>"$WORK/notty.err"
check "a pipe gets none" test ! -s "$WORK/notty.err"
expect_eq "a pipe gets one summary line" 1 "$(wc -l <"$WORK/notty.out")"

# make install puts things at FHS paths under DESTDIR
make -C "$TOP" --no-print-directory install DESTDIR="$WORK/inst" PREFIX=/usr >/dev/null 2>&1
check "install: the program in /usr/bin" test -x "$WORK/inst/usr/bin/tuxtape-backend"
check "install: the configuration in /etc/tuxtape" test -f "$WORK/inst/etc/tuxtape/backend.conf"
check "install: the state directory /var/lib/tuxtape" test -d "$WORK/inst/var/lib/tuxtape"
expect_exit "the installed example configuration parses" 0 "$BACKEND" cve list \
	--config "$WORK/inst/etc/tuxtape/backend.conf" --db "$DB"
