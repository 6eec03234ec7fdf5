#!/bin/bash
# The patch generator on the second kernel series, Debian's 6.12 (linux-image and
# linux-source-6.12 6.12.95 from bookworm-backports): every case of tests/generator/, with
# its fix-6.12.patch where 6.1's context does not apply to 6.12, must end as
# tests/generator/expect says; modules are loaded on the real 6.12 kernel under QEMU by
# `tuxtape-backend vet`. 6.12 builds with IBT (endbr64 before __fentry__), call padding
# (16 bytes before each function, __pfx_ symbols), ships its modules xz-compressed and its
# headers with a vmlinux for module BTF (pahole). GEN_VET=0 skips the boots.
. "$(dirname "$0")/lib.sh"

K=${E2E_KREL_612:-6.12.95+deb12-amd64}
eval "$(KREL=$K "$TOP/tests/debian-kernel.sh" 2>"$WORK/dk.err")" ||
	{ not_ok "fetch Debian's 6.12 kernel packages: $(tail -1 "$WORK/dk.err") (tests/deps.sh adds bookworm-backports)"; exit 1; }
eval "$(E2E_KREL=$K "$TOP/tests/e2e/kernel.sh" 2>"$WORK/k.err")" ||
	{ not_ok "fetch Debian's 6.12 headers: $(tail -1 "$WORK/k.err")"; exit 1; }
KALLSYMS=$(E2E_KREL=$K "$TOP/tests/e2e/kallsyms.sh" 2>"$WORK/kallsyms.err") ||
	{ not_ok "the 6.12 kernel's symbols from one boot: $(tail -1 "$WORK/kallsyms.err")"; exit 1; }
CASES=$TOP/tests/generator
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/generator
DB=$WORK/backend.db

# what makes this series different for the generator, as the kernel's own config says
for opt in CONFIG_X86_KERNEL_IBT=y CONFIG_CALL_PADDING=y CONFIG_LIVEPATCH=y; do
	check "6.12's config has $opt" grep -qx "$opt" "$KCONFIG"
done
check "6.12's kallsyms has __pfx_ padding symbols" grep -q ' __pfx_cmdline_proc_show$' "$KALLSYMS"

"$BACKEND" kernel add deb612 --db "$DB" --kconfig "$KCONFIG" --source "$KSOURCE" --release "$KREL" \
	--headers "$KBUILD" --system-map "$KALLSYMS" --image "$VMLINUZ" --modules "$KMODDIR" \
	>/dev/null 2>"$WORK/add.err" || { not_ok "kernel add deb612: $(tail -1 "$WORK/add.err")"; exit 1; }

VET=()
[ "${GEN_VET:-1}" != 0 ] && VET=(--vet-command "$BACKEND vet --db $DB --kernel deb612")
jqe() { jq -e "$@" >/dev/null; }
step_status() { jq -r --arg s "$2" '.steps[] | select(.name == $s) | .status' "$WORK/$1.json"; }
while read -r name outcome step reason; do
	case "$name" in '#'* | '') continue ;; esac
	# a case with its own newer source (w, x) is about a fix needing what 6.1 lacks and
	# 6.12 has: generator.sh runs it on 6.1
	if [ -f "$CASES/$name/source.patch" ]; then
		echo "# 6.12 $name: a 6.1-only case (it carries from a newer source what 6.1 lacks)"
		continue
	fi
	id=case-${name%%-*}
	patch=$CASES/$name/fix.patch
	[ -f "$CASES/$name/fix-6.12.patch" ] && patch=$CASES/$name/fix-6.12.patch
	vet=()
	[ "$outcome" = ok ] && [ ${#VET[@]} -gt 0 ] && vet=("${VET[@]}" --vet-check "$CASES/$name/check")
	"$BACKEND" generate --db "$DB" --kernel deb612 --cache "$CACHE" --out "$WORK/out-$name" \
		--json --patch "$patch" --id "$id" "${vet[@]}" >"$WORK/$name.json" 2>"$WORK/$name.err"
	rc=$?
	echo "# 6.12 $name: exit $rc$(jq -r '" (" + .outcome + (if .step then " at " + .step + ": " + .reason else "" end) + ")"' "$WORK/$name.json" 2>/dev/null | cut -c1-200)"
	if [ "$outcome" = ok ]; then
		expect_eq "6.12 $name: exit 0" 0 "$rc"
		ko=$WORK/out-$name/livepatch_${id//-/_}.ko
		expect_eq "6.12 $name: vermagic is 6.12's" "$KREL" "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)"
		if [ ${#vet[@]} -gt 0 ]; then
			expect_eq "6.12 $name: vetted on the 6.12 kernel (loads, transition, its check, unloads)" ok \
				"$(step_status "$name" vet)"
			[ "$(step_status "$name" vet)" = ok ] ||
				jq -r '.steps[] | select(.name == "vet") | .detail' "$WORK/$name.json" | sed 's/^/   | /' >&2
		fi
	else
		expect_eq "6.12 $name: $outcome at $step" "$outcome $step" \
			"$(jq -r '.outcome + " " + .step' "$WORK/$name.json" 2>/dev/null)"
		check "6.12 $name: reason matches '$reason'" \
			jqe --arg r "$reason" '.reason | test($r)' "$WORK/$name.json"
	fi
done <"$CASES/expect"

# g is 6.1's patch on 6.12: its hunk applies 4 lines further down, where the struct is
check "6.12 g: 6.1's patch applied at an offset" \
	jqe '.steps[] | select(.name == "apply") | .detail | test("offset")' "$WORK/g-struct-layout.json"
