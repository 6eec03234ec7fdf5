#!/bin/bash
# Installs the independent TUF client tuf-js (pinned: 5.x runs on Node 20) outside the
# repository, once, and prints TUFJS_DIR=... for the caller to eval.
set -euo pipefail
dir=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/tufjs-5.0.1
if [ ! -f "$dir/node_modules/tuf-js/package.json" ]; then
	command -v npm >/dev/null || { echo "tufjs: npm is missing (Debian package npm)" >&2; exit 1; }
	mkdir -p "$dir"
	(cd "$dir" && npm install --silent --no-audit --no-fund tuf-js@5.0.1 @tufjs/models >&2)
fi
echo "TUFJS_DIR=$dir"
