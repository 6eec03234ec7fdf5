# e2e-boots: 2
# e2e-crash-boots: 1
# A deliberate crash (sysrq c) with a livepatch applied, and a reboot on the same disk: what
# was made durable before the crash is there after it, and the new boot starts unpatched.
if [ "$TT_BOOT" = 1 ]; then
	insmod $TT_MODULES/tt_lp_good.ko && wait_for 10 file_is $LP/tt_lp_good/transition 0
	check "boot 1: tt_lp_good applied" [ -d $LP/tt_lp_good ]
	cat /proc/sys/kernel/random/boot_id >/state/boot1-id
	echo "applying tt_lp_good" >/state/record
	sync
	check "boot 1: the record is on disk before the crash" file_is /state/record "applying tt_lp_good"
	echo c >/proc/sysrq-trigger
	not_ok "boot 1: still running after sysrq c"
else
	check "boot 2 of the same disk" [ "$TT_BOOT" = 2 ]
	check "the record written before the crash survived" file_is /state/record "applying tt_lp_good"
	check "this is a new boot (boot id differs)" \
		[ "$(cat /state/boot1-id)" != "$(cat /proc/sys/kernel/random/boot_id)" ]
	check "the new boot starts with no livepatch" [ -z "$(ls $LP)" ]
fi
