#!/bin/bash
# The kernel log parser on the klogs corpus (syzkaller reports, distro oopses, livepatch
# excerpts), through `agentctl analyze --json`: each file as it is (a console capture) and
# converted to /dev/kmsg records (kernel facility, seq, usec and caller= from the console
# prefixes, control bytes \xNN-escaped). The first report's type and title must match the
# corpus' expectation for at least 95% of the files in each form; negatives give nothing;
# module lists, taint, livepatch core messages, culprits and exit codes are checked too.
. "$(dirname "$0")/lib.sh"

AGENTCTL=$BIN/agentctl
K=$SHARED/data/klogs
[ -f "$K/MANIFEST.tsv" ] || { not_ok "corpus at $K"; exit 1; }

# console capture → kmsg records; syzkaller's header lines (up to the first blank line) go
to_kmsg() { "$TOP/tests/klog-to-kmsg.pl" "$1"; }

# the expected type of the first report, from the manifest's category or per file
expected_type() { # file category
	case "$1" in
	524|759|663) echo oops; return ;;
	659) echo list-corruption; return ;;
	github-102|rhbz-1040900-s390x-1|oops-module-intel.test|10_oopses.test|kpatch-issue-869*) echo warn; return ;;
	rhbz-1235021) echo soft-lockup; return ;;
	rhbz-1518943|kpatch-issue-681*) echo page-fault; return ;;
	arm-hung-task-oops|kernel_panic_oom.test) echo panic; return ;;
	lkml-livepatch-*) echo hung-task; return ;;
	esac
	case "$2" in
	warn) echo warn ;; refcount) echo refcount ;; nullptr|pagefault) echo page-fault ;;
	gpf) echo gpf ;; bug) echo bug ;; softlockup) echo soft-lockup ;; rcu) echo rcu-stall ;;
	kasan) echo kasan ;; ubsan) echo ubsan ;; hung) echo hung-task ;; lockdep) echo lockdep ;;
	panic) echo panic ;; atomic) echo atomic ;; *) echo none ;;
	esac
}

total=0
declare -A good
for mode in console kmsg; do good[$mode]=0; done
while IFS=$'\t' read -r f repo _ _ cat title _ _; do
	[ "$f" = file ] && continue
	total=$((total + 1))
	exp_type=$(expected_type "$f" "$cat")
	if [ "$repo" = google/syzkaller ]; then
		exp_title=$(sed -n '1s/^TITLE: //p' "$K/$f"); field=title
	else
		exp_title=$title; field=headline
	fi
	case "$cat" in *negative*) exp_type=none exp_title="" ;; esac
	to_kmsg "$K/$f" >"$WORK/$f.kmsg"
	for mode in console kmsg; do
		in=$K/$f
		[ $mode = kmsg ] && in=$WORK/$f.kmsg
		"$AGENTCTL" analyze "$in" --json >"$WORK/$f.$mode.json" 2>"$WORK/$f.$mode.err"
		rc=$?
		got=$(jq -r --arg fl "$field" '[.[] | select(.type != "livepatch")][0] // {} |
			"\(.type // "none")\t\(.[$fl] // "")"' "$WORK/$f.$mode.json")
		got_type=${got%%$'\t'*} got_title=${got#*$'\t'}
		verdict=miss
		if [ "$got_type" = "$exp_type" ]; then
			# the manifest cuts long headlines: a prefix is a match
			if [ "$got_title" = "$exp_title" ] || { [ -n "$exp_title" ] && [ "${got_title#"$exp_title"}" != "$got_title" ]; }; then
				verdict=ok
			fi
		fi
		want_rc=1
		[ "$exp_type" = none ] && want_rc=0
		# an openvpn syslog: not a kernel log at all, unless converted to kmsg records
		[ "$f/$mode" = not_oops1.test/console ] && want_rc=64
		[ $rc -eq $want_rc ] || verdict="miss (exit $rc)"
		[ "$verdict" = ok ] && good[$mode]=$((good[$mode] + 1))
		echo "# $mode $f: $verdict ($got_type: $got_title)"
		[ "$verdict" = ok ] || echo "#   expected $exp_type: $exp_title"
	done
done <"$K/MANIFEST.tsv"

for mode in console kmsg; do
	pct=$((100 * good[$mode] / total))
	echo "# $mode: ${good[$mode]}/$total files with the right type and title ($pct%)"
	if [ $((100 * good[$mode])) -ge $((95 * total)) ]; then
		ok "$mode form: type and title right for at least 95% of the corpus"
	else
		not_ok "$mode form: type and title right for at least 95% of the corpus (${good[$mode]}/$total)"
	fi
done

for f in 1 731 not_oops1.test; do
	for mode in console kmsg; do
		expect_eq "negative $f ($mode): no report" 0 "$(jq length "$WORK/$f.$mode.json")"
	done
done

# modules, taint, RIP: values read from the files
first() { jq -r "[.[] | select(.type != \"livepatch\")][0] | $2" "$WORK/$1.json"; }
for mode in console kmsg; do
	expect_eq "github-102 ($mode): modules" "104 vboxpci OF sunrpc" \
		"$(first "github-102.$mode" '"\(.modules|length) \(.modules[0].name) \(.modules[0].flags) \(.modules[-1].name)"')"
	expect_eq "github-102 ($mode): taint" "PF   B   WC O" "$(first "github-102.$mode" .taint)"
	expect_eq "rhbz-1235021 ($mode): modules, not tainted" "110 xt_CHECKSUM video " \
		"$(first "rhbz-1235021.$mode" '"\(.modules|length) \(.modules[0].name) \(.modules[-1].name) \(.taint)"')"
	expect_eq "rhbz-1518943 ($mode): continuation line, RIP in amdgpu" "87 pinctrl_amd amdgpu_vm_sdma_commit amdgpu" \
		"$(first "rhbz-1518943.$mode" '"\(.modules|length) \(.modules[-1].name) \(.rip_function) \(.rip_module)"')"
	expect_eq "rhbz-1040900-s390x-1 ($mode): loading module flags, PSW" "24 will_oops OF+ GF          O will_oops_init will_oops" \
		"$(first "rhbz-1040900-s390x-1.$mode" '"\(.modules|length) \(.modules[0].name) \(.modules[0].flags) \(.taint) \(.rip_function) \(.rip_module)"')"
	expect_eq "oops-module-intel ($mode): modules, WARN in i915" "103 tun video intel_display_power_put i915 drivers/gpu/drm/i915/intel_pm.c:6312" \
		"$(first "oops-module-intel.test.$mode" '"\(.modules|length) \(.modules[0].name) \(.modules[-1].name) \(.rip_function) \(.rip_module) \(.site.file):\(.site.line)"')"
	expect_eq "10_oopses ($mode): ten reports" 10 \
		"$(jq '[.[] | select(.type != "livepatch")] | length' "$WORK/10_oopses.test.$mode.json")"
	expect_eq "kpatch-681 ($mode): modules, taint K, RIP in kpatch" "73 kpatch_new O+ G           O  K kpatch_register kpatch" \
		"$(first "kpatch-issue-681.excerpt.txt.$mode" '"\(.modules|length) \(.modules[0].name) \(.modules[0].flags) \(.taint) \(.rip_function) \(.rip_module)"')"
	expect_eq "kpatch-869 ($mode): livepatch flags, RHEL taint" "10 livepatch_shadow_newpid OEK G           OE K insmod 21124" \
		"$(first "kpatch-issue-869.excerpt.txt.$mode" '"\(.modules|length) \(.modules[0].name) \(.modules[0].flags) \(.taint) \(.comm) \(.pid)"')"
	expect_eq "338 ($mode): KASAN frames keep [test_kasan]" test_kasan \
		"$(first "338.$mode" '[.frames[] | select(.module)][0].module')"
	expect_eq "lkml hung task ($mode): taint" "G              K" "$(first "lkml-livepatch-selftest-hung-5.15.excerpt.txt.$mode" .taint)"
	expect_eq "lkml ($mode): the livepatch core's messages" \
		"enabling patching patched module:test_klp_callbacks_mod module:test_klp_callbacks_mod unpatching unpatched" \
		"$(jq -r '[.[] | select(.type == "livepatch") | .klp_event + (if .klp_object then ":" + .klp_object else "" end)] | join(" ")' \
			"$WORK/lkml-livepatch-selftest-hung-5.15.excerpt.txt.$mode.json")"
	expect_eq "744 ($mode): 6.16 WARN line gives site, cpu, comm, pid" "fs/jfs/jfs_dmap.c 2867 0 jfsCommit 112" \
		"$(first "744.$mode" '"\(.site.file) \(.site.line) \(.cpu) \(.comm) \(.pid)"')"
done

# culprit: a RIP in a module flagged K (strong), a first reliable frame in a module named
# with --livepatch (strong), nothing without either
cat >"$WORK/lp.log" <<'LOG'
[  100.000001] ------------[ cut here ]------------
[  100.000002] WARNING: CPU: 1 PID: 42 at /tmp/lp/livepatch_fix.c:12 fixed_func+0x1a/0x40 [livepatch_fix]
[  100.000003] Modules linked in: livepatch_fix(OEK) helper_mod(O) xfs
[  100.000004] CPU: 1 PID: 42 Comm: bash Tainted: G           OE K   6.1.0 #1
[  100.000005] RIP: 0010:fixed_func+0x1a/0x40 [livepatch_fix]
[  100.000006] Call Trace:
[  100.000007]  <TASK>
[  100.000008]  caller_func+0x10/0x20
[  100.000009]  </TASK>
[  100.000010] ---[ end trace 0000000000000000 ]---
[  101.000001] BUG: kernel NULL pointer dereference, address: 0000000000000008
[  101.000002] Oops: 0000 [#1] PREEMPT SMP NOPTI
[  101.000003] CPU: 0 PID: 7 Comm: kworker/0:1 Tainted: G        W  OE K   6.1.0 #1
[  101.000004] RIP: 0010:other_mod_func+0x5/0x10 [other_lp]
[  101.000005] Call Trace:
[  101.000006]  <TASK>
[  101.000007]  process_one_work+0x1/0x2
[  101.000008]  </TASK>
[  101.000009] ---[ end trace 0000000000000000 ]---
LOG
"$AGENTCTL" analyze "$WORK/lp.log" --json --livepatch other-lp >"$WORK/lp.json"
expect_eq "RIP in a K-flagged module: strong culprit" "livepatch_fix strong" \
	"$(jq -r '.[0] | "\(.culprit) \(.evidence)"' "$WORK/lp.json")"
expect_eq "RIP in a module named with --livepatch: strong culprit" "other_lp strong" \
	"$(jq -r '.[1] | "\(.culprit) \(.evidence)"' "$WORK/lp.json")"
"$AGENTCTL" analyze "$WORK/lp.log" --json >"$WORK/lp2.json"
expect_eq "without --livepatch: only the K-flagged one" "livepatch_fix null" \
	"$(jq -r '[.[].culprit] | map(tostring) | join(" ")' "$WORK/lp2.json")"
check "text output names the culprit" sh -c "'$AGENTCTL' analyze '$WORK/lp.log' | grep -q 'culprit: livepatch_fix'"

# exit codes and bounded input
expect_exit "a missing file: exit 64" 64 "$AGENTCTL" analyze "$WORK/none.log"
check "the error names the file" grep -q "none.log" "$WORK/last.err"
expect_exit "two files: exit 64" 64 "$AGENTCTL" analyze a b
truncate -s 257M "$WORK/huge.log"
expect_exit "a file over 256 MiB: exit 64" 64 "$AGENTCTL" analyze "$WORK/huge.log"
check "and says why" grep -q "256 MiB" "$WORK/last.err"
rm -f "$WORK/huge.log"
expect_exit "stdin with a report: exit 1" 1 sh -c "'$AGENTCTL' analyze - <'$K/744'"
expect_exit "a kernel log without reports: exit 0" 0 "$AGENTCTL" analyze "$K/731"

# input that is not a kernel log is named as such
expect_exit "a syslog without a kernel line: exit 64" 64 "$AGENTCTL" analyze "$K/not_oops1.test"
check "... saying it holds no kernel log record" grep -q "no kernel log records found in .*not_oops1.test" "$WORK/last.err"
expect_exit "empty input: exit 64" 64 sh -c "'$AGENTCTL' analyze --json - </dev/null"
check "... saying so, and [] on stdout" sh -c "grep -q 'empty input' '$WORK/last.err' && jq -e 'length == 0' '$WORK/last.out' >/dev/null"

# escape sequences in a log do not reach the terminal
printf '[    1.000000] BUG: bad\033]0;owned\a\033[2J\302\233m page\n' >"$WORK/esc.log"
"$AGENTCTL" analyze "$WORK/esc.log" >"$WORK/esc.out"
check "text output: no control character from the log" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$WORK/esc.out'"
# (the title's standalone number is normalised to NUM like any other: one title per bug)
check "... shown escaped instead" grep -qF 'bad\x1b]NUM;owned\x07\x1b[2J\xc2\x9bm page' "$WORK/esc.out"

# analyze --json streams: memory does not follow the number of reports. Under ASan the
# quarantine holds freed memory back (hundreds of MiB by design): measure without it.
yes 'BUG: x' | head -c $((4 << 20)) >"$WORK/many.log"
rss=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=open(sys.argv[-1] + ".json", "w"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$AGENTCTL" analyze --json "$WORK/many.log")
check "4 MiB of 'BUG: x' lines: --json peak RSS ${rss} KiB, under 64 MiB" [ "${rss:-999999}" -lt 65536 ]
check "... and the output is one valid JSON array of every report" \
	[ "$(jq length "$WORK/many.log.json")" = "$(wc -l <"$WORK/many.log")" ]
rm -f "$WORK/many.log" "$WORK/many.log.json"
