#!/bin/bash
# Kernel log parser figures: `agentctl analyze` on a large /dev/kmsg dump made by repeating
# the klogs corpus converted to kmsg records (as tests/integration/klogs.sh converts it), and
# on the same text as a console capture. Throughput is input bytes per CPU second (user +
# sys, one core); peak RSS. Size with KLOG_MB (default 150).
set -eu
cd "$(dirname "$0")/.."
AGENTCTL=${AGENTCTL:-$PWD/build/agentctl}
SHARED=${TUXTAPE_SHARED:-$PWD/../shared}
K=$SHARED/data/klogs
MB=${KLOG_MB:-150}
W=$(mktemp -d /tmp/tuxtape-klogbench.XXXXXX)
trap 'rm -rf "$W"' EXIT

for f in "$K"/*; do
	case "$f" in *MANIFEST.tsv) continue ;; esac
	tests/klog-to-kmsg.pl "$f"
done >"$W/one.kmsg"
cat "$K"/[0-9]* >"$W/one.console"
for kind in kmsg console; do
	one=$(stat -c %s "$W/one.$kind")
	reps=$(( (MB << 20) / one + 1 ))
	for _ in $(seq "$reps"); do cat "$W/one.$kind"; done >"$W/big.$kind"
done
reports=$("$AGENTCTL" analyze "$W/big.kmsg" --json | jq length)
for kind in kmsg console; do
	bytes=$(stat -c %s "$W/big.$kind")
	best=""
	for _ in 1 2 3; do
		line=$(/usr/bin/time -f "%e %U %S %M" "$AGENTCTL" analyze "$W/big.$kind" 2>&1 >/dev/null | tail -1)
		if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[2]+x[3]<y[2]+y[3])}'; then
			best=$line
		fi
	done
	read -r wall user sys rss <<<"$best"
	cpu=$(echo "$user + $sys" | bc)
	printf 'analyze %-8s %6.1f MB: %6.2f s wall %6.2f s cpu  %6.1f MB/s per core  %6.1f MiB peak RSS\n' \
		"$kind" "$(echo "scale=1; $bytes / 1000000" | bc)" "$wall" "$cpu" \
		"$(echo "scale=1; $bytes / 1000000 / $cpu" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
done
echo "reports found in the kmsg dump: $reports"
