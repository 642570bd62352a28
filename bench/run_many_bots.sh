#!/usr/bin/env bash
# System benchmark: N paper bots (default 1,000) in one `aitrader run` process, each an LLM bot
# whose calls go to the local vendor server answering after 1–3 s (uniform), on a 1-minute
# cadence: 5-minute bars replayed at 5x real time, so every bot decides once per wall-clock
# minute. Reports cycles, missed cycles (a bot still waiting for its previous answer when
# its next cycle is due) and the peak resident memory of the aitrader process.
# Usage: bench/run_many_bots.sh [BOTS=1000] [BARS=4] [WORKERS=256]
# Loopback only; the mock server and the run stop by themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
BOTS=${1:-1000}
BARS=${2:-4}
WORKERS=${3:-256}
BIN=${BIN:-build/src/app/aitrader}
PORT=${PORT:-18089}
WORK=$(mktemp -d)
trap 'kill $MOCK 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" mock-llm --port "$PORT" --latency-ms 1000..3000 >"$WORK/mock.log" 2>&1 &
MOCK=$!
sleep 1
python3 - "$WORK/config.json" "$BOTS" "$BARS" "$PORT" "$WORK/run.db" <<'PY'
import json, sys
path, bots, bars, port, db = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
start_min = 0
cfg = {
  "database": "sqlite:" + db,
  "from": "2025-10-20T00:00", "to": "2025-10-20T00:%02d" % (5 * bars),
  "interval": "5m", "cadence": "5m",
  "bots": [{"name": "bot%04d" % i, "model": "llm",
            "llm": {"provider": "openai", "model": "gpt-5", "base_url": "http://127.0.0.1:%s/v1" % port,
                    "api_key": "mock", "requests_per_minute": 1000000, "timeout_ms": 30000}}
           for i in range(bots)]}
json.dump(cfg, open(path, "w"))
PY
echo "running $BOTS LLM bots, $BARS bars at 5x (one decision per bot per wall-clock minute), $WORKERS workers"
/usr/bin/time -v "$BIN" run --config "$WORK/config.json" --speed 5 --workers "$WORKERS" >"$WORK/run.log" 2>"$WORK/time.log"
grep -E "^done:" "$WORK/run.log"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$WORK/time.log"
