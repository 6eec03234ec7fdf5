#!/bin/bash
# make rpm: builds the RPM packages (packaging/rpm/tuxtape.spec) from a tarball of the
# working tree (the files git tracks or would track) and moves them into OUTDIR.
# Usage: packaging/build-rpm.sh OUTDIR VERSION   (VERSION: the Makefile's TUXTAPE_VERSION)
set -euo pipefail
if [ $# -ne 2 ] || [ -z "$2" ]; then
	echo "usage: $0 OUTDIR VERSION" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "$1")
version=$2
if ! command -v rpmbuild >/dev/null; then
	echo "build-rpm: rpmbuild not found (Debian package rpm; tests/deps.sh installs it)" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/tuxtape-rpm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/SOURCES"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - --transform "s|^|tuxtape-$version/|" -czf "$tmp/SOURCES/tuxtape-$version.tar.gz")

# --nodeps: on a Debian build host rpm's own database knows none of the build requirements
log=$tmp/build.log
if ! rpmbuild -bb --nodeps --define "_topdir $tmp" --define "tuxtape_version $version" \
	"$top/packaging/rpm/tuxtape.spec" >"$log" 2>&1; then
	echo "build-rpm: rpmbuild failed; the end of its log:" >&2
	tail -40 "$log" >&2
	exit 1
fi
mkdir -p "$out"
rm -f "$out"/*.rpm
mv "$tmp"/RPMS/*/*.rpm "$out"/
ls "$out"/*.rpm
