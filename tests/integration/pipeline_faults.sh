#!/bin/bash
# The cron pipeline killed (SIGKILL, from its test hook TUXTAPE_TEST_KILL_AT) at each of its
# points: after every kill the archive verifies, and the next run converges to the archive
# an uninterrupted run makes, publishing once and losing no attempt. The modules are really
# generated on Debian's kernel; the vet is `true` here (pipeline.sh vets in the VM), since
# what is tested is the pipeline's state, not the module.
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/debian-kernel.sh")" || { not_ok "fetch Debian's kernel packages"; exit 1; }
eval "$(E2E_KREL=$KREL "$TOP/tests/e2e/kernel.sh")" || { not_ok "fetch Debian's kernel headers"; exit 1; }
KALLSYMS=$("$TOP/tests/e2e/kallsyms.sh" 2>"$WORK/kallsyms.err") ||
	{ not_ok "the kernel's symbols ($(tail -1 "$WORK/kallsyms.err"))"; exit 1; }
CASES=$TOP/tests/generator
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/generator
. "$TOP/tests/integration/pipeline.lib"
PL_SAMPLE_RECORDS=""
pl_setup "$WORK" || { not_ok "set up the vulns and Linux repositories"; exit 1; }
pl_add_record "$WORK" CVE-2099-1001 a-proc-show
pl_add_record "$WORK" CVE-2099-1002 g-struct-layout
"$BACKEND" kernel add deb61 --db "$WORK/template.db" --kconfig "$KCONFIG" --source "$KSOURCE" \
	--release "$KREL" --headers "$KBUILD" --system-map "$KALLSYMS" >/dev/null ||
	{ not_ok "register the kernel"; exit 1; }

# fresh NAME: a database with the kernel, an empty archive and a configuration under $WORK/NAME
fresh() {
	local d=$WORK/$1
	mkdir -p "$d"
	cp "$WORK/template.db" "$d/backend.db"
	"$BACKEND" archive init "$d/archive" >/dev/null
	cat >"$d/backend.conf" <<EOF
[scan]
vulns = $WORK/vulns
mirror = $d/vulns.git
[generate]
cache = $CACHE
vet = true
[pipeline]
fixes = $WORK/linux
min-priority = low
archive = $d/archive
work = $d/pipeline
EOF
}
run() { "$BACKEND" run --db "$WORK/$1/backend.db" --config "$WORK/$1/backend.conf"; }
# what a node can see: each target's path, patch id, CVEs and content digest
published() {
	jq -r '.signed.targets | to_entries[] | "\(.key) \(.value.custom.patch_id) \(.value.custom.cves | join(",")) \(.value.custom.content)"' \
		"$(ls "$WORK/$1"/archive/metadata/*.targets.json | sort -V | tail -1)" | sort
}

fresh reference
run reference >"$WORK/reference.out" 2>"$WORK/reference.err"
expect_eq "an uninterrupted run publishes" 0 $?
want=$(published reference)
echo "# reference: $(cat "$WORK/reference.out")"
check "  ... one cumulative module" test "$(echo "$want" | grep -c cumulative-deb61-1)" = 1

for point in scan select attempt cumulative publish timestamp end; do
	fresh "$point"
	TUXTAPE_TEST_KILL_AT=$point run "$point" >"$WORK/$point.killed.out" 2>&1
	rc=$?
	expect_eq "killed at $point (SIGKILL)" 137 "$rc"
	expect_exit "  ... the archive verifies after the kill" 0 "$BACKEND" archive verify "$WORK/$point/archive"
	run "$point" >"$WORK/$point.out" 2>"$WORK/$point.err"
	expect_eq "  ... the next run ends well" 0 $?
	expect_eq "  ... and converges to the uninterrupted run's archive" "$want" "$(published "$point")"
	expect_eq "  ... the killed run is marked interrupted" "interrupted done" \
		"$(sqlite3 "$WORK/$point/backend.db" "SELECT group_concat(status, ' ') FROM (SELECT status FROM pipeline_run ORDER BY id)")"
	expect_eq "  ... no attempt lost: both fixes recorded once" "CVE-2099-1001 vetted,CVE-2099-1002 refused" \
		"$(sqlite3 "$WORK/$point/backend.db" "SELECT group_concat(cve_id || ' ' || outcome, ',') FROM (SELECT * FROM pipeline_attempt WHERE cve_id LIKE 'CVE-2099-%' ORDER BY cve_id)")"
	rm -rf "$WORK/$point/pipeline"
done
