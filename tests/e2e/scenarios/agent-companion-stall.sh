# A transition that cannot finish, with the kernel companion loaded: the stalled record names
# the blocking task with the reason the livepatch core found (what it only says with dynamic
# debug on), and its stack.
check "the companion loads" insmod $TT_MODULES/tuxtape_helper.ko
insmod $TT_MODULES/tt_sleeper.ko
agent_conf archive-stall transition-timeout=3
agent_start
check "tt-stalls ends stalled" wait_for 40 patch_state_is tt-stalls stalled
agentctl status >/tmp/status.txt
check "the blocking task is named with its reason" \
	grep -q 'blocked by: pid [0-9]* (tt_sleeper) is sleeping on function tt_sleeper_nap' /tmp/status.txt
check "and its stack" grep -q 'is sleeping on function tt_sleeper_nap: .*tt_sleeper_nap+0x' /tmp/status.txt
check "the transition was reversed" wait_for 10 test ! -d $LP/tt_lp_stalls
check "the patch module was unloaded" wait_for 5 test ! -d /sys/module/tt_lp_stalls
grep -q 'is sleeping on function' /tmp/status.txt || { agent_dump; kmsg_tail 20; }
agent_stop
