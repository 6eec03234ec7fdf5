#!/bin/bash
# Fetches a real Debian kernel for the tests, outside the repository, once: the packages
# that linux-image-amd64 points to now (or KREL=<release>, e.g. 6.1.0-56-amd64 or
# 6.12.95+deb12-amd64; or SERIES=6.12: what linux-image-6.12-amd64 points to), and the
# linux-source-<series> of the same version. Prints shell assignments for the caller to eval:
#   KREL, KVERSION (Debian version), KCONFIG, KSOURCE (tarball), KMODLIST (shipped .ko list),
#   KBUILTIN (modules.builtin)
#   KSAMPLEKO (one real module, fs/isofs/isofs.ko)
# Cache: $TUXTAPE_CACHE (default /var/cache/tuxtape-test); needs apt-get and dpkg-deb.
set -euo pipefail
CACHE=${TUXTAPE_CACHE:-/var/cache/tuxtape-test}
mkdir -p "$CACHE"
cd "$CACHE"

# 6.1 releases are 6.1.0-ABI-amd64 (bookworm), 6.12 ones 6.12.N+deb12-amd64 (backports, security)
if [ -n "${KREL:-}" ]; then
	KREL_FIXED=1
	SERIES=$(sed -n 's/^\(6\.1\|6\.12\)\..*-amd64$/\1/p' <<<"$KREL")
	[ -n "$SERIES" ] || { echo "debian-kernel: KREL=$KREL is not a Debian 6.1 or 6.12 amd64 release" >&2; exit 2; }
fi
SERIES=${SERIES:-6.1}
case "$SERIES" in
6.1) meta=linux-image-amd64 imgre='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
6.12) meta=linux-image-6.12-amd64 imgre='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
*) echo "debian-kernel: SERIES=$SERIES is not 6.1 or 6.12" >&2; exit 2 ;;
esac
if [ -z "${KREL:-}" ]; then
	KREL=$(apt-cache depends $meta 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -1)
	if [ -z "$KREL" ]; then
		apt-get update -qq >&2
		KREL=$(apt-cache depends $meta | sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -1)
	fi
fi
[ -n "$KREL" ] || { echo "debian-kernel: cannot resolve $meta (tests/deps.sh adds the suites)" >&2; exit 1; }
KVERSION=$(apt-cache show "linux-image-$KREL" | sed -n 's/^Version: //p' | head -1)
[ -n "$KVERSION" ] || { echo "debian-kernel: no package linux-image-$KREL" >&2; exit 1; }
# Not every kernel ABI has its source in the archive: fall back to the newest image whose
# version has a linux-source-<series> (unless KREL was asked for).
sources=$(apt-cache madison "linux-source-$SERIES" | awk '{print $3}')
if ! grep -qxF "$KVERSION" <<<"$sources" && [ -z "${KREL_FIXED:-}" ]; then
	for img in $(apt-cache search --names-only "$imgre" | awk '{print $1}' | sort -rV); do
		v=$(apt-cache show "$img" | sed -n 's/^Version: //p' | head -1)
		if grep -qxF "$v" <<<"$sources"; then
			KREL=${img#linux-image-}
			KVERSION=$v
			break
		fi
	done
fi

dir=$CACHE/$KREL
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download -q "linux-image-$KREL=$KVERSION" \
		"linux-source-$SERIES=$KVERSION" >&2) || {
		echo "debian-kernel: apt-get download of linux-image-$KREL and linux-source-$SERIES=$KVERSION failed" >&2
		exit 1
	}
	dpkg-deb -x "$dir"/dl/linux-image-*.deb "$dir/image"
	dpkg-deb -x "$dir"/dl/linux-source-*.deb "$dir/source"
	rm -f "$dir"/dl/*.deb
	(cd "$dir/image/lib/modules/$KREL/kernel" && find . -name '*.ko*' | sed 's|^\./||' | sort) \
		>"$dir/modules.list"
	# the list is all the tests need, and one real module for the archive demo
	# (6.12 ships its modules xz-compressed)
	iso=$dir/image/lib/modules/$KREL/kernel/fs/isofs/isofs.ko
	if [ -f "$iso.xz" ]; then xz -dc "$iso.xz" >"$dir/isofs.ko"; else cp "$iso" "$dir/isofs.ko"; fi
	rm -rf "$dir/image/lib/modules/$KREL/kernel"
	touch "$dir/.done"
fi
echo "KREL=$KREL"
echo "KVERSION=$KVERSION"
echo "KCONFIG=$dir/image/boot/config-$KREL"
echo "KSOURCE=$(ls "$dir"/source/usr/src/linux-source-*.tar.xz)"
echo "KMODLIST=$dir/modules.list"
echo "KBUILTIN=$dir/image/lib/modules/$KREL/modules.builtin"
echo "KSAMPLEKO=$dir/isofs.ko"
