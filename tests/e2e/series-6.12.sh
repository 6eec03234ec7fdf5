#!/bin/bash
# The agent's e2e basics on Debian's second kernel series, 6.12 (image and headers from
# bookworm-backports; tests/deps.sh adds the suite): a livepatch loads and finishes its
# transition (good), a WARN in a livepatch is reported with its module (warns), the agent
# applies, replaces and reverts patches from an archive (agent), and reverts and quarantines
# a patch that warns or oopses (agent-watch). Everything else runs on 6.1 (tests/e2e/run.sh).
# Usage: tests/e2e/series-6.12.sh [SCENARIO...]   (make check runs it as e2e-6.12)
# Environment: E2E_KREL_612 (default 6.12.95+deb12-amd64, the generator bench's kernel; when
#   the archive no longer has it, what linux-image-6.12-amd64 points to), and run.sh's.
# Prints run.sh's lines with "e2e-6.12/" in place of "e2e/".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
krel=${E2E_KREL_612:-6.12.95+deb12-amd64}
if [ -z "${E2E_KREL_612:-}" ] && ! apt-cache show "linux-image-$krel" >/dev/null 2>&1; then
	krel=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -1)
fi
if [ -z "$krel" ]; then
	echo "not ok - e2e-6.12/bench: no Debian 6.12 kernel in the archive (run tests/deps.sh: it adds bookworm-backports)"
	exit 1
fi
[ $# -eq 0 ] && set -- good warns agent agent-watch
E2E_KREL=$krel "$here/run.sh" "$@" 2>&1 |
	sed -u 's#^\(ok\|not ok\) - e2e/#\1 - e2e-6.12/#; s#^\# e2e\([/:]\)#\# e2e-6.12\1#'
