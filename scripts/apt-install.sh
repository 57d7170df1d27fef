#!/bin/sh
# Installs the Debian packages named on the command line that are not installed yet, with
# apt-get (as root, or through sudo). Does nothing when all of them are there. Shared by
# install-test-deps.sh and windows-build.sh.
#
#   scripts/apt-install.sh PACKAGE...
set -eu

missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-install: apt-get not found; install:$missing" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "apt-install: run as root (or install sudo) to install:$missing" >&2
        exit 1
    fi
fi
echo "== installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2086 # one word per package
$SUDO apt-get install -y --no-install-recommends $missing
