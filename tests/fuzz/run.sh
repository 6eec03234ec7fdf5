#!/bin/bash
# Runs the libFuzzer targets one after the other, each for SECONDS on its seed corpus
# (tests/fuzz/seeds.sh) plus what earlier runs found, and prints per target one line:
#   ok - fuzz NAME: EXECS execs, EXEC/S exec/s, cov COV ft FT, corpus N
# or "not ok - fuzz NAME" with libFuzzer's report (the crashing input is kept in
# DIR/fuzz-artifacts/). Exit status 1 when any target failed.
# Usage: tests/fuzz/run.sh [--smoke] --bin DIR --time SECONDS [TARGET...]
#   --bin: the SAN=fuzz build (make fuzz-bins); --smoke: nothing is kept (make check).
#   FUZZ_TIMEOUT (default 30): seconds one input may take before it counts as a hang.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
smoke=0 bin="" time=600
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1; shift ;;
	--bin) bin=$2; shift 2 ;;
	--time) time=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "usage: $0 [--smoke] --bin DIR --time SECONDS [TARGET...]" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ -n "$bin" ] || { echo "$0: --bin DIR is needed" >&2; exit 2; }
case $bin in /*) ;; *) bin=$top/$bin ;; esac
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$top"/tests/fuzz/fuzz_*.c; do
		t=$(basename "$f" .c)
		targets+=("${t#fuzz_}")
	done
fi

if [ $smoke = 1 ]; then
	work=$(mktemp -d /tmp/tuxtape-fuzz.XXXXXX)
	trap 'rm -rf "$work"' EXIT
else
	work=$bin/fuzz
fi
mkdir -p "$work/artifacts"
rm -rf "$work/seeds"
if ! "$top/tests/fuzz/seeds.sh" "$bin" "$work/seeds"; then
	echo "not ok - fuzz seeds (tests/fuzz/seeds.sh failed)"
	exit 1
fi

dict_of() {
	case $1 in
	kmsg | klog) echo klog ;;
	record | canonjson | control | fleet_report) echo json ;;
	tuf_meta | tuf_targets) echo tuf ;;
	*) echo "$1" ;;
	esac
}

failed=0
for t in "${targets[@]}"; do
	exe=$bin/tests/fuzz/fuzz_$t
	if [ ! -x "$exe" ]; then
		echo "not ok - fuzz $t ($exe not built: make fuzz-bins)"
		failed=1
		continue
	fi
	corpus=$work/corpus/$t
	log=$work/$t.log
	mkdir -p "$corpus"
	opts=(-max_total_time="$time" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048
	      -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-")
	dict=$top/tests/fuzz/dict/$(dict_of "$t").dict
	[ -f "$dict" ] && opts+=(-dict="$dict")
	# the parsers' own error messages go to the closed stderr; libFuzzer's report does not
	"$exe" "${opts[@]}" "$corpus" "$work/seeds/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	n=$(find "$corpus" -type f | wc -l)
	if [ $rc -eq 0 ] && ! grep -q -E '^==[0-9]+==ERROR|^SUMMARY: ' "$log"; then
		echo "ok - fuzz $t: ${execs:-?} execs, ${rate:-?} exec/s, cov ${cov:-?} ft ${ft:-?}, corpus $n"
	else
		echo "not ok - fuzz $t (exit $rc)"
		grep -E -A40 '^invariant broken|^==[0-9]+==ERROR|deadly signal|libFuzzer: (timeout|out-of-memory)' "$log" |
			head -60 | sed 's/^/    | /'
		grep -E '^(artifact_prefix|Test unit written to)' "$log" | sed 's/^/    /'
		[ $smoke = 1 ] && cp -r "$work/artifacts" "/tmp/tuxtape-fuzz-artifacts.$$" 2>/dev/null &&
			echo "    artifacts kept in /tmp/tuxtape-fuzz-artifacts.$$"
		failed=1
	fi
done
exit $failed
