#!/usr/bin/env bash
# Sets up, builds and runs every test (the README's test command; CI runs exactly this).
# Usage: scripts/test.sh [ctest args, e.g. -L unit or -R Fixed]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
WERROR=1 bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 900 "$@"
