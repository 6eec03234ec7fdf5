#!/bin/bash
# The host half of the bench's pipeline scenario (agent-pipeline): the two states of an
# archive the agent sees, both made by the product's cron pipeline (tuxtape-backend run) on
# Debian's kernel, from a vulns repository and a Linux git repository built as
# tests/integration/pipeline.sh builds them (tests/integration/pipeline.lib):
#   OUT/archive-pipe-v1/  after run 1 (case a applies, case g is refused): cumulative version 1
#   OUT/archive-pipe-v2/  after run 2 (a new record, case e): version 2, superseding 1
# The signing keys stay in OUT/keys, outside what is served.
# Usage: tests/e2e/pipeline-archive.sh OUT
# Environment: TUXTAPE_BIN, TUXTAPE_SHARED, TUXTAPE_CACHE; E2E_PIPELINE_VET: the pipeline's
#   vet command (default: the product's own, tuxtape-backend vet booting the kernel image).
# Prints "ok - NAME" / "not ok - NAME" per check; exits non-zero when one failed.
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
OUT=$1
# lib.sh gives the checks, the git helpers pipeline.lib needs and a scratch WORK
. "$(dirname "$0")/../integration/lib.sh"

eval "$("$TOP/tests/debian-kernel.sh")" || { not_ok "fetch Debian's kernel packages"; exit 1; }
eval "$("$TOP/tests/e2e/kernel.sh")" || { not_ok "fetch Debian's kernel headers"; exit 1; }
KALLSYMS=$("$TOP/tests/e2e/kallsyms.sh" 2>"$WORK/kallsyms.err") ||
	{ not_ok "the kernel's symbols ($(tail -1 "$WORK/kallsyms.err"))"; exit 1; }
CASES=$TOP/tests/generator
DB=$WORK/backend.db
A=$OUT/archive-pipe-v2
. "$TOP/tests/integration/pipeline.lib"

mkdir -p "$OUT"
pl_setup "$WORK" || { not_ok "set up the vulns and Linux repositories"; exit 1; }
{
	echo "[scan]"
	echo "vulns = $WORK/vulns"
	echo "[generate]"
	echo "cache = ${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/generator"
	echo "[pipeline]"
	echo "kernels = deb61"
	echo "fixes = $WORK/linux"
	echo "min-priority = low"
	echo "archive = $A"
	echo "keys = $OUT/keys"
	echo "channel = stable"    # the agent's default channel
	echo "work = $WORK/pipeline"
	[ -n "${E2E_PIPELINE_VET:-}" ] && echo "vet = $E2E_PIPELINE_VET"
} >"$WORK/backend.conf"
export TUXTAPE_CONFIG=$WORK/backend.conf
"$BACKEND" kernel add deb61 --db "$DB" --kconfig "$KCONFIG" --source "$KSOURCE" --release "$KREL" \
	--headers "$KBUILD" --system-map "$KALLSYMS" --image "$VMLINUZ" --modules "$KMODDIR" \
	>"$WORK/kernel.out" 2>&1 || { not_ok "register the kernel: $(tail -1 "$WORK/kernel.out")"; exit 1; }
"$BACKEND" archive init "$A" --keys "$OUT/keys" >/dev/null || { not_ok "archive init"; exit 1; }

# targets DIR: the series' entries of the archive's latest targets.json: path patch_id cves
targets() {
	jq -r '.signed.targets | to_entries[] | select(.value.custom.series == "cumulative-deb61")
		| "\(.key) \(.value.custom.patch_id) \(.value.custom.cves | join(","))"' \
		"$(ls "$1"/metadata/*.targets.json | sort -V | tail -1)"
}
# run N: one pipeline run, its output kept in OUT/runN.*
run() {
	local t0=$SECONDS rc
	"$BACKEND" run --db "$DB" >"$OUT/run$1.out" 2>"$OUT/run$1.err"
	rc=$?
	echo "# pipeline run $1: exit $rc in $((SECONDS - t0)) s: $(cat "$OUT/run$1.out")"
	expect_eq "pipeline run $1 ends well" 0 "$rc"
	[ $rc -eq 0 ] || { tail -20 "$OUT/run$1.err" | sed 's/^/#   /'; exit 1; }
}

pl_add_record "$WORK" CVE-2099-1001 a-proc-show || { not_ok "record CVE-2099-1001"; exit 1; }
pl_add_record "$WORK" CVE-2099-1002 g-struct-layout || { not_ok "record CVE-2099-1002"; exit 1; }
run 1
expect_eq "run 1 publishes cumulative version 1 (case a)" \
	"$KREL/livepatch_cumulative_deb61_1.ko cumulative-deb61-1 CVE-2099-1001" "$(targets "$A")"
rm -rf "$OUT/archive-pipe-v1"
cp -a "$A" "$OUT/archive-pipe-v1"

pl_add_record "$WORK" CVE-2099-1003 e-new-function || { not_ok "record CVE-2099-1003"; exit 1; }
run 2
expect_eq "run 2 publishes version 2 (cases a and e), superseding 1" \
	"$KREL/livepatch_cumulative_deb61_2.ko cumulative-deb61-2 CVE-2099-1001,CVE-2099-1003" "$(targets "$A")"
expect_eq "version 1 is still what the first state serves" \
	"$KREL/livepatch_cumulative_deb61_1.ko cumulative-deb61-1 CVE-2099-1001" "$(targets "$OUT/archive-pipe-v1")"
expect_eq "both fixes were vetted (${E2E_PIPELINE_VET:-tuxtape-backend vet})" "CVE-2099-1001 CVE-2099-1003" \
	"$(sqlite3 "$DB" "SELECT group_concat(cve_id, ' ') FROM (SELECT cve_id FROM pipeline_attempt WHERE outcome = 'vetted' ORDER BY cve_id)")"
