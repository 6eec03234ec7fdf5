#!/bin/bash
# Runs every test TuxTape has and ends with one line "N passed, N failed".
# Unit tests (cmocka) run twice: the normal build and the ASan/UBSan build.
# Integration tests are tests/integration/*.sh; each prints "ok - NAME" / "not ok - NAME".
# Select with TESTS=glob (matched against the test file name), e.g. TESTS='*scan*'.
set -u
cd "$(dirname "$0")/.."
top=$PWD
export TUXTAPE_TOP=$top
export TUXTAPE_BIN=$top/build
export TUXTAPE_SHARED=${TUXTAPE_SHARED:-$top/../shared}
pattern=${TESTS:-*}
SAN_INTEGRATION=${SAN_INTEGRATION-scan_incremental.sh versions_expected.sh cli.sh tuf_client.sh agent.sh agent_kmsg.sh agent_socket.sh klogs.sh}
passed=0
failed=0
failures=()
logdir=$(mktemp -d /tmp/tuxtape-tests.XXXXXX)

count_cmocka() { # file name
	local p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "${f:-0}" != 0 ] || [ -z "$p$f" ]; then
		failures+=("$2")
		[ -z "$p$f" ] && failed=$((failed + 1))
		sed 's/^/    /' "$1" | tail -40
	fi
}

for build in build build-san; do
	for t in "$top/$build"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		case "$name" in $pattern) ;; *) continue ;; esac
		log=$logdir/$build-$name.log
		echo "== unit ($build) $name"
		ASAN_OPTIONS=detect_leaks=1 "$t" >"$log" 2>&1
		rc=$?
		count_cmocka "$log" "$build/$name"
		if [ $rc -ne 0 ] && ! grep -q '^\[  FAILED  \]' "$log"; then
			failed=$((failed + 1)); failures+=("$build/$name (exit $rc)")
			tail -20 "$log" | sed 's/^/    /'
		fi
	done
done

# The integration tests once with the normal build, then the quick ones again with the
# ASan/UBSan build of the programs (the whole-corpus test would take minutes there).
runs=()
for t in "$top"/tests/integration/*.sh; do runs+=("build:$t"); done
for t in $SAN_INTEGRATION; do runs+=("build-san:$top/tests/integration/$t"); done
# and the real-kernel bench (tests/e2e): Debian's kernel under QEMU
runs+=("build:$top/tests/e2e/run.sh")
# and its basics on the second kernel series (Debian's 6.12)
runs+=("build:$top/tests/e2e/series-6.12.sh")
# and the packages installed on a real Debian 12 system under QEMU (tests/system)
runs+=("build:$top/tests/system/run.sh")

for run in "${runs[@]}"; do
	build=${run%%:*} t=${run#*:}
	[ -f "$t" ] || continue
	name=$(basename "$t")
	[ "$name" = run.sh ] && name=$(basename "$(dirname "$t")")
	[ "$name" = series-6.12.sh ] && name=e2e-6.12
	case "$name" in $pattern) ;; *) continue ;; esac
	[ "$build" = build ] || name="$name ($build)"
	log=$logdir/${name// /_}.log
	echo "== integration $name"
	TUXTAPE_BIN=$top/$build ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$top/tests/lsan.supp bash "$t" >"$log" 2>&1
	rc=$?
	if grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
		echo "    sanitizer report in $log"
		failed=$((failed + 1)); failures+=("$name (sanitizer)")
	fi
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	grep -E '^(ok|not ok) - |^# ' "$log" | sed 's/^/    /'
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ] || [ $rc -ne 0 ]; then
		failures+=("$name")
		if [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
		echo "    --- last lines of $log:"
		tail -30 "$log" | sed 's/^/    | /'
	fi
done

if [ ${#failures[@]} -ne 0 ]; then
	echo "failed: ${failures[*]}"
	echo "logs: $logdir"
else
	rm -rf "$logdir"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
