# The stalls livepatch replaces the function tt_sleeper's kernel thread sleeps in, so its
# transition cannot complete, not even after the livepatch core signals the blocking task;
# disabling it reverses the transition, and both modules unload.
check "tt_sleeper loads" insmod $TT_MODULES/tt_sleeper.ko
wait_for 5 kmsg_has 'tt_sleeper: napping'
pid=$(ps -o pid,comm 2>/dev/null | awk '$2 == "tt_sleeper" { print $1 }')
[ -n "$pid" ] || pid=$(ps | awk '$NF == "[tt_sleeper]" { print $1 }')
check "its kernel thread runs (pid ${pid:-none})" [ -n "$pid" ]
check "the thread sleeps in tt_sleeper_nap" grep -q 'tt_sleeper_nap' /proc/$pid/stack
check "tt_lp_stalls loads" insmod $TT_MODULES/tt_lp_stalls.ko
sleep 3
check "after 3 s it is still in transition" file_is $LP/tt_lp_stalls/transition 1
check "the blocking thread is not switched (patch_state 0)" file_is /proc/$pid/patch_state 0
check "init is switched (patch_state 1)" file_is /proc/1/patch_state 1
# the core signals the remaining tasks after 15 s of trying
check "the core signals the blocking task" wait_for 25 kmsg_has "livepatch: signaling remaining tasks"
check "still in transition after signalling" file_is $LP/tt_lp_stalls/transition 1
echo 0 >$LP/tt_lp_stalls/enabled
check "disabling reverses the transition (unpatching completes)" \
	wait_for 10 kmsg_has "livepatch: 'tt_lp_stalls': unpatching complete"
check "the patch leaves $LP" wait_for 10 test ! -d $LP/tt_lp_stalls
check "the patch module unloads" rmmod tt_lp_stalls
check "tt_sleeper unloads" rmmod tt_sleeper
