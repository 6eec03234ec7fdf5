# The agent refuses, with reasons, an ordinary module and a livepatch built for another
# release; and from an archive whose module was changed after signing it installs nothing.
agent_conf archive-bad
agent_start
check "tt-plain refused" wait_for 30 patch_state_is tt-plain failed
check "tt-otherrel refused" wait_for 30 patch_state_is tt-otherrel failed
agentctl status >/tmp/status.txt
check "reason: not a livepatch" grep -q 'tt_plain is not a livepatch module' /tmp/status.txt
check "reason: built for another kernel" grep -q "built for another kernel: vermagic '.*-rt-amd64" /tmp/status.txt
check "status exits 1 (problems)" sh -c 'agentctl status >/dev/null; [ $? -eq 1 ]'
check "nothing was loaded" sh -c "[ -z \"\$(ls $LP)\" ] && [ ! -d /sys/module/tt_plain ]"
agent_stop
rm -rf /state/agent
agent_conf archive-tampered
agent_start
check "tampered module: tt-good fails" wait_for 30 patch_state_is tt-good failed
check "reason: the download failed its checks" agentctl status | grep -q 'download of .* failed'
check "tampered archive: nothing installed" [ -z "$(ls $LP)" ]
patch_state_is tt-good failed || agent_dump
agent_stop
