#!/usr/bin/env bash
# Sets up, builds and runs the main job (the README's first command).
# Today: the Alpha Arena Season 1 arena (2025-10-17 → 2025-11-03, six coins, $10,000 per bot)
# replayed on the bundled candles, with the leaderboard printed and the report in var/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BIN=build/src/app/aitrader
mkdir -p var
"$BIN" arena --config configs/arena-season1.json --report var/arena-season1.json --svg var/arena-season1.svg
echo
echo "Report: var/arena-season1.json, equity plot: var/arena-season1.svg (see docs/backtesting.md)"
