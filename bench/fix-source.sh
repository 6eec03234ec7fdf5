#!/bin/bash
# The fix source the real-fix benches share, fetched once into the cache: Debian's
# linux-source-6.1 6.1.176-1 by default, or another series' (SERIES=6.12: linux-source-6.12
# 6.12.107-1~deb12u1 from bookworm-security), or FIX_VERSION=<Debian version> of that series.
# Prints FIXSRC=<the tarball>. Cache: $TUXTAPE_CACHE (default /var/cache/tuxtape-test).
set -euo pipefail
SERIES=${SERIES:-6.1}
case "$SERIES" in
6.1) version=${FIX_VERSION:-6.1.176-1} ;;
6.12) version=${FIX_VERSION:-6.12.107-1~deb12u1} ;;
*) echo "fix-source: SERIES=$SERIES is not 6.1 or 6.12" >&2; exit 2 ;;
esac
fix=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}/src-$version
if [ ! -f "$fix/.done" ]; then
	rm -rf "$fix" && mkdir -p "$fix"
	(cd "$fix" && apt-get download -q "linux-source-$SERIES=$version" >&2 &&
	 dpkg-deb -x linux-source-"$SERIES"_*_all.deb . && rm -f ./*.deb && touch .done)
fi
echo "FIXSRC=$fix/usr/src/linux-source-$SERIES.tar.xz"
