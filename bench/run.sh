#!/bin/bash
# Prints TuxTape's performance figures (docs/PERFORMANCE.md records them with the targets).
# Scanner: full first scan of the whole CNA corpus from a git repository, an incremental scan
# of a commit touching 10 records, a full rescan of an unchanged head, and a `cve check` of
# every record; wall time, CPU time and peak RSS of each, best of $RUNS.
set -eu
cd "$(dirname "$0")/.."
BACKEND=${BACKEND:-$PWD/build/tuxtape-backend}
SHARED=${TUXTAPE_SHARED:-$PWD/../shared}
TARBALL=$SHARED/data/vulns/vulns-cve-d9dda40c.tar.xz
RUNS=${RUNS:-3}
W=$(mktemp -d /tmp/tuxtape-bench.XXXXXX)
echo "# bench/run.sh, $(date -u +%F), RUNS=$RUNS"
trap 'rm -rf "$W"' EXIT

# measure NAME CMD...: runs CMD $RUNS times (SETUP, if set, before each) and prints the best.
measure() {
	local name=$1 best="" line; shift
	for _ in $(seq "$RUNS"); do
		[ -n "${SETUP:-}" ] && eval "$SETUP"
		line=$(/usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -1)
		if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[1]<y[1])}'; then
			best=$line
		fi
	done
	read -r wall user sys rss <<<"$best"
	printf '%-44s %7.2f s wall  %6.2f s cpu  %7.1f MiB peak RSS\n' "$name" "$wall" \
		"$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "preparing a git repository of the whole corpus..."
git init -q -b master "$W/vulns"
tar -xJf "$TARBALL" -C "$W/vulns"
git -C "$W/vulns" add -A cve/published cve/rejected
git -C "$W/vulns" -c gc.auto=0 -c user.email=b@tuxtape.invalid -c user.name=bench commit -q -m corpus
git -C "$W/vulns" repack -adq  # the real repository is packed too
echo "records: $(git -C "$W/vulns" ls-tree -r --name-only HEAD cve/published | grep -c '\.json$') published"

SETUP='rm -f "$W"/b.db*' measure "scan: full first scan (whole corpus)" \
	"$BACKEND" scan --db "$W/b.db" --vulns "$W/vulns"

# A commit touching 10 records: new dyad lines, as a stable release would bring.
"$BACKEND" scan --db "$W/b.db" --vulns "$W/vulns" >/dev/null
git -C "$W/vulns" ls-tree -r --name-only HEAD cve/published/2025 | grep '\.dyad$' | head -10 >"$W/ten"
while read -r f; do echo "6.1.999:0123456789abcdef0123456789abcdef01234567:0:0" >>"$W/vulns/$f"; done <"$W/ten"
git -C "$W/vulns" -c gc.auto=0 -c user.email=b@tuxtape.invalid -c user.name=bench commit -q -a -m ten
cp "$W/b.db" "$W/base.db"
SETUP='cp "$W/base.db" "$W/b.db"; rm -f "$W/b.db-wal" "$W/b.db-shm"' \
	measure "scan: incremental, a commit touching 10 records" \
	"$BACKEND" scan --db "$W/b.db" --vulns "$W/vulns"
SETUP='' measure "scan --full of an unchanged head" \
	"$BACKEND" scan --db "$W/b.db" --vulns "$W/vulns" --full
SETUP='' measure "cve check --version 6.1.120 (every record)" \
	"$BACKEND" cve check --db "$W/b.db" --version 6.1.120 --json
echo "database size: $(du -m "$W/b.db" | cut -f1) MiB"

# --- kernel profiles and the gauge (issue 3): Debian's 6.1 kernel, fetched once
eval "$("$PWD/tests/debian-kernel.sh" 2>/dev/null)"
SETUP='' RUNS=1 measure "kernel add: profile from $(basename "$KSOURCE")" \
	"$BACKEND" kernel add deb61 --db "$W/b.db" --kconfig "$KCONFIG" --source "$KSOURCE"
# two more profiles: the same build list as other kernel versions
"$BACKEND" kernel show deb61 --db "$W/b.db" --list-files --json |
	jq -r '.files[] | select(.mode != "n") | "\(.path) \(.mode)"' >"$W/files.list"
"$BACKEND" kernel add k515 --db "$W/b.db" --kconfig "$KCONFIG" --files "$W/files.list" --version 5.15.170 >/dev/null
"$BACKEND" kernel add k66 --db "$W/b.db" --kconfig "$KCONFIG" --files "$W/files.list" --version 6.6.50 >/dev/null
cp "$W/b.db" "$W/gauge-base.db"
SETUP='cp "$W/gauge-base.db" "$W/b.db"; rm -f "$W/b.db-wal" "$W/b.db-shm"' \
	measure "gauge: whole corpus x 3 profiles (from scratch)" \
	"$BACKEND" gauge --db "$W/b.db"
SETUP='' measure "gauge: nothing changed" "$BACKEND" gauge --db "$W/b.db"
SETUP='' measure "triage --kernel deb61 (up to date)" \
	"$BACKEND" triage --db "$W/b.db" --kernel deb61 --json
"$BACKEND" gauge --db "$W/b.db" 2>/dev/null | sed 's/^/  /'
echo "database size with profiles and verdicts: $(du -m "$W/b.db" | cut -f1) MiB"

# --- the TUF client (issue 4)
"$PWD/bench/tuf.sh"

# --- the agent (issue 6)
echo
echo "== agent: idle memory, CPU per refresh, idle wakeups"
"$PWD/bench/agent.sh"

# --- the fleet report server (issue 17)
echo
echo "== fleet report server: signed reports/s with 10,000 nodes, peak RSS"
BIN=$(dirname "$BACKEND") "$PWD/bench/serve.sh"

# --- the kernel log parser (issue 7)
echo
echo "== kernel log parser: agentctl analyze on a large kmsg dump and console capture"
"$PWD/bench/kreport.sh"

# --- the kernel log parser and watch (issue 7), the patch generator (issue 8)
echo
echo "== kernel log watch: agent CPU under a flood"
"$PWD/bench/kmsg-flood.sh"
echo
echo "== patch generator: case a, cold and warm cache"
"$PWD/bench/generator.sh"
echo "(the real-CVE score: bench/generator-cves.sh, LIMIT=N, takes minutes per CVE)"
