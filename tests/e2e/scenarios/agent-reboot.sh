# e2e-boots: 2
# A patch applied in one boot is applied again by the agent in the next.
agent_conf archive
agent_start
if [ "$TT_BOOT" = 1 ]; then
	check "boot 1: tt-good applied" wait_for 30 patch_state_is tt-good applied
	check "boot 1: healthy window closes" wait_for 15 patch_healthy tt-good
	agent_stop
	sync
	reboot -f
else
	check "boot 2: tt-good applied again" wait_for 30 patch_state_is tt-good applied
	check "boot 2: /proc/cmdline patched" \
		[ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_good" ]
	agentctl events | grep -q 're-applying after a reboot'
	check "boot 2: the events say why" [ $? -eq 0 ]
	patch_state_is tt-good applied || agent_dump
	agent_stop
fi
