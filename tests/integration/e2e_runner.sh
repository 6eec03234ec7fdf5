#!/bin/bash
# The real-kernel bench's runner refuses to skip: a missing tool is a failure that names the
# Debian package, and an unknown scenario is a failure too (tests/e2e/run.sh). Its boots are
# watched by tests/e2e/watchdog.sh, which stops a guest whose console has stopped advancing
# (E2E_STALL) or that has run past the ceiling (E2E_CEILING), and never a slow one still
# printing: checked here with fake guests and windows of a few seconds.
set -u
top=${TUXTAPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
W=$(mktemp -d /tmp/tuxtape-e2erunner.XXXXXX)
trap 'rm -rf "$W"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

# a PATH with everything but QEMU
mkdir -p "$W/bin"
for d in /usr/local/bin /usr/bin /bin /usr/sbin /sbin; do
	for f in "$d"/*; do
		b=$(basename "$f")
		[ "$b" = qemu-system-x86_64 ] && continue
		[ -e "$W/bin/$b" ] || ln -s "$f" "$W/bin/$b"
	done
done
out=$(PATH=$W/bin "$top/tests/e2e/run.sh" good 2>&1)
rc=$?
[ $rc -ne 0 ] && ok "runner fails when qemu is missing" || nok "runner fails when qemu is missing (exit $rc)"
grep -q '^not ok - e2e/bench: qemu-system-x86_64 is missing (install the Debian package qemu-system-x86' <<<"$out" &&
	ok "the failure names the package" || { nok "the failure names the package"; echo "$out" | sed 's/^/# /'; }
grep -q '^0 passed, 1 failed$' <<<"$out" && ok "and is counted" || nok "and is counted"

out=$("$top/tests/e2e/run.sh" no-such-scenario 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "^not ok - e2e/no-such-scenario: no such scenario" <<<"$out" &&
	ok "an unknown scenario is a failure" || { nok "an unknown scenario is a failure"; echo "$out" | sed 's/^/# /'; }
list=$("$top/tests/e2e/run.sh" --list)
absent=
for s in good warns oopses stalls cumulative refusal crash net; do
	grep -qx "$s" <<<"$list" || absent="$absent $s"
done
[ -z "$absent" ] && ok "--list names the baseline scenarios" || nok "--list lacks:$absent"

# The watchdog, with fake guests that write a console file as QEMU's -serial file: does; all
# four run at once. slow: a line a second for 6 s, longer than the 3 s stall window;
# silent: two lines, then nothing (its sleep must be stopped with it); chatty: never silent,
# stopped by the 4 s ceiling; old: the same under E2E_TIMEOUT, the older name of the ceiling;
# mute: never prints at all.
wd=$top/tests/e2e/watchdog.sh
slow='for i in 1 2 3 4 5 6; do echo "slow line $i" >>"$1"; sleep 1; done; exit 7'
silent='echo "silent line 1" >>"$1"; echo "silent line 2" >>"$1"; sleep 600 & echo $! >"$1.pid"; wait'
chatty='while :; do echo "chatty line" >>"$1"; sleep 1; done'
watch() { # NAME SCRIPT [VAR=VALUE...]: the fake guest NAME under the watchdog, in the background
	local name=$1 script=$2
	shift 2
	(
		t0=${EPOCHREALTIME/[.,]/}
		export E2E_STALL=3 E2E_CEILING=60
		env "$@" "$wd" --report "$W/$name.report" "$W/$name.console" \
			bash -c "$script" fake "$W/$name.console" >"$W/$name.out" 2>&1
		echo "$? $(((${EPOCHREALTIME/[.,]/} - t0) / 1000))" >"$W/$name.rc"
	) &
}
watch slow "$slow"
watch silent "$silent"
watch chatty "$chatty" E2E_CEILING=4
watch old "$chatty" -u E2E_CEILING E2E_TIMEOUT=4
watch mute 'sleep 600'
wait
read -r rc ms <"$W/slow.rc"
[ "$rc" = 7 ] && [ "$(grep -c '^slow line' "$W/slow.console")" = 6 ] && [ ! -e "$W/slow.report" ] &&
	ok "watchdog: a guest still printing runs to its end past the stall window (exit 7 after $ms ms)" ||
	{ nok "watchdog: a slow guest still printing is stopped (exit $rc after $ms ms)"; sed 's/^/# /' "$W/slow.report" 2>/dev/null; }
[ "$ms" -gt 4000 ] && ok "watchdog: the slow guest ran longer than the stall window (${ms} ms)" ||
	nok "watchdog: the slow guest ran only $ms ms, not past the 3 s window: the check above proves nothing"
read -r rc ms <"$W/silent.rc"
[ "$rc" = 124 ] && [ "$ms" -lt 30000 ] && ok "watchdog: a silent guest is stopped, exit 124 ($ms ms)" ||
	nok "watchdog: a silent guest is stopped, exit 124 (exit $rc after $ms ms)"
head -1 "$W/silent.report" 2>/dev/null | grep -q '^stalled: no new console output for 3 s (E2E_STALL=3; ran [0-9]* s, 28 bytes of console)$' &&
	grep -qx '  | silent line 2' "$W/silent.report" &&
	ok "watchdog: the report says it stalled and shows the last console lines" ||
	{ nok "watchdog: the report says it stalled and shows the last console lines"; sed 's/^/# /' "$W/silent.report" 2>/dev/null; }
read -r rc ms <"$W/mute.rc"
[ "$rc" = 124 ] && grep -q '^stalled: .* 0 bytes of console)$' "$W/mute.report" &&
	grep -q '^the console is empty' "$W/mute.report" &&
	ok "watchdog: a guest that never printed is stopped and the report says the console is empty" ||
	{ nok "watchdog: a guest that never printed (exit $rc)"; sed 's/^/# /' "$W/mute.report" 2>/dev/null; }
p=$(cat "$W/silent.console.pid" 2>/dev/null)
[ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && ok "watchdog: what the silent guest started is stopped too" ||
	{ nok "watchdog: the silent guest's sleep (pid ${p:-?}) outlived it"; [ -n "$p" ] && kill "$p"; }
for name in chatty old; do
	read -r rc ms <"$W/$name.rc"
	[ "$rc" = 125 ] && head -1 "$W/$name.report" | grep -q '^hit the ceiling: still running after 4 s (E2E_CEILING=4)' &&
		ok "watchdog: the ceiling stops a guest that never goes silent ($name, $ms ms)" ||
		{ nok "watchdog: the ceiling stops a guest that never goes silent ($name: exit $rc after $ms ms)"; sed 's/^/# /' "$W/$name.report" 2>/dev/null; }
done
out=$(E2E_STALL=soon "$wd" "$W/none" true 2>&1)
rc=$?
[ $rc = 2 ] && grep -q "E2E_STALL must be a whole number of seconds above 0, not 'soon'" <<<"$out" &&
	ok "watchdog: a bad E2E_STALL is a usage error naming it" || nok "watchdog: a bad E2E_STALL (exit $rc: $out)"
out=$(E2E_CEILING=0 "$top/tests/e2e/run.sh" good 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "^not ok - e2e/bench: .*E2E_CEILING (or E2E_TIMEOUT) must be a whole number of seconds above 0, not '0'" <<<"$out" &&
	ok "the runner refuses a bad E2E_CEILING through its watchdog" ||
	{ nok "the runner refuses a bad E2E_CEILING through its watchdog"; echo "$out" | sed 's/^/# /'; }
