#!/usr/bin/env bash
# Configures and builds aitrader into build/ (Release with asserts: RelWithDebInfo).
# Usage: scripts/build.sh [extra cmake args]   env: BUILD_DIR (default build), WERROR=1
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
werror=OFF
if [ "${WERROR:-0}" = 1 ] || [ "${CI:-}" = true ]; then werror=ON; fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DAITRADER_WERROR=$werror "$@" >/dev/null
# 2 cores and 24 GiB is the reference machine: one job per core.
cmake --build "$BUILD_DIR" -j "$(nproc)"
