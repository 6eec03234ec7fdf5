#!/bin/sh
# Installs what TuxTape needs to build, test and demo on Debian 12 (bookworm).
# Idempotent: does nothing when every package is already installed.
# Usage: tests/deps.sh [--check]   (--check: list missing packages, exit 1 if any)
set -eu

PACKAGES="
build-essential pkg-config git xz-utils ca-certificates
libgit2-dev libsqlite3-dev sqlite3 libjansson-dev libsodium-dev libcurl4-openssl-dev
libelf-dev libnl-3-dev libnl-genl-3-dev libsystemd-dev libkmod-dev libinih-dev
libcmocka-dev jq util-linux libarchive-dev bc python3 libmicrohttpd-dev
clang libclang-rt-14-dev
flex bison libssl-dev nodejs dwarves
scdoc debhelper dh-dkms lintian fakeroot bash-completion systemd rpm
qemu-system-x86 qemu-utils busybox-static cpio e2fsprogs kmod mmdebstrap
"

# The second kernel series the tests use (Debian's 6.12: image and linux-source-6.12 in
# bookworm-backports, later 6.12 sources in bookworm-security) comes from these suites. Backports
# stay at apt's default low priority: nothing is installed from them unless asked for by
# name and version, which is all the kernel-fetch scripts do (apt-get download).
APT_SUITES_FILE=/etc/apt/sources.list.d/tuxtape-bookworm-extra.sources
suites_missing() {
	for suite in bookworm-backports bookworm-security; do
		grep -rqs "^Suites:.*\b$suite\b\|^deb .* $suite " /etc/apt/sources.list \
			/etc/apt/sources.list.d/ || echo "$suite"
	done
}

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

suites=$(suites_missing)
if [ -z "$missing" ] && [ -z "$suites" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	[ -n "$missing" ] && echo "missing packages:$missing" >&2
	[ -n "$suites" ] && echo "missing apt suites (in $APT_SUITES_FILE):" $suites >&2
	exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$suites" ]; then
	echo "deps: adding apt suites:" $suites >&2
	# shellcheck disable=SC2086
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n\n' \
		$(for suite in $suites; do
			case $suite in
			*-security) echo http://deb.debian.org/debian-security ;;
			*) echo http://deb.debian.org/debian ;;
			esac
			echo "$suite" /usr/share/keyrings/debian-archive-keyring.gpg
		done) | $SUDO tee -a "$APT_SUITES_FILE" >/dev/null
fi
# A stale package list makes installs fail on a fresh machine (and new suites need their
# lists): refresh once.
$SUDO apt-get update -qq >&2
if [ -n "$missing" ]; then
	echo "deps: installing:$missing" >&2
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
