#!/bin/sh
# Builds pchat-migrate for Windows (x86_64-pc-windows-gnu) on Debian, and tests it under Wine.
#
#   scripts/windows-build.sh            build target/x86_64-pc-windows-gnu/release/pchat-migrate.exe
#   scripts/windows-build.sh --check    cargo clippy for the Windows target, -D warnings (no binary)
#   scripts/windows-build.sh --test     --check, the build, the Wine stand-in DLL, then the Wine
#                                       tests (tests/wine.rs) against the .exe
#
# Debian ships no prebuilt Windows standard library, so the standard library is compiled from
# Debian's own Rust source (rust-web-src) with Debian's rustc/cargo 1.96 (rustc-web, cargo-web)
# and linked with mingw-w64 (-Zbuild-std; RUSTC_BOOTSTRAP=1 allows that flag on a stable
# compiler). The rustup toolchain on PATH is not used here: its Windows std is not installed.
# Missing Debian packages are installed with apt-get (root, or sudo).
#
# Wine: Debian's Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng), which Rust's std calls at
# start-up. --test builds a stand-in from tests/wine/bcryptprimitives.c and puts it beside the
# .exe under test only; it is never part of what ships (nor is tests/wine/fake-powershell.c,
# the stand-in PowerShell the executor tests start).
#
# Honours CARGO_TARGET_DIR (default: target). Prints how long each phase took.
set -eu
cd "$(dirname "$0")/.."

TARGET=x86_64-pc-windows-gnu
MODE=build
case "${1:-}" in
"") ;;
--check) MODE=check ;;
--test) MODE=test ;;
-h | --help)
    sed -n '2,20p' "$0"
    exit 0
    ;;
*)
    echo "windows-build: unknown option $1 (use --check or --test)" >&2
    exit 2
    ;;
esac

# --- packages ------------------------------------------------------------------------------
PKGS="rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64"
if [ "$MODE" = test ]; then
    PKGS="$PKGS wine wine64"
fi
# shellcheck disable=SC2086 # one word per package
sh scripts/apt-install.sh $PKGS

# --- toolchain -----------------------------------------------------------------------------
# Debian's cargo, rustc, clippy-driver and rustdoc, ahead of any rustup proxies on PATH.
PATH="/usr/bin:$PATH"
export PATH
export RUSTC=/usr/bin/rustc
export RUSTDOC=/usr/bin/rustdoc
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
unset RUSTUP_TOOLCHAIN
CARGO=/usr/bin/cargo
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BUILD_STD="-Zbuild-std --target $TARGET"
echo "== $($CARGO --version), $($RUSTC --version)"

now() { date +%s; }
took() { echo "== $1: $(($(now) - $2)) s"; }

# --- lint ----------------------------------------------------------------------------------
if [ "$MODE" != build ]; then
    t=$(now)
    echo "== cargo clippy $BUILD_STD --all-targets -- -D warnings"
    # shellcheck disable=SC2086
    $CARGO clippy $BUILD_STD --all-targets --locked -- -D warnings
    took "clippy for $TARGET" "$t"
fi
if [ "$MODE" = check ]; then
    exit 0
fi

# --- build ---------------------------------------------------------------------------------
t=$(now)
echo "== cargo build $BUILD_STD --release"
# shellcheck disable=SC2086
$CARGO build $BUILD_STD --release --locked --bin pchat-migrate
EXE="$TARGET_DIR/$TARGET/release/pchat-migrate.exe"
took "build for $TARGET" "$t"
ls -l "$EXE"
if [ "$MODE" = build ]; then
    exit 0
fi

# --- Wine ----------------------------------------------------------------------------------
WINE_DIR="$TARGET_DIR/wine"
mkdir -p "$WINE_DIR"
t=$(now)
x86_64-w64-mingw32-gcc -shared -O2 -Wall -Werror -o "$WINE_DIR/bcryptprimitives.dll" \
    tests/wine/bcryptprimitives.c -ladvapi32
x86_64-w64-mingw32-gcc -municode -O2 -Wall -Werror -o "$WINE_DIR/fake-powershell.exe" \
    tests/wine/fake-powershell.c -ladvapi32
took "Wine stand-ins (bcryptprimitives.dll, fake powershell.exe)" "$t"

# One prefix for the tests, created once (wineboot takes a while the first time).
WINEPREFIX="$(cd "$WINE_DIR" && pwd)/prefix"
export WINEPREFIX
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    t=$(now)
    wineboot --init >/dev/null 2>&1 || true
    wineserver -w
    took "Wine prefix" "$t"
fi

t=$(now)
PCHAT_MIGRATE_WINDOWS_EXE="$(cd "$(dirname "$EXE")" && pwd)/pchat-migrate.exe"
PCHAT_MIGRATE_WINE_DLL="$(cd "$WINE_DIR" && pwd)/bcryptprimitives.dll"
PCHAT_MIGRATE_WINE_FAKE_PS="$(cd "$WINE_DIR" && pwd)/fake-powershell.exe"
export PCHAT_MIGRATE_WINDOWS_EXE PCHAT_MIGRATE_WINE_DLL PCHAT_MIGRATE_WINE_FAKE_PS
# The tests themselves are Linux programs driving wine: the usual toolchain builds them.
PATH="$(printf '%s' "$PATH" | sed 's#^/usr/bin:##')"
unset RUSTC RUSTDOC RUSTC_BOOTSTRAP
cargo test --test wine -- --ignored --test-threads 1
took "Wine tests" "$t"
