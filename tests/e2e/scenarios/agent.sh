# The agent applies the good patch from the host's archive (the /proc output changes), shows
# it in status --json; the cumulative patch then replaces it; agentctl revert disables and
# unloads it.
orig=$(cat /proc/cmdline)
agent_conf archive-cum
check "the agent starts and listens" agent_start
check "tt-good is applied, then replaced by tt-cumulative" wait_for 30 patch_state_is tt-good replaced
check "tt-cumulative is applied after it" wait_for 30 patch_state_is tt-cumulative applied
check "/proc/cmdline shows the cumulative patch" \
	[ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_cumulative" ]
check "the replaced module was unloaded" [ ! -d /sys/module/tt_lp_good ]
agentctl status --json >/tmp/status.json
check "status --json: kernel_release" grep -q "\"kernel_release\": \"$(uname -r)\"" /tmp/status.json
check "status --json: build_id of the running kernel" grep -q '"build_id": "[0-9a-f]\{40\}"' /tmp/status.json
check "status --json: the applied patch with its CVEs" grep -q '"CVE-2000-0001"' /tmp/status.json
check "status --json: archive last_ok set, not stale" grep -q '"stale": false' /tmp/status.json
check "the healthy window closes" wait_for 15 patch_healthy tt-cumulative
check "status exits 0 when all is well" agentctl status
check "agentctl revert tt-cumulative" agentctl revert tt-cumulative
check "reverted" wait_for 15 patch_state_is tt-cumulative reverted
check "/proc/cmdline is the original again" [ "$(cat /proc/cmdline)" = "$orig" ]
check "the module was unloaded" [ ! -d /sys/module/tt_lp_cumulative ]
check "nothing left in $LP" [ -z "$(ls $LP)" ]
patch_state_is tt-cumulative reverted || agent_dump
agent_stop
