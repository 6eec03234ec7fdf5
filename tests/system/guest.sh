#!/bin/bash
# The system test's guest side: run by the image's tt-system-test.service from the test disk
# (mounted on /tt), once per boot. Prints "TT: ok - NAME" / "TT: not ok - NAME" on the
# console (tests/system/run.sh counts them) and ends each boot with "TT: end of boot N".
# /tt/env holds KREL, ARCHIVE_URL; /tt/debs the packages; /tt/root.json the archive's root.
set -u
. /tt/env
export PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive
boot=$(( $(cat /tt/boot 2>/dev/null || echo 0) + 1 ))
echo "$boot" >/tt/boot
sync

say() { echo "TT: $*"; }
check() { # name command...: one result line
	local name=$1
	shift
	if "$@"; then say "ok - boot $boot: $name"; else say "not ok - boot $boot: $name"; fi
}
# wait_for SECONDS COMMAND...: until the command succeeds (a slow guest is not a failure
# until the host's watchdog sees it go silent)
wait_for() {
	local n=$(($1 * 2))
	shift
	while [ $n -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}
patch_state() { agentctl patches 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'; }
patch_state_is() { [ "$(patch_state "$1")" = "$2" ]; }
patch_healthy() { agentctl status --json 2>/dev/null | grep -A12 "\"id\": \"$1\"" | grep -q '"healthy": true'; }
# (the image has no jq: the JSON without its blanks)
status_json() { agentctl status --json 2>/dev/null | tr -d ' \t\n'; }
companion_in_use() { status_json | grep -q '"in_use":true'; }
agent_active() { [ "$(systemctl is-active tuxtape-agent)" = active ]; }
dump() {
	systemctl status tuxtape-agent --no-pager 2>&1 | sed 's/^/TT-STATUS: /'
	agentctl status 2>&1 | sed 's/^/TT-AGENT: /'
	agentctl events 2>&1 | tail -20 | sed 's/^/TT-EVENT: /'
	journalctl -b -u tuxtape-agent --no-pager 2>&1 | tail -30 | sed 's/^/TT-LOG: /'
}

say "boot $boot: kernel $(uname -r), system $(systemctl is-system-running)"
check "the kernel is the bench's ($KREL)" [ "$(uname -r)" = "$KREL" ]

if [ "$boot" = 1 ]; then
	# the image has no package source: whatever the packages need must be in it already
	# (not --no-download: apt then takes the local .debs for downloads and refuses them)
	apt-get install -y /tt/debs/tuxtape-agent_*.deb /tt/debs/tuxtape-helper-dkms_*.deb 2>&1 |
		tee /tt/apt-install.log | sed 's/^/TT-APT: /'
	check "apt-get install of the agent and the companion works offline" \
		[ "${PIPESTATUS[0]}" = 0 ]
	dkms status 2>/dev/null | sed 's/^/TT-DKMS: /'
	check "DKMS built the companion for the running kernel" \
		sh -c "dkms status tuxtape-helper -k '$KREL' | grep -q ': installed'"
	check "the companion's module is DKMS's, under updates/" \
		sh -c "modinfo -n tuxtape_helper | grep -q '^/lib/modules/$KREL/updates/'"
	check "tuxtape-agent is active (Type=notify reached READY)" wait_for 60 agent_active
	check "agentctl status --json answers" sh -c 'agentctl status --json | tr -d " \t\n" | grep -q "^{.*\"companion\":{"'

	# the host's archive: the package's configuration pointed at it, as an administrator would
	cp /tt/root.json /etc/tuxtape/root.json
	cat >/etc/tuxtape/agent.conf <<EOF
[archive]
url = $ARCHIVE_URL
trusted-root = /etc/tuxtape/root.json
[agent]
refresh-jitter = 0
healthy-window = 3
EOF
	systemctl restart tuxtape-agent
	check "tuxtape-agent restarts with the archive configured" wait_for 60 agent_active
	# nothing loads the companion but the kernel itself, when the agent asks for its genl
	# family (MODULE_ALIAS_GENL_FAMILY) under the unit's sandbox: DKMS must have built it
	check "the companion is loaded" wait_for 30 sh -c 'lsmod | grep -q "^tuxtape_helper "'
	check "the companion is in use" wait_for 30 companion_in_use
	check "the host's livepatch is applied" wait_for 120 patch_state_is tt-good applied
	check "the kernel runs the patched code" \
		[ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_good" ]
	check "its healthy window closes" wait_for 60 patch_healthy tt-good
	patch_healthy tt-good || dump
	say "end of boot 1"
	sync
	systemctl reboot
	exit 0
fi

check "tuxtape-agent is active after the reboot" wait_for 120 agent_active
check "the companion is loaded after the reboot" wait_for 30 sh -c 'lsmod | grep -q "^tuxtape_helper "'
check "the companion is in use after the reboot" wait_for 30 companion_in_use
check "the livepatch is applied again" wait_for 120 patch_state_is tt-good applied
check "the kernel runs the patched code again" \
	[ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_good" ]
patch_state_is tt-good applied || dump

# an upgrade keeps configuration and state and restarts the agent (the administrator's edited
# agent.conf kept: --force-confold, as unattended upgrades do)
node_id() { status_json | sed -n 's/.*"fleet":{"node":"\([0-9a-f]*\)".*/\1/p'; }
events_n() { agentctl events 2>/dev/null | wc -l; }
pid_before=$(systemctl show -p MainPID --value tuxtape-agent)
id_before=$(node_id)
events_before=$(events_n)
apt-get install -y -o Dpkg::Options::=--force-confold /tt/upgrade/tuxtape-agent_*.deb \
	/tt/upgrade/tuxtape-helper-dkms_*.deb 2>&1 | tee /tt/apt-upgrade.log | sed 's/^/TT-APT: /'
check "apt-get install of the next revision upgrades both" [ "${PIPESTATUS[0]}" = 0 ]
v_agent=$(dpkg-query -W -f '${Version}' tuxtape-agent)
v_helper=$(dpkg-query -W -f '${Version}' tuxtape-helper-dkms)
check "both are at the new revision ($v_agent, $v_helper)" \
	sh -c "[ '$v_agent' = '$v_helper' ] && ls /tt/upgrade | grep -q 'tuxtape-agent_${v_agent}_'"
check "the agent was restarted by the upgrade" \
	wait_for 60 sh -c "agent_pid=\$(systemctl show -p MainPID --value tuxtape-agent); [ \"\$agent_pid\" != 0 ] && [ \"\$agent_pid\" != '$pid_before' ]"
check "and is active again" wait_for 60 agent_active
check "the edited configuration is kept" grep -q "^url = $ARCHIVE_URL\$" /etc/tuxtape/agent.conf
check "the node keeps its identity" [ -n "$id_before" ] && [ "$(node_id)" = "$id_before" ]
check "the state is kept: the patch is still applied, not quarantined" \
	wait_for 60 patch_state_is tt-good applied
check "the state is kept: the event history is there" [ "$(events_n)" -ge "$events_before" ]
check "DKMS still has the companion installed for the running kernel" \
	sh -c "dkms status tuxtape-helper -k '$KREL' | grep -q ': installed'"
check "the companion is in use after the upgrade" wait_for 30 companion_in_use
patch_state_is tt-good applied || dump

apt-get purge -y tuxtape-agent tuxtape-helper-dkms 2>&1 | tee /tt/apt-purge.log | sed 's/^/TT-APT: /'
check "apt-get purge of both works" [ "${PIPESTATUS[0]}" = 0 ]
check "purge leaves no /etc/tuxtape" [ ! -e /etc/tuxtape ]
check "purge leaves no /var/lib/tuxtape" [ ! -e /var/lib/tuxtape ]
left=$(find /lib/modules/*/updates -name 'tuxtape_helper*' 2>/dev/null)
check "purge leaves no companion module under /lib/modules/*/updates" [ -z "$left" ]
[ -z "$left" ] || echo "$left" | sed 's/^/TT-LEFT: /'
check "purge leaves no DKMS tree" [ ! -e /var/lib/dkms/tuxtape-helper ]
left=$(dpkg -l 'tuxtape-*' 2>/dev/null | awk '/^[a-z][a-z] / && $1 != "un" { print $1, $2 }')
check "dpkg knows no tuxtape package any more" [ -z "$left" ]
say "end of boot 2"
sync
systemctl poweroff
