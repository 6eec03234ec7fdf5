#!/bin/bash
# The patch generator against Debian's real 6.1 kernel (source tarball, config, headers,
# System.map fetched once by tests/debian-kernel.sh and tests/e2e/kernel.sh): every case of
# tests/generator/ (a-f must become livepatch modules, g-i must be refused at the right step
# with the right reason, as tests/generator/expect says), every refusal in the "needs a person"
# queue, and bad inputs (a patch that does not apply, another compiler, an unknown kernel, a
# CVE whose fix source carries no change). The work cache is kept between runs under
# $TUXTAPE_CACHE/generator: the first run unpacks and prepares the tree (about a minute).
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/debian-kernel.sh")" || { not_ok "fetch Debian's kernel packages"; exit 1; }
SRC_KREL=$KREL
eval "$(E2E_KREL=$SRC_KREL "$TOP/tests/e2e/kernel.sh")" || { not_ok "fetch Debian's kernel headers"; exit 1; }
# Debian's System.map is a placeholder: the kernel's own /proc/kallsyms, read once in the VM
KALLSYMS=$("$TOP/tests/e2e/kallsyms.sh" 2>"$WORK/kallsyms.err") && SYSTEM_MAP=$KALLSYMS ||
	echo "# no kallsyms from the VM ($(tail -1 "$WORK/kallsyms.err")): local symbols cannot be resolved"
# Modules are vetted on the real kernel under QEMU by the product (tuxtape-backend vet, the
# image and modules registered with the kernel) unless GEN_VET=0.
DB=$WORK/backend.db
VET=()
if [ "${GEN_VET:-1}" != 0 ]; then
	command -v qemu-system-x86_64 >/dev/null ||
		{ not_ok "vetting needs qemu-system-x86_64 (tests/deps.sh installs qemu-system-x86)"; exit 1; }
	VET=(--vet-command "$BACKEND vet --db $DB --kernel deb61")
else
	echo "# GEN_VET=0: modules are not vetted in a VM (a developer's shortcut; make check vets)"
fi
CASES=$TOP/tests/generator
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/generator
SAMPLE=$SHARED/data/vulns/sample
for tool in patch make tar diff modinfo jq flock; do
	command -v $tool >/dev/null || { not_ok "generator needs $tool"; exit 1; }
done

"$BACKEND" kernel add deb61 --db "$DB" --kconfig "$KCONFIG" --source "$KSOURCE" --release "$KREL" \
	--headers "$KBUILD" --system-map "$SYSTEM_MAP" --image "$VMLINUZ" --modules "$KMODDIR" >/dev/null
expect_eq "kernel add keeps the headers and System.map" "$KBUILD" \
	"$("$BACKEND" kernel show deb61 --db "$DB" --json | jq -r .headers)"

jqe() { jq -e "$@" >/dev/null; }
gen() { # case-name extra-args...: runs generate, leaves $WORK/$1.json and $WORK/$1.rc
	local name=$1; shift
	local t0=$(date +%s.%N)
	"$BACKEND" generate --db "$DB" --kernel deb61 --cache "$CACHE" --out "$WORK/out-$name" \
		--json "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
	echo "# $name: exit $(cat "$WORK/$name.rc") in $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s$(jq -r '" (" + .outcome + (if .step then " at " + .step + ": " + .reason else "" end) + ")"' "$WORK/$name.json" 2>/dev/null | cut -c1-200)"
}
step_status() { jq -r --arg s "$2" '.steps[] | select(.name == $s) | .status' "$WORK/$1.json"; }
step_detail() { jq -r --arg s "$2" '.steps[] | select(.name == $s) | .detail' "$WORK/$1.json"; }
# the prepared tree in the work cache, as the first case's report names it
cache_tree() { step_detail a-proc-show cache | awk '{print $NF}'; }

# --- the cases
while read -r name outcome step reason; do
	case "$name" in '#'* | '') continue ;; esac
	id=case-${name%%-*}
	vet=() src=()
	[ "$outcome" = ok ] && [ ${#VET[@]} -gt 0 ] && vet=("${VET[@]}" --vet-check "$CASES/$name/check")
	if [ -f "$CASES/$name/source.patch" ]; then
		# the newer source the fix came from: the kernel's headers as source.patch changes
		# them (what that source added: a helper, a macro, a struct member)
		src=(--fix-source "$WORK/src-$name")
		for f in $(sed -n 's|^+++ b/||p' "$CASES/$name/source.patch"); do
			mkdir -p "$WORK/src-$name/$(dirname "$f")"
			cp "$(cache_tree)/$f" "$WORK/src-$name/$f"
		done
		patch -s -p1 -d "$WORK/src-$name" -i "$CASES/$name/source.patch" ||
			not_ok "$name: source.patch applies to the kernel's headers"
	fi
	gen "$name" --patch "$CASES/$name/fix.patch" --id "$id" "${src[@]}" "${vet[@]}"
	rc=$(cat "$WORK/$name.rc")
	[ -s "$WORK/$name.json" ] || { not_ok "$name: a JSON report"; sed 's/^/   | /' "$WORK/$name.err" >&2; continue; }
	expect_eq "$name: report.json is the --json output" "$(jq -c . "$WORK/$name.json")" \
		"$(jq -c . "$WORK/out-$name/report.json" 2>/dev/null)"
	for s in inputs compiler cache apply source-check; do
		[ "$s" = source-check ] && [ "$step" = source-check ] && continue
		expect_eq "$name: step $s ok" ok "$(step_status "$name" $s)"
	done
	if [ "$outcome" = ok ]; then
		expect_eq "$name: both objects built" "ok ok" \
			"$(step_status "$name" build-original) $(step_status "$name" build-patched)"
		expect_eq "$name: exit 0" 0 "$rc"
		ko=$WORK/out-$name/livepatch_${id//-/_}.ko
		expect_eq "$name: modinfo livepatch=Y" Y "$(modinfo -F livepatch "$ko" 2>/dev/null)"
		expect_eq "$name: modinfo names the patch id" "$id" "$(modinfo -F tuxtape_patch_id "$ko" 2>/dev/null)"
		check "$name: functions listed" test "$(jq '.functions | length' "$WORK/$name.json")" -gt 0
		if [ ${#vet[@]} -gt 0 ]; then
			expect_eq "$name: vetted in the VM (loads, transition, its check, no oops, unloads)" ok "$(step_status "$name" vet)"
			[ "$(step_status "$name" vet)" = ok ] || jq -r '.steps[] | select(.name == "vet") | .detail' "$WORK/$name.json" | sed 's/^/   | /' >&2
		fi
	else
		expect_eq "$name: exit 1" 1 "$rc"
		expect_eq "$name: $outcome" "$outcome" "$(jq -r .outcome "$WORK/$name.json")"
		expect_eq "$name: at step $step" "$step" "$(jq -r .step "$WORK/$name.json")"
		check "$name: reason matches '$reason'" jqe --arg r "$reason" '.reason | test($r)' "$WORK/$name.json"
		check "$name: no module" test ! -e "$WORK/out-$name/livepatch_${id//-/_}.ko"
	fi
done <"$CASES/expect"

# What the object diff found, where it ran: both callers of the inlined helper (d), the new
# function (e), the module's object name (f).
fn() { jq -r --arg f "$2" '.functions[] | select(.name == $f) | .change + " " + .object' "$WORK/$1.json" 2>/dev/null; }
if jqe '.steps[] | select(.name == "diff") | .status == "ok"' "$WORK/d-inline-helper.json"; then
	expect_eq "d: both callers of get_task_state change" "changed vmlinux|changed vmlinux" \
		"$(fn d-inline-helper proc_pid_status)|$(fn d-inline-helper do_task_stat)"
fi
jqe '.steps[] | select(.name == "diff") | .status == "ok"' "$WORK/e-new-function.json" &&
	expect_eq "e: the new function is new, its caller changed" "new vmlinux|changed vmlinux" \
		"$(fn e-new-function tuxtape_case_e)|$(fn e-new-function version_proc_show)"
# Jump labels: a vmlinux key stays a jump label whose key is a vmlinux livepatch relocation
# (applied as the module loads, before its jump table is read); a module's own key makes the
# generator build again with static branches as tests, and jbd2's exports are livepatch
# relocations applied with ext4's, naming jbd2, not a dependency of the livepatch.
kj=$WORK/out-j-jump-vmlinux/livepatch_case_j.ko kk=$WORK/out-k-jump-module/livepatch_case_k.ko
check "j: the jump label's key is a vmlinux livepatch relocation" \
	bash -c "readelf -rW '$kj' | grep -A4 \"klp.rela.vmlinux.__jump_table'\" | grep -q 'klp.sym.vmlinux.__tracepoint_task_rename,0'"
check "k: extract says the static branches became tests of ext4's key" \
	jqe '.steps[] | select(.name == "extract") | .detail | test("static key .__tracepoint_ext4_sync_fs. of module ext4.*tests of their key")' "$WORK/k-jump-module.json"
check "k: no jump table left in the module" bash -c "! readelf -SW '$kk' | grep -q __jump_table"
check "k: jbd2's export is a livepatch symbol, relocated with ext4's" \
	bash -c "readelf -rW '$kk' | grep -A20 \"klp.rela.ext4..text.ext4_sync_fs'\" | grep -q 'klp.sym.jbd2.jbd2_journal_start_commit,0'"
expect_eq "k: the livepatch depends on no module" "" "$(modinfo -F depends "$kk" 2>/dev/null)"
# Read-only data: the table is carried, both readers (unchanged) are patched.
check "l: the diff carries task_state_array" \
	jqe '.steps[] | select(.name == "diff") | .detail | test("read-only data carried as a copy.*: task_state_array")' "$WORK/l-rodata-table.json"
expect_eq "l: both readers of the table are patched" "changed vmlinux|changed vmlinux" \
	"$(fn l-rodata-table proc_pid_status)|$(fn l-rodata-table do_task_stat)"
check "l: the module holds its own copy of the table" \
	bash -c "readelf -SW '$WORK/out-l-rodata-table/livepatch_case_l.ko' | grep -q ' .rodata.task_state_array '"
# A changed function ftrace cannot redirect: a syscall's body (SYSCALL_DEFINE makes it an
# inline, and the kernel's inline is notrace) travels as a copy, its traceable wrappers patched.
expect_eq "m: the syscall body is carried, both of its wrappers patched" \
	"copied vmlinux|changed vmlinux|changed vmlinux" \
	"$(fn m-syscall-body __do_sys_newuname)|$(fn m-syscall-body __x64_sys_newuname)|$(fn m-syscall-body __ia32_sys_newuname)"
# A module's global inline (notrace) carried: its caller in another of udf's objects joins the
# patch, and the vet loads udf so that the copy's caller is patched in the real module.
expect_eq "n: udf_prealloc_blocks carried, its caller in inode.c patched" \
	"copied udf|changed udf" \
	"$(fn n-module-global udf_prealloc_blocks)|$(fn n-module-global inode_getblk)"
check "n: the caller's call binds to the patch's copy, not to udf's own" \
	bash -c "readelf -rW '$WORK/out-n-module-global/livepatch_case_n.ko' | grep -q 'R_X86_64_PLT32 .* udf_prealloc_blocks - 4' && ! readelf -sW '$WORK/out-n-module-global/livepatch_case_n.ko' | grep -q 'klp.sym.udf.udf_prealloc_blocks'"
expect_eq "f: ext4's sysfs.o is compiled for the ext4 module" ok \
	"$(jq -r '.steps[] | select(.name == "build-original") | .detail | if . == "fs/ext4/sysfs.o (ext4)" then "ok" else . end' "$WORK/f-module.json")"

# A fix that needs what its newer source added: a macro and a static inline helper are
# carried into the patched file (w), a struct member is named with its header (x); gcc's
# whole output is kept either way.
check "w: the macro and the helper are carried, with the headers they come from" \
	jqe '.steps[] | select(.name == "build-patched") | .detail | test("carried from the fix source: HZ_PER_GHZ \\(include/linux/units.h\\), str_true_false \\(include/linux/string_helpers.h\\)")' "$WORK/w-carried-helper.json"
check "w: gcc's output of the first build is kept" grep -q "implicit declaration of function .str_true_false" "$WORK/out-w-carried-helper/build-patched.log"
check "w: fix.patch carries the definitions, after the includes" \
	grep -A2 -F '+/* tuxtape: carried from the fix source' "$WORK/out-w-carried-helper/fix.patch"
check "w: the first fix is kept as fix.orig.patch" cmp -s "$CASES/w-carried-helper/fix.patch" "$WORK/out-w-carried-helper/fix.orig.patch"
expect_eq "w: only the patched function changes (the carried lines move no other line)" "loadavg_proc_show" \
	"$(jq -r '[.functions[] | .name] | join(" ")' "$WORK/w-carried-helper.json")"
check "x: gcc's whole output is kept" grep -q "has no member named .memfd_noexec_scope" "$WORK/out-x-new-member/build-patched.log"
check "x: the reason points at it" jqe '.reason | test("build-patched.log")' "$WORK/x-new-member.json"
gen w-no-source --patch "$CASES/w-carried-helper/fix.patch" --id w-no-source
check "without a fix source the missing helper is named, refused" \
	jqe '.outcome == "refused" and .step == "build-patched" and (.reason | test("the fix needs str_true_false, which this kernel lacks \\(fs/proc/loadavg.c:[0-9]+: implicit declaration"))' "$WORK/w-no-source.json"

# The cached tree is the kernel's own source again after every run.
tree=$(cache_tree)
check "the cached tree is a prepared kernel tree" test -f "$tree/include/generated/autoconf.h"
# (the patches' marks: the tree's own path, in every object's debug information, has
# "tuxtape-" in it, and a refused build leaves the kernel's own object)
check "no patch is left in the cached tree (sources or objects)" bash -c "! grep -rlE 'tuxtape_|tuxtape:' '$tree/fs/proc' '$tree/fs/locks.c' '$tree/fs/ext4' '$tree/include/linux/seq_file.h' '$tree/kernel/capability.c'"
check "no patch marker is left in the cache" test ! -e "$(dirname "$tree")/applied.patch"

# --- a patch that does not apply names the hunk
sed 's/seq_puts(m, saved_command_line);$/seq_puts(m, saved_command_line_x);/' "$CASES/a-proc-show/fix.patch" >"$WORK/bad.patch"
gen bad-apply --patch "$WORK/bad.patch" --id bad-apply
expect_eq "a patch that does not apply: exit 1" 1 "$(cat "$WORK/bad-apply.rc")"
expect_eq "a patch that does not apply: failed at apply" "failed apply" \
	"$(jq -r '.outcome + " " + .step' "$WORK/bad-apply.json")"
check "a patch that does not apply: the hunk is named" \
	jqe '.reason | test("hunk #1 of fs/proc/cmdline.c does not apply")' "$WORK/bad-apply.json"

# --- the most fundamental reason first: a layout change in a file this configuration does
# not build (CONFIG_JFFS2_RUBIN is off) is no layout change of this kernel
f=fs/jffs2/compr_rubin.c
sed '/^struct pushpull {/,/^};/s/unsigned int reserve;/unsigned long reserve;/' "$tree/$f" | diff -u --label a/$f --label b/$f "$tree/$f" - >"$WORK/unbuilt.patch"
gen unbuilt --patch "$WORK/unbuilt.patch" --id unbuilt
check "a struct change in a file not built: refused as not built, not as a layout change" \
	jqe '.step == "source-check" and (.reason | test("none of the patch.s C files is built by kernel deb61.s configuration \\(fs/jffs2/compr_rubin.c\\)"))' "$WORK/unbuilt.json"
cat "$WORK/unbuilt.patch" "$CASES/a-proc-show/fix.patch" >"$WORK/unbuilt-mixed.patch"
gen unbuilt-mixed --patch "$WORK/unbuilt-mixed.patch" --id unbuilt-mixed
check "beside a built file, the unbuilt one is left out, its struct change with it" \
	jqe '.outcome == "ok" and (.steps[] | select(.name == "source-check") | .detail | test("left out: fs/jffs2/compr_rubin.c"))' "$WORK/unbuilt-mixed.json"

# --- a patch with nothing in C
{ printf -- '--- a/README\n+++ b/README\n@@ -1,2 +1,3 @@\n+tuxtape\n'; head -2 "$tree/README" | sed 's/^/ /'; } >"$WORK/doc.patch"
gen doc-only --patch "$WORK/doc.patch" --id doc-only
expect_eq "a patch touching no C source is refused" "refused source-check" \
	"$(jq -r '.outcome + " " + .step' "$WORK/doc-only.json")"

# --- a kernel whose .config names another compiler
sed 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc-11 (Debian 11.3.0-12) 11.3.0"/' "$KCONFIG" >"$WORK/other-cc.config"
"$BACKEND" kernel add deb61-othercc --db "$DB" --kconfig "$WORK/other-cc.config" --source "$KSOURCE" \
	--release "$KREL" --headers "$KBUILD" --system-map "$SYSTEM_MAP" >/dev/null
"$BACKEND" generate --db "$DB" --kernel deb61-othercc --cache "$CACHE" --out "$WORK/out-cc" --json \
	--patch "$CASES/a-proc-show/fix.patch" >"$WORK/cc.json" 2>/dev/null
expect_eq "another compiler: exit 1" 1 $?
expect_eq "another compiler: refused at the compiler step" "refused compiler" \
	"$(jq -r '.outcome + " " + .step' "$WORK/cc.json")"
check "another compiler: both versions named" \
	jqe '.reason | test("gcc-11 \\(Debian 11.3.0-12\\) 11.3.0") and test("12.2.0")' "$WORK/cc.json"

# --- usage and configuration errors: exit 2, nothing queued
expect_exit "an unknown kernel: exit 2" 2 "$BACKEND" generate --db "$DB" --kernel nosuch \
	--patch "$CASES/a-proc-show/fix.patch" --cache "$CACHE" --out "$WORK/out-x"
check "an unknown kernel: the message says so" grep -q "kernel nosuch: not registered" "$WORK/last.err"
expect_exit "neither --cve nor --patch: exit 2" 2 "$BACKEND" generate --db "$DB" --kernel deb61
expect_exit "--cve without --fix-source: exit 2" 2 "$BACKEND" generate --db "$DB" --kernel deb61 \
	--cve CVE-2021-46938
expect_exit "an unknown generator: exit 2" 2 "$BACKEND" generate --db "$DB" --kernel deb61 \
	--patch "$CASES/a-proc-show/fix.patch" --generator nosuch
gen kpatch --patch "$CASES/a-proc-show/fix.patch" --id kp --generator kpatch-build
if command -v kpatch-build >/dev/null; then
	echo "# kpatch-build is installed: $(jq -r .outcome "$WORK/kpatch.json")"
else
	check "kpatch-build absent: fails clearly" jqe '.reason == "kpatch-build not installed"' "$WORK/kpatch.json"
fi

# --- a CVE: the fix is the difference of its files between two sources
if [ -d "$SAMPLE/cve" ]; then
	git_init_repo "$WORK/vulns"
	cp -r "$SAMPLE/cve" "$WORK/vulns/"
	git_commit_all "$WORK/vulns" sample
	"$BACKEND" scan --db "$DB" --vulns "$WORK/vulns" >/dev/null
	expect_exit "an unknown CVE: exit 2" 2 "$BACKEND" generate --db "$DB" --kernel deb61 \
		--cve CVE-1999-0001 --fix-source "$WORK" --cache "$CACHE"
	f=drivers/md/dm-rq.c
	mkdir -p "$WORK/same/$(dirname $f)" "$WORK/newer/$(dirname $f)"
	cp "$tree/$f" "$WORK/same/$f"
	gen cve-same --cve CVE-2021-46938 --fix-source "$WORK/same"
	expect_eq "a fix source without change: refused at the fix step" "refused fix" \
		"$(jq -r '.outcome + " " + .step' "$WORK/cve-same.json")"
	check "  ... naming the record's file the branch's fix does not touch" \
		jqe '.reason | test("record names drivers/md/dm-rq.c, which the fix on this kernel.s branch.* does not touch")' "$WORK/cve-same.json"
	sed 's/^#include "dm-rq.h"$/#include "dm-rq.h"\n\/* tuxtape: a newer version of the file *\//' "$tree/$f" >"$WORK/newer/$f"
	gen cve-newer --cve CVE-2021-46938 --fix-source "$WORK/newer"
	expect_eq "a CVE's fix from a newer source: fix and apply steps ok" "ok ok" \
		"$(step_status cve-newer fix) $(step_status cve-newer apply)"
	check "a CVE's fix from a newer source: the diff is kept" grep -q '^+/\* tuxtape: a newer' "$WORK/out-cve-newer/fix.patch"
	expect_eq "a CVE's fix: dm-rq.o is compiled for the dm_mod module" "ok" \
		"$(jq -r '.steps[] | select(.name == "build-original") | .detail | if test("drivers/md/dm-rq.o \\(dm_mod\\)") then "ok" else . end' "$WORK/cve-newer.json")"

	# the fix commit from a Linux git repository: the scanner's fix commit for the branch,
	# pointed here at a commit of a small repository holding the same change
	old=$(jq -r .source_commit "$WORK/cve-newer.json")
	git_init_repo "$WORK/linux"
	mkdir -p "$WORK/linux/$(dirname $f)"
	cp "$tree/$f" "$WORK/linux/$f"
	git_commit_all "$WORK/linux" original
	cp "$WORK/newer/$f" "$WORK/linux/$f"
	git_commit_all "$WORK/linux" "dm rq: the fix"
	head=$(git -C "$WORK/linux" rev-parse HEAD)
	sqlite3 "$DB" "UPDATE cve_dyad SET fixed_commit = '$head' WHERE fixed_commit = '$old'"
	gen cve-git --cve CVE-2021-46938 --linux-git "$WORK/linux"
	expect_eq "a CVE's fix from git: fix and apply steps ok" "ok ok" \
		"$(step_status cve-git fix) $(step_status cve-git apply)"
	expect_eq "a CVE's fix from git: the commit is named" "$head" "$(jq -r .source_commit "$WORK/cve-git.json")"
	check "a CVE's fix from git: the commit's diff is the patch" grep -q '^+/\* tuxtape: a newer' "$WORK/out-cve-git/fix.patch"
	sqlite3 "$DB" "UPDATE cve_dyad SET fixed_commit = 'ffffffffffffffffffffffffffffffffffffffff' WHERE fixed_commit = '$head'"
	gen cve-git-missing --cve CVE-2021-46938 --linux-git "$WORK/linux"
	expect_eq "a fix commit the repository lacks: failed at the fix step" "failed fix" \
		"$(jq -r '.outcome + " " + .step' "$WORK/cve-git-missing.json")"
	check "and says so" jqe '.reason | test("not in this repository")' "$WORK/cve-git-missing.json"
	expect_exit "--cve with both --fix-source and --linux-git: exit 2" 2 "$BACKEND" generate --db "$DB" \
		--kernel deb61 --cve CVE-2021-46938 --fix-source "$WORK/newer" --linux-git "$WORK/linux"
fi

# --- the queue: every refusal and failure, with its step; a notification command
"$BACKEND" generate --db "$DB" --failures --json >"$WORK/failures.json"
for name in g-struct-layout bad-apply doc-only; do
	id=$(jq -r .patch_id "$WORK/$name.json")
	step=$(jq -r .step "$WORK/$name.json")
	check "queued: $name at $step" jqe --arg id "$id" --arg s "$step" \
		'any(.[]; .patch_id == $id and .step == $s and .kernel == "deb61")' "$WORK/failures.json"
done
while read -r name outcome step reason; do
	case "$name" in '#'* | '') continue ;; esac
	[ "$outcome" = ok ] && [ "$(cat "$WORK/$name.rc")" = 0 ] && continue
	check "queued: $name" jqe --arg id "case-${name%%-*}" 'any(.[]; .patch_id == $id)' "$WORK/failures.json"
done <"$CASES/expect"
check "a module built is not queued" bash -c "[ \"\$(cat '$WORK/a-proc-show.rc')\" != 0 ] || ! jq -e 'any(.[]; .patch_id == \"case-a\")' '$WORK/failures.json' >/dev/null"
"$BACKEND" generate --db "$DB" --failures >"$WORK/failures.txt"
check "generate --failures lists the struct refusal" grep -q "data structure layout change: struct seq_file" "$WORK/failures.txt"
"$BACKEND" generate --db "$DB" --kernel deb61 --cache "$CACHE" --out "$WORK/out-notify" \
	--patch "$CASES/g-struct-layout/fix.patch" --id notify \
	--notify "env | grep ^TUXTAPE_ | grep -v ^TUXTAPE_REPORT > '$WORK/notify.env'" >/dev/null 2>&1
check "the notification command gets the step" grep -qx "TUXTAPE_STEP=source-check" "$WORK/notify.env"
check "the notification command gets the reason" grep -q "^TUXTAPE_REASON=data structure layout change" "$WORK/notify.env"
check "the notification command gets the kernel" grep -qx "TUXTAPE_KERNEL=deb61" "$WORK/notify.env"

# --- a cumulative module: several fixes in order, one change per function, .replace
# (case a given twice, as two CVEs whose fixes are the same file's change: applied once)
gen cumulative --patch "$CASES/a-proc-show/fix.patch" --patch "$CASES/e-new-function/fix.patch" \
	--patch "$CASES/a-proc-show/fix.patch" --replace --cves CVE-2099-0001,CVE-2099-0002 --id cum-1
expect_eq "cumulative: three fixes make one module" 0 "$(cat "$WORK/cumulative.rc")"
expect_eq "  ... patching each function once" "cmdline_proc_show tuxtape_case_e version_proc_show" \
	"$(jq -r '[.functions[] | select(.change == "changed" or .change == "new") | .name] | sort | join(" ")' "$WORK/cumulative.json")"
check "  ... the repeated fix applied once, and said so" \
	jqe '.steps[] | select(.name == "fix") | .detail | test("applied once")' "$WORK/cumulative.json"
check "  ... an atomic-replace livepatch" grep -q "\.replace = true" "$WORK/out-cumulative/work/module/tuxtape_main.c"
expect_eq "  ... carrying its CVEs" CVE-2099-0001,CVE-2099-0002 \
	"$(modinfo -F tuxtape_cves "$WORK/out-cumulative/livepatch_cum_1.ko" 2>/dev/null)"
sed 's/tuxtape_case_a/tuxtape_case_z/' "$CASES/a-proc-show/fix.patch" >"$WORK/z.patch"
gen cumulative-bad --patch "$CASES/e-new-function/fix.patch" --patch "$CASES/a-proc-show/fix.patch" \
	--patch "$WORK/z.patch" --id cum-bad
check "a fix that does not apply after the ones before it fails, naming it" \
	jqe '.step == "fix" and (.reason | test("fix 3 of 3 .*does not apply on top"))' "$WORK/cumulative-bad.json"
expect_exit "--cves takes CVE ids only" 2 "$BACKEND" generate --db "$DB" --kernel deb61 \
	--patch "$CASES/a-proc-show/fix.patch" --cves "not a cve"
echo "# cache: $(du -sh "$CACHE" | cut -f1) in $CACHE"
