#!/bin/bash
# The real-kernel bench: boots Debian's kernel under QEMU (TCG) once per scenario, with an
# initramfs holding busybox, the test modules, the project's programs and the scenario, and
# a virtio disk that survives the scenario's reboots. Results come from the serial console.
#
# Usage: tests/e2e/run.sh [--list] [SCENARIO...]     (default: every tests/e2e/scenarios/*.sh)
# Environment: E2E_KREL (kernel release, default what linux-image-amd64 points to),
#   E2E_STALL (a boot is stopped after this many seconds without console output, default 60),
#   E2E_CEILING (seconds per boot as a last resort, default 900; E2E_TIMEOUT is its older name),
#   E2E_SMP (vCPUs, default 1), E2E_JOBS (VMs at once, default one per core),
#   E2E_VERBOSE=1 (kernel messages on the console too), E2E_KEEP=1 (keep the work directory),
#   E2E_SHELL=1 (one scenario, interactive: the console on this terminal, a shell after it),
#   TUXTAPE_CACHE (where the kernel packages are cached).
# Prints "ok - e2e/..." / "not ok - e2e/..." per check and ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${TUXTAPE_BIN:-$top/build}
smp=${E2E_SMP:-1}

all_scenarios() { for f in "$here"/scenarios/*.sh; do basename "$f" .sh; done; }
case "${1:-}" in
-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--list) all_scenarios; exit 0 ;;
esac
scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && mapfile -t scenarios < <(all_scenarios)

passed=0 failed=0
pass() { echo "ok - e2e/$*"; passed=$((passed + 1)); }
fail() { echo "not ok - e2e/$*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

for s in "${scenarios[@]}"; do
	[ -f "$here/scenarios/$s.sh" ] || { fail "$s: no such scenario (tests/e2e/run.sh --list)"; finish; }
done
# the watchdog's own check of E2E_STALL and E2E_CEILING, once rather than at every boot
if ! err=$("$here/watchdog.sh" /dev/null true 2>&1); then
	fail "bench: $(head -1 <<<"$err")"
	finish
fi

# A missing tool is a failure naming its package, never a skip.
missing=0
for tool in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio \
	mkfs.ext4:e2fsprogs depmod:kmod gcc-12:gcc-12 make:make node:nodejs; do
	if ! PATH=$PATH:/sbin:/usr/sbin command -v "${tool%%:*}" >/dev/null; then
		fail "bench: ${tool%%:*} is missing (install the Debian package ${tool#*:}, or run tests/deps.sh)"
		missing=1
	fi
done
for prog in tuxtape-backend tuxtape-tuf-client; do
	[ -x "$bin/$prog" ] || { fail "bench: $bin/$prog is missing (run make)"; missing=1; }
done
[ $missing -eq 0 ] || finish

W=$(mktemp -d /tmp/tuxtape-e2e.XXXXXX)
server= swapper= fleet_driver=
cleanup() {
	[ -n "$swapper" ] && kill "$swapper" 2>/dev/null
	[ -n "$server" ] && kill "$server" 2>/dev/null
	[ -n "$fleet_driver" ] && kill "$fleet_driver" 2>/dev/null
	[ -s "$W/fleet/serve.pid" ] && kill "$(cat "$W/fleet/serve.pid")" 2>/dev/null
	if [ "${E2E_KEEP:-0}" = 1 ] || [ "$failed" -ne 0 ]; then
		echo "# e2e: work directory kept: $W (console logs in $W/console)"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

if ! kvars=$(KREL= E2E_KREL=${E2E_KREL:-} "$here/kernel.sh" 2>"$W/kernel.log"); then
	fail "bench: fetching the kernel failed: $(tail -1 "$W/kernel.log")"
	finish
fi
eval "$kvars"
echo "# e2e: kernel $KREL"

# The test modules, built with kbuild against the kernel's headers; tt_lp_good once more
# against the -rt flavour's headers: a livepatch for a different kernel release.
mkdir -p "$W/modsrc" "$W/modsrc-rt" "$W/mods/rt"
cp "$here"/modules/*.c "$here"/modules/Kbuild "$W/modsrc/"
cp "$here/modules/tt_lp_good.c" "$W/modsrc-rt/"
echo 'obj-m += tt_lp_good.o' >"$W/modsrc-rt/Kbuild"
for b in "$KBUILD:$W/modsrc" "$KBUILD_RT:$W/modsrc-rt"; do
	if ! make -C "${b%%:*}" M="${b#*:}" -j2 modules >"$W/kbuild.log" 2>&1; then
		fail "bench: building the test modules against ${b%%:*} failed"
		tail -20 "$W/kbuild.log" | sed 's/^/#   /'
		finish
	fi
done
cp "$W"/modsrc/*.ko "$W/mods/"
# the kernel companion (kmod-helper/), built like any out-of-tree module
mkdir -p "$W/kmod-helper"
cp "$top"/kmod-helper/*.c "$top"/kmod-helper/*.h "$top/kmod-helper/Kbuild" "$W/kmod-helper/"
if ! make -C "$KBUILD" M="$W/kmod-helper" -j2 modules >"$W/kmod-helper.log" 2>&1; then
	fail "bench: building kmod-helper/ against $KBUILD failed (log: $W/kmod-helper.log)"
	tail -20 "$W/kmod-helper.log" | sed 's/^/#   /'
	finish
fi
cp "$W/kmod-helper/tuxtape_helper.ko" "$W/mods/"
# and as if the headers could not restrict a multicast group: that one must refuse to load
mkdir -p "$W/kmod-helper-open"
cp "$top"/kmod-helper/*.c "$top"/kmod-helper/*.h "$top/kmod-helper/Kbuild" "$W/kmod-helper-open/"
if ! make -C "$KBUILD" M="$W/kmod-helper-open" TT_GENL_H=/dev/null -j2 modules \
	>"$W/kmod-helper-open.log" 2>&1; then
	fail "bench: building kmod-helper/ with TT_GENL_H=/dev/null failed (log: $W/kmod-helper-open.log)"
	finish
fi
cp "$W/kmod-helper-open/tuxtape_helper.ko" "$W/mods/tuxtape_helper-open.ko"
cp "$W/modsrc-rt/tt_lp_good.ko" "$W/mods/rt/"

# What the guest can reach on the host (10.0.2.2): a file, and a signed archive holding the
# good livepatch for this kernel, served from 127.0.0.1.
mkdir -p "$W/www" "$W/mods/trust"
# Scenarios marked "# e2e-needs: pipeline" get archive-pipe, made by tuxtape-backend run:
# version 1 served first, version 2 once the guest asks for archive-pipe.next (its state,
# 1 or 2, in archive-pipe.state).
needs_pipeline=0
for s in "${scenarios[@]}"; do
	grep -q '^# e2e-needs:.*\bpipeline\b' "$here/scenarios/$s.sh" && needs_pipeline=1
done
if [ $needs_pipeline -eq 1 ]; then
	start=$(date +%s)
	TUXTAPE_BIN=$bin "$here/pipeline-archive.sh" "$W/pipeline" >"$W/pipeline.log" 2>&1
	rc=$?
	sed -n 's/^\(ok\|not ok\) - \(.*\)/\1 - e2e\/pipeline-host: \2/p; /^# /p' "$W/pipeline.log" >"$W/result.pipeline-host"
	cat "$W/result.pipeline-host"
	passed=$((passed + $(grep -c '^ok - ' "$W/result.pipeline-host")))
	failed=$((failed + $(grep -c '^not ok - ' "$W/result.pipeline-host")))
	echo "# e2e/pipeline-host: $(($(date +%s) - start)) s"
	if [ $rc -ne 0 ] || [ ! -d "$W/pipeline/archive-pipe-v1" ]; then
		fail "bench: the pipeline's archive could not be made (log: $W/pipeline.log)"
		tail -5 "$W/pipeline.log" | sed 's/^/#   /'
		finish
	fi
	ln -s "$W/pipeline/archive-pipe-v1" "$W/www/archive-pipe"
	echo 1 >"$W/www/archive-pipe.state"
	cp "$W/pipeline/archive-pipe-v1/metadata/1.root.json" "$W/mods/trust/archive-pipe.json"
fi
# Scenarios marked "# e2e-needs: fleet" share a backend on the host (tests/e2e/fleet-host.sh):
# serve (archive and reports) and a cron driver running the rollout pass.
needs_fleet=0
for s in "${scenarios[@]}"; do
	grep -q '^# e2e-needs:.*\bfleet\b' "$here/scenarios/$s.sh" && needs_fleet=1
done
if [ $needs_fleet -eq 1 ]; then
	if ! "$here/fleet-host.sh" setup "$W" "$bin" "$W/mods" "$KREL" >"$W/fleet-setup.log" 2>&1; then
		fail "bench: the fleet's backend could not be set up: $(tail -1 "$W/fleet-setup.log")"
		finish
	fi
	"$here/fleet-host.sh" drive "$W" "$bin" "$W/mods" >>"$W/fleet-setup.log" 2>&1 &
	fleet_driver=$!
fi
echo "hello from the host $(date +%s)" >"$W/www/hello.txt"
# publish ARCHIVE PATCH-ID:MODULE-FILE...: a fresh signed archive under www/, its root in the
# guest's trust/ARCHIVE.json
publish() {
	local name=$1 spec
	shift
	"$bin/tuxtape-backend" archive init "$W/www/$name" --keys "$W/keys-$name" || return 1
	for spec in "$@"; do
		# the archive refuses a module that is not a livepatch; tt-plain is there to test
		# that the node refuses it too
		"$bin/tuxtape-backend" archive publish "$W/www/$name" "${spec#*:}" --keys "$W/keys-$name" \
			--kernel "$KREL" --patch-id "${spec%%:*}" --cve CVE-2000-0001 \
			$([ "${spec%%:*}" = tt-plain ] && echo --any-module) || return 1
		[ $# -gt 1 ] && sleep 1   # distinct publication times: nodes apply in that order
	done
	cp "$W/www/$name/metadata/1.root.json" "$W/mods/trust/$name.json"
}
if ! { publish archive "tt-good:$W/mods/tt_lp_good.ko" &&
	publish archive-cum "tt-good:$W/mods/tt_lp_good.ko" "tt-cumulative:$W/mods/tt_lp_cumulative.ko" &&
	publish archive-bad "tt-plain:$W/mods/tt_plain.ko" "tt-otherrel:$W/mods/rt/tt_lp_good.ko" &&
	publish archive-stall "tt-stalls:$W/mods/tt_lp_stalls.ko" &&
	publish archive-watch "tt-good:$W/mods/tt_lp_good.ko" "tt-warns:$W/mods/tt_lp_warns.ko" \
		"tt-oopses:$W/mods/tt_lp_oopses.ko" &&
	publish archive-tampered "tt-good:$W/mods/tt_lp_good.ko"; } >"$W/archive.log" 2>&1; then
	fail "bench: making the archives failed: $(tail -1 "$W/archive.log")"
	finish
fi
# one byte of the published module changed after signing: its hash no longer matches
t=$(find "$W/www/archive-tampered/targets" -name '*tt_lp_good.ko' | head -1)
printf 'X' | dd of="$t" bs=1 seek=200 conv=notrunc status=none
node "$top/tests/tuf/serve.cjs" "$W/www" 1800 >"$W/port" 2>"$W/http.log" &
server=$!
# waits as long as the server is starting (node is slow to start on a busy machine)
for _ in $(seq 1200); do [ -s "$W/port" ] || ! kill -0 "$server" 2>/dev/null && break; sleep 0.1; done
[ -s "$W/port" ] || { fail "bench: the HTTP server did not start: $(tail -1 "$W/http.log")"; finish; }
port=$(cat "$W/port")
if [ $needs_pipeline -eq 1 ]; then
	# polls the server's log for as long as it serves
	while kill -0 "$server" 2>/dev/null; do
		if grep -q -x 'GET /archive-pipe.next' "$W/http.log"; then
			ln -sfn "$W/pipeline/archive-pipe-v2" "$W/www/archive-pipe"
			echo 2 >"$W/www/archive-pipe.state"
			break
		fi
		sleep 0.2
	done &
	swapper=$!
fi

programs=()
for p in tuxtape-tuf-client tuxtape-agent tuxtape-agent-fetch agentctl; do
	[ -x "$bin/$p" ] && programs+=("$bin/$p")
done
# the companion's test client (tests/tools/tt-genl.c, built by make unit-bins)
[ -x "$bin/tests/tools/tt-genl" ] && programs+=("$bin/tests/tools/tt-genl")
if ! "$here/initramfs.sh" "$W/initramfs.gz" "$KREL" "$KMODDIR" "$W/mods" "${programs[@]}" \
	2>"$W/initramfs.log"; then
	fail "bench: building the initramfs failed: $(tail -1 "$W/initramfs.log")"
	finish
fi

loglevel=1
[ "${E2E_VERBOSE:-0}" = 1 ] && loglevel=7
mkdir -p "$W/console"
if [ "${E2E_SHELL:-0}" = 1 ]; then
	[ ${#scenarios[@]} -eq 1 ] || { fail "bench: E2E_SHELL=1 takes exactly one scenario"; finish; }
	s=${scenarios[0]}
	truncate -s 32M "$W/$s.disk" && mkfs.ext4 -q -F "$W/$s.disk" >/dev/null 2>&1
	qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp "$smp" -nodefaults -display none \
		-no-reboot -serial mon:stdio -kernel "$VMLINUZ" -initrd "$W/initramfs.gz" \
		-append "console=ttyS0 panic=-1 loglevel=$loglevel tt.scenario=$s tt.http=10.0.2.2:$port tt.shell=1" \
		-drive "file=$W/$s.disk,if=virtio,format=raw" \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0
	exit
fi
# One scenario, boot after boot; prints its result lines (counted by the caller).
run_scenario() {
	local s=$1 boots crash_boots disk start ended boot log rc c stopped=0
	boots=$(sed -n 's/^# e2e-boots: *\([0-9]*\).*/\1/p' "$here/scenarios/$s.sh" | head -1)
	boots=${boots:-1}
	# boots the scenario crashes on purpose: the console must show that kernel panic
	crash_boots=$(sed -n 's/^# e2e-crash-boots: *\([0-9 ]*\).*/\1/p' "$here/scenarios/$s.sh" | head -1)
	disk=$W/$s.disk
	rm -f "$disk"
	truncate -s 32M "$disk" && mkfs.ext4 -q -F "$disk" >/dev/null 2>&1 ||
		{ echo "not ok - e2e/$s: making the state disk failed"; return; }
	start=$(date +%s.%N)
	ended=0 boot=0
	while [ $boot -lt "$boots" ] && [ $ended -eq 0 ]; do
		boot=$((boot + 1))
		log=$W/console/$s.$boot.log
		"$here/watchdog.sh" --report "$log.watchdog" "$log" qemu-system-x86_64 -accel tcg -cpu max -m 512 \
			-smp "$smp" -nodefaults -display none -no-reboot \
			-serial "file:$log" \
			-kernel "$VMLINUZ" -initrd "$W/initramfs.gz" \
			-append "console=ttyS0 panic=-1 loglevel=$loglevel tt.scenario=$s tt.http=10.0.2.2:$port" \
			-drive "file=$disk,if=virtio,format=raw" \
			-netdev user,id=n0 -device virtio-net-pci,netdev=n0 </dev/null >"$W/qemu.$s.$boot.log" 2>&1
		rc=$?
		tr -d '\r' <"$log" >"$log.txt"
		sed -n 's/^TT: \(ok - \|not ok - \)\(.*\)/\1\2/p' "$log.txt" | while IFS= read -r line; do
			case "$line" in
			"ok - "*) echo "ok - e2e/${line#ok - }" ;;
			*) echo "not ok - e2e/${line#not ok - }" ;;
			esac
		done
		if [ $rc -eq 124 ] || [ $rc -eq 125 ]; then
			echo "not ok - e2e/$s: boot $boot stopped by the watchdog, $(head -1 "$log.watchdog") (console: $log.txt)"
			tail -n +2 "$log.watchdog" | sed 's/^/#   /'
			stopped=1
			break
		fi
		sed -n "s/^TT-FIGURE: \(.*\)/# e2e\/$s: \1/p" "$log.txt"
		grep -q '^TT-END' "$log.txt" && ended=1
		for c in $crash_boots; do
			[ "$c" = "$boot" ] || continue
			if grep -q 'Kernel panic - not syncing' "$log.txt" && [ $ended -eq 0 ]; then
				echo "ok - e2e/$s: boot $boot ended in the kernel panic it asked for"
			else
				echo "not ok - e2e/$s: boot $boot should have ended in a kernel panic (console: $log.txt)"
			fi
		done
	done
	if [ $ended -eq 0 ] && [ $stopped -eq 0 ]; then
		echo "not ok - e2e/$s: no end of scenario after $boot boot(s) (console: $log.txt; qemu exit $rc)"
		grep -E 'Kernel panic|BUG:|Oops' "$log.txt" | head -3 | sed 's/^/#   /'
	fi
	printf '# e2e/%s: %d boot(s), %.1f s\n' "$s" "$boot" "$(echo "$(date +%s.%N) - $start" | bc)"
}

# Scenarios run E2E_JOBS at a time (default: one per core), each
# printing into its own file; results come out in scenario order.
jobs=${E2E_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
pids=()
for s in "${scenarios[@]}"; do
	while [ "$(jobs -rp | grep -v -x -c -e "$server" -e "$swapper" -e "${fleet_driver:-x}")" -ge "$jobs" ]; do
		wait -n "${pids[@]}" 2>/dev/null
	done
	run_scenario "$s" >"$W/result.$s" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
for s in "${scenarios[@]}"; do
	cat "$W/result.$s"
	passed=$((passed + $(grep -c '^ok - ' "$W/result.$s")))
	failed=$((failed + $(grep -c '^not ok - ' "$W/result.$s")))
done
if [ $needs_fleet -eq 1 ]; then
	"$here/fleet-host.sh" check "$W" "$bin" 2>&1 |
		sed 's/^\(ok\|not ok\) - /\1 - e2e\/fleet-host: /' >"$W/result.fleet-host"
	cat "$W/result.fleet-host"
	passed=$((passed + $(grep -c '^ok - ' "$W/result.fleet-host")))
	failed=$((failed + $(grep -c '^not ok - ' "$W/result.fleet-host")))
fi
finish
