#!/bin/bash
# How often `agentctl analyze --json` titles a report the way syzkaller does, on syzkaller's
# own test reports (pkg/report/testdata/linux/report/* of a syzkaller checkout: "TITLE:",
# optional ALT:/TYPE:/CORRUPTED: lines, a blank line, the log). The files are extracted to a
# temporary directory at run time and removed afterwards; nothing of syzkaller's is kept.
# Reports marked CORRUPTED: Y and files without a title are not scored. Prints the overall
# score and the scores on the even- and odd-numbered files (one half is developed against,
# the other held out). MISSES=FILE keeps the misses ("file<TAB>expected<TAB>|<TAB>got").
#
#   bench/kreport-syzkaller.sh SYZKALLER_CHECKOUT [REV]
#
# SYZKALLER_CHECKOUT is a work tree or a bare git directory; REV defaults to HEAD.
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 SYZKALLER_CHECKOUT [REV]" >&2
	exit 2
fi
cd "$(dirname "$0")/.."
AGENTCTL=${AGENTCTL:-$PWD/build/agentctl}
SYZ=$1 REV=${2:-HEAD}
TD=pkg/report/testdata/linux/report
if ! git -C "$SYZ" rev-parse --verify -q "$REV^{commit}" >/dev/null; then
	echo "$0: $SYZ: not a git checkout with a revision $REV" >&2
	exit 2
fi
if [ ! -x "$AGENTCTL" ]; then
	echo "$0: $AGENTCTL: no agentctl built there (set AGENTCTL)" >&2
	exit 2
fi
W=$(mktemp -d /tmp/tuxtape-syzbench.XXXXXX)
trap 'rm -rf "$W"' EXIT

# a partial mirror may lack blobs elsewhere in the tree: only a missing testdata matters
git -C "$SYZ" archive "$REV" "$TD" 2>"$W/archive.err" | tar -x -C "$W"
if [ ! -d "$W/$TD" ]; then
	cat "$W/archive.err" >&2
	echo "$0: $SYZ at $REV has no $TD" >&2
	exit 2
fi

declare -A total=() match=()
: >"$W/misses"
for f in "$W/$TD"/*; do
	name=${f##*/}
	case "$name" in *[!0-9]*) continue ;; esac
	# the header ends at the first blank line
	head=$(sed '/^$/q' "$f")
	title=$(printf '%s\n' "$head" | sed -n '1s/^TITLE: //p')
	[ -n "$title" ] || continue
	printf '%s\n' "$head" | grep -q '^CORRUPTED: Y' && continue
	half=odd
	[ $((10#$name % 2)) -eq 0 ] && half=even
	total[$half]=$(( ${total[$half]:-0} + 1 ))
	got=$(sed '1,/^$/d' "$f" | "$AGENTCTL" analyze --json - 2>/dev/null |
		jq -r '.[0].title // ""' 2>/dev/null || true)
	if [ "$got" = "$title" ]; then
		match[$half]=$(( ${match[$half]:-0} + 1 ))
	else
		printf '%s\t%s\t|\t%s\n' "$name" "$title" "$got" >>"$W/misses"
	fi
done
[ -n "${MISSES:-}" ] && cp "$W/misses" "$MISSES"

pct() { [ "$2" -gt 0 ] && echo "scale=1; 100 * $1 / $2" | bc || echo 0; }
all_t=$(( ${total[even]:-0} + ${total[odd]:-0} ))
all_m=$(( ${match[even]:-0} + ${match[odd]:-0} ))
printf 'syzkaller titles (%s): %d of %d (%s %%)\n' "$(git -C "$SYZ" rev-parse --short "$REV")" \
	"$all_m" "$all_t" "$(pct "$all_m" "$all_t")"
for half in even odd; do
	printf '  %-4s files: %d of %d (%s %%)\n' "$half" "${match[$half]:-0}" "${total[$half]:-0}" \
		"$(pct "${match[$half]:-0}" "${total[$half]:-0}")"
done
