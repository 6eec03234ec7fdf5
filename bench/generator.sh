#!/bin/bash
# The patch generator on case a (tests/generator/a-proc-show): generate and vet from a clean
# cache (a fresh cache directory: unpack, olddefconfig, prepare) and again with the warm
# cache; prints the time of each step from the report and the disk space of the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bin=${TUXTAPE_BIN:-$top/build}
W=$(mktemp -d /tmp/tuxtape-genbench.XXXXXX)
trap 'rm -rf "$W"' EXIT
eval "$(tests/debian-kernel.sh)"
eval "$(E2E_KREL=$KREL tests/e2e/kernel.sh)"
KALLSYMS=$(tests/e2e/kallsyms.sh)
"$bin/tuxtape-backend" kernel add deb61 --db "$W/b.db" --kconfig "$KCONFIG" --source "$KSOURCE" \
	--release "$KREL" --headers "$KBUILD" --system-map "$KALLSYMS" >/dev/null
for run in cold warm; do
	t0=$(date +%s.%N)
	"$bin/tuxtape-backend" generate --db "$W/b.db" --kernel deb61 --cache "$W/cache" \
		--patch tests/generator/a-proc-show/fix.patch --id bench-a --out "$W/out-$run" \
		--vet-command "$top/tests/e2e/vet.sh" --vet-check tests/generator/a-proc-show/check \
		--json >"$W/$run.json" 2>"$W/$run.err" || { echo "$run: generate failed: $(tail -1 "$W/$run.err")"; exit 1; }
	printf '%s cache: %.1f s in all (%s)\n' "$run" "$(echo "$(date +%s.%N) - $t0" | bc)" \
		"$(jq -r '[.steps[] | "\(.name) \(.seconds * 10 | round / 10)s"] | join(", ")' "$W/$run.json")"
done
echo "disk: cache $(du -sh "$W/cache" | cut -f1), output $(du -sh "$W/out-warm" | cut -f1)"
