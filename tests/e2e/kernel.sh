#!/bin/bash
# Fetches the kernel the real-kernel bench boots, once, into a cache outside the repository:
# linux-image-<release> (vmlinuz, System.map, config, and the few modules the VM needs for
# its disk and network), linux-headers-<release> with its -common part and the series' kbuild
# package (what kbuild needs to build test modules), and the headers of the same ABI's -rt
# flavour (a genuinely different kernel release, for the vermagic refusal module).
# Release: what linux-image-amd64 and linux-headers-amd64 point to now, or E2E_KREL: a 6.1
# release (6.1.0-56-amd64, bookworm) or a 6.12 one (6.12.95+deb12-amd64, bookworm-backports
# and bookworm-security; tests/deps.sh adds those suites).
# Prints shell assignments: KREL VMLINUZ SYSTEM_MAP KCONFIG KMODDIR KBUILD KBUILD_RT IMAGE_DEB
# (the linux-image .deb itself).
# Cache: $TUXTAPE_CACHE (default /var/cache/tuxtape-test). Needs apt-get and dpkg-deb.
set -euo pipefail
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}
die() { echo "e2e/kernel: $*" >&2; exit 1; }

depends_of() { apt-cache depends "$1" 2>/dev/null | sed -n "s/.*Depends: $2\(.*\)$/\1/p" | head -1; }
KREL=${E2E_KREL:-}
if [ -z "$KREL" ]; then
	KREL=$(depends_of linux-image-amd64 linux-image-)
	if [ -z "$KREL" ]; then
		apt-get update -qq >&2
		KREL=$(depends_of linux-image-amd64 linux-image-)
	fi
	[ -n "$KREL" ] || die "cannot resolve what linux-image-amd64 points to"
	hrel=$(depends_of linux-headers-amd64 linux-headers-)
	[ "$hrel" = "$KREL" ] || die "linux-image-amd64 points to $KREL but linux-headers-amd64 to ${hrel:-nothing}"
fi
case "$KREL" in
6.1.0-*-amd64|6.12.*+deb*-amd64) ;;
*) die "release '$KREL' is not a Debian 6.1 or 6.12 amd64 flavour (expected like 6.1.0-56-amd64 or 6.12.95+deb12-amd64)" ;;
esac
ABI=${KREL%-amd64}             # 6.1.0-56, 6.12.95+deb12
RTREL=$ABI-rt-amd64
SERIES=$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$KREL")

# Keeps only the modules the VM needs (virtio disk and network, ext4, loop for checks that
# mount a file, and udf, whose global inline functions a generator case patches) with their
# dependencies, as named by the image's own modules.dep, into $dir/vm-modules.
# Usage: select_vm_modules ROOT (the unpacked linux-image package).
VM_MODULES="virtio_blk virtio_net virtio_pci ext4 crc32c_generic loop udf"
select_vm_modules() {
	local root=$1 mdir=$1/lib/modules/$KREL keep f
	# the package ships no modules.dep (depmod makes it at install time): make it here
	/sbin/depmod -b "$root" "$KREL" || die "depmod for $KREL failed"
	keep=$(awk -v need="$VM_MODULES" '
		BEGIN { n = split(need, w, " "); for (i = 1; i <= n; i++) want[w[i]] = 1 }
		{ f = $1; sub(":$", "", f); m = f; sub(".*/", "", m); sub("\\.ko.*$", "", m)
		  if (m in want) { print f; for (i = 2; i <= NF; i++) print $i } }' "$mdir/modules.dep" | sort -u)
	[ -n "$keep" ] || die "modules.dep of $KREL names none of: $VM_MODULES"
	rm -rf "$dir/vm-modules" && mkdir -p "$dir/vm-modules"
	for f in $keep; do
		mkdir -p "$dir/vm-modules/$(dirname "$f")"
		cp "$mdir/$f" "$dir/vm-modules/$f"
	done
	grep -F -f <(echo "$keep" | sed 's/$/:/') "$mdir/modules.dep" >"$dir/vm-modules/modules.dep"
	# 6.12 ships its modules xz-compressed; the guest's busybox loads plain ones.
	if grep -q '\.ko\.xz' "$dir/vm-modules/modules.dep"; then
		find "$dir/vm-modules" -name '*.ko.xz' -exec xz -d {} + || die "unpacking the VM's .ko.xz modules failed"
		sed -i 's/\.ko\.xz/.ko/g' "$dir/vm-modules/modules.dep"
	fi
	# which modules are built in (virtio_pci on 6.12): the guest does not try to load those
	cp "$mdir/modules.builtin" "$dir/vm-modules/"
	echo "$VM_MODULES" >"$dir/vm-modules/.selected"
}

dir=$CACHE/e2e-$KREL
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir" && mkdir -p "$dir/dl" "$dir/root"
	version=$(apt-cache show "linux-image-$KREL" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
	[ -n "$version" ] || die "no package linux-image-$KREL in the archive (apt-cache madison linux-image-$KREL)"
	# An older 6.1 ABI keeps its image and headers in the archive, but linux-kbuild-6.1 (the
	# host tools: fixdep, modpost) only in its newest version; those tools are the same
	# across 6.1 stable updates, so take the newest when the exact one is gone. 6.12 names
	# one kbuild package per ABI (linux-kbuild-6.12.95+deb12), kept with its image.
	kbuild_pkg=linux-kbuild-6.1
	[ "$SERIES" = 6.1 ] || kbuild_pkg=linux-kbuild-$ABI
	kbuild="$kbuild_pkg=$version"
	apt-cache madison "$kbuild_pkg" | awk '{ print $3 }' | grep -qxF "$version" ||
		kbuild=$kbuild_pkg
	(cd "$dir/dl" && apt-get download -q "linux-image-$KREL=$version" \
		"linux-headers-$KREL=$version" "linux-headers-$ABI-common=$version" \
		"linux-headers-$RTREL=$version" "linux-headers-$ABI-common-rt=$version" \
		"$kbuild" >&2) ||
		die "apt-get download of linux-image/headers/kbuild $KREL=$version failed"
	for deb in "$dir"/dl/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
	rm -rf "$dir/dl"
	# The headers' top Makefile includes the -common one by its absolute /usr/src path:
	# point it into the cache so nothing has to be installed on the host.
	for rel in "$KREL" "$RTREL"; do
		sed -i "s|include /usr/src/|include $dir/root/usr/src/|" "$dir/root/usr/src/linux-headers-$rel/Makefile"
	done
	select_vm_modules "$dir/root"
	rm -rf "$dir/root/lib/modules/$KREL/kernel"
	touch "$dir/.done"
fi
# The image package itself, for `kernel add --package` (tests/integration/vet.sh): kept apart
# from the unpacked tree, fetched once (caches made before it was kept get it now).
if ! ls "$dir"/pkg/linux-image-"$KREL"_*.deb >/dev/null 2>&1; then
	version=$(apt-cache show "linux-image-$KREL" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
	mkdir -p "$dir/pkg"
	(cd "$dir/pkg" && apt-get download -q "linux-image-$KREL${version:+=$version}" >&2) ||
		die "apt-get download of linux-image-$KREL failed"
fi
# A cache made when the VM needed fewer modules: select again from the kept package.
if [ "$(cat "$dir/vm-modules/.selected" 2>/dev/null)" != "$VM_MODULES" ]; then
	rm -rf "$dir/reselect" && mkdir -p "$dir/reselect"
	dpkg-deb -x "$(ls "$dir"/pkg/linux-image-"$KREL"_*.deb | head -1)" "$dir/reselect"
	select_vm_modules "$dir/reselect"
	rm -rf "$dir/reselect"
fi
echo "KREL=$KREL"
echo "VMLINUZ=$dir/root/boot/vmlinuz-$KREL"
echo "SYSTEM_MAP=$dir/root/boot/System.map-$KREL"
echo "KCONFIG=$dir/root/boot/config-$KREL"
echo "KMODDIR=$dir/vm-modules"
echo "KBUILD=$dir/root/usr/src/linux-headers-$KREL"
echo "KBUILD_RT=$dir/root/usr/src/linux-headers-$RTREL"
echo "IMAGE_DEB=$(ls "$dir"/pkg/linux-image-"$KREL"_*.deb | head -1)"
