# make demo's node (tests/demo.sh): the agent applies what the archive holds for this kernel,
# the pipeline's cumulative livepatch and then tt-warns, a patch whose /proc/version
# handler WARNs; reading the file convicts it and the agent reverts and quarantines it.
# Lines for the operator start with "TT-DEMO: "; the checks are the usual "TT: " lines.
say() { echo "TT-DEMO: $*"; }
show() { # show COMMAND...: the command line and its output
	say "\$ $*"
	"$@" 2>&1 | sed 's/^/TT-DEMO:   /'
}
CUM=$(sed -n 's/^cumulative=//p' $TT_MODULES/demo.conf)
agent_conf archive
check "the agent starts" agent_start
check "$CUM applied" wait_for 60 patch_state_is "$CUM" applied
check "tt-warns applied" wait_for 60 patch_state_is tt-warns applied
say "kernel $(uname -r): the agent fetched the archive's patches for this kernel"
show agentctl status
show ls $LP
show cat /proc/cmdline
say ""
say "reading /proc/version runs tt-warns' replacement of version_proc_show, which WARNs:"
cat /proc/version >/dev/null
check "tt-warns quarantined" wait_for 15 patch_state_is tt-warns quarantined
check "tt-warns unloaded" wait_for 10 sh -c '! grep -q "^tt_lp_warns " /proc/modules'
dmesg | grep -m1 -E 'WARNING: .*\[tt_lp_warns\]' | sed 's/^/TT-DEMO:   /'
show agentctl status
show ls $LP
say "/proc/version is served by the cumulative patch again (case e's marker):"
show cat /proc/version
check "$CUM still applied" patch_state_is "$CUM" applied
patch_state_is tt-warns quarantined || agent_dump
agent_stop
