# e2e-boots: 2
# The kernel log watch: the agent applies a good, a warning and an oopsing livepatch; a
# WARN in an unrelated module and a forged oops written to /dev/kmsg by user space revert
# nothing; the warning patch and the oopsing patch are reverted and quarantined as soon as
# they misbehave (the time from the kernel's report to the unpatching transition is
# measured); after a reboot the good patch comes back and the quarantined ones stay out.
agent_conf archive-watch
agent_start
if [ "$TT_BOOT" = 1 ]; then
	check "boot 1: tt-good applied" wait_for 40 patch_state_is tt-good applied
	check "boot 1: tt-warns applied" wait_for 40 patch_state_is tt-warns applied
	check "boot 1: tt-oopses applied" wait_for 40 patch_state_is tt-oopses applied
	check "the agent watches the kernel log" \
		sh -c 'agentctl status --json | grep -A1 "\"kernel_log\"" | grep -q "\"watching\": true"'

	# an unrelated WARN: a plain module warns when loaded
	check "tt_warner loads and warns" insmod $TT_MODULES/tt_warner.ko
	check "the unrelated WARNING is in the log" kmsg_has 'WARNING: .* tt_warner_fire.*\[tt_warner\]'
	check "the agent saw it as not involving a livepatch" \
		wait_for 5 sh -c 'agentctl events | grep -q "WARNING in tt_warner_fire (no livepatch involved)"'
	# a forged oops from user space, naming a loaded livepatch
	echo "<4>BUG: kernel NULL pointer dereference, address: 0000000000000000" >/dev/kmsg
	echo "<4>RIP: 0010:tt_good_cmdline_show+0x10/0x40 [tt_lp_good]" >/dev/kmsg
	echo "<4>---[ end trace 0000000000000000 ]---" >/dev/kmsg
	# the agent has read all three (on a busy machine that takes a while) before they are judged
	check "the forged records were counted as not the kernel's" \
		wait_for 30 sh -c 'agentctl status --json | grep -E -q "\"not_kernel\": ([3-9]|[1-9][0-9]+)"'
	check "the forged oops reverts nothing: tt-good applied" patch_state_is tt-good applied
	check "tt-good stays enabled" file_is $LP/tt_lp_good/enabled 1
	check "tt-warns still applied after both" patch_state_is tt-warns applied

	# the warning patch misbehaves
	cat /proc/version >/dev/null
	check "tt-warns quarantined" wait_for 10 patch_state_is tt-warns quarantined
	check "tt-warns left sysfs" wait_for 10 test ! -d $LP/tt_lp_warns
	check "tt_lp_warns unloaded" wait_for 10 sh -c '! grep -q "^tt_lp_warns " /proc/modules'
	w=$(kmsg_ts 'WARNING: .*\[tt_lp_warns\]')
	u=$(kmsg_ts "livepatch: 'tt_lp_warns': starting unpatching transition")
	d=$(awk -v a="$w" -v b="$u" 'BEGIN { if (a != "" && b != "") printf "%.3f", b - a }')
	figure "WARN record to enabled=0 (unpatching starts): ${d:-?} s"
	check "reverted within 1 s of the WARN (${d:-?} s)" awk -v d="$d" 'BEGIN { exit !(d != "" && d >= 0 && d < 1) }'
	check "/proc/version is the kernel's own again" grep -q '^Linux version' /proc/version
	agentctl status --json >/tmp/status.json
	check "status shows the evidence: title" grep -q '"title": "WARNING in tt_warns_version_show"' /tmp/status.json
	check "status shows the evidence: strong" grep -q '"evidence": "strong"' /tmp/status.json
	check "the events say why" sh -c 'agentctl events | grep convicted | grep -q "reporting site tt_warns_version_show"'

	# the oopsing patch misbehaves
	(cat /proc/loadavg >/dev/null 2>&1)
	check "tt-oopses quarantined" wait_for 10 patch_state_is tt-oopses quarantined
	check "tt-oopses left sysfs" wait_for 10 test ! -d $LP/tt_lp_oopses
	o=$(kmsg_ts 'BUG: kernel NULL pointer dereference')
	u=$(kmsg_ts "livepatch: 'tt_lp_oopses': starting unpatching transition")
	d=$(awk -v a="$o" -v b="$u" 'BEGIN { if (a != "" && b != "") printf "%.3f", b - a }')
	figure "Oops record to enabled=0 (unpatching starts): ${d:-?} s"
	check "reverted within 1 s of the oops (${d:-?} s)" awk -v d="$d" 'BEGIN { exit !(d != "" && d >= 0 && d < 1) }'
	check "/proc/loadavg works again" grep -q -E '^[0-9.]+ [0-9.]+ [0-9.]+ ' /proc/loadavg
	check "tt-good still applied" patch_state_is tt-good applied
	agentctl status >/dev/null
	check "agentctl status exits 1 (problems: quarantined patches)" [ $? -eq 1 ]
	patch_state_is tt-oopses quarantined || agent_dump
	agent_stop
	sync
	reboot -f
else
	check "boot 2: tt-good applied again" wait_for 40 patch_state_is tt-good applied
	sleep 2
	check "boot 2: tt-warns stays quarantined" patch_state_is tt-warns quarantined
	check "boot 2: tt-oopses stays quarantined" patch_state_is tt-oopses quarantined
	check "boot 2: neither is loaded" sh -c '! grep -q -E "^tt_lp_(warns|oopses) " /proc/modules'
	check "boot 2: the evidence is still shown" \
		sh -c 'agentctl status --json | grep -q "\"title\": \"WARNING in tt_warns_version_show\""'
	patch_state_is tt-good applied || agent_dump
	agent_stop
fi
