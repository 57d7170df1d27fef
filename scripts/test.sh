#!/bin/sh
# The README's test command: installs what the tests need beyond Rust (Debian's chromium,
# for rendering the HTML sign-off report), then runs every test.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-test-deps.sh
exec cargo test "$@"
