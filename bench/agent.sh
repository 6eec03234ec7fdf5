#!/bin/bash
# Agent figures on a fake node root with a real archive on 127.0.0.1 (nothing to load):
# idle RSS (and PSS, as a second figure), CPU time per refresh when nothing is new, the
# fetch helper's included, and wakeups while idle.
set -eu
cd "$(dirname "$0")/.."
bin=${TUXTAPE_BIN:-$PWD/build}
W=$(mktemp -d /tmp/tuxtape-agentbench.XXXXXX)
server= agent=
trap 'kill $agent $server 2>/dev/null; rm -rf "$W"' EXIT
R=$W/root
mkdir -p "$R/proc/sys/kernel/random" "$R/etc" "$R/sys/kernel/livepatch"
echo 6.1.0-99-bench >"$R/proc/sys/kernel/osrelease"
cat /proc/sys/kernel/random/uuid >"$R/proc/sys/kernel/random/boot_id"
"$bin/tuxtape-backend" archive init "$W/a" --keys "$W/k" >/dev/null
# 50 targets for other kernels and one for this one
eval "$(tests/debian-kernel.sh)"
cp "$KSAMPLEKO" "$W/m.ko"
for i in $(seq 50); do
	cp "$W/m.ko" "$W/p$i.ko"
	"$bin/tuxtape-backend" archive publish "$W/a" "$W/p$i.ko" --keys "$W/k" --any-module --kernel "6.1.0-$i-amd64" \
		--patch-id "p$i" >/dev/null
done
"$bin/tuxtape-backend" archive publish "$W/a" "$W/m.ko" --keys "$W/k" --any-module --kernel 6.1.0-99-bench \
	--patch-id mine >/dev/null
node tests/tuf/serve.cjs "$W/a" 300 >"$W/port" 2>/dev/null &
server=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
cat >"$W/agent.conf" <<CONF
[archive]
url = http://127.0.0.1:$(cat "$W/port")
trusted-root = $W/a/metadata/1.root.json
[agent]
refresh-interval = 1h
refresh-jitter = 0
[paths]
root = $R
state-dir = $W/state
socket = $W/agent.sock
CONF
"$bin/tuxtape-agent" -c "$W/agent.conf" 2>/dev/null &
agent=$!
for _ in $(seq 100); do [ -S "$W/agent.sock" ] && break; sleep 0.05; done
sleep 1
ticks=$(getconf CLK_TCK)
# utime + stime, and cutime + cstime: the fetch helpers it ran and reaped
cpu() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$agent/stat"; }
ctx() { awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$agent/status"; }
echo "idle RSS after the first refresh: $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' /proc/$agent/status)"\
"  (peak $(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' /proc/$agent/status);"\
" anonymous $(awk '/RssAnon/ { printf "%.1f MiB", $2 / 1024 }' /proc/$agent/status);"\
" PSS $(awk '/^Pss:/ { printf "%.1f MiB", $2 / 1024 }' /proc/$agent/smaps_rollup))"
n=50
c0=$(cpu)
for _ in $(seq $n); do "$bin/agentctl" -s "$W/agent.sock" refresh >/dev/null; done
c1=$(cpu)
echo "CPU per refresh with nothing new: $(echo "scale=2; ($c1 - $c0) * 1000 / $ticks / $n" | bc) ms"\
" (agent and fetch helper, over $n refreshes, 51 targets)"
echo "RSS after $n refreshes: $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' /proc/$agent/status)"
[ -n "${AGENT_SMAPS:-}" ] && grep -E "^(Rss|Anonymous|Shared_Clean|Private_Clean)" /proc/$agent/smaps_rollup
x0=$(ctx)
sleep 20
x1=$(ctx)
echo "context switches in 20 s idle (refresh interval 1h): $((x1 - x0))"
