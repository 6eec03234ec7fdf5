# A patch whose transition cannot finish is reversed after the transition timeout, and the
# task that blocked it is named.
insmod $TT_MODULES/tt_sleeper.ko
agent_conf archive-stall transition-timeout=3
agent_start
check "tt-stalls ends stalled" wait_for 40 patch_state_is tt-stalls stalled
agentctl status >/tmp/status.txt
check "the blocking task is named" grep -q 'blocked by: pid [0-9]* (tt_sleeper).*tt_sleeper_nap' /tmp/status.txt
check "the transition was reversed" wait_for 10 test ! -d $LP/tt_lp_stalls
check "the patch module was unloaded" wait_for 5 test ! -d /sys/module/tt_lp_stalls
patch_state_is tt-stalls stalled || agent_dump
agent_stop
