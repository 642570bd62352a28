#!/usr/bin/env bash
# Sets up, builds and runs every test (the README's test command; CI runs exactly this).
# Usage: scripts/test.sh [--sanitize] [ctest args, e.g. -L unit or -R Fixed]
#        scripts/test.sh --sanitize PROGRAM…   (test programs by name, e.g. core_test engine_test)
#   --sanitize   build into build-asan with AddressSanitizer + UndefinedBehaviorSanitizer and
#                run the suite there, or the named test programs (any leak, overflow or UB
#                fails the test that hit it).
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
if [ "${1:-}" = --sanitize ]; then sanitize=1; shift; fi
bash scripts/setup.sh --test
if [ $sanitize = 1 ]; then
  # The normal build holds the zero-warning line; GCC's sanitizer instrumentation adds false
  # positives of its own, so warnings do not fail this build.
  export BUILD_DIR=${BUILD_DIR:-build-asan} SANITIZE=1 WERROR=0
  # Benchmarks are not tests; skip them in the sanitizer build to save CI time.
  bash scripts/build.sh -DAITRADER_BUILD_BENCH=OFF
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  bash scripts/build.sh
fi
BUILD_DIR=${BUILD_DIR:-build}
if [ $sanitize = 1 ] && [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  # --sanitize PROGRAM…: run these test programs of the sanitized build (each one whole).
  passed=0 failed=0
  for prog in "$@"; do
    bin=$(find "$BUILD_DIR/tests" -name "$prog" -type f -executable | head -1)
    if [ -z "$bin" ]; then echo "sanitize: no test program $prog"; failed=$((failed + 1)); continue; fi
    echo "sanitize: $prog"
    if (cd "$(dirname "$bin")" && "./$prog" --gtest_brief=1); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  echo "sanitize: $passed passed, $failed failed"
  [ $failed -eq 0 ]
  exit
fi
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 900 "$@"
