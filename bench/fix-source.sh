#!/bin/bash
# The fix source the real-fix benches share: Debian's linux-source-6.1 6.1.176-1, fetched once
# into the cache. Prints FIXSRC=<the tarball>. Cache: $TUXTAPE_CACHE (default /var/cache/tuxtape-test).
set -euo pipefail
fix=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/src-6.1.176-1
if [ ! -f "$fix/.done" ]; then
	rm -rf "$fix" && mkdir -p "$fix"
	(cd "$fix" && apt-get download -q linux-source-6.1=6.1.176-1 >&2 &&
	 dpkg-deb -x linux-source-6.1_6.1.176-1_all.deb . && rm -f ./*.deb && touch .done)
fi
echo "FIXSRC=$fix/usr/src/linux-source-6.1.tar.xz"
