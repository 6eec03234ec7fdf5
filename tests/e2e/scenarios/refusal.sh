# The two modules a livepatch agent must refuse: an ordinary module (no livepatch=Y in its
# modinfo: the kernel loads it, and it never shows in /sys/kernel/livepatch), and a
# livepatch built for a different release (the -rt flavour's headers): the kernel refuses it.
check "tt_lp_good is marked livepatch=Y" [ "$(modinfo -F livepatch $TT_MODULES/tt_lp_good.ko)" = Y ]
check "tt_plain is not marked livepatch" [ -z "$(modinfo -F livepatch $TT_MODULES/tt_plain.ko)" ]
check "the kernel loads tt_plain like any module" insmod $TT_MODULES/tt_plain.ko
check "tt_plain is not in $LP" [ -z "$(ls $LP)" ]
rmmod tt_plain
other=$TT_MODULES/rt/tt_lp_good.ko
vm=$(modinfo -F vermagic $other)
check "the other-release module's vermagic is not this kernel's ($vm)" \
	[ "${vm%% *}" != "$(uname -r)" ]
err=$(insmod $other 2>&1)
rc=$?
check "the kernel refuses it ($err)" [ $rc -ne 0 ]
check "with 'invalid module format' (ENOEXEC)" echo "$err" | grep -q -i 'invalid module format'
check "the kernel log says why" kmsg_has \
	"tt_lp_good: (version magic '${vm%% *} .*' should be '$(uname -r) |disagrees about version of symbol)"
check "nothing appeared in $LP" [ -z "$(ls $LP)" ]
