#!/usr/bin/env bash
# Sets up, builds and runs the main job (the README's first command).
# Today: the indicators of every bundled coin over its 5-minute candles, the Alpha Arena set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BIN=build/src/app/aitrader
mkdir -p var/indicators
for sym in BTCUSDT ETHUSDT SOLUSDT BNBUSDT XRPUSDT DOGEUSDT; do
  "$BIN" indicators --input "data/binance-usdm/5m/$sym.csv.gz" --output "var/indicators/$sym.csv"
done
echo
echo "Indicator CSVs written to var/indicators/. Last rows of BTCUSDT:"
tail -n 3 var/indicators/BTCUSDT.csv
