# Shared helpers for integration tests (sourced). Each check prints "ok - NAME" or
# "not ok - NAME" and the script's exit status is non-zero when any check failed.
set -u
TOP=${TUXTAPE_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${TUXTAPE_BIN:-$TOP/build}
SHARED=${TUXTAPE_SHARED:-$TOP/../shared}
BACKEND=$BIN/tuxtape-backend
T_FAILED=0
WORK=$(mktemp -d /tmp/tuxtape-it.XXXXXX)
trap 'rm -rf "$WORK"; exit $T_FAILED' EXIT
export TUXTAPE_DB=$WORK/default.db
unset TUXTAPE_CONFIG

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; T_FAILED=1; }

# check NAME CMD...: passes when CMD exits 0
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1"; echo "   expected: $2" >&2; echo "   actual:   $3" >&2; fi
}

# expect_exit NAME CODE CMD...
expect_exit() {
	local name=$1 code=$2; shift 2
	"$@" >"$WORK/last.out" 2>"$WORK/last.err"
	local rc=$?
	if [ "$rc" == "$code" ]; then ok "$name"; else
		not_ok "$name"; echo "   exit $rc, expected $code; stderr:" >&2; sed 's/^/   | /' "$WORK/last.err" >&2
	fi
}

# git helpers for building a vulns repository
git_init_repo() { # dir
	git init -q -b master "$1"
	git -C "$1" config user.email test@example.org
	git -C "$1" config user.name "TuxTape test"
}
git_commit_all() { # dir message
	git -C "$1" add -A && git -C "$1" commit -q -m "$2"
}
