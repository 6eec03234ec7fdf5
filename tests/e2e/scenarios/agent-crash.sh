# e2e-boots: 2
# e2e-crash-boots: 1
# A crash right after a patch went in: after the reboot the agent quarantines that patch
# instead of applying it again, and says why.
agent_conf archive healthy-window=600
agent_start
if [ "$TT_BOOT" = 1 ]; then
	check "boot 1: tt-good applied" wait_for 30 patch_state_is tt-good applied
	patch_state_is tt-good applied || agent_dump
	echo c >/proc/sysrq-trigger
else
	check "boot 2: tt-good is quarantined" wait_for 30 patch_state_is tt-good quarantined
	check "boot 2: it was not applied" [ ! -d $LP/tt_lp_good ]
	agentctl status >/tmp/status.txt
	check "the reason names the earlier boot" grep -q 'the node went down while or soon after' /tmp/status.txt
	check "status exits 1" sh -c 'agentctl status >/dev/null; [ $? -eq 1 ]'
	check "unquarantine" agentctl unquarantine tt-good
	agentctl refresh >/dev/null
	check "then it applies" wait_for 30 patch_state_is tt-good applied
	patch_state_is tt-good applied || agent_dump
	agent_stop
fi
