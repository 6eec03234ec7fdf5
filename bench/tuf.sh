#!/bin/bash
# TUF client figures: a refresh against an archive with 10,000 targets, cold (empty metadata
# directory) and warm (nothing changed), our tuxtape-tuf-client against tuf-js, in one run on
# the same archive served from 127.0.0.1. Prints wall time, CPU time and peak RSS of each.
# Then the archive's delegated layout (archive init --offline-targets --bins 256: targets ->
# online -> bins, a new kernel release to the least-loaded bin; the snapshot pins online and
# the bins by version alone) at the same size: a node's refresh and lookup of one of
# its targets, cold and after a publish for its release, with the metadata bytes it read.
# TUFJS=0 skips tuf-js (a minute per refresh).
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
if [ "${TUFJS:-1}" != 0 ]; then
	line "tuf-js 5.0.1 refresh, cold" node tests/tuf/refresh-tufjs.cjs "$W/js" "$U"
	line "tuf-js 5.0.1 refresh, warm" node tests/tuf/refresh-tufjs.cjs "$W/js" "$U"
fi

# the delegated layout with bins; bytes: the metadata files the server was asked for. Two
# spreads of the same 10,000 targets: 50 releases (200 targets each), and 3,334 (3 each, about
# what cumulative series leave: one target per channel and series for a release)
kill $server 2>/dev/null
metadata_bytes() {
	sed -n 's|^GET /metadata/||p' "$W/requests.log" | while read -r f; do
		stat -c %s "$W/bins/metadata/$f" 2>/dev/null || true
	done | awk '{ s += $1 } END { printf "%.1f KB (%d files)", s / 1000, NR }'
	: >"$W/requests.log"
}
delegated() { # RELEASES
	rm -rf "$W/bins" "$W/bins2"
	RELEASES=$1 node tests/tuf/make-repo.cjs "$W/bins" 6.1.0-0-amd64/one.ko "one" 10000 archive "$W/bins2" >/dev/null
	node tests/tuf/serve.cjs "$W/bins" 900 >"$W/port" 2>"$W/requests.log" &
	server=$!
	for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
	B=http://127.0.0.1:$(cat "$W/port")
	# the node's bin: the one whose pattern names its release, as the client finds it
	bin=$(jq -r '.signed.delegations.roles[] | select(.paths | index("6.1.0-0-amd64/*")) | .name' \
		"$W/bins/metadata/1.online.json")
	echo "delegated, $1 releases: online $(du -k "$W/bins/metadata/1.online.json" | cut -f1) KiB, the node's bin" \
		"$bin $(du -k "$W/bins/metadata/1.$bin.json" | cut -f1) KiB ($(jq '.signed.targets | length' \
		"$W/bins/metadata/1.$bin.json") targets), snapshot $(du -k "$W/bins/metadata/1.snapshot.json" | cut -f1) KiB"
	lookup=("$CLIENT" --metadata-url "$B/metadata" --metadata-dir "$W/node" --target-name 6.1.0-0-amd64/one.ko
		--target-dir "$W/node-t" --target-base-url "$B/targets" download)
	cp "$W/bins/metadata/timestamp.json" "$W/timestamp.v1"
	for run in 1 2 3; do
		rm -rf "$W/node" "$W/node-t"
		cp "$W/timestamp.v1" "$W/bins/metadata/timestamp.json"   # before the publishes
		"$CLIENT" --metadata-dir "$W/node" init "$W/bins/metadata/1.root.json"
		: >"$W/requests.log"
		line "$1 releases: refresh + lookup, cold (run $run)" "${lookup[@]}"
		echo "  metadata read: $(metadata_bytes)"
		line "$1 releases: warm (run $run)" "${lookup[@]}"
		echo "  metadata read: $(metadata_bytes)"
		# a publish for another release: a new snapshot and timestamp, the node's bin unchanged
		cp "$W"/bins2/metadata/2.* "$W/bins/metadata/"
		cp "$W/bins2/timestamp.v2.json" "$W/bins/metadata/timestamp.json"
		line "$1 releases: after a publish elsewhere (run $run)" "${lookup[@]}"
		echo "  metadata read: $(metadata_bytes)"
		cp "$W"/bins2/metadata/3.* "$W/bins/metadata/"   # a publish for the node's release
		cp "$W/bins2/timestamp.v3.json" "$W/bins/metadata/timestamp.json"
		line "$1 releases: after a publish to its bin (run $run)" "${lookup[@]}"
		echo "  metadata read: $(metadata_bytes)"
	done
	kill $server 2>/dev/null
	: >"$W/port"
}
delegated 50
delegated 3334
