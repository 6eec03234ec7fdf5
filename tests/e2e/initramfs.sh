#!/bin/bash
# Builds the bench's initramfs: busybox-static, the guest /init and scenario library, the
# scenarios, the kernel modules the VM needs (KMODDIR, with their modules.dep), the test
# modules, and the project's programs with the shared libraries they need (found with ldd).
# Usage: tests/e2e/initramfs.sh OUT.cpio.gz KREL KMODDIR TESTMODS_DIR [PROGRAM...]
#   TESTMODS_DIR holds *.ko and rt/*.ko (the other-release build); it lands in /e2e/modules.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 OUT.cpio.gz KREL KMODDIR TESTMODS_DIR [PROGRAM...]" >&2; exit 2; }
out=$1 krel=$2 kmoddir=$3 testmods=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d /tmp/tuxtape-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,state,e2e}
busybox=$(command -v busybox)
if ldd "$busybox" >/dev/null 2>&1; then
	echo "initramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$here/guest/init" "$root/init"
cp "$here/guest/lib.sh" "$root/e2e/lib.sh"
cp -r "$here/scenarios" "$root/e2e/scenarios"
cp "$here/guest/vet.sh" "$root/e2e/scenarios/vet.sh"    # tests/e2e/vet.sh's guest half
cp "$here/guest/kallsyms.sh" "$root/e2e/scenarios/kallsyms.sh"    # and kallsyms.sh's
cp "$here/guest/demo.sh" "$root/e2e/scenarios/demo.sh"    # and make demo's node (tests/demo.sh)
mkdir -p "$root/lib/modules/$krel"
cp -r "$kmoddir"/. "$root/lib/modules/$krel/"
mkdir -p "$root/e2e/modules"
cp -r "$testmods"/. "$root/e2e/modules/"

# the programs and every shared library ldd names, at the same paths
for prog in "$@"; do
	[ -x "$prog" ] || { echo "initramfs: no program $prog (run make first)" >&2; exit 1; }
	install -m 0755 "$prog" "$root/usr/bin/$(basename "$prog")"
	ldd "$prog" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
# libcurl resolves nothing here (the bench uses addresses), but wants these to exist
echo "127.0.0.1 localhost" >"$root/etc/hosts"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
