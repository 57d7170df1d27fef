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

sh "$(dirname "$0")/apt-install.sh" chromium fonts-dejavu-core
/usr/bin/chromium --version
