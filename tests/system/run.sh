#!/bin/bash
# The packages on a real Debian 12 system: boots the image tests/system/image.sh builds (and
# caches) under QEMU, twice on one copy-on-write disk, with a second disk holding the built
# .debs and tests/system/guest.sh. The guest installs the packages offline, checks DKMS, the
# service, agentctl, that a livepatch published in an archive on this host is applied, that a
# reboot brings both back, and that a purge leaves nothing behind.
#
# Usage: tests/system/run.sh
# Environment: SYSTEM_DEBS (a directory holding the built .debs; default: make deb here),
#   E2E_STALL / E2E_CEILING (tests/e2e/watchdog.sh: the guest is stopped after that many
#   seconds without console output, default 120 here, or that many seconds in all, default
#   1800), SYSTEM_ACCEL=kvm (instead of TCG), SYSTEM_KEEP=1 (keep the work directory), TUXTAPE_CACHE (the image's cache).
# Prints "ok - system/..." / "not ok - system/..." per check, then "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${TUXTAPE_BIN:-$top/build}
export E2E_STALL=${E2E_STALL:-120} E2E_CEILING=${E2E_CEILING:-1800}
PATH=$PATH:/sbin:/usr/sbin

case "${1:-}" in
-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) echo "tests/system/run.sh: no arguments expected, not '$1'" >&2; echo "usage: tests/system/run.sh" >&2; exit 2 ;;
esac

passed=0 failed=0
pass() { echo "ok - system/$*"; passed=$((passed + 1)); }
fail() { echo "not ok - system/$*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# A missing tool is a failure naming its package, never a skip.
missing=0
for tool in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils mmdebstrap:mmdebstrap \
	mkfs.ext4:e2fsprogs make:make node:nodejs dpkg-buildpackage:dpkg-dev; do
	command -v "${tool%%:*}" >/dev/null ||
		{ fail "bench: ${tool%%:*} is missing (install the Debian package ${tool#*:}, or run tests/deps.sh)"; missing=1; }
done
[ -x "$bin/tuxtape-backend" ] || { fail "bench: $bin/tuxtape-backend is missing (run make)"; missing=1; }
[ "$(id -u)" -eq 0 ] || { fail "bench: needs root (building the image)"; missing=1; }
[ $missing -eq 0 ] || finish
if ! err=$("$top/tests/e2e/watchdog.sh" /dev/null true 2>&1); then
	fail "bench: $(head -1 <<<"$err")"
	finish
fi

W=$(mktemp -d /tmp/tuxtape-system.XXXXXX)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	if [ "${SYSTEM_KEEP:-0}" = 1 ] || [ "$failed" -ne 0 ]; then
		echo "# system: work directory kept: $W (console logs $W/console.*.log)"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
t0=$(date +%s)

# the packages
debs=${SYSTEM_DEBS:-}
if [ -z "$debs" ]; then
	debs=$W/o/deb
	if ! make -s -C "$top" O="$W/o" deb >"$W/deb.log" 2>&1; then
		fail "bench: make deb failed (log: $W/deb.log)"
		tail -20 "$W/deb.log" | sed 's/^/#   /'
		finish
	fi
fi
agent_deb=$(ls "$debs"/tuxtape-agent_*.deb 2>/dev/null | head -1)
helper_deb=$(ls "$debs"/tuxtape-helper-dkms_*.deb 2>/dev/null | head -1)
[ -n "$agent_deb" ] && [ -n "$helper_deb" ] ||
	{ fail "bench: no tuxtape-agent and tuxtape-helper-dkms .deb in $debs"; finish; }

# the kernel's headers (the bench's cache) for the livepatch, and the image
if ! kvars=$("$top/tests/e2e/kernel.sh" 2>"$W/kernel.log"); then
	fail "bench: fetching the kernel failed: $(tail -1 "$W/kernel.log")"
	finish
fi
KBUILD=$(sed -n 's/^KBUILD=//p' <<<"$kvars")
echo "# system: building or finding the image"
if ! ivars=$("$here/image.sh" "$agent_deb" 2>"$W/image.log"); then
	fail "bench: building the image failed: $(tail -1 "$W/image.log")"
	tail -20 "$W/image.log" | sed 's/^/#   /'
	finish
fi
eval "$ivars"
echo "# system: kernel $KREL, image $IMAGE ($(($(date +%s) - t0)) s so far)"

# the livepatch, built as the bench builds it, in a signed archive served to the guest
mkdir -p "$W/modsrc" "$W/www"
cp "$top/tests/e2e/modules/tt_lp_good.c" "$W/modsrc/"
echo 'obj-m += tt_lp_good.o' >"$W/modsrc/Kbuild"
if ! make -C "$KBUILD" M="$W/modsrc" -j2 modules >"$W/kbuild.log" 2>&1; then
	fail "bench: building tt_lp_good.ko against $KBUILD failed (log: $W/kbuild.log)"
	finish
fi
if ! { "$bin/tuxtape-backend" archive init "$W/www/archive" --keys "$W/keys" &&
	"$bin/tuxtape-backend" archive publish "$W/www/archive" "$W/modsrc/tt_lp_good.ko" \
		--keys "$W/keys" --kernel "$KREL" --patch-id tt-good --cve CVE-2000-0001; } \
	>"$W/archive.log" 2>&1; then
	fail "bench: publishing the archive failed: $(tail -1 "$W/archive.log")"
	finish
fi
node "$top/tests/tuf/serve.cjs" "$W/www" 3600 >"$W/port" 2>"$W/http.log" &
server=$!
# as long as the server is starting (node is slow to start on a busy machine)
while [ ! -s "$W/port" ] && kill -0 "$server" 2>/dev/null; do sleep 0.1; done
[ -s "$W/port" ] || { fail "bench: the HTTP server did not start: $(tail -1 "$W/http.log")"; finish; }

# the test disk: the packages, the guest's script, the archive's root and address
mkdir -p "$W/tt/debs"
cp "$agent_deb" "$helper_deb" "$W/tt/debs/"
# the upgrade: the same packages as a later Debian revision (V-N -> V-N+1, the version lock
# between agent and companion moved along), as an archive's next upload would be
mkdir -p "$W/tt/upgrade"
for deb in "$agent_deb" "$helper_deb"; do
	v=$(dpkg-deb -f "$deb" Version)
	v2=${v%-*}-$((${v##*-} + 1))
	rm -rf "$W/repack" && dpkg-deb -R "$deb" "$W/repack" &&
		sed -i "s/(\(=\|>>\|<<\) $v)/(\1 $v2)/g; s/^Version: $v\$/Version: $v2/" \
			"$W/repack/DEBIAN/control" &&
		dpkg-deb -b -Zxz "$W/repack" "$W/tt/upgrade/" >/dev/null ||
		{ fail "bench: repacking $deb as $v2 failed"; finish; }
done
cp "$here/guest.sh" "$W/tt/run.sh"
cp "$W/www/archive/metadata/1.root.json" "$W/tt/root.json"
printf 'KREL=%s\nARCHIVE_URL=http://10.0.2.2:%s/archive\n' "$KREL" "$(cat "$W/port")" >"$W/tt/env"
if ! mkfs.ext4 -q -F -L TTTEST -d "$W/tt" "$W/tt.img" 64M >"$W/mkfs.log" 2>&1; then
	fail "bench: making the test disk failed: $(tail -1 "$W/mkfs.log")"
	finish
fi
# the image stays as built: both boots write to an overlay
if ! qemu-img create -q -f qcow2 -b "$IMAGE" -F raw "$W/root.qcow2" >"$W/qemu-img.log" 2>&1; then
	fail "bench: qemu-img create of the overlay failed: $(tail -1 "$W/qemu-img.log")"
	finish
fi

# TCG, as the bench: KVM only when asked (SYSTEM_ACCEL=kvm), as a nested host's KVM may
# refuse the guest's CPU model or hang
accel=${SYSTEM_ACCEL:-tcg} cpu=max
[ "$accel" = kvm ] && cpu=host
for boot in 1 2; do
	log=$W/console.$boot.log
	start=$(date +%s)
	echo "# system: boot $boot ($accel)"
	"$top/tests/e2e/watchdog.sh" --report "$log.watchdog" "$log" qemu-system-x86_64 \
		-accel "$accel" -cpu "$cpu" -m 2048 -smp 2 -nodefaults -display none -no-reboot \
		-serial "file:$log" -kernel "$VMLINUZ" -initrd "$INITRD" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1" \
		-drive "file=$W/root.qcow2,if=virtio,format=qcow2" \
		-drive "file=$W/tt.img,if=virtio,format=raw" \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0 >"$W/qemu.$boot.log" 2>&1
	rc=$?
	tr -d '\r' <"$log" | sed -n 's/^TT: \(ok\|not ok\) - \(.*\)$/\1 - system\/\2/p' >"$W/result.$boot"
	cat "$W/result.$boot"
	passed=$((passed + $(grep -c '^ok - ' "$W/result.$boot")))
	failed=$((failed + $(grep -c '^not ok - ' "$W/result.$boot")))
	echo "# system: boot $boot took $(($(date +%s) - start)) s"
	if [ $rc -ne 0 ]; then
		fail "boot $boot: the guest did not end by itself (exit $rc)"
		sed 's/^/#   /' "$log.watchdog" "$W/qemu.$boot.log" 2>/dev/null
	fi
	if ! tr -d '\r' <"$log" | grep -q "^TT: end of boot $boot$"; then
		fail "boot $boot: the guest's script did not reach its end"
		tr -d '\r' <"$log" | grep '^TT' | tail -40 | sed 's/^/#   /'
		break
	fi
done
echo "# system: $(($(date +%s) - t0)) s in all"
finish
