#!/bin/bash
# The real-kernel bench's runner refuses to skip: a missing tool is a failure that names the
# Debian package, and an unknown scenario is a failure too (tests/e2e/run.sh).
set -u
top=${TUXTAPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
W=$(mktemp -d /tmp/tuxtape-e2erunner.XXXXXX)
trap 'rm -rf "$W"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

# a PATH with everything but QEMU
mkdir -p "$W/bin"
for d in /usr/local/bin /usr/bin /bin /usr/sbin /sbin; do
	for f in "$d"/*; do
		b=$(basename "$f")
		[ "$b" = qemu-system-x86_64 ] && continue
		[ -e "$W/bin/$b" ] || ln -s "$f" "$W/bin/$b"
	done
done
out=$(PATH=$W/bin "$top/tests/e2e/run.sh" good 2>&1)
rc=$?
[ $rc -ne 0 ] && ok "runner fails when qemu is missing" || nok "runner fails when qemu is missing (exit $rc)"
grep -q '^not ok - e2e/bench: qemu-system-x86_64 is missing (install the Debian package qemu-system-x86' <<<"$out" &&
	ok "the failure names the package" || { nok "the failure names the package"; echo "$out" | sed 's/^/# /'; }
grep -q '^0 passed, 1 failed$' <<<"$out" && ok "and is counted" || nok "and is counted"

out=$("$top/tests/e2e/run.sh" no-such-scenario 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "^not ok - e2e/no-such-scenario: no such scenario" <<<"$out" &&
	ok "an unknown scenario is a failure" || { nok "an unknown scenario is a failure"; echo "$out" | sed 's/^/# /'; }
list=$("$top/tests/e2e/run.sh" --list)
absent=
for s in good warns oopses stalls cumulative refusal crash net; do
	grep -qx "$s" <<<"$list" || absent="$absent $s"
done
[ -z "$absent" ] && ok "--list names the baseline scenarios" || nok "--list lacks:$absent"
