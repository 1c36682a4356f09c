#!/bin/bash
# Build prx and run every test suite (unit, integration, install, lint); needs root for the
# DPDK integration tests.  Prints meson's summary; exits non-zero when a test failed.
#   sudo tools/test.sh [meson test arguments, e.g. --suite unit]
# SANITIZE=1 builds with AddressSanitizer and UBSan (in build-asan) and runs the unit and
# integration suites there.  VALGRIND=1 runs the unit suites under valgrind's memcheck
# (meson's `valgrind` test setup, tests/valgrind.supp).  FUZZ=1 builds the libFuzzer targets
# with clang (in build-fuzz) and runs each for FUZZ_SECS (20).  BUILD=dir picks the build
# directory.
set -uo pipefail
cd "$(dirname "$0")/.."
setup=()
if [ "${SANITIZE:-0}" = 1 ]; then
  BUILD=${BUILD:-build-asan}
  setup=(-Db_sanitize=address,undefined)
  # UBSan only prints by default: make every finding fail the test that hit it
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
  # the 3-minute soak and the 30 s of control-socket abuse run in the normal build;
  # shorter runs are enough to catch a leak or a memory error here
  export SOAK_SECS=${SOAK_SECS:-40}
  export ABUSE_SECS=${ABUSE_SECS:-15}
  [ $# -gt 0 ] || set -- --suite unit --suite integration
else
  BUILD=${BUILD:-build}
fi
if [ "${FUZZ:-0}" = 1 ]; then
  # the libFuzzer targets (clang, tools/deps.sh --fuzz), FUZZ_SECS (20) each from their
  # seed corpora; only they are built, with clang, in their own build directory
  BUILD=${BUILD:-build-fuzz}
  [ -f "$BUILD/build.ninja" ] || CC=clang meson setup "$BUILD" -Dfuzz=true || exit 1
  meson configure "$BUILD" -Dfuzz_seconds="${FUZZ_SECS:-20}" || exit 1
  mapfile -t targets < <(meson introspect "$BUILD" --targets | python3 -c '
import json, os, sys
for t in json.load(sys.stdin):
    if t["name"].startswith("fuzz_"):
        print(os.path.relpath(t["filename"][0], sys.argv[1]))' "$(cd "$BUILD" && pwd)")
  [ ${#targets[@]} -gt 0 ] || { echo "test.sh: no fuzz targets in $BUILD (is CC clang?)" >&2; exit 1; }
  ninja -C "$BUILD" "${targets[@]}" || exit 1
  exec meson test -C "$BUILD" --no-rebuild --suite fuzz --print-errorlogs "$@"
fi
if [ "${VALGRIND:-0}" = 1 ]; then
  [ $# -gt 0 ] || set -- --suite unit
  set -- --setup valgrind "$@"
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" "${setup[@]}" || exit 1
ninja -C "$BUILD" || exit 1
meson test -C "$BUILD" --print-errorlogs "$@"
