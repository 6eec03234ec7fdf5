# The good livepatch changes /proc/cmdline and finishes its transition; disabling it
# restores the original; its module then unloads.
orig=$(cat /proc/cmdline)
check "tt_lp_good loads" insmod $TT_MODULES/tt_lp_good.ko
check "tt_lp_good appears in $LP" test -d $LP/tt_lp_good
if wait_for 10 file_is $LP/tt_lp_good/transition 0; then
	ok "transition completes (enabled=$(cat $LP/tt_lp_good/enabled))"
else
	not_ok "transition completes"; kmsg_tail
fi
check "/proc/cmdline shows the patched text" \
	[ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_good" ]
check "kernel log says the patching completed" kmsg_has "livepatch: 'tt_lp_good': patching complete"
check "taint has K (livepatch)" [ $(( $(cat /proc/sys/kernel/tainted) & 32768 )) -ne 0 ]
echo 0 >$LP/tt_lp_good/enabled
check "disabling unpatches (sysfs entry goes away)" wait_for 10 test ! -d $LP/tt_lp_good
check "/proc/cmdline is the original again" [ "$(cat /proc/cmdline)" = "$orig" ]
check "kernel log says the unpatching completed" kmsg_has "livepatch: 'tt_lp_good': unpatching complete"
check "the module unloads" rmmod tt_lp_good
