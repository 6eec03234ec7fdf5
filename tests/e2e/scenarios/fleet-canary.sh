# e2e-needs: fleet
# The fleet's canary node (tests/e2e/fleet-host.sh is the host's half): it enrols with a
# token, applies fleet-good from the canary channel and reports it, which lets the host's
# cron promote it to stable; then it applies fleet-warns, the next patch, which WARNs: the
# agent quarantines it and reports the evidence, and the host's next run revokes it.
fleet_state() { wget -q -O - "http://$TT_HTTP/fleet.state" 2>/dev/null; }
fleet_state_is() { [ "$(fleet_state)" = "$1" ]; }
fleet_agent_conf canary
check "the agent starts and listens" agent_start
check "it enrols with its token" wait_for 60 sh -c 'agentctl status --json | grep -q "\"enrolled\": true"'
check "fleet-good (canary) is applied" wait_for 90 patch_state_is fleet-good applied
check "the host promotes it and publishes fleet-warns to canary" wait_for 240 fleet_state_is warns
check "fleet-warns is applied" wait_for 90 patch_state_is fleet-warns applied
cat /proc/version >/dev/null
check "fleet-warns WARNs and is quarantined" wait_for 30 patch_state_is fleet-warns quarantined
check "the host's run revokes it on this node's report" wait_for 240 fleet_state_is revoked
check "fleet-good stays applied" patch_state_is fleet-good applied
check "agentctl status shows the last report accepted" sh -c 'agentctl status | grep -q "accepted"'
fleet_state_is revoked || { agent_dump; kmsg_tail 20; }
agent_stop
