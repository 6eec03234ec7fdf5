#!/bin/bash
# The cron pipeline (tuxtape-backend run) end to end on Debian's real 6.1 kernel: a real git
# vulns repository (sample records plus records written here whose fixes are tests/generator
# cases), a Linux git repository holding those fixes as commits, the product's vetter
# booting the kernel under QEMU, and a real archive read back by the project's TUF client.
#   run 1: one cumulative module with the applicable fix, the refused fix queued
#   run 2: a new record: version 2 holds both fixes and supersedes version 1
#   run 3: nothing new: nothing published, one line said
# Then the lock, --dry-run, bad configuration; the fault test is pipeline_faults.sh.
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/debian-kernel.sh")" || { not_ok "fetch Debian's kernel packages"; exit 1; }
eval "$(E2E_KREL=$KREL "$TOP/tests/e2e/kernel.sh")" || { not_ok "fetch Debian's kernel headers"; exit 1; }
KALLSYMS=$("$TOP/tests/e2e/kallsyms.sh" 2>"$WORK/kallsyms.err") ||
	{ not_ok "the kernel's symbols ($(tail -1 "$WORK/kallsyms.err"))"; exit 1; }
CASES=$TOP/tests/generator
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/generator
DB=$WORK/backend.db
A=$WORK/archive
. "$TOP/tests/integration/pipeline.lib"

pl_setup "$WORK" || { not_ok "set up the vulns and Linux repositories"; exit 1; }
cat >"$WORK/backend.conf" <<EOF
[scan]
vulns = $WORK/vulns
[generate]
cache = $CACHE
[pipeline]
kernels = deb61
fixes = $WORK/linux
min-priority = low
archive = $A
channel = canary
work = $WORK/pipeline
EOF
export TUXTAPE_CONFIG=$WORK/backend.conf
"$BACKEND" kernel add deb61 --db "$DB" --kconfig "$KCONFIG" --source "$KSOURCE" --release "$KREL" \
	--headers "$KBUILD" --system-map "$KALLSYMS" --image "$VMLINUZ" --modules "$KMODDIR" >/dev/null ||
	{ not_ok "register the kernel"; exit 1; }
expect_exit "a run needs an initialised archive" 2 "$BACKEND" run --db "$DB"
check "  ... saying so" grep -q "archive init" "$WORK/last.err"
"$BACKEND" archive init "$A" >/dev/null

targets() { # the latest targets.json's series entries: path patch_id cves
	jq -r '.signed.targets | to_entries[] | select(.value.custom.series == "cumulative-deb61")
		| "\(.key) \(.value.custom.patch_id) \(.value.custom.cves | join(","))"' \
		"$(ls "$A"/metadata/*.targets.json | sort -V | tail -1)"
}

# --- run 1
pl_add_record "$WORK" CVE-2099-1001 a-proc-show
pl_add_record "$WORK" CVE-2099-1002 g-struct-layout
"$BACKEND" run --db "$DB" --dry-run --json >"$WORK/dry.json" 2>"$WORK/dry.err"
expect_eq "--dry-run says what it would attempt" "CVE-2099-1001 CVE-2099-1002" \
	"$(jq -r '[.kernels[0].selected[] | select(startswith("CVE-2099"))] | join(" ")' "$WORK/dry.json")"
expect_eq "  ... and changes nothing" 0 "$(sqlite3 "$DB" 'SELECT count(*) FROM pipeline_attempt')"
t0=$(date +%s)
"$BACKEND" run --db "$DB" --json >"$WORK/run1.json" 2>"$WORK/run1.err"
rc=$?
echo "# run 1: exit $rc in $(($(date +%s) - t0)) s: $(jq -r .summary "$WORK/run1.json" 2>/dev/null)"
expect_eq "run 1 ends well" 0 "$rc"
[ $rc -eq 0 ] || sed 's/^/   | /' "$WORK/run1.err" | tail -20 >&2
expect_eq "run 1 publishes version 1 with the fix that applies" \
	"$KREL/livepatch_cumulative_deb61_1.ko cumulative-deb61-1 CVE-2099-1001" "$(targets)"
expect_eq "  ... vetted in the kernel's own VM" vetted \
	"$(sqlite3 "$DB" "SELECT outcome FROM pipeline_attempt WHERE cve_id = 'CVE-2099-1001'")"
expect_eq "the struct-layout fix is refused at source-check" "refused source-check" \
	"$(sqlite3 "$DB" "SELECT outcome || ' ' || step FROM pipeline_attempt WHERE cve_id = 'CVE-2099-1002'")"
"$BACKEND" generate --db "$DB" --failures --json >"$WORK/queue.json"
expect_eq "  ... and queued for a person" 1 \
	"$(jq '[.[] | select(.cve == "CVE-2099-1002" and .outcome == "refused")] | length' "$WORK/queue.json")"
check "the published module is an atomic-replace livepatch" \
	grep -q "\.replace = true" "$WORK/pipeline/deb61/cumulative-deb61-1/work/module/tuxtape_main.c"
expect_eq "its modinfo carries its CVEs" CVE-2099-1001 \
	"$(modinfo -F tuxtape_cves "$WORK/pipeline/deb61/cumulative-deb61-1/livepatch_cumulative_deb61_1.ko")"
expect_eq "it went to the configured channel" canary \
	"$(jq -r '.signed.targets[].custom.channel' "$(ls "$A"/metadata/*.targets.json | sort -V | tail -1)")"
expect_exit "the archive verifies" 0 "$BACKEND" archive verify "$A"
"$BACKEND" runs --db "$DB" --json >"$WORK/runs.json"
expect_eq "runs: the run is recorded with its steps" "done scan gauge select generate cumulative rollout timestamp" \
	"$(jq -r '.[0] | "\(.status) \([.report.steps[].name] | join(" "))"' "$WORK/runs.json")"

# --- run 2: a new record
pl_add_record "$WORK" CVE-2099-1003 e-new-function
"$BACKEND" run --db "$DB" >"$WORK/run2.out" 2>"$WORK/run2.err"
expect_eq "run 2 ends well" 0 $?
echo "# run 2: $(cat "$WORK/run2.out")"
expect_eq "run 2 says so in one line" 1 "$(wc -l <"$WORK/run2.out")"
expect_eq "run 2 publishes version 2 with both fixes (in the branch's order), superseding 1" \
	"$KREL/livepatch_cumulative_deb61_2.ko cumulative-deb61-2 CVE-2099-1001,CVE-2099-1003" "$(targets)"
expect_eq "  ... listing what it replaces" "[\"$KREL/livepatch_cumulative_deb61_1.ko\"]" \
	"$(jq -c '.signed.targets[].custom.replaces' "$(ls "$A"/metadata/*.targets.json | sort -V | tail -1)")"
expect_eq "only the new fix was generated alone" 1 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM pipeline_attempt WHERE run_id = (SELECT max(id) FROM pipeline_run)")"
expect_exit "the archive verifies" 0 "$BACKEND" archive verify "$A"
TC=$BIN/tuxtape-tuf-client
node "$TOP/tests/tuf/serve.cjs" "$A" 300 >"$WORK/port" 2>/dev/null &
for _ in $(seq 300); do [ -s "$WORK/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$WORK/port")
if "$TC" --metadata-dir "$WORK/client/meta" init "$A/metadata/1.root.json" >"$WORK/client.out" 2>&1 &&
	"$TC" --metadata-url "$U/metadata" --metadata-dir "$WORK/client/meta" \
		--target-name "$KREL/livepatch_cumulative_deb61_2.ko" --target-dir "$WORK/client/t" \
		--target-base-url "$U/targets" download >>"$WORK/client.out" 2>&1; then
	ok "a TUF client on HTTP downloads version 2 from the archive"
else
	not_ok "a TUF client on HTTP downloads version 2 from the archive"
	sed 's/^/   | /' "$WORK/client.out" >&2
fi

# --- run 3: nothing new
before=$(targets)
"$BACKEND" run --db "$DB" >"$WORK/run3.out" 2>"$WORK/run3.err"
expect_eq "run 3 ends well" 0 $?
check "run 3 says there was nothing new, in one line" \
	bash -c "[ \$(wc -l <'$WORK/run3.out') = 1 ] && grep -q 'nothing new' '$WORK/run3.out'"
expect_eq "  ... and publishes nothing" "$before" "$(targets)"

# --- one run at a time, bad configuration
exec 9>"$DB.run.lock"
flock -n 9
expect_exit "a second run while one holds the lock exits 4" 4 "$BACKEND" run --db "$DB"
exec 9>&-
printf '[pipeline]\njobs = 0\n' >"$WORK/bad.conf"
expect_exit "a bad [pipeline] value is a configuration error" 2 "$BACKEND" run --db "$DB" --config "$WORK/bad.conf"
check "  ... naming file and line" grep -q "bad.conf:2: \[pipeline\] jobs '0'" "$WORK/last.err"
for bad in "--budget 2weeks" "--budget 400d" "--jobs 0" "--jobs 65" "--limit -1"; do
	expect_exit "run $bad is a usage error" 2 "$BACKEND" run --db "$DB" $bad
	check "  ... naming the option" grep -q "run: ${bad% *} '${bad#* }': expected" "$WORK/last.err"
done
expect_exit "an unknown kernel is a usage error" 2 "$BACKEND" run --db "$DB" --kernel nosuch
check "  ... saying so" grep -q "kernel nosuch: not registered" "$WORK/last.err"
sed 's/^#\([a-z.-]* = \)/\1/' "$TOP/docs/backend.conf.example" >"$WORK/example.conf"
expect_exit "every key of docs/backend.conf.example, uncommented, is known" 0 \
	"$BACKEND" runs --db "$DB" --config "$WORK/example.conf"
expect_eq "runs lists the three runs, newest first" "3 2 1" \
	"$("$BACKEND" runs --db "$DB" --json | jq -r '[.[].id] | join(" ")')"
