#!/bin/bash
# Builds, once, the Debian 12 disk image the system test (tests/system/run.sh) boots: a real
# system with systemd, the bench's exact kernel (tests/e2e/kernel.sh's KREL) with its
# headers, DKMS and a compiler, and the tuxtape-agent package's runtime dependencies, so
# that installing the built packages needs no network. At boot a oneshot unit mounts the
# second virtio disk (label TTTEST) on /tt and runs /tt/run.sh, its output on the console
# (no getty there: its hangup of the tty would cut the test's output off).
#
# Usage: tests/system/image.sh AGENT-DEB   (the built tuxtape-agent .deb: its Depends)
# Prints shell assignments: KREL IMAGE (raw ext4, never written by a test) VMLINUZ INITRD.
# Cache: ${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/system-<KREL>/<key>/, the key a hash of
# this script and the package list; older keys of the same KREL are removed.
# Needs mmdebstrap, mkfs.ext4 and root (the image's files belong to its own users).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}
MIRROR=${SYSTEM_MIRROR:-http://deb.debian.org/debian}
die() { echo "system/image: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: tests/system/image.sh AGENT-DEB" >&2; exit 2; }
agent_deb=$1
[ -f "$agent_deb" ] || die "no such package file: $agent_deb"
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (install the Debian package mmdebstrap, or run tests/deps.sh)"
PATH=$PATH:/sbin:/usr/sbin
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 is missing (install e2fsprogs)"
[ "$(id -u)" -eq 0 ] || die "must run as root (the image's files belong to its own users)"

kvars=$("$here/../e2e/kernel.sh") || die "tests/e2e/kernel.sh could not resolve the kernel"
KREL=$(sed -n 's/^KREL=//p' <<<"$kvars")

# the agent's runtime dependencies: the first alternative of each, without its version
deps=$(dpkg-deb -f "$agent_deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' |
	grep -v '^$' | sort -u | tr '\n' ' ')
[ -n "$deps" ] || die "$agent_deb names no Depends"
packages="systemd systemd-sysv udev dbus kmod procps iproute2 util-linux e2fsprogs
linux-image-$KREL linux-headers-$KREL dkms gcc make libc6-dev $deps"
packages=$(tr -s ' \n' '\n' <<<"$packages" | grep -v '^$' | sort -u | tr '\n' ' ')

key=$({ cat "$0" "$here/tt-system-test.service"; echo "$packages"; echo "$MIRROR"; } | sha256sum | cut -c1-16)
base=$CACHE/system-$KREL
dir=$base/$key
# one build at a time: a second run waits for the first one's image
mkdir -p "$CACHE"
exec 9>"$CACHE/system-$KREL.lock"
flock 9 || die "cannot lock $CACHE/system-$KREL.lock"
if [ ! -f "$dir/.done" ]; then
	echo "system/image: building the image for $KREL ($key), once: $packages" >&2
	rm -rf "$base" && mkdir -p "$dir"
	root=$dir/root
	# The image reaches the host's archive over QEMU's user network (DHCP on the virtio
	# NIC); its package sources are emptied so installing proves the dependencies are in.
	if ! mmdebstrap --mode=root --variant=apt --format=directory \
		--include="$(tr ' ' ',' <<<"${packages% }")" \
		--customize-hook='echo ttsystem >"$1/etc/hostname"' \
		--customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$1/etc/fstab"' \
		--customize-hook='passwd --root "$1" -d root' \
		--customize-hook='mkdir -p "$1/etc/systemd/network" "$1/tt"' \
		--customize-hook='printf "[Match]\nName=en*\n\n[Network]\nDHCP=yes\n" >"$1/etc/systemd/network/50-dhcp.network"' \
		--customize-hook='chroot "$1" systemctl enable systemd-networkd.service' \
		--customize-hook="cp '$here/tt-system-test.service' \"\$1/etc/systemd/system/\"" \
		--customize-hook='chroot "$1" systemctl enable tt-system-test.service' \
		--customize-hook='chroot "$1" systemctl mask serial-getty@ttyS0.service' \
		--customize-hook='rm -f "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/*; rm -rf "$1"/var/lib/apt/lists/*' \
		bookworm "$root" "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" \
		"deb http://deb.debian.org/debian-security bookworm-security main" >"$dir/mmdebstrap.log" 2>&1; then
		tail -20 "$dir/mmdebstrap.log" >&2
		die "mmdebstrap failed (log: $dir/mmdebstrap.log)"
	fi
	[ -f "$root/boot/vmlinuz-$KREL" ] && [ -f "$root/boot/initrd.img-$KREL" ] ||
		die "the image has no /boot/vmlinuz-$KREL or initrd.img-$KREL"
	cp "$root/boot/vmlinuz-$KREL" "$dir/vmlinuz"
	cp "$root/boot/initrd.img-$KREL" "$dir/initrd.img"
	# room for the packages, the companion's DKMS build and the agent's state
	size=$(( $(du -sm "$root" | cut -f1) + 1536 ))
	mkfs.ext4 -q -F -L ttroot -d "$root" "$dir/root.img" "${size}M" >"$dir/mkfs.log" 2>&1 ||
		die "mkfs.ext4 -d of the image failed: $(tail -1 "$dir/mkfs.log")"
	rm -rf "$root"
	touch "$dir/.done"
fi
echo "KREL=$KREL"
echo "IMAGE=$dir/root.img"
echo "VMLINUZ=$dir/vmlinuz"
echo "INITRD=$dir/initrd.img"
