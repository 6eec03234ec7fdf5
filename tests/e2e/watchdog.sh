#!/bin/bash
# Runs a guest (QEMU) and stops it only when it stops making progress: when its serial
# console file has not grown for the stall window, or, as a last resort, when the whole run
# passes the ceiling. A busy machine makes a boot slow, which is not a failure; a guest that
# has gone silent is one. Used for every boot of tests/e2e (run.sh, vet.sh, kallsyms.sh).
#
# Usage: tests/e2e/watchdog.sh [--report FILE] CONSOLE-FILE COMMAND [ARG...]
# Environment: E2E_STALL (seconds without a new byte on the console, default 60),
#   E2E_CEILING (seconds for the whole command, default 900; E2E_TIMEOUT, the bench's older
#   per-boot limit, is taken as the ceiling when E2E_CEILING is not set).
# Exit: the command's own status when it ends by itself; 124 when the stall window fired,
#   125 when the ceiling fired, 2 on a usage error. When it fires it writes (to FILE, or to
#   standard error) one line saying which limit fired, then the console's last lines.
set -uo pipefail
me=tests/e2e/watchdog.sh
usage() { echo "$me: $*" >&2; echo "usage: $me [--report FILE] CONSOLE-FILE COMMAND [ARG...]" >&2; exit 2; }

report=
if [ "${1:-}" = --report ]; then
	[ $# -ge 2 ] || usage "--report needs a file"
	report=$2
	shift 2
fi
[ $# -ge 2 ] || usage "a console file and a command are needed"
console=$1
shift

stall=${E2E_STALL:-60}
ceiling=${E2E_CEILING:-${E2E_TIMEOUT:-900}}
[[ $stall =~ ^[1-9][0-9]*$ ]] || usage "E2E_STALL must be a whole number of seconds above 0, not '$stall'"
[[ $ceiling =~ ^[1-9][0-9]*$ ]] ||
	usage "E2E_CEILING (or E2E_TIMEOUT) must be a whole number of seconds above 0, not '$ceiling'"

# milliseconds since the epoch, without a fork per poll
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t / 1000)); }
console_size() { stat -c %s "$console" 2>/dev/null || echo 0; }

# In the caller's process group, as timeout --foreground ran it: Ctrl-C still reaches QEMU.
# (Its standard input is /dev/null, as for any background command of a script.)
"$@" &
pid=$!
# what the command started, deepest first: stopped with it, so nothing outlives the guest
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		descendants "$c"
		echo "$c"
	done
}
stop() {
	local sig procs
	procs="$(descendants "$pid") $pid"
	for sig in TERM KILL; do
		# shellcheck disable=SC2086 # a list of pids
		kill -"$sig" $procs 2>/dev/null
		# a grace period for QEMU to exit on TERM, ended as soon as it has
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || return 0
			sleep 0.1
		done
	done
}
trap 'stop; exit 130' INT TERM HUP

start=$(now_ms)
last_change=$start
last_size=$(console_size)
fired=
while kill -0 "$pid" 2>/dev/null; do
	now=$(now_ms)
	size=$(console_size)
	if [ "$size" != "$last_size" ]; then
		last_size=$size
		last_change=$now
	fi
	quiet=$(((now - last_change) / 1000))
	ran=$(((now - start) / 1000))
	if [ $((now - last_change)) -ge $((stall * 1000)) ]; then
		fired=124
		reason="stalled: no new console output for $quiet s (E2E_STALL=$stall; ran $ran s, $size bytes of console)"
	elif [ $((now - start)) -ge $((ceiling * 1000)) ]; then
		fired=125
		reason="hit the ceiling: still running after $ran s (E2E_CEILING=$ceiling), though its console advanced $quiet s ago ($size bytes)"
	fi
	[ -n "$fired" ] && break
	sleep 0.5
done

if [ -z "$fired" ]; then
	wait "$pid"
	exit $?
fi
stop
wait "$pid" 2>/dev/null
say() {
	echo "$reason"
	if [ "$size" = 0 ]; then
		echo "the console is empty (the guest printed nothing: no kernel, or no /init yet)"
		return
	fi
	echo "last console lines:"
	# printable text only: the console carries CRs and whatever the guest printed last
	tr -d '\r' <"$console" 2>/dev/null | LC_ALL=C tr -cd '\11\12\40-\176' | tail -n 10 | sed 's/^/  | /'
}
if [ -n "$report" ]; then say >"$report"; else say >&2; fi
exit "$fired"
