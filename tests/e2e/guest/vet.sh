# The vet of one generated livepatch (tests/e2e/vet.sh): load it, require its transition to
# finish, run the case's own check if there is one, require a kernel log without WARN, BUG or
# Oops (read by agentctl analyze, the agent's own parser), then disable and unload it.
m=$(ls "$TT_MODULES"/*.ko 2>/dev/null | head -1)
name=$(basename "$m" .ko)
check "the module is in the initramfs ($name)" [ -n "$m" ]
insmod "$m" 2>/tmp/insmod.err
check "insmod $name" [ $? -eq 0 ]
[ -s /tmp/insmod.err ] && sed "s/^/TT-KMSG: insmod: /" /tmp/insmod.err && dmesg | tail -5 | sed "s/^/TT-KMSG: /"
check "its transition completes" wait_for 60 file_is "$LP/$name/transition" 0
check "it is enabled" file_is "$LP/$name/enabled" 1
if [ -f "$TT_MODULES/check.sh" ]; then
	check "the case's own check" sh "$TT_MODULES/check.sh"
fi
dmesg >/tmp/vet-dmesg.log
agentctl analyze /tmp/vet-dmesg.log >/tmp/vet-analyze.out 2>&1
rc=$?
check "no WARN, BUG or Oops in the kernel log" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/TT-KMSG: /' /tmp/vet-analyze.out
echo 0 >"$LP/$name/enabled"
check "it can be disabled" wait_for 60 test ! -d "$LP/$name"
check "rmmod $name" rmmod "$name"
