# Helpers for the bench's guest-side scenarios (busybox sh), sourced by /init.
# A scenario prints its results with ok/not_ok; the runner counts the "TT: " lines.
# Environment: TT_SCENARIO, TT_BOOT (1 on the first boot of the scenario's disk),
# TT_HTTP (host:port of the runner's HTTP server, as seen from the guest), /state (the disk).
TT_MODULES=/e2e/modules
LP=/sys/kernel/livepatch

ok() { echo "TT: ok - $TT_SCENARIO: $*"; }
not_ok() { echo "TT: not ok - $TT_SCENARIO: $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# wait_for SECONDS COMMAND...: polls every 0.1 s until the command succeeds
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	while [ $i -lt $limit ]; do
		"$@" && return 0
		usleep 100000
		i=$((i + 1))
	done
	return 1
}
# file_is FILE VALUE: the file's content is exactly VALUE
file_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
# kmsg_has EXTENDED-REGEX: the kernel log has a matching line
kmsg_has() { dmesg | grep -E -q "$1"; }
# show the kernel log lines that matter when a check fails (to the console log)
kmsg_tail() { dmesg | tail -n "${1:-40}" | sed 's/^/TT-KMSG: /'; }
