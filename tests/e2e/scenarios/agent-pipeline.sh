# e2e-needs: pipeline
# The closed loop: the archive is the product's own, made by tuxtape-backend run on the host
# (tests/e2e/pipeline-archive.sh). The agent installs cumulative version 1 (case a's fix);
# the archive then gets version 2 (cases a and e) — the runner swaps it when this guest asks
# for archive-pipe.next — and after a refresh version 2 replaces version 1 atomically: one
# patch left in sysfs, version 1's module unloaded, both fixes' behaviour visible.
V1=cumulative-deb61-1 V2=cumulative-deb61-2
M1=livepatch_cumulative_deb61_1 M2=livepatch_cumulative_deb61_2
# json_state ID: the patch's state in agentctl status --json (its object, up to the next id)
json_state() {
	agentctl status --json 2>/dev/null | awk -v id="\"id\": \"$1\"" '
		index($0, "\"id\": ") { inside = index($0, id) > 0 }
		inside && /"state": / { sub(/.*"state": "/, ""); sub(/".*/, ""); print; exit }'
}
json_state_is() { [ "$(json_state "$1")" = "$2" ]; }
served_state() { wget -q -O - "http://$TT_HTTP/archive-pipe.state" 2>/dev/null; }

agent_conf archive-pipe
check "the agent starts and listens" agent_start
check "the archive serves version 1" [ "$(served_state)" = 1 ]
check "version 1 (made by the pipeline) is applied" wait_for 60 patch_state_is $V1 applied
check "/proc/cmdline carries case a's marker" grep -q ' tuxtape_case_a$' /proc/cmdline
check "/proc/version does not carry case e's yet" sh -c '! grep -q tuxtape_case_e /proc/version'
check "$LP lists version 1 alone" [ "$(ls $LP)" = $M1 ]

# the archive gets version 2 (404 for this request: the runner only reads its log)
wget -q -O /dev/null "http://$TT_HTTP/archive-pipe.next" 2>/dev/null
check "the archive serves version 2" wait_for 30 sh -c '[ "$(wget -q -O - "http://$TT_HTTP/archive-pipe.state")" = 2 ]'
check "agentctl refresh" agentctl refresh
check "version 2 is applied" wait_for 60 patch_state_is $V2 applied
check "version 1 is marked replaced" wait_for 10 patch_state_is $V1 replaced
check "$LP lists exactly one patch: version 2" [ "$(ls $LP)" = $M2 ]
check "version 1's module is unloaded (/proc/modules)" wait_for 10 sh -c "! grep -q '^$M1 ' /proc/modules"
check "  ... (lsmod)" sh -c "! lsmod | grep -q '^$M1 '"
check "version 2's module is loaded (lsmod)" sh -c "lsmod | grep -q '^$M2 '"
check "/proc/cmdline still carries case a's marker" grep -q ' tuxtape_case_a$' /proc/cmdline
check "/proc/version carries case e's marker" grep -q '^tuxtape_case_e$' /proc/version
check "status --json: version 1 replaced" json_state_is $V1 replaced
check "status --json: version 2 applied" json_state_is $V2 applied
check "status --json: both fixes' CVEs" sh -c 'agentctl status --json | grep -q "\"CVE-2099-1003\""'
patch_state_is $V2 applied || { agent_dump; kmsg_tail; }
agent_stop
