#!/bin/bash
# TUF client figures: a refresh against an archive with 10,000 targets, cold (empty metadata
# directory) and warm (nothing changed), our tuxtape-tuf-client against tuf-js, in one run on
# the same archive served from 127.0.0.1. Prints wall time, CPU time and peak RSS of each.
set -eu
cd "$(dirname "$0")/.."
CLIENT=${CLIENT:-$PWD/build/tuxtape-tuf-client}
eval "$(tests/tuf/tufjs.sh)"; export TUFJS_DIR
W=$(mktemp -d /tmp/tuxtape-tufbench.XXXXXX)
trap 'kill $server 2>/dev/null; rm -rf "$W"' EXIT
node tests/tuf/make-repo.cjs "$W/repo" 6.1.0-0-amd64/one.ko "one" 10000 >/dev/null
node tests/tuf/serve.cjs "$W/repo" 900 >"$W/port" 2>/dev/null &
server=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$W/port")/metadata
echo "archive: 10,001 targets, targets.json $(du -k "$W/repo/metadata/1.targets.json" | cut -f1) KiB"
line() { # NAME CMD...
	local name=$1 r; shift
	r=$(/usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -1)
	case "$r" in *"exit status"*|"") echo "$name: FAILED ($r)"; return 1 ;; esac
	read -r wall user sys rss <<<"$r"
	printf '%-36s %6.3f s wall  %6.3f s cpu  %7.1f MiB peak RSS\n' "$name" "$wall" \
		"$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
}
rm -rf "$W/ours" "$W/js" && mkdir -p "$W/js"
"$CLIENT" --metadata-dir "$W/ours" init "$W/repo/metadata/1.root.json"
cp "$W/repo/metadata/1.root.json" "$W/js/root.json"
for run in 1 2 3; do
	rm -rf "$W/ours" && "$CLIENT" --metadata-dir "$W/ours" init "$W/repo/metadata/1.root.json"
	line "tuxtape-tuf-client refresh, cold (run $run)" "$CLIENT" --metadata-url "$U" --metadata-dir "$W/ours" refresh
	line "tuxtape-tuf-client refresh, warm (run $run)" "$CLIENT" --metadata-url "$U" --metadata-dir "$W/ours" refresh
done
# tuf-js is slow on this archive (about a minute per refresh here): one run of each
line "tuf-js 5.0.1 refresh, cold" node tests/tuf/refresh-tufjs.cjs "$W/js" "$U"
line "tuf-js 5.0.1 refresh, warm" node tests/tuf/refresh-tufjs.cjs "$W/js" "$U"
