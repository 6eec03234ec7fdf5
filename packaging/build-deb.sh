#!/bin/bash
# make deb: builds the Debian packages from a copy of the working tree (the files git
# tracks or would track, so no build directory), with packaging/debian as its debian/,
# and moves the .debs into OUTDIR.
# Usage: packaging/build-deb.sh OUTDIR VERSION   (VERSION: the Makefile's TUXTAPE_VERSION)
set -euo pipefail
if [ $# -ne 2 ] || [ -z "$2" ]; then
	echo "usage: $0 OUTDIR VERSION" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "$1")
version=$2

# the changelog names the package's version; it must be the one the programs print
changelog_version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
upstream=${changelog_version%-*}
if [ "$upstream" != "$version" ]; then
	echo "build-deb: packaging/debian/changelog is at $changelog_version but" \
		"common/util.h's TUXTAPE_VERSION is $version: add a changelog entry" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/tuxtape-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/tuxtape-$version
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -C "$src" -xf -
rm -rf "$src/debian"
cp -a "$top/packaging/debian" "$src/debian"

export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=2}
log=$tmp/build.log
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
	echo "build-deb: dpkg-buildpackage failed; the end of its log:" >&2
	tail -40 "$log" >&2
	exit 1
fi
mkdir -p "$out"
rm -f "$out"/*.deb
mv "$tmp"/*.deb "$out"/
ls "$out"/*.deb
