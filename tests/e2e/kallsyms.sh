#!/bin/bash
# The symbol table of the bench's kernel, for the patch generator: Debian's linux-image
# ships a placeholder System.map (the real one is in the -dbg package, a 1 GB download), so
# the kernel is booted once and its /proc/kallsyms (vmlinux symbols only, in address order,
# local ones included) is copied off a scratch disk. Cached next to the kernel; prints the
# path. Usage: tests/e2e/kallsyms.sh    (E2E_STALL, E2E_CEILING: the boot's limits, see watchdog.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kvars=$("$here/kernel.sh")
eval "$kvars"
out=$(dirname "$(dirname "$(dirname "$VMLINUZ")")")/kallsyms
if [ ! -s "$out" ]; then
	W=$(mktemp -d /tmp/tuxtape-kallsyms.XXXXXX)
	trap 'rm -rf "$W"' EXIT
	mkdir -p "$W/mods"
	"$here/initramfs.sh" "$W/initramfs.gz" "$KREL" "$KMODDIR" "$W/mods" >&2
	truncate -s 64M "$W/disk" && mkfs.ext4 -q -F "$W/disk" >/dev/null
	# stopped when its console stops advancing (E2E_STALL) or at E2E_CEILING: watchdog.sh
	"$here/watchdog.sh" --report "$W/watchdog" "$W/console" qemu-system-x86_64 -accel tcg \
		-cpu max -m 512 -smp 1 -nodefaults -display none -no-reboot -serial "file:$W/console" \
		-kernel "$VMLINUZ" -initrd "$W/initramfs.gz" \
		-append "console=ttyS0 panic=-1 loglevel=1 tt.scenario=kallsyms" \
		-drive "file=$W/disk,if=virtio,format=raw" </dev/null >"$W/qemu.log" 2>&1 || true
	debugfs -R "dump /kallsyms $W/kallsyms" "$W/disk" >/dev/null 2>&1 || true
	if ! grep -q ' T cmdline_proc_show$\| t cmdline_proc_show$' "$W/kallsyms" 2>/dev/null; then
		echo "kallsyms: could not read the kernel's symbols; console:" >&2
		tr -d '\r' <"$W/console" | grep '^TT' >&2 || true
		if [ -s "$W/watchdog" ]; then
			echo "kallsyms: the watchdog stopped the guest, $(head -1 "$W/watchdog")"
			tail -n +2 "$W/watchdog"
		fi >&2
		sed 's/^/kallsyms: qemu: /' "$W/qemu.log" >&2
		exit 1
	fi
	mv "$W/kallsyms" "$out"
fi
echo "$out"
