# The oopses livepatch dereferences NULL when /proc/loadavg is read: the reading task dies
# with an oops whose RIP line is in the module; the kernel keeps running, and the patch can
# still be disabled and unloaded.
check "panic_on_oops is 0" file_is /proc/sys/kernel/panic_on_oops 0
check "tt_lp_oopses loads" insmod $TT_MODULES/tt_lp_oopses.ko
check "its transition completes" wait_for 10 file_is $LP/tt_lp_oopses/transition 0
(cat /proc/loadavg >/tmp/loadavg.out 2>&1)
rc=$?
check "the reading task is killed (exit $rc)" [ $rc -ne 0 ]
check "the kernel reports a NULL pointer dereference" \
	kmsg_has 'BUG: kernel NULL pointer dereference, address: 0+$'
check "the Oops line follows" kmsg_has 'Oops: 0000 \[#1\] PREEMPT SMP'
check "the RIP line is in the module" kmsg_has 'RIP: 0010:tt_oopses_loadavg_show\+0x[0-9a-f]+/0x[0-9a-f]+ \[tt_lp_oopses\]'
check "taint has D (died)" [ $(( $(cat /proc/sys/kernel/tainted) & 128 )) -ne 0 ]
check "the kernel keeps running" [ -n "$(cat /proc/uptime)" ]
echo 0 >$LP/tt_lp_oopses/enabled
check "the patch can still be disabled" wait_for 10 test ! -d $LP/tt_lp_oopses
check "/proc/loadavg works again" grep -q -E '^[0-9.]+ [0-9.]+ [0-9.]+ ' /proc/loadavg
check "the module unloads" rmmod tt_lp_oopses
kmsg_has 'RIP: 0010:tt_oopses_loadavg_show' || kmsg_tail 60
