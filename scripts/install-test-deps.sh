#!/bin/sh
# Installs what the test suite needs beyond the Rust toolchain: Debian's `chromium`, which
# tests/report.rs uses to render the sign-off report (headless --dump-dom and --screenshot).
# Safe to rerun: does nothing when /usr/bin/chromium is already there. Needs root (or sudo)
# and the Debian/Ubuntu package mirrors.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: apt-get not found; install Chromium so that /usr/bin/chromium exists" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-test-deps: run as root (or install sudo) to install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
