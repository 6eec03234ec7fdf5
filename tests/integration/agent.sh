#!/bin/bash
# tuxtape-agent and agentctl against a fake node (every path under a temp root) and a real
# archive served on 127.0.0.1: identity, selection of the node's targets, refusal of a module
# that is not a livepatch, the crash-loop guard, reconciliation, the control socket's
# permissions, configuration errors, and agentctl's exit codes. Loading real livepatches is
# tested on the real-kernel bench (tests/e2e, scenarios agent*).
set -u
top=${TUXTAPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${TUXTAPE_BIN:-$top/build}
W=$(mktemp -d /tmp/tuxtape-agent.XXXXXX)
agent_pid= server=
trap 'kill $agent_pid $server 2>/dev/null; rm -rf "$W"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
# expect_fail RC WANT PATTERN: the exit code was WANT and $W/err matches PATTERN
expect_fail() { [ "$1" -eq "$2" ] && grep -q -- "$3" "$W/err"; }
eval "$("$top/tests/debian-kernel.sh")" || { nok "fetching a Debian module"; exit 1; }

REL=6.1.0-99-fake
R=$W/root
mkdir -p "$R/proc/sys/kernel/random" "$R/etc" "$R/sys/kernel/livepatch/vendor_lp" "$R/proc/1/task/1"
echo "$REL" >"$R/proc/sys/kernel/osrelease"
echo "11111111-2222-3333-4444-555555555555" >"$R/proc/sys/kernel/random/boot_id"
echo "0123456789abcdef0123456789abcdef" >"$R/etc/machine-id"
# an ELF note with a 20-byte GNU build-id, as /sys/kernel/notes holds it
printf '\x04\x00\x00\x00\x14\x00\x00\x00\x03\x00\x00\x00GNU\x00' >"$R/sys/kernel/notes"
printf '\xab%.0s' $(seq 20) >>"$R/sys/kernel/notes"
echo 1 >"$R/sys/kernel/livepatch/vendor_lp/enabled"
echo 0 >"$R/sys/kernel/livepatch/vendor_lp/transition"

A=$W/archive
"$bin/tuxtape-backend" archive init "$A" --keys "$W/keys" >/dev/null
"$bin/tuxtape-backend" archive publish "$A" "$KSAMPLEKO" --keys "$W/keys" --any-module --kernel "$REL" \
	--patch-id isofs-fix --cve CVE-2024-0001 >/dev/null
cp "$KSAMPLEKO" "$W/other.ko"
"$bin/tuxtape-backend" archive publish "$A" "$W/other.ko" --keys "$W/keys" --any-module --kernel 6.1.0-1-amd64 \
	--patch-id other-kernel >/dev/null
cp "$KSAMPLEKO" "$W/beta.ko"
"$bin/tuxtape-backend" archive publish "$A" "$W/beta.ko" --keys "$W/keys" --any-module --kernel "$REL" \
	--patch-id beta-only --channel beta >/dev/null
node "$top/tests/tuf/serve.cjs" "$A" 120 >"$W/port" 2>/dev/null &
server=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
SOCK=$W/run/agent.sock
conf() { # URL [extra lines]
	local extra=${2:-}
	cat >"$W/agent.conf" <<CONF
[archive]
url = $1
trusted-root = $A/metadata/1.root.json
[agent]
refresh-jitter = 0
healthy-window = 2
$extra
[paths]
root = $R
state-dir = $W/state
socket = $SOCK
CONF
}
start() {
	"$bin/tuxtape-agent" -c "$W/agent.conf" >>"$W/agent.log" 2>&1 &
	agent_pid=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
	# the first refresh runs at once: wait for it
	for _ in $(seq 100); do
		"$bin/agentctl" -s "$SOCK" status --json 2>/dev/null | grep -q '"last_attempt": "' && break
		sleep 0.05
	done
}
stop() { kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null; agent_pid=; }
ctl() { "$bin/agentctl" -s "$SOCK" "$@"; }

conf "http://127.0.0.1:$(cat "$W/port")"
start
check "the agent listens on its socket" test -S "$SOCK"
check "the daemon maps no libcurl or libssl: its fetch helper does the network" \
	sh -c "! grep -qE 'libcurl|libssl' /proc/$agent_pid/maps"
ctl status --json >"$W/status.json"
rc=$?
jqs() { jq -r "$1" "$W/status.json"; }
check "status --json: kernel_release of the node" [ "$(jqs .kernel_release)" = "$REL" ]
check "status --json: build_id from sys/kernel/notes" [ "$(jqs .build_id)" = "$(printf 'ab%.0s' $(seq 20))" ]
check "status --json: machine and boot ids" [ "$(jqs .machine_id)/$(jqs .boot_id)" = \
	"0123456789abcdef0123456789abcdef/11111111-2222-3333-4444-555555555555" ]
check "status --json: archive url and last_ok, not stale" \
	[ "$(jqs '.archive.url != null and .archive.last_ok != null and .archive.stale == false')" = true ]
check "only this kernel's and this channel's patches are taken" [ "$(jqs '[.patches[].id] | join(",")')" = isofs-fix ]
check "a module that is not a livepatch is refused, with the reason" \
	[ "$(jqs '.patches[0].state + ": " + .patches[0].reason')" = \
	  "failed: isofs is not a livepatch module (no livepatch=Y in its modinfo)" ]
check "its CVEs and since are reported" [ "$(jqs '.patches[0].cves[0] + " " + (.patches[0].since | type)')" = \
	"CVE-2024-0001 string" ]
check "the problem is listed" jq -e '.problems | any(test("isofs-fix failed"))' "$W/status.json" >/dev/null
check "a livepatch the agent did not load is shown as not managed" \
	[ "$(jqs '.livepatch[] | select(.name == "vendor_lp") | .managed')" = false ]
check "status exits 1 when there are problems" [ $rc -eq 1 ]
check "events tell what happened" sh -c "'$bin/agentctl' -s '$SOCK' events | grep -q 'refused.*isofs-fix'"
check "agentctl patches --json is the patch list" [ "$(ctl patches --json | jq -r '.[0].id')" = isofs-fix ]
check "hold" ctl hold
check "status shows it held" [ "$(ctl status --json | jq -r .held)" = true ]
check "resume" ctl resume
ctl revert no-such-patch 2>"$W/err"
check "revert of an unknown patch: exit 4 with the reason" \
	expect_fail $? 4 "no patch 'no-such-patch'"

# the control socket: changes only for root, reading for root and the agent's group
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/agentctl" -s "$SOCK" "$@"; }
	chmod 0755 "$W" "$W/run"
	mode=$(stat -c %a "$SOCK")
	nobody status >/dev/null 2>"$W/err"
	check "an outsider cannot even connect (socket mode $mode)" \
		expect_fail $? 3 'Permission denied'
	chmod 0666 "$SOCK"   # past the file mode, SO_PEERCRED still decides
	nobody status >/dev/null 2>"$W/err"
	check "SO_PEERCRED: status refused to a non-member" expect_fail $? 4 'needs root or the agent'
	nobody hold 2>"$W/err"
	check "SO_PEERCRED: changes refused to non-root" expect_fail $? 4 'permission denied'
else
	nok "the socket permission tests need root and setpriv (util-linux)"
fi
printf '{"command": "status"' | timeout 5 socat - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 || true
resp=$(python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"command\": 42}\n"); print(s.recv(4096).decode())' "$SOCK" 2>/dev/null)
check "a malformed request is answered with an error" grep -q '"ok": *false' <<<"$resp"
stop

# the crash-loop guard: an applying record from an earlier boot quarantines its patch;
# a patch recorded applied but gone from sysfs is reconciled
now=$(date +%s)
sqlite3 "$W/state/agent.db" "
INSERT INTO patches (id, module, target, kernel_release, cves, state, reason, version, since, boot_id)
  VALUES ('lp-crashed', 'lp_crashed', '$REL/lp_crashed.ko', '$REL', '[]', 'applying', 'loading', 1, $now, 'old-boot');
INSERT INTO applying VALUES ('lp-crashed', 'old-boot', $now);
INSERT INTO patches (id, module, target, kernel_release, cves, state, reason, version, since, boot_id)
  VALUES ('lp-gone', 'lp_gone', '$REL/lp_gone.ko', '$REL', '[]', 'applied', '', 1, $now,
          '11111111-2222-3333-4444-555555555555');"
start
ctl status --json >"$W/status.json"
check "an applying record of an earlier boot: quarantined" \
	[ "$(jqs '.patches[] | select(.id == "lp-crashed") | .state')" = quarantined ]
check "with the evidence in the reason" jq -e \
	'.patches[] | select(.id == "lp-crashed") | .reason | test("went down while or soon after.*boot old-boot")' \
	"$W/status.json" >/dev/null
check "the record was closed" [ "$(sqlite3 "$W/state/agent.db" 'SELECT count(*) FROM applying')" = 0 ]
check "an applied patch missing from sysfs is reconciled as reverted" \
	[ "$(jqs '.patches[] | select(.id == "lp-gone") | .state')" = reverted ]
check "unquarantine" ctl unquarantine lp-crashed
check "it is pending again" [ "$(ctl status --json | jq -r '.patches[] | select(.id == "lp-crashed") | .state')" = pending ]
ctl unquarantine lp-gone 2>/dev/null
check "unquarantine of a patch that is not quarantined is refused" [ $? -eq 4 ]
stop
check "the agent removes its socket on SIGTERM" test ! -e "$SOCK"

# the archive unreachable: problems, state kept
conf "http://127.0.0.1:9"
start
ctl status --json >"$W/status.json"
check "unreachable archive: the error is a problem" jq -e '.problems | any(test("^archive: "))' "$W/status.json" >/dev/null
check "unreachable archive: the known patches are kept" [ "$(jqs '.patches | length')" -ge 3 ]
stop
echo "fetch-helper = $W/no-such-helper" >>"$W/agent.conf"
start
ctl status --json >"$W/status.json"
check "a missing fetch helper is an archive problem, named" \
	[ "$(jqs '.problems | any(test("^archive: cannot run the fetch helper .*no-such-helper"))')" = true ]
stop

ctl status >/dev/null 2>"$W/err"
check "agentctl: no agent, exit 3" expect_fail $? 3 'cannot talk to the agent'
"$bin/agentctl" frobnicate 2>/dev/null
check "agentctl: unknown command, exit 64" [ $? -eq 64 ]
check "agentctl --help documents the exit codes" sh -c "'$bin/agentctl' --help | grep -q 'Exit codes'"
check "tuxtape-agent --help" sh -c "'$bin/tuxtape-agent' --help | grep -q 'Usage: tuxtape-agent'"

# configuration errors name the file, line and key
printf '[agent]\nrefresh-interval = 1h\nfrobnicate = 1\n' >"$W/bad.conf"
"$bin/tuxtape-agent" -c "$W/bad.conf" 2>"$W/err"
check "unknown key: refused with file:line" expect_fail $? 1 "bad.conf:3: unknown key 'frobnicate' in \[agent\]"
printf '[agent]\ntransition-timeout = 5 minutes\n' >"$W/bad.conf"
"$bin/tuxtape-agent" -c "$W/bad.conf" 2>"$W/err"
check "bad duration: refused" expect_fail $? 1 "bad.conf:2: transition-timeout = '5 minutes' is not valid"
printf '[watch]\nrevert-on = warn oopsie\n' >"$W/bad.conf"
"$bin/tuxtape-agent" -c "$W/bad.conf" 2>"$W/err"
check "unknown report type in revert-on: refused" expect_fail $? 1 "bad.conf:2: revert-on = 'warn oopsie' is not valid"
printf '[watch]\nweak-evidence = maybe\n' >"$W/bad.conf"
"$bin/tuxtape-agent" -c "$W/bad.conf" 2>"$W/err"
check "bad weak-evidence: refused" expect_fail $? 1 "bad.conf:2: weak-evidence = 'maybe' is not valid"
printf '[archive]\nurl = ftp://x\n' >"$W/bad.conf"
"$bin/tuxtape-agent" -c "$W/bad.conf" 2>"$W/err"
check "non-http url: refused" expect_fail $? 1 "url must be http"
"$bin/tuxtape-agent" -c "$W/missing.conf" 2>"$W/err"
check "a named configuration file that is missing is an error" expect_fail $? 1 'missing.conf'
