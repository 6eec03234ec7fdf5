#!/bin/bash
# The agent's kernel log watch against a fake node: /dev/kmsg is a FIFO fed with records in
# the kernel's format; /sys/kernel/livepatch holds one patch the agent installed (tt_fake,
# seeded in its state) and one it did not (vendor_lp). Checked: records of other facilities
# are never evidence; a report in an unrelated function, or in a livepatch only through an
# unreliable frame, reverts nothing; a livepatch deeper in a reliable trace is a suspect
# (problem, no revert); a RIP in the installed patch quarantines it durably before it is
# disabled, and the revert finishes when the kernel drops the patch; a report against a
# livepatch the agent did not install is only reported; lost and malformed records are
# counted; after a restart, records already handled are not handled again.
set -u
top=${TUXTAPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${TUXTAPE_BIN:-$top/build}
W=$(mktemp -d /tmp/tuxtape-kmsg.XXXXXX)
agent_pid=
trap 'kill $agent_pid 2>/dev/null; exec 7>&- 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
wait_for() { # SECONDS CMD...: CMD succeeds within SECONDS
	local t=$(( $1 * 20 )); shift
	while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.05; t=$((t - 1)); done
	return 1
}

REL=6.1.0-99-fake
BOOT=11111111-2222-3333-4444-555555555555
R=$W/root
LP=$R/sys/kernel/livepatch
mkdir -p "$R/proc/sys/kernel/random" "$R/etc" "$R/dev" "$LP/vendor_lp" \
	"$LP/tt_fake/vmlinux/cmdline_proc_show,1"
echo "$REL" >"$R/proc/sys/kernel/osrelease"
echo "$BOOT" >"$R/proc/sys/kernel/random/boot_id"
echo "0123456789abcdef0123456789abcdef" >"$R/etc/machine-id"
for p in vendor_lp tt_fake; do echo 1 >"$LP/$p/enabled"; echo 0 >"$LP/$p/transition"; done
mkfifo "$R/dev/kmsg"
exec 7<>"$R/dev/kmsg"

mkdir -p "$W/state"
sqlite3 "$W/state/agent.db" <<SQL
CREATE TABLE patches (id TEXT PRIMARY KEY, module TEXT NOT NULL, target TEXT NOT NULL,
 kernel_release TEXT NOT NULL, cves TEXT NOT NULL, state TEXT NOT NULL,
 reason TEXT NOT NULL DEFAULT '', file TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL DEFAULT '',
 boot_id TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL, since INTEGER NOT NULL);
INSERT INTO patches VALUES ('tt-fake', 'tt_fake', '$REL/tt_fake.ko', '$REL', '["CVE-2000-0001"]',
 'applied', 'transition completed in 0.1s', '', '', '$BOOT', 1, strftime('%s', 'now'));
SQL
SOCK=$W/agent.sock
cat >"$W/agent.conf" <<CONF
[paths]
root = $R
state-dir = $W/state
socket = $SOCK
CONF
start() {
	"$bin/tuxtape-agent" -c "$W/agent.conf" >>"$W/agent.log" 2>&1 &
	agent_pid=$!
	wait_for 5 test -S "$SOCK"
}
stop() { kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null; agent_pid=; }
ctl() { "$bin/agentctl" -s "$SOCK" "$@"; }
status() { ctl status --json | jq -r "$1"; }
state_of() { ctl status --json | jq -r --arg id "$1" '.patches[] | select(.id == $id) | .state'; }
events() { ctl events --json | jq -r '"\(.kind) \(.patch) \(.message)"'; }

SEQ=100
# rec PRIO TEXT: one record as the kernel formats it (tabs escaped), caller T42
rec() {
	SEQ=$((SEQ + 1))
	printf '%s,%s,%s,-,caller=T42;%s\n' "$1" "$SEQ" "$((5000000 + SEQ))" "${2//	/\\x09}" >&7
}
# a 6.1 x86 WARN/Oops body: report PRIO HEAD RIP FRAME...
report() {
	local prio=$1 head=$2 rip=$3; shift 3
	rec "$prio" "------------[ cut here ]------------"
	rec "$prio" "$head"
	rec "$prio" "Modules linked in: tt_fake(K) vendor_lp(OEK) ext4 crc32c_generic"
	rec "$prio" "CPU: 0 PID: 42 Comm: cat Tainted: G           OE K    6.1.0-99-fake #1  Debian 6.1.999-1"
	rec "$prio" "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014"
	rec "$prio" "RIP: 0010:$rip"
	rec "$prio" "Code: 48 89 e5 0f 0b 5d c3 cc cc cc"
	rec "$prio" "RSP: 0018:ffffb0b2c01d7d58 EFLAGS: 00010246"
	rec "$prio" "Call Trace:"
	rec "$prio" " <TASK>"
	for f in "$@"; do rec "$prio" " $f"; done
	rec "$prio" " </TASK>"
	rec "$prio" "---[ end trace 0000000000000000 ]---"
}

start
check "the agent starts and watches the FIFO" \
	wait_for 5 sh -c "'$bin/agentctl' -s '$SOCK' status --json | jq -e '.kernel_log.watching' >/dev/null"

# user space forges an oops in tt_fake (facility 1: LOG_USER)
report 12 "BUG: kernel NULL pointer dereference, address: 0000000000000000" \
	"tt_fake_cmdline_show+0x10/0x40 [tt_fake]" "seq_read_iter+0x11f/0x460" "vfs_read+0x1a5/0x2c0"
forged_counted() { [ "$(status .kernel_log.not_kernel)" -eq 14 ]; }
check "the forged records are counted as not the kernel's" wait_for 5 forged_counted
check "a forged oops reverts nothing" [ "$(state_of tt-fake)" = applied ]
check "and raises nothing" [ "$(status .kernel_log.reports)" = 0 ]

# a WARN in built-in code, tt_fake only in an unreliable frame
report 4 "WARNING: CPU: 0 PID: 42 at fs/proc/cmdline.c:9 proc_misc_warn+0x5/0x10" \
	"proc_misc_warn+0x5/0x10" "? tt_fake_cmdline_show+0x22/0x40 [tt_fake]" \
	"seq_read_iter+0x11f/0x460" "vfs_read+0x1a5/0x2c0"
check "a WARN with the patch only in an unreliable frame: reported, not blamed" wait_for 5 \
	sh -c "'$bin/agentctl' -s '$SOCK' events | grep -q 'WARNING in .* (no livepatch involved)'"
check "tt-fake still applied" [ "$(state_of tt-fake)" = applied ]

# a WARN in core code whose trace runs through a function tt-fake replaced: weak evidence
report 4 "WARNING: CPU: 0 PID: 42 at fs/seq_file.c:9 seq_misc_warn+0x5/0x10" \
	"seq_misc_warn+0x5/0x10" "seq_read_iter+0x11f/0x460" "cmdline_proc_show+0x1c/0x30" \
	"vfs_read+0x1a5/0x2c0"
replaced_suspect() { events | grep -q "^problem tt-fake .*cmdline_proc_show, a function tt_fake replaced"; }
check "a function tt-fake replaced in the trace: a weak-evidence problem" wait_for 5 replaced_suspect
check "tt-fake still applied after that" [ "$(state_of tt-fake)" = applied ]

# a WARN in core code after the kernel gained taint W since tt-fake went in: weak evidence
sqlite3 "$W/state/agent.db" "INSERT INTO meta VALUES ('taint/tt-fake', '4096')"
echo 4608 >"$R/proc/sys/kernel/tainted"      # O, then W
report 4 "WARNING: CPU: 0 PID: 42 at kernel/sched/core.c:9 sched_misc_warn+0x5/0x10" \
	"sched_misc_warn+0x5/0x10" "schedule+0x5e/0xd0" "do_nanosleep+0x6f/0x160"
taint_suspect() { events | grep -q "^problem tt-fake .*gained taint W since tt_fake was applied"; }
check "new taint W since tt-fake went in: a weak-evidence problem" wait_for 5 taint_suspect
check "tt-fake still applied after it" [ "$(state_of tt-fake)" = applied ]
rm "$R/proc/sys/kernel/tainted"

# an oops in a livepatch the agent did not install
report 4 "BUG: unable to handle page fault for address: ffffffffc0a0b000" \
	"vendor_fix+0x1c/0x50 [vendor_lp]" "seq_read_iter+0x11f/0x460" "vfs_read+0x1a5/0x2c0"
check "an oops in vendor_lp is reported as such" wait_for 5 \
	sh -c "'$bin/agentctl' -s '$SOCK' events | grep -q 'against livepatch vendor_lp, which the agent did not install'"
check "vendor_lp is not touched" [ "$(cat "$LP/vendor_lp/enabled")" = 1 ]

# a WARN whose first reliable frame is built in, tt_fake deeper in the trace: a suspect
report 4 "WARNING: CPU: 0 PID: 42 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110" \
	"refcount_warn_saturate+0xba/0x110" "kobject_put+0x9c/0x1d0" \
	"tt_fake_cmdline_show+0x22/0x40 [tt_fake]" "seq_read_iter+0x11f/0x460"
check "tt-fake deeper in a reliable trace: a problem is raised" wait_for 5 \
	sh -c "'$bin/agentctl' -s '$SOCK' status --json | jq -e '.problems[] | select(startswith(\"tt-fake suspected\"))' >/dev/null"
check "but it is not reverted (weak evidence)" [ "$(state_of tt-fake)" = applied ]
check "and not disabled" [ "$(cat "$LP/tt_fake/enabled")" = 1 ]
check "the evidence is weak" [ "$(ctl status --json | jq -r '.patches[0].evidence.evidence')" = weak ]

# records lost and a malformed one
SEQ=$((SEQ + 7))
printf 'this is not a record\n' >&7
rec 6 "after the gap"
check "7 lost records are counted" wait_for 5 sh -c \
	"[ \"\$('$bin/agentctl' -s '$SOCK' status --json | jq .kernel_log.lost)\" = 7 ]"
check "the malformed record is counted" [ "$(status .kernel_log.malformed)" = 1 ]

# the oops is in tt_fake
report 4 "BUG: kernel NULL pointer dereference, address: 0000000000000000" \
	"tt_fake_cmdline_show+0x10/0x40 [tt_fake]" "seq_read_iter+0x11f/0x460" "vfs_read+0x1a5/0x2c0"
check "an oops in tt_fake: quarantined" wait_for 5 sh -c "[ \"\$(sqlite3 '$W/state/agent.db' \
	\"SELECT state FROM patches WHERE id = 'tt-fake'\")\" = quarantined ]"
check "enabled=0 written" wait_for 5 sh -c "[ \"\$(cat '$LP/tt_fake/enabled')\" = 0 ]"
check "the evidence names the report" [ "$(ctl status --json | jq -r '.patches[0].evidence.title')" = \
	"BUG: unable to handle kernel NULL pointer dereference in tt_fake_cmdline_show" ]
check "the evidence is strong" [ "$(ctl status --json | jq -r '.patches[0].evidence.evidence')" = strong ]
check "the event says why" sh -c "'$bin/agentctl' -s '$SOCK' events | grep convicted | grep -q 'RIP tt_fake_cmdline_show is in livepatch module tt_fake'"
rm -rf "$LP/tt_fake"     # the kernel finished the unpatching transition
reverted() { events | grep -q '^quarantined tt-fake' && [ "$(status .in_transition)" = null ]; }
check "the revert completes" wait_for 5 reverted
check "agentctl status exits 1 (a quarantined patch)" sh -c "'$bin/agentctl' -s '$SOCK' status >/dev/null; [ \$? -eq 1 ]"
n=$(events | grep -c '^convicted')
stop

# the kernel's buffer is read again from the start after a restart: handled records are skipped
mkdir -p "$LP/tt_fake/vmlinux/cmdline_proc_show,1"
echo 1 >"$LP/tt_fake/enabled"; echo 0 >"$LP/tt_fake/transition"
sqlite3 "$W/state/agent.db" "UPDATE patches SET state = 'applied' WHERE id = 'tt-fake'"
SEQ=$((SEQ - 14))    # the last report again, record for record
start
report 4 "BUG: kernel NULL pointer dereference, address: 0000000000000000" \
	"tt_fake_cmdline_show+0x10/0x40 [tt_fake]" "seq_read_iter+0x11f/0x460" "vfs_read+0x1a5/0x2c0"
sleep 1
check "after a restart, an old report is not handled again" [ "$(state_of tt-fake)" = applied ]
report 4 "BUG: kernel NULL pointer dereference, address: 0000000000000000" \
	"tt_fake_cmdline_show+0x10/0x40 [tt_fake]" "seq_read_iter+0x11f/0x460" "vfs_read+0x1a5/0x2c0"
check "a new one is" wait_for 5 sh -c "[ \"\$(sqlite3 '$W/state/agent.db' \
	\"SELECT state FROM patches WHERE id = 'tt-fake'\")\" = quarantined ]"
check "one more conviction recorded" [ "$(events | grep -c '^convicted')" = $((n + 1)) ]
stop
grep -q 'AddressSanitizer\|runtime error' "$W/agent.log" && nok "sanitizer report in the agent's log" || true
