#!/bin/bash
# kernel add --build-dir against a real kernel build: Debian's 6.1 source with its .config,
# prepared, and a few objects built (two built into vmlinux, one module directory). The
# profile must hold exactly those sources with their modes, not the host programs built on
# the way, and take its version from the build.
. "$(dirname "$0")/lib.sh"

eval "$("$TOP/tests/debian-kernel.sh")" || { not_ok "fetch Debian's kernel packages"; exit 1; }
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}
B=$CACHE/build-$KREL/linux-source-6.1
if [ ! -f "$B/.tuxtape-prepared" ]; then
	rm -rf "$CACHE/build-$KREL" && mkdir -p "$CACHE/build-$KREL"
	tar -xJf "$KSOURCE" -C "$CACHE/build-$KREL"
	cp "$KCONFIG" "$B/.config"
	make -C "$B" -s olddefconfig >/dev/null && make -C "$B" -s -j"$(nproc)" prepare >/dev/null ||
		{ not_ok "prepare the kernel build (needs flex bison bc libssl-dev libelf-dev)"; exit 1; }
	touch "$B/.tuxtape-prepared"
fi
make -C "$B" -s -j"$(nproc)" fs/proc/loadavg.o fs/proc/task_mmu.o fs/isofs/ >"$WORK/build.log" 2>&1 ||
	{ not_ok "build a few objects"; tail "$WORK/build.log"; exit 1; }

DB=$WORK/backend.db
expect_exit "kernel add --build-dir" 0 "$BACKEND" kernel add built --db "$DB" --kconfig "$B/.config" --build-dir "$B"
"$BACKEND" kernel show built --db "$DB" --list-files --json >"$WORK/show.json"
mode() { jq -r --arg p "$1" '.files[] | select(.path == $p) | .mode' "$WORK/show.json"; }
expect_eq "the version comes from the build (include/config/kernel.release)" "${KVERSION%%-*}" "$(jq -r .version "$WORK/show.json")"
expect_eq "fs/proc/loadavg.c: built in" y "$(mode fs/proc/loadavg.c)"
expect_eq "fs/isofs/inode.c: in a module (isofs.mod)" m "$(mode fs/isofs/inode.c)"
expect_eq "every isofs source is a module source" 8 "$(jq '[.files[] | select(.path | startswith("fs/isofs/")) | select(.mode == "m")] | length' "$WORK/show.json")"
expect_eq "host programs built on the way are not the kernel" "" "$(mode arch/x86/tools/relocs_64.c)"
expect_eq "nothing else" "" "$(jq -r '.files[].path' "$WORK/show.json" | grep -v -E '^fs/(proc|isofs)/')"

# the gauge on this profile, with the sample's record for fs/proc/task_mmu.c
SAMPLE=$SHARED/data/vulns/sample
git_init_repo "$WORK/vulns"
cp -r "$SAMPLE/cve" "$WORK/vulns/"
git_commit_all "$WORK/vulns" sample
"$BACKEND" scan --db "$DB" --vulns "$WORK/vulns" >/dev/null
"$BACKEND" triage --db "$DB" --kernel built --all --json >"$WORK/triage.json" 2>/dev/null
expect_eq "CVE-2025-39754 (fs/proc/task_mmu.c, built here): affected" affected \
	"$(jq -r '.[] | select(.id == "CVE-2025-39754") | .verdict' "$WORK/triage.json")"
expect_eq "CVE-2023-53394 (mlx5, not built here): not-affected-config" not-affected-config \
	"$(jq -r '.[] | select(.id == "CVE-2023-53394") | .verdict' "$WORK/triage.json")"
expect_exit "a directory that is not a build is refused" 1 "$BACKEND" kernel add nobuild --db "$DB" --kconfig "$B/.config" --build-dir "$WORK/vulns" --version 6.1.1
check "  ... saying what was expected" grep -q "no .o.cmd file names a source" "$WORK/last.err"
