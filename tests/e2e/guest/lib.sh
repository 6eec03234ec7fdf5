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
# wait_for SECONDS COMMAND...: polls every 0.1 s until the command succeeds. A long wait says
# so on the console every 10 s of uptime: the runner's watchdog stops a guest whose console
# is silent for E2E_STALL seconds, and a bounded wait is progress, not a hang.
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	read -r tt_said _ </proc/uptime
	tt_said=${tt_said%.*}
	while [ $i -lt $limit ]; do
		"$@" && return 0
		usleep 100000
		i=$((i + 1))
		read -r tt_now _ </proc/uptime
		tt_now=${tt_now%.*}
		if [ $((tt_now - tt_said)) -ge 10 ]; then
			tt_said=$tt_now
			echo "TT-WAIT: poll $i of $limit for: $*"
		fi
	done
	return 1
}
# file_is FILE VALUE: the file's content is exactly VALUE
file_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
# kmsg_has EXTENDED-REGEX: the kernel log has a matching line
kmsg_has() { dmesg | grep -E -q "$1"; }
# show the kernel log lines that matter when a check fails (to the console log)
kmsg_tail() { dmesg | tail -n "${1:-40}" | sed 's/^/TT-KMSG: /'; }

# The agent, configured for one of the runner's archives: agent_conf ARCHIVE [KEY=VALUE...]
# ([agent] settings), then agent_start; agentctl talks to it.
agent_conf() {
	archive=$1
	shift
	mkdir -p /etc/tuxtape /state/agent
	{
		echo "[archive]"
		echo "url = http://$TT_HTTP/$archive"
		echo "trusted-root = $TT_MODULES/trust/$archive.json"
		echo "[agent]"
		echo "refresh-interval = 1h"
		echo "refresh-jitter = 0"
		echo "transition-timeout = 30"
		echo "healthy-window = 3"
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
		echo "[paths]"
		echo "state-dir = /state/agent"
	} >/etc/tuxtape/agent.conf
}
agent_start() {
	tuxtape-agent >>/state/agent.log 2>&1 &
	AGENT_PID=$!
	wait_for 10 test -S /run/tuxtape/agent.sock
}
agent_stop() { kill "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null; }
# patch_state ID: the agent's state of a patch ("" when unknown)
patch_state() { agentctl patches 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'; }
patch_state_is() { [ "$(patch_state "$1")" = "$2" ]; }
agent_dump() {
	agentctl status 2>&1 | sed 's/^/TT-AGENT: /'
	agentctl events 2>&1 | tail -20 | sed 's/^/TT-EVENT: /'
	tail -20 /state/agent.log | sed 's/^/TT-LOG: /'
}
# patch_healthy ID: applied and past the crash-loop guard's healthy window
patch_healthy() { agentctl status --json 2>/dev/null | grep -A12 "\"id\": \"$1\"" | grep -q '"healthy": true'; }
# figure NAME VALUE: a measurement, printed by the runner as "# e2e/SCENARIO: NAME VALUE"
figure() { echo "TT-FIGURE: $*"; }
# kmsg_ts REGEX: the timestamp (seconds) of the last kernel log line matching REGEX
kmsg_ts() { dmesg | grep -E "$1" | tail -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
# The agent as a fleet node (tests/e2e/fleet-host.sh): the host's serve is both the archive
# and the report server; fleet_agent_conf CHANNEL, then agent_start.
fleet_agent_conf() {
	mkdir -p /etc/tuxtape /state/agent
	tt_fleet=$(wget -q -O - "http://$TT_HTTP/fleet.url")
	{
		echo "[archive]"
		echo "url = $tt_fleet"
		echo "trusted-root = $TT_MODULES/trust/fleet.json"
		echo "channel = $1"
		echo "[agent]"
		echo "refresh-interval = 10s"
		echo "refresh-jitter = 0"
		echo "transition-timeout = 30"
		echo "healthy-window = 3"
		echo "[fleet]"
		echo "url = $tt_fleet"
		echo "token = $(wget -q -O - "http://$TT_HTTP/fleet-$1.token")"
		echo "[paths]"
		echo "state-dir = /state/agent"
	} >/etc/tuxtape/agent.conf
}
