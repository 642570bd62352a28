#!/usr/bin/env bash
# Sets up, builds and runs every test (the README's test command; CI runs exactly this).
# Usage: scripts/test.sh [--sanitize] [ctest args, e.g. -L unit or -R Fixed]
#   --sanitize   build into build-asan with AddressSanitizer + UndefinedBehaviorSanitizer and
#                run the suite there (any leak, overflow or UB fails the test that hit it).
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
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 900 "$@"
