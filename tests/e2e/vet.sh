#!/bin/bash
# Vets a generated livepatch on the real kernel: boots Debian's kernel (tests/e2e/kernel.sh)
# under QEMU with MODULE.ko and an optional check script in the initramfs, and runs the guest
# half (tests/e2e/guest/vet.sh). Prints the guest's checks and a JSON line
#   {"vet": "passed"|"failed", "checks": N, "failed": N, "seconds": S}
# and exits 0 only when every check passed. Meant as `generate --vet-command`.
# Usage: tests/e2e/vet.sh MODULE.ko [CHECK-SCRIPT]
# Environment: E2E_STALL, E2E_CEILING (the boot's limits, see tests/e2e/watchdog.sh), TUXTAPE_BIN.
set -uo pipefail
[ $# -ge 1 ] && [ -f "$1" ] || { echo "usage: $0 MODULE.ko [CHECK-SCRIPT]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${TUXTAPE_BIN:-$top/build}
W=$(mktemp -d /tmp/tuxtape-vet.XXXXXX)
trap 'rm -rf "$W"' EXIT
start=$(date +%s.%N)
kvars=$("$here/kernel.sh" 2>"$W/kernel.log") || { echo "vet: no kernel: $(tail -1 "$W/kernel.log")" >&2; exit 1; }
eval "$kvars"
mkdir -p "$W/mods"
cp "$1" "$W/mods/"
[ $# -ge 2 ] && cp "$2" "$W/mods/check.sh"
"$here/initramfs.sh" "$W/initramfs.gz" "$KREL" "$KMODDIR" "$W/mods" "$bin/agentctl" \
	2>"$W/initramfs.log" || { echo "vet: initramfs: $(tail -1 "$W/initramfs.log")" >&2; exit 1; }
# stopped when its console stops advancing (E2E_STALL) or at E2E_CEILING: tests/e2e/watchdog.sh
"$here/watchdog.sh" --report "$W/watchdog" "$W/console" qemu-system-x86_64 -accel tcg -cpu max \
	-m 512 -smp 1 -nodefaults -display none -no-reboot -serial "file:$W/console" \
	-kernel "$VMLINUZ" -initrd "$W/initramfs.gz" \
	-append "console=ttyS0 panic=-1 loglevel=1 tt.scenario=vet" </dev/null >"$W/qemu.log" 2>&1
rc=$?
[ $rc -eq 2 ] && { echo "vet: $(head -1 "$W/qemu.log")" >&2; exit 2; }
tr -d '\r' <"$W/console" >"$W/console.txt"
grep -E '^TT(-KMSG)?: ' "$W/console.txt"
n=$(grep -c '^TT: \(not \)\?ok - ' "$W/console.txt")
bad=$(grep -c '^TT: not ok - ' "$W/console.txt")
if [ $rc -eq 124 ] || [ $rc -eq 125 ]; then
	bad=$((bad + 1))
	echo "TT: not ok - vet: the guest was stopped by the watchdog, $(head -1 "$W/watchdog")"
	tail -n +2 "$W/watchdog" | sed 's/^/# /'
elif ! grep -q '^TT-END' "$W/console.txt"; then
	bad=$((bad + 1))
	echo "TT: not ok - vet: the guest did not finish (QEMU exit $rc)"
fi
verdict=passed
[ "$bad" -eq 0 ] && [ "$n" -gt 0 ] || verdict=failed
printf '{"vet": "%s", "checks": %d, "failed": %d, "seconds": %.1f}\n' "$verdict" "$n" "$bad" \
	"$(echo "$(date +%s.%N) - $start" | bc)"
[ "$verdict" = passed ]
