#!/bin/bash
# The libFuzzer targets (tests/fuzz/), each for a few seconds on its seed corpus: an input
# that crashes one, or breaks what it checks, fails here. `make check` builds them into
# build-fuzz (make fuzz-bins); TUXTAPE_FUZZ_BIN names another such build, FUZZ_SMOKE_TIME
# the seconds per target (default 5). `make fuzz` is the long run.
source "$(dirname "$0")/lib.sh"

fuzz_bin=${TUXTAPE_FUZZ_BIN:-$TOP/build-fuzz}
out=$WORK/fuzz.out
TUXTAPE_SHARED=$SHARED "$TOP/tests/fuzz/run.sh" --smoke --bin "$fuzz_bin" \
	--time "${FUZZ_SMOKE_TIME:-5}" >"$out" 2>&1
rc=$?
cat "$out"
grep -q '^not ok - ' "$out" && T_FAILED=1
# run.sh failing without naming a target (seeds, usage) is a failure too
if [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$out"; then
	not_ok "fuzz smoke run (exit $rc)"
fi
# every target of tests/fuzz ran
for f in "$TOP"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$f" .c)
	grep -q -E "^(not )?ok - fuzz ${t#fuzz_}[: ]" "$out" || not_ok "fuzz ${t#fuzz_} did not run"
done
