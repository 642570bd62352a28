#!/usr/bin/env bash
# Builds the benchmarks in build/ and runs them (all, or those whose name matches $1).
# The figures quoted in docs/benchmarks.md come from this script on the reference machine
# (2 cores, Debian 12, g++ 12, -O2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
filter=${1:-}
for b in build/bench/*_bench; do
  name=$(basename "$b")
  if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then continue; fi
  echo "== $name"
  "$b" --benchmark_min_time=0.5 ${BENCH_ARGS:-}
done
