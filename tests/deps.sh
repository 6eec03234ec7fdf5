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
flex bison libssl-dev nodejs
scdoc debhelper dh-dkms lintian fakeroot bash-completion systemd rpm
qemu-system-x86 qemu-utils busybox-static cpio e2fsprogs kmod mmdebstrap
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "missing packages:$missing" >&2
	exit 1
fi

echo "deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# A stale package list makes installs fail on a fresh machine: refresh once.
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
