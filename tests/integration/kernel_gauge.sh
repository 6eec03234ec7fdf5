#!/bin/bash
# Kernel profiles, the applicability gauge and the prioritizer against a real distribution
# kernel: Debian's current 6.1 kernel (linux-image-amd64) and its linux-source-6.1 tarball,
# fetched once by tests/debian-kernel.sh. The profile made from the source and the .config is
# checked against what Debian shipped (every .ko, modules.builtin), then hand-picked CVEs of
# the sample get the verdicts worked out for that kernel.
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/debian-kernel.sh")" || { not_ok "fetch Debian's kernel packages"; exit 1; }
SAMPLE=$SHARED/data/vulns/sample
REPO=$WORK/vulns
DB=$WORK/backend.db
git_init_repo "$REPO"
cp -r "$SAMPLE/cve" "$REPO/"
git_commit_all "$REPO" "sample"
"$BACKEND" scan --db "$DB" --vulns "$REPO" >/dev/null

# --- the profile, from the tarball, without unpacking it
start=$(date +%s.%N)
"$BACKEND" kernel add deb61 --db "$DB" --kconfig "$KCONFIG" --source "$KSOURCE" --release "$KREL" \
	>"$WORK/add.out" 2>"$WORK/add.err"; rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
expect_eq "kernel add from Debian's source tarball" 0 "$rc"
echo "# profile built from $(basename "$KSOURCE") in ${secs}s: $(cat "$WORK/add.out")"
"$BACKEND" kernel show deb61 --db "$DB" --json >"$WORK/show.json"
expect_eq "the version is read from the source's Makefile" "${KVERSION%%-*}" "$(jq -r .version "$WORK/show.json")"
expect_eq "the release is kept" "$KREL" "$(jq -r .release "$WORK/show.json")"

# every shipped module must be a module of the profile; every modules.builtin entry built in
sqlite3 "$DB" "SELECT path FROM kernel_unit WHERE kernel = 'deb61' AND mode = 'm'" | sort >"$WORK/ours.m"
sqlite3 "$DB" "SELECT path FROM kernel_unit WHERE kernel = 'deb61' AND mode = 'y'" | sort >"$WORK/ours.y"
sed 's/\.ko\(\.xz\|\.zst\|\.gz\)\?$//' "$KMODLIST" | sort >"$WORK/shipped.m"
sed 's|^kernel/||; s/\.ko$//' "$KBUILTIN" | sort >"$WORK/shipped.y"
shipped_m=$(wc -l <"$WORK/shipped.m"); found_m=$(comm -12 "$WORK/shipped.m" "$WORK/ours.m" | wc -l)
ours_m=$(wc -l <"$WORK/ours.m")
shipped_y=$(wc -l <"$WORK/shipped.y"); found_y=$(comm -12 "$WORK/shipped.y" "$WORK/ours.y" | wc -l)
echo "# modules: $found_m of $shipped_m shipped modules found (recall $(echo "scale=2; 100*$found_m/$shipped_m" | bc)%);" \
	"$found_m of $ours_m profile modules shipped (precision $(echo "scale=2; 100*$found_m/$ours_m" | bc)%)"
echo "# modules.builtin: $found_y of $shipped_y entries built in (recall $(echo "scale=2; 100*$found_y/$shipped_y" | bc)%)"
comm -23 "$WORK/shipped.m" "$WORK/ours.m" | head -5 | sed 's/^/#   missed: /'
check "module recall >= 99%" [ $((found_m * 100)) -ge $((shipped_m * 99)) ]
check "module precision >= 99%" [ $((found_m * 100)) -ge $((ours_m * 99)) ]
check "modules.builtin recall >= 99%" [ $((found_y * 100)) -ge $((shipped_y * 99)) ]
check "a shipped module's source is marked m (e1000e's netdev.c)" \
	test "$(sqlite3 "$DB" "SELECT mode FROM kernel_file WHERE kernel = 'deb61' AND path = 'drivers/net/ethernet/intel/e1000e/netdev.c'")" = m
check "core code is marked y (kernel/fork.c)" \
	test "$(sqlite3 "$DB" "SELECT mode FROM kernel_file WHERE kernel = 'deb61' AND path = 'kernel/fork.c'")" = y
check "what is not built is known as such (arch/arm64/kvm/arm.c)" \
	test "$(sqlite3 "$DB" "SELECT mode FROM kernel_file WHERE kernel = 'deb61' AND path = 'arch/arm64/kvm/arm.c'")" = n
check "constructs the evaluator does not understand are reported with file and line" \
	jq -e '.issues | map(select(.file == "lib/Makefile" and (.what | test("eval")))) | length > 0' "$WORK/show.json"

# --- gauge verdicts worked out for Debian 6.1.192 and the sample
verdict() { jq -r --arg id "$1" '.[] | select(.id == $id) | .verdict' "$WORK/triage.json"; }
field() { jq -r --arg id "$1" ".[] | select(.id == \$id) | $2" "$WORK/triage.json"; }
"$BACKEND" triage --db "$DB" --kernel deb61 --all --json >"$WORK/triage.json" 2>"$WORK/triage.err"
# fs/proc/task_mmu.c is built in; the 6.1 branch has no fix for it (cve check says so)
expect_eq "CVE-2025-39754 (fs/proc/task_mmu.c, built in, unfixed on 6.1): affected" affected "$(verdict CVE-2025-39754)"
expect_eq "  ... built in" '["fs/proc/task_mmu.c"]' "$(field CVE-2025-39754 '.files_built | tostring')"
# mlx5 is a module in Debian's config
expect_eq "CVE-2023-53394 (mlx5 driver, a module): affected" affected "$(verdict CVE-2023-53394)"
check "  ... and its reasons say it is a module" jq -e '.[] | select(.id == "CVE-2023-53394") | .reasons | map(select(test("module"))) | length == 1' "$WORK/triage.json"
# arm64 KVM is never built for amd64
expect_eq "CVE-2025-40102 (arch/arm64/kvm/arm.c): not-affected-config" not-affected-config "$(verdict CVE-2025-40102)"
# fixed on the 6.1 branch in 6.1.78 by 1296c110c5a0
expect_eq "CVE-2024-26581: fixed" fixed "$(verdict CVE-2024-26581)"
expect_eq "  ... by 6.1.78 1296c110c5a0" "6.1.78 1296c110c5a0b45a8fcf58e7d18bc5da61a565cb" "$(field CVE-2024-26581 '"\(.fixed_version) \(.fixed_commit)"')"
# a 5.10-only stable regression never reached 6.1
expect_eq "CVE-2021-4440 (5.10-only regression): not-affected-version" not-affected-version "$(verdict CVE-2021-4440)"
# the fix's file was moved after 6.1: not in this source at all, so unknown, not "not built"
expect_eq "CVE-2024-49919 (file renamed after 6.1): unknown" unknown "$(verdict CVE-2024-49919)"
check "  ... saying why" jq -e '.[] | select(.id == "CVE-2024-49919") | .reasons | map(select(test("in this kernel.s source"))) | length == 1' "$WORK/triage.json"

# a record that names no files: unknown, and said so (real record, programFiles removed)
j=$REPO/cve/published/2025/CVE-2025-39754.json
jq 'del(.containers.cna.affected[].programFiles)' "$j" >"$j.new" && mv "$j.new" "$j"
git_commit_all "$REPO" "no files"
"$BACKEND" scan --db "$DB" --vulns "$REPO" >/dev/null
"$BACKEND" triage --db "$DB" --kernel deb61 >/dev/null 2>"$WORK/triage.err"
"$BACKEND" triage --db "$DB" --kernel deb61 --all --json >"$WORK/triage.json"
expect_eq "a record naming no files: unknown" unknown "$(verdict CVE-2025-39754)"
check "  ... saying so" jq -e '.[] | select(.id == "CVE-2025-39754") | .reasons | map(select(test("names no files"))) | length == 1' "$WORK/triage.json"
check "the scan's one changed record is all the gauge recomputed" grep -q "(1 recomputed" "$WORK/triage.err"
"$BACKEND" triage --db "$DB" --kernel deb61 >/dev/null 2>"$WORK/triage.err"
check "nothing changed: nothing recomputed" grep -q "(0 recomputed" "$WORK/triage.err"

# --- triage's JSON contract and the prioritizer's inputs
expect_eq "triage lists only affected and unknown by default" "affected unknown" \
	"$("$BACKEND" triage --db "$DB" --kernel deb61 --json | jq -r '[.[].verdict] | unique | join(" ")')"
expect_eq "triage --json carries the contract's keys" "files_built fixed_commit fixed_version id priority reasons score verdict" \
	"$("$BACKEND" triage --db "$DB" --kernel deb61 --all --json | jq -r '[.[] | select(.id == "CVE-2024-26581")][0] | keys | join(" ")')"
before=$(field CVE-2023-53394 .score)
cat >"$WORK/kev.json" <<'KEV'
{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.11.20",
 "dateReleased": "2026-11-20T15:00:00.000Z", "count": 1, "vulnerabilities": [
 {"cveID": "CVE-2023-53394", "vendorProject": "Linux", "product": "Kernel",
  "vulnerabilityName": "Linux Kernel mlx5 Use-After-Free", "dateAdded": "2026-10-01",
  "shortDescription": "x", "requiredAction": "Apply updates", "dueDate": "2026-10-22",
  "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": ["CWE-416"]}]}
KEV
printf '#model_version:v2025.03.14,score_date:2026-11-20T00:00:00+0000\ncve,epss,percentile\nCVE-2023-53394,0.41230,0.97110\nCVE-2024-26669,0.00100,0.20000\n' >"$WORK/epss.csv"
expect_exit "import a KEV catalog" 0 "$BACKEND" feeds import-kev --db "$DB" "$WORK/kev.json"
expect_exit "import EPSS scores" 0 "$BACKEND" feeds import-epss --db "$DB" "$WORK/epss.csv"
"$BACKEND" triage --db "$DB" --kernel deb61 --json >"$WORK/triage.json" 2>/dev/null
check "KEV shows in the reasons" jq -e '.[] | select(.id == "CVE-2023-53394") | .reasons | map(select(test("CISA KEV since 2026-10-01"))) | length == 1' "$WORK/triage.json"
check "EPSS shows in the reasons" jq -e '.[] | select(.id == "CVE-2023-53394") | .reasons | map(select(test("EPSS 0.412"))) | length == 1' "$WORK/triage.json"
expect_eq "KEV and EPSS raise the score by 30 + 25 x 0.4123" "$(echo "$before + 30 + 25 * 0.4123" | bc)" \
	"$(field CVE-2023-53394 .score | awk '{printf "%.4f", $1}')"
echo '{"vulnerabilities": [{"cveID": "not-a-cve"}]}' >"$WORK/bad-kev.json"
expect_exit "a malformed KEV file fails" 1 "$BACKEND" feeds import-kev --db "$DB" "$WORK/bad-kev.json"
check "  ... naming the entry" grep -q "vulnerabilities\[0\]" "$WORK/last.err"
expect_eq "  ... and leaves the previous import" 1 "$(sqlite3 "$DB" 'SELECT count(*) FROM kev')"
printf 'cve,epss,percentile\nCVE-2023-53394,1.7,0.5\n' >"$WORK/bad-epss.csv"
expect_exit "a malformed EPSS file fails" 1 "$BACKEND" feeds import-epss --db "$DB" "$WORK/bad-epss.csv"
check "  ... naming the line" grep -q "bad-epss.csv:2:" "$WORK/last.err"
expect_eq "  ... and leaves the previous import" 2 "$(sqlite3 "$DB" 'SELECT count(*) FROM epss')"

# pins and levels
expect_exit "pin a CVE" 0 "$BACKEND" cve pin --db "$DB" CVE-2024-14040 --priority critical --reason "exploited on our edge routers"
"$BACKEND" triage --db "$DB" --kernel deb61 --json >"$WORK/triage.json" 2>/dev/null
expect_eq "a pinned CVE takes the pinned level" critical "$(field CVE-2024-14040 .priority)"
check "  ... with the operator's reason" jq -e '.[] | select(.id == "CVE-2024-14040") | .reasons | map(select(test("exploited on our edge routers"))) | length == 1' "$WORK/triage.json"
expect_eq "--min-priority critical lists only critical" "critical" \
	"$("$BACKEND" triage --db "$DB" --kernel deb61 --min-priority critical --json | jq -r '[.[].priority] | unique | join(" ")')"
expect_exit "a bad level is a usage error" 2 "$BACKEND" cve pin --db "$DB" CVE-2024-14040 --priority urgent --reason x

# the policy file
printf '[weights]\nkev = 100\n[thresholds]\ncritical = 90\nhigh = 70\nmedium = 30\n' >"$WORK/policy.conf"
"$BACKEND" triage --db "$DB" --kernel deb61 --policy "$WORK/policy.conf" --json >"$WORK/triage.json" 2>/dev/null
expect_eq "policy weights change the score" "$(echo "$before + 100 + 25 * 0.4123" | bc)" \
	"$(field CVE-2023-53394 .score | awk '{printf "%.4f", $1}')"
printf '[weights]\nkve = 1\n' >"$WORK/bad-policy.conf"
expect_exit "an unknown policy key fails" 1 "$BACKEND" triage --db "$DB" --kernel deb61 --policy "$WORK/bad-policy.conf"
check "  ... naming file and line" grep -q "bad-policy.conf:2: unknown key 'kve'" "$WORK/last.err"

# --- other ways to give a profile, and refusals
printf 'fs/proc/task_mmu.c\ndrivers/net/ethernet/mellanox/mlx5/core/en_main.c m\n' >"$WORK/files.list"
expect_exit "a file list without --version is refused" 1 "$BACKEND" kernel add listed --db "$DB" --kconfig "$KCONFIG" --files "$WORK/files.list"
check "  ... saying how to give it" grep -q "give it with --version X.Y.Z" "$WORK/last.err"
expect_exit "a file list with --version is taken" 0 "$BACKEND" kernel add listed --db "$DB" --kconfig "$KCONFIG" --files "$WORK/files.list" --version 6.1.100
"$BACKEND" triage --db "$DB" --kernel listed --all --json >"$WORK/triage.json" 2>/dev/null
expect_eq "listed kernel: mlx5 CVE affected as a module" "affected m" \
	"$(jq -r '.[] | select(.id == "CVE-2023-53394") | "\(.verdict) \(.reasons | map(select(test("module"))) | length | if . == 1 then "m" else "y" end)"' "$WORK/triage.json")"
expect_eq "listed kernel: arm64 CVE not built" not-affected-config "$(verdict CVE-2025-40102)"
printf 'fs/a.c\n../etc/passwd\n' >"$WORK/bad.list"
expect_exit "a list escaping the tree is refused" 1 "$BACKEND" kernel add bad --db "$DB" --kconfig "$KCONFIG" --files "$WORK/bad.list" --version 6.1.1
check "  ... naming the line" grep -q "bad.list:2: not a relative path" "$WORK/last.err"
expect_exit "a source that is not a kernel tree is refused" 1 "$BACKEND" kernel add bad --db "$DB" --kconfig "$KCONFIG" --source "$WORK"
expect_exit "a bad kernel name is a usage error" 2 "$BACKEND" kernel add "../x" --db "$DB" --kconfig "$KCONFIG" --files "$WORK/files.list"
head -c 4096 /dev/urandom >"$WORK/random.config"
expect_exit "random bytes as the .config are refused" 1 "$BACKEND" kernel add junk --db "$DB" --kconfig "$WORK/random.config" --files "$WORK/files.list" --version 6.1.1
check "  ... as binary data" grep -q "random.config: binary data, not a kernel .config" "$WORK/last.err"
printf 'myhost\n' >"$WORK/hostname.config"
expect_exit "text that is not a .config is refused" 1 "$BACKEND" kernel add junk --db "$DB" --kconfig "$WORK/hostname.config" --files "$WORK/files.list" --version 6.1.1
check "  ... saying what is missing" grep -q "hostname.config: not a kernel .config (no CONFIG_NAME=value line)" "$WORK/last.err"
expect_exit "--config is the backend's configuration, not the kernel's" 1 "$BACKEND" kernel add junk --db "$DB" --config "$WORK/nonexistent.conf" --kconfig "$KCONFIG" --files "$WORK/files.list" --version 6.1.1
check "  ... so a missing one is named" grep -q "nonexistent.conf" "$WORK/last.err"
expect_eq "kernel add --json is a JSON result" "junk 6.1.1" \
	"$("$BACKEND" kernel add junk --db "$DB" --kconfig "$KCONFIG" --files "$WORK/files.list" --version 6.1.1 --json | jq -r '"\(.kernel) \(.version)"')"
expect_eq "kernel remove --json is a JSON result" "junk true" \
	"$("$BACKEND" kernel remove junk --db "$DB" --json | jq -r '"\(.kernel) \(.removed)"')"
expect_exit "kernel remove" 0 "$BACKEND" kernel remove listed --db "$DB"
expect_eq "  ... removes its verdicts too" 0 "$(sqlite3 "$DB" "SELECT count(*) FROM gauge WHERE kernel = 'listed'")"
expect_exit "triage of an unknown kernel fails" 1 "$BACKEND" triage --db "$DB" --kernel listed

# the example policy in docs/ is the defaults, and parses
"$BACKEND" kernel add deb61b --db "$DB" --kconfig "$KCONFIG" --files "$WORK/files.list" --version 6.1.100 >/dev/null
"$BACKEND" triage --db "$DB" --kernel deb61b --json >"$WORK/a.json" 2>/dev/null
"$BACKEND" triage --db "$DB" --kernel deb61b --policy "$TOP/docs/policy.conf.example" --json >"$WORK/b.json" 2>/dev/null
expect_eq "docs/policy.conf.example holds the defaults" "$(jq -c '[.[] | [.id, .score]]' "$WORK/a.json")" "$(jq -c '[.[] | [.id, .score]]' "$WORK/b.json")"
