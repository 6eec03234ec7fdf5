# The agent killed with SIGKILL in the middle of an install, then restarted: it converges.
agent_conf archive
agent_start
# kill it as soon as the patch is being loaded
wait_for 30 sh -c "[ -d $LP/tt_lp_good ] || [ -d /sys/module/tt_lp_good ]"
kill -9 "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
check "killed during the install" [ -d /sys/module/tt_lp_good ]
agent_start
check "after a restart tt-good is applied" wait_for 30 patch_state_is tt-good applied
check "exactly one copy is live" [ "$(ls $LP)" = "tt_lp_good" ]
check "and it settles healthy" wait_for 15 patch_healthy tt-good
patch_state_is tt-good applied || agent_dump
agent_stop
