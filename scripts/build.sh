#!/usr/bin/env bash
# Configures and builds aitrader (Release with asserts: RelWithDebInfo).
# Usage: scripts/build.sh [extra cmake args]
# env: BUILD_DIR (default build), WERROR=0 to let warnings through (default: warnings are
#      errors, in every script, so scripts/run.sh and scripts/test.sh share one build),
#      SANITIZE=1 for an ASan + UBSan build (use its own BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
werror=ON
if [ "${WERROR:-1}" = 0 ]; then werror=OFF; fi
sanitize=OFF
if [ "${SANITIZE:-0}" = 1 ]; then sanitize=ON; fi
args=(-DAITRADER_WERROR=$werror -DAITRADER_SANITIZE=$sanitize)
# ccache (installed by setup.sh) makes a rebuild of unchanged sources, or a second build
# folder, nearly free; paths are hashed relative to the checkout.
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD_DIR" -G Ninja "${args[@]}" "$@" >/dev/null
# 2 cores and 24 GiB is the reference machine: one job per core.
cmake --build "$BUILD_DIR" -j "$(nproc)"
