# An atomic-replace livepatch supersedes the good one in a single transition: the good
# patch leaves /sys/kernel/livepatch, its module can be unloaded, and disabling the
# cumulative patch restores the original /proc/cmdline.
orig=$(cat /proc/cmdline)
insmod $TT_MODULES/tt_lp_good.ko && wait_for 10 file_is $LP/tt_lp_good/transition 0
check "tt_lp_good applied first" [ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_good" ]
check "tt_lp_cumulative loads" insmod $TT_MODULES/tt_lp_cumulative.ko
check "its transition completes" wait_for 10 file_is $LP/tt_lp_cumulative/transition 0
check "/proc/cmdline shows the cumulative patch" \
	[ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_cumulative" ]
check "the replaced patch leaves $LP" wait_for 5 test ! -d $LP/tt_lp_good
check "only the cumulative patch is listed" [ "$(ls $LP)" = "tt_lp_cumulative" ]
check "the replaced patch's module unloads" rmmod tt_lp_good
echo 0 >$LP/tt_lp_cumulative/enabled
check "disabling the cumulative patch unpatches" wait_for 10 test ! -d $LP/tt_lp_cumulative
check "/proc/cmdline is the original again" [ "$(cat /proc/cmdline)" = "$orig" ]
check "its module unloads" rmmod tt_lp_cumulative
