#!/bin/bash
# tuxtape-backend vet on Debian's real 6.1 kernel (tests/e2e/kernel.sh), and kernel add
# --package on its real linux-image .deb: a good livepatch passes; one whose replacement
# WARNs fails with that WARN named; a module built for another release (the -rt flavour's
# headers) fails with both releases named; an unknown kernel, a kernel without an image and a
# missing module exit 2. The package gives image, .config, modules and, Debian's System.map
# being a placeholder, the symbols of one boot, cached (a second add does not boot again);
# the generator refuses a placeholder map by name.
. "$(dirname "$0")/lib.sh"

command -v qemu-system-x86_64 >/dev/null || { not_ok "vet needs qemu-system-x86_64"; exit 1; }
eval "$("$TOP/tests/e2e/kernel.sh")" || { not_ok "fetch Debian's kernel"; exit 1; }
DB=$WORK/b.db
printf 'fs/proc/cmdline.c y\n' >"$WORK/files"

# the test livepatches, built with kbuild against the kernel's headers (and the -rt one's)
mkdir -p "$WORK/mods" "$WORK/mods-rt"
cp "$TOP"/tests/e2e/modules/tt_lp_good.c "$TOP"/tests/e2e/modules/tt_lp_warns.c "$WORK/mods/"
echo 'obj-m += tt_lp_good.o tt_lp_warns.o' >"$WORK/mods/Kbuild"
cp "$TOP/tests/e2e/modules/tt_lp_good.c" "$WORK/mods-rt/"
echo 'obj-m += tt_lp_good.o' >"$WORK/mods-rt/Kbuild"
for b in "$KBUILD:$WORK/mods" "$KBUILD_RT:$WORK/mods-rt"; do
	make -C "${b%%:*}" M="${b#*:}" -j2 modules >"$WORK/kbuild.log" 2>&1 ||
		{ not_ok "build the test modules against ${b%%:*}"; tail -20 "$WORK/kbuild.log" >&2; exit 1; }
done

"$BACKEND" kernel add deb61 --db "$DB" --kconfig "$KCONFIG" --files "$WORK/files" --version 6.1.0 \
	--release "$KREL" --image "$VMLINUZ" --modules "$KMODDIR" >/dev/null
"$BACKEND" kernel add noimage --db "$DB" --kconfig "$KCONFIG" --files "$WORK/files" \
	--version 6.1.0 >/dev/null

# jq -e on a file that must exist and hold JSON (jq passes on empty input)
jqe() { [ -s "${*: -1}" ] && jq -e "$@" >/dev/null; }
vet() { # NAME MODULE...: runs vet, leaves $WORK/NAME.json, .rc and .err
	local name=$1; shift
	"$BACKEND" vet --db "$DB" --kernel deb61 --json --report "$WORK/$name.report" "$@" \
		>"$WORK/$name.json" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
	echo "# $name: exit $(cat "$WORK/$name.rc"), $(jq -c '{vet, accel, seconds, problems}' "$WORK/$name.json" 2>/dev/null)"
}

vet good "$WORK/mods/tt_lp_good.ko"
expect_eq "a good livepatch passes (exit 0)" 0 "$(cat "$WORK/good.rc")"
expect_eq "its report says passed" passed "$(jq -r .vet "$WORK/good.json")"
check "its report names the transition, disable and rmmod checks, all ok" jqe \
	'[.checks[] | select(.ok)] | map(.name) | (any(test("transition")) and any(test("disabled")) and any(test("rmmod")))' \
	"$WORK/good.json"
check "--report FILE holds the same report" cmp -s "$WORK/good.json" "$WORK/good.report"
check "the accelerator is named" jqe '.accel == "kvm" or .accel == "tcg"' "$WORK/good.json"

printf 'echo the patched proc file said no\nexit 3\n' >"$WORK/check-fails.sh"
vet check-fails "$WORK/mods/tt_lp_good.ko" "$WORK/check-fails.sh"
expect_eq "a failing check script fails the vet (exit 1)" 1 "$(cat "$WORK/check-fails.rc")"
check "the failed check carries the script's output" jqe \
	'.checks[] | select(.name == "the check script") | (.ok | not) and (.detail | test("said no"))' \
	"$WORK/check-fails.json"

vet warns "$WORK/mods/tt_lp_warns.ko"
expect_eq "a livepatch that WARNs fails (exit 1)" 1 "$(cat "$WORK/warns.rc")"
check "the report names the WARN and its module" jqe \
	'.vet == "failed" and any(.problems[]; test("WARNING in tt_warns_version_show.*tt_lp_warns"))' \
	"$WORK/warns.json"
check "and the taint it left (W)" jqe 'any(.problems[]; test("tainted.*W"))' "$WORK/warns.json"

vet other-release "$WORK/mods-rt/tt_lp_good.ko"
expect_eq "a module for another release fails (exit 1)" 1 "$(cat "$WORK/other-release.rc")"
check "naming both releases" jqe --arg k "$KREL" \
	'any(.problems[]; test("built for .*-rt-amd64") and contains($k))' "$WORK/other-release.json"

expect_exit "an unknown kernel exits 2" 2 "$BACKEND" vet --db "$DB" --kernel nosuch "$WORK/mods/tt_lp_good.ko"
check "naming it" grep -q "kernel nosuch: not registered" "$WORK/last.err"
expect_exit "a kernel without an image exits 2" 2 "$BACKEND" vet --db "$DB" --kernel noimage "$WORK/mods/tt_lp_good.ko"
check "saying how to register one" grep -q "no image registered.*--image" "$WORK/last.err"
expect_exit "a missing module exits 2" 2 "$BACKEND" vet --db "$DB" --kernel deb61 "$WORK/nosuch.ko"
check "naming the file" grep -q "module $WORK/nosuch.ko: No such file" "$WORK/last.err"
expect_exit "a module that is no livepatch exits 2" 2 "$BACKEND" vet --db "$DB" --kernel deb61 "$WORK/files"
expect_exit "no module at all is a usage error" 2 "$BACKEND" vet --db "$DB" --kernel deb61
expect_exit "--stall 0 is a usage error" 2 "$BACKEND" vet --db "$DB" --kernel deb61 --stall 0 "$WORK/mods/tt_lp_good.ko"
check "naming the option" grep -q -- "--stall '0'" "$WORK/last.err"

# --- kernel add --package on the real .deb
K=$WORK/kernels
"$BACKEND" kernel add pkg --db "$DB" --package "$IMAGE_DEB" --kernels-dir "$K" --files "$WORK/files" \
	--version 6.1.0 >"$WORK/pkg1.out" 2>"$WORK/pkg1.err"
expect_eq "kernel add --package registers the kernel" 0 $?
row=$(sqlite3 "$DB" "SELECT image || '|' || modules || '|' || system_map || '|' || release FROM kernel WHERE name = 'pkg'")
IFS='|' read -r img mods map rel <<<"$row"
expect_eq "its release comes from the package" "$KREL" "$rel"
expect_eq "its image is the package's" "$K/$KREL/boot/vmlinuz-$KREL" "$img"
check "its modules directory has a modules.dep" test -s "$mods/modules.dep"
expect_eq "its .config is the package's" "$(sha256sum <"$K/$KREL/boot/config-$KREL" | cut -c1-64)" \
	"$(sqlite3 "$DB" "SELECT hex(config) FROM kernel WHERE name = 'pkg'" | xxd -r -p | sha256sum | cut -c1-64)"
check "Debian's System.map was a placeholder" grep -q "The real System.map is in" "$K/$KREL/boot/System.map-$KREL"
expect_eq "the System.map registered is the boot's kallsyms" "$K/$KREL/kallsyms" "$map"
check "it says so" grep -q "placeholder; reading /proc/kallsyms of one boot" "$WORK/pkg1.err"
check "it holds real text symbols (cmdline_proc_show)" grep -q ' [Tt] cmdline_proc_show$' "$map"
check "at link-time addresses (nokaslr)" grep -q '^ffffffff81000000 T _stext$\|^ffffffff81000000 T startup_64$' "$map"
before=$(stat -c %Y.%s "$map")
"$BACKEND" kernel add pkg --db "$DB" --package "$IMAGE_DEB" --kernels-dir "$K" --files "$WORK/files" \
	--version 6.1.0 >/dev/null 2>"$WORK/pkg2.err"
expect_eq "a second add succeeds" 0 $?
check "without a second boot (the cached kallsyms)" grep -q "from the cached kallsyms" "$WORK/pkg2.err"
expect_eq "the cached file is untouched" "$before" "$(stat -c %Y.%s "$map")"
vet pkg-good --kernel pkg "$WORK/mods/tt_lp_good.ko"
expect_eq "vet boots the package's image" passed "$(jq -r .vet "$WORK/pkg-good.json")"

# a -dbg package gives the real map without a boot (made here: the real one is 1 GB)
mkdir -p "$WORK/dbg/DEBIAN" "$WORK/dbg/usr/lib/debug/boot"
printf 'Package: linux-image-%s-dbg\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: t\n' \
	"$KREL" >"$WORK/dbg/DEBIAN/control"
head -1000 "$map" >"$WORK/dbg/usr/lib/debug/boot/System.map-$KREL"
dpkg-deb -b "$WORK/dbg" "$WORK/dbg.deb" >/dev/null 2>&1 || not_ok "dpkg-deb builds the test -dbg package"
"$BACKEND" kernel add pkgdbg --db "$DB" --package "$IMAGE_DEB" --dbg-package "$WORK/dbg.deb" \
	--kernels-dir "$WORK/kernels2" --files "$WORK/files" --version 6.1.0 >/dev/null 2>"$WORK/dbg.err"
expect_eq "kernel add --dbg-package succeeds" 0 $?
dmap=$(sqlite3 "$DB" "SELECT system_map FROM kernel WHERE name = 'pkgdbg'")
check "its System.map is the -dbg package's" cmp -s "$WORK/dbg/usr/lib/debug/boot/System.map-$KREL" "$dmap"
check "with no boot" test ! -e "$WORK/kernels2/$KREL/kallsyms"

expect_exit "a file that is no .deb exits 1" 1 "$BACKEND" kernel add bad --db "$DB" --package "$WORK/files" \
	--kernels-dir "$K" --files "$WORK/files" --version 6.1.0
check "naming it" grep -q "$WORK/files: not a Debian package" "$WORK/last.err"
expect_exit "--image with --package is a usage error" 2 "$BACKEND" kernel add bad --db "$DB" \
	--package "$IMAGE_DEB" --image "$VMLINUZ" --files "$WORK/files"

# --- the generator refuses a placeholder System.map by name
mkdir -p "$WORK/src/fs" "$WORK/src/arch/x86"
: >"$WORK/src/arch/x86/Makefile"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\nobj-y += fs/\n' >"$WORK/src/Makefile"
echo 'obj-y += a.o' >"$WORK/src/fs/Makefile"
echo 'int a;' >"$WORK/src/fs/a.c"
"$BACKEND" kernel add src --db "$DB" --kconfig "$KCONFIG" --source "$WORK/src" >/dev/null ||
	not_ok "kernel add of a tiny source tree"
printf -- '--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1 +1 @@\n-int a;\n+int a = 1;\n' >"$WORK/fix.patch"
"$BACKEND" generate --db "$DB" --kernel src --patch "$WORK/fix.patch" --headers "$KBUILD" \
	--system-map "$K/$KREL/boot/System.map-$KREL" --out "$WORK/gen" --cache "$WORK/gencache" \
	--json >"$WORK/gen.json" 2>"$WORK/gen.err"
check "generate fails at its inputs step on a placeholder map" jqe \
	'.outcome == "failed" and .step == "inputs"' "$WORK/gen.json"
check "naming the file and what to do" jqe --arg f "$K/$KREL/boot/System.map-$KREL" \
	'.reason | contains($f) and test("placeholder") and test("--package")' "$WORK/gen.json"
