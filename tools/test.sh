#!/bin/bash
# Build prx and run every test suite (unit, integration, lint); needs root for the
# DPDK integration tests.  Prints meson's summary; exits non-zero when a test failed.
#   sudo tools/test.sh [meson test arguments, e.g. --suite unit]
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" || exit 1
ninja -C "$BUILD" || exit 1
meson test -C "$BUILD" --print-errorlogs "$@"
