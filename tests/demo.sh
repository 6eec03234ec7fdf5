#!/bin/bash
# make demo: the closed loop on built-in defaults, on Debian's real 6.1 kernel.
#   1. Debian's kernel registered (image, modules, source profile, symbols)
#   2. tuxtape-backend run on a small vulns repository: sample records, plus three records
#      whose fixes are tests/generator cases (a-proc-show, e-new-function: generated and
#      vetted; g-struct-layout: refused and queued); one cumulative livepatch published
#   3. runs, the queue (generate --failures), the archive's targets
#   4. a node (the same kernel under QEMU) whose agent applies the cumulative livepatch, then
#      tt-warns (tests/e2e/modules/tt_lp_warns.c), a patch that WARNs: reverted, quarantined
# Kernel packages and the generator's prepared tree are cached under $TUXTAPE_CACHE
# (default /var/cache/tuxtape-test); the demo's state is kept in $DEMO_DIR (default a new
# /tmp/tuxtape-demo.*). Environment: TUXTAPE_BIN (default build/), TUXTAPE_SHARED.
set -euo pipefail
cd "$(dirname "$0")/.."
# lib.sh: TOP, BIN, BACKEND, SHARED and the git helpers pipeline.lib (shared with
# tests/integration/pipeline.sh) builds its repositories with; its exit trap is replaced
# below: the demo keeps its directory and its own exit status
. tests/integration/lib.sh
. tests/integration/pipeline.lib
DEMO=${DEMO_DIR:-$(mktemp -d /tmp/tuxtape-demo.XXXXXX)}
CASES=$TOP/tests/generator
export TUXTAPE_DB=$DEMO/backend.db TUXTAPE_CONFIG=$DEMO/backend.conf

# headings: bold on a terminal, plain text otherwise; each part ends with its duration
if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B= N=; fi
part_t0=
part_end() { [ -z "$part_t0" ] || printf '   (%d s)\n' $((SECONDS - part_t0)); }
part() { part_end; printf '\n%s== %s%s\n' "$B" "$*" "$N"; part_t0=$SECONDS; }
die() { echo "demo: $*" >&2; exit 1; }
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$WORK"' EXIT

for p in tuxtape-backend tuxtape-agent tuxtape-agent-fetch agentctl; do
	[ -x "$BIN/$p" ] || die "$BIN/$p is missing (run make)"
done
[ -d "$SHARED/data/vulns/sample/cve" ] || die "no sample records under $SHARED/data/vulns/sample"
rm -rf "$DEMO/vulns" "$DEMO/linux" "$DEMO/src" "$DEMO/www" "$DEMO/keys" "$DEMO/pipeline" "$TUXTAPE_DB"*
mkdir -p "$DEMO"
cat >"$TUXTAPE_CONFIG" <<EOF
[scan]
vulns = $DEMO/vulns
[generate]
cache = ${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/generator
[pipeline]
kernels = deb61
fixes = $DEMO/linux
min-priority = low
archive = $DEMO/www/archive
keys = $DEMO/keys
channel = stable
work = $DEMO/pipeline
EOF

part "Debian's kernel: fetched once (cached), registered with its image and modules"
eval "$(tests/debian-kernel.sh)"
eval "$(tests/e2e/kernel.sh)"
echo "kernel symbols: Debian ships a placeholder System.map; the kernel's /proc/kallsyms is read once in a VM"
KALLSYMS=$(tests/e2e/kallsyms.sh)
"$BACKEND" kernel add deb61 --kconfig "$KCONFIG" --source "$KSOURCE" --release "$KREL" \
	--headers "$KBUILD" --system-map "$KALLSYMS" --image "$VMLINUZ" --modules "$KMODDIR"

part "A vulns repository and the stable branch's fixes (git), three new records"
pl_setup "$DEMO"
pl_add_record "$DEMO" CVE-2099-1001 a-proc-show
pl_add_record "$DEMO" CVE-2099-1002 g-struct-layout
pl_add_record "$DEMO" CVE-2099-1003 e-new-function
git -C "$DEMO/vulns" log --oneline | sed 's/^/  vulns  /'
git -C "$DEMO/linux" log --oneline | sed 's/^/  linux  /'
echo "configuration ($TUXTAPE_CONFIG):"
sed 's/^/  /' "$TUXTAPE_CONFIG"
mkdir -p "$DEMO/www"
"$BACKEND" archive init "$DEMO/www/archive" --keys "$DEMO/keys"

part "tuxtape-backend run: scan, gauge, select, generate and vet each fix in the kernel's VM, cumulative livepatch, publish"
"$BACKEND" run

part "tuxtape-backend runs"
"$BACKEND" runs

part "The queue: what needs a person (generate --failures)"
"$BACKEND" generate --failures

part "The archive's targets (signed TUF metadata)"
"$BACKEND" archive verify "$DEMO/www/archive"
targets=$(ls "$DEMO"/www/archive/metadata/*.targets.json | sort -V | tail -1)
jq -r '.signed.targets | to_entries[] | "  \(.key)  patch \(.value.custom.patch_id)  series \(.value.custom.series // "-")  channel \(.value.custom.channel)  CVEs \(.value.custom.cves | join(","))"' "$targets"
cum=$(jq -r '[.signed.targets[].custom | select(.series == "cumulative-deb61") | .patch_id][0] // empty' "$targets")
[ -n "$cum" ] || die "the run published no cumulative livepatch"

part "A misbehaving patch published after it: tt-warns (WARNs whenever /proc/version is read)"
mkdir -p "$DEMO/tt-warns" "$DEMO/node/trust"
cp tests/e2e/modules/tt_lp_warns.c "$DEMO/tt-warns/"
echo 'obj-m += tt_lp_warns.o' >"$DEMO/tt-warns/Kbuild"
make -s -C "$KBUILD" M="$DEMO/tt-warns" modules >"$DEMO/tt-warns/build.log" 2>&1 ||
	die "building tt_lp_warns.ko failed: $DEMO/tt-warns/build.log"
"$BACKEND" archive publish "$DEMO/www/archive" "$DEMO/tt-warns/tt_lp_warns.ko" --keys "$DEMO/keys" \
	--kernel "$KREL" --patch-id tt-warns --cve CVE-2000-0001

part "The node: Debian's kernel under QEMU; its agent fetches from the archive over HTTP"
cp "$DEMO/www/archive/metadata/1.root.json" "$DEMO/node/trust/archive.json"
echo "cumulative=$cum" >"$DEMO/node/demo.conf"
tests/e2e/initramfs.sh "$DEMO/initramfs.gz" "$KREL" "$KMODDIR" "$DEMO/node" \
	"$BIN/tuxtape-agent" "$BIN/tuxtape-agent-fetch" "$BIN/agentctl"
node tests/tuf/serve.cjs "$DEMO/www" 900 >"$DEMO/port" 2>"$DEMO/http.log" &
server=$!
for _ in $(seq 1200); do [ -s "$DEMO/port" ] || ! kill -0 "$server" 2>/dev/null && break; sleep 0.1; done
[ -s "$DEMO/port" ] || die "the HTTP server did not start: $(tail -1 "$DEMO/http.log")"
# stopped when its console stops advancing (E2E_STALL) or at E2E_CEILING: tests/e2e/watchdog.sh
rc=0
tests/e2e/watchdog.sh --report "$DEMO/watchdog" "$DEMO/console" qemu-system-x86_64 -accel tcg \
	-cpu max -m 512 -smp 1 -nodefaults -display none -no-reboot -serial "file:$DEMO/console" \
	-kernel "$VMLINUZ" -initrd "$DEMO/initramfs.gz" \
	-append "console=ttyS0 panic=-1 loglevel=1 tt.scenario=demo tt.http=10.0.2.2:$(cat "$DEMO/port")" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0 </dev/null >"$DEMO/qemu.log" 2>&1 || rc=$?
tr -d '\r' <"$DEMO/console" >"$DEMO/console.txt"
sed -n 's/^TT-DEMO: \{0,1\}//p' "$DEMO/console.txt"
part_end
echo
bad=$(grep -c '^TT: not ok' "$DEMO/console.txt" || true)
if [ $rc -ne 0 ] || [ "$bad" -ne 0 ] || ! grep -q '^TT-END' "$DEMO/console.txt"; then
	grep '^TT: not ok' "$DEMO/console.txt" | sed 's/^TT: /demo: /' >&2 || true
	[ -s "$DEMO/watchdog" ] && sed 's/^/demo: watchdog: /' "$DEMO/watchdog" >&2
	die "the node did not do what it should (console: $DEMO/console.txt)"
fi
echo "demo done in $SECONDS s; its state is kept in $DEMO (backend.db, backend.conf, www/archive, console.txt)"
