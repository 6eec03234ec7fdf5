# e2e-needs: fleet
# The fleet's stable node (tests/e2e/fleet-host.sh is the host's half; fleet-canary is the
# other node): it gets fleet-good only once the host's cron has promoted it on the canary's
# reports, and never fleet-warns, which the canary convicted before it left that channel.
fleet_state() { wget -q -O - "http://$TT_HTTP/fleet.state" 2>/dev/null; }
fleet_state_is() { [ "$(fleet_state)" = "$1" ]; }
fleet_agent_conf stable
check "the agent starts and listens" agent_start
check "it enrols with its token" wait_for 60 sh -c 'agentctl status --json | grep -q "\"enrolled\": true"'
check "fleet-good reaches stable and is applied" wait_for 420 patch_state_is fleet-good applied
# the agent refreshes every 10 s meanwhile: each would take fleet-warns were it offered here
check "the host revokes fleet-warns (convicted on canary)" wait_for 420 fleet_state_is revoked
check "a refresh after the revocation" agentctl refresh
check "fleet-warns never reached this node" sh -c '[ -z "$(patch_state fleet-warns)" ] && ! grep -q "^tt_lp_warns " /proc/modules'
check "fleet-good stays applied" patch_state_is fleet-good applied
patch_state_is fleet-good applied || agent_dump
agent_stop
