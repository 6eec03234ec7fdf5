# e2e-boots: 2
# The agent with the kernel companion (kmod-helper, docs/COMPANION.md). Boot 1: the companion
# is loaded but the agent told not to use it (polling); tt-genl records when the kernel
# finished each transition, so the polling agent's delay is measured against the same clock.
# Boot 2: the agent uses it: the same transitions are known within milliseconds, a WARN from a
# livepatch reverts it, the companion is unloaded and reloaded while the agent runs, and the
# idle agent still never wakes up.
TT_HELPER=$TT_MODULES/tuxtape_helper.ko
# json_int KEY: the first integer value of KEY in agentctl status --json
json_int() { agentctl status --json | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" | head -1; }
# kernel_done MODULE: the kernel's time (ns, CLOCK_MONOTONIC) of that patch's finished transition
kernel_done() { sed -n "s/.*transition patch=$1 target=1 phase=finished.* time_ns=\([0-9]*\).*/\1/p" /tmp/events.txt | tail -1; }
# last_module: the patch module of the last transition the agent saw through
last_module() { agentctl status --json | grep -A1 '"last_transition"' | sed -n 's/.*"module": "\([a-z0-9_]*\)".*/\1/p'; }
# all_healthy: every patch past its healthy window (no 1 s tick left)
all_healthy() { patch_healthy tt-good && patch_healthy tt-warns && patch_healthy tt-oopses; }
companion_is() { agentctl status --json | grep -A2 '"companion"' | grep -q "\"in_use\": $1"; }

check "the companion loads" insmod $TT_HELPER
tt-genl listen >/tmp/events.txt 2>/tmp/events.err &
LISTENER=$!
wait_for 10 grep -q listening /tmp/events.txt
if [ "$TT_BOOT" = 1 ]; then
	agent_conf archive-watch companion=no
	agent_start
	check "boot 1: all three applied by the polling agent" wait_for 40 sh -c 'for p in tt-good tt-warns tt-oopses; do agentctl patches | grep -q "^$p  *applied" || exit 1; done' 
	check "boot 1: the agent does not use the companion" companion_is false
	agentctl status | grep -q '^companion: not used' && ok "boot 1: status says it is not used" ||
		not_ok "boot 1: status says it is not used"
	k=$(kernel_done "$(last_module)")
	n=$(json_int noticed_ns)
	d=$(awk -v k="$k" -v n="$n" 'BEGIN { if (k != "" && n != "" && n >= k) printf "%.3f", (n - k) / 1e6 }')
	figure "kernel finished transition -> agent knows, polling: ${d:-?} ms"
	check "boot 1: the polling agent knew within its 250 ms poll (${d:-?} ms)" \
		awk -v d="$d" 'BEGIN { exit !(d != "" && d <= 260) }'
	check "boot 1: the patches are past their healthy window" wait_for 20 all_healthy
	[ -n "$d" ] || { agent_dump; cat /tmp/events.txt | sed 's/^/TT-EV: /'; }
	agent_stop
	kill $LISTENER
	sync
	reboot -f
fi

agent_conf archive-watch
agent_start
check "boot 2: the agent uses the companion" wait_for 10 companion_is true
agentctl status | grep -q '^companion: in use' && ok "boot 2: status says it is in use" ||
	not_ok "boot 2: status says it is in use"
check "boot 2: all three applied again" wait_for 40 sh -c 'for p in tt-good tt-warns tt-oopses; do agentctl patches | grep -q "^$p  *applied" || exit 1; done' 
check "boot 2: the agent heard the transitions" [ "$(json_int events)" -ge 3 ]
k=$(kernel_done "$(last_module)")
n=$(json_int noticed_ns)
d=$(awk -v k="$k" -v n="$n" 'BEGIN { if (k != "" && n != "" && n >= k) printf "%.3f", (n - k) / 1e6 }')
figure "kernel finished transition -> agent knows, companion: ${d:-?} ms"
l=$(json_int latency_us)
check "boot 2: the agent measured its own delay (${l:-?} us) and it is below one poll" \
	awk -v l="$l" 'BEGIN { exit !(l != "" && l < 250000) }'
check "boot 2: the event text says so" sh -c 'agentctl events | grep -q "after the kernel finished it, through the companion"'

# idle: the healthy windows close, then nothing should wake the agent
check "boot 2: the patches are past their healthy window" wait_for 20 all_healthy
sleep 1
c1=$(awk '/ctxt_switches/ { s += $2 } END { print s }' /proc/$AGENT_PID/status)
sleep 5
c2=$(awk '/ctxt_switches/ { s += $2 } END { print s }' /proc/$AGENT_PID/status)
figure "agent context switches in 5 s idle with the companion: $((c2 - c1))"
check "boot 2: the idle agent does not wake ($((c2 - c1)) switches in 5 s)" [ $((c2 - c1)) -eq 0 ]

# a WARN from a livepatch, with the companion in use
cat /proc/version >/dev/null
check "tt-warns quarantined" wait_for 10 patch_state_is tt-warns quarantined
check "tt-warns left sysfs" wait_for 10 test ! -d $LP/tt_lp_warns
w=$(kmsg_ts 'WARNING: .*\[tt_lp_warns\]')
u=$(kmsg_ts "livepatch: 'tt_lp_warns': starting unpatching transition")
d=$(awk -v a="$w" -v b="$u" 'BEGIN { if (a != "" && b != "") printf "%.3f", b - a }')
figure "WARN record to enabled=0 with the companion: ${d:-?} s"
check "reverted within 1 s of the WARN (${d:-?} s)" awk -v d="$d" 'BEGIN { exit !(d != "" && d >= 0 && d < 1) }'
check "the companion's fault event reached the agent" \
	sh -c 'agentctl status --json | grep -q "\"last_fault\": \"WARN at tt_warns_version_show+0x[0-9a-f]*/0x[0-9a-f]* \[tt_lp_warns\]\""'
check "the conviction is still the kernel log's" \
	sh -c 'agentctl status --json | grep -q "\"title\": \"WARNING in tt_warns_version_show\""'

# unloaded and loaded again while the agent runs
kill $LISTENER
check "the companion unloads" rmmod tuxtape_helper
check "the agent falls back to polling" wait_for 10 companion_is false
agentctl status | grep -q '^companion: not loaded' && ok "status says not loaded" || not_ok "status says not loaded"
check "the companion loads again" insmod $TT_HELPER
check "the agent uses it again without a restart" wait_for 10 companion_is true
check "it counts two appearances" [ "$(json_int appeared)" -ge 2 ]
check "the agent is the same process" kill -0 $AGENT_PID
# an oops from a livepatch after the reload: heard through the new instance
(cat /proc/loadavg >/dev/null 2>&1)
check "tt-oopses quarantined after the reload" wait_for 10 patch_state_is tt-oopses quarantined
check "the reloaded companion's Oops event reached the agent" \
	wait_for 5 sh -c 'agentctl status --json | grep -q "\"last_fault\": \"Oops at tt_oopses"'
check "tt-good still applied" patch_state_is tt-good applied
patch_state_is tt-oopses quarantined || agent_dump
agent_stop
