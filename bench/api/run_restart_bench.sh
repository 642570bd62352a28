#!/usr/bin/env bash
# Restart time of `aitrader serve` after a long market run (kill -9, then start again until it
# listens): with the paper venue's daily checkpoint, and with the checkpoints removed (the full
# replay of every bar and journaled call since the run began), so the two can be compared.
#   bench/api/run_restart_bench.sh [BUILD_DIR] [BOTS] [DAYS]
# Runs the bundled 1h candles as fast as possible (--speed 0) with BOTS baseline bots until the
# market clock has moved DAYS days. Everything runs on 127.0.0.1 in a temporary folder.
set -euo pipefail
BUILD=${1:-build}
BOTS=${2:-20}
DAYS=${3:-30}
BIN="$BUILD/src/app/aitrader"
DIR=$(mktemp -d)
PID=""
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
export AITRADER_JWT_SECRET="restart-bench-secret-restart-bench-secret"
echo '{"jwt_secret_file": "'"$DIR"'/jwt", "master_key_file": "'"$DIR"'/key"}' > "$DIR/server.json"
start() {  # $1: speed; sets PID and URL, waits for "listening"
  : > "$DIR/server.log"
  "$BIN" serve --port 0 --database "sqlite:$DIR/a.db" --config "$DIR/server.json" --speed "$1" \
    > "$DIR/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 6000); do grep -q "listening on" "$DIR/server.log" && break; sleep 0.01; done
  grep -q "listening on" "$DIR/server.log" || { cat "$DIR/server.log" >&2; exit 1; }
  URL="http://127.0.0.1:$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$DIR/server.log" | grep -o '[0-9]*$')"
}
market_time() { curl -sf "$URL/api/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["market_time"])'; }
# Set up at speed 1 (no bar moves while the bots are created), then run flat out.
start 1
H='Content-Type: application/json'
curl -sf "$URL/api/auth/register" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' > /dev/null
TOKEN=$(curl -sf "$URL/api/auth/login" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
for i in $(seq 1 "$BOTS"); do
  id=$(curl -sf "$URL/api/bots" -H "$H" -H "Authorization: Bearer $TOKEN" -d '{"name": "b'"$i"'"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sf -X POST "$URL/api/bots/$id/start" -H "Authorization: Bearer $TOKEN" > /dev/null
done
T0=$(market_time)
kill -TERM "$PID"; wait "$PID" || true
start 0
while [ "$(market_time)" -lt $((T0 + DAYS * 86400000)) ]; do sleep 0.2; done
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
BARS=$(python3 -c "import sqlite3; c=sqlite3.connect('$DIR/a.db'); print((c.execute(\"SELECT value FROM run_state WHERE name='serve.last_bar'\").fetchone()[0] - $T0) // 3600000)")
CALLS=$(python3 -c "import sqlite3; c=sqlite3.connect('$DIR/a.db'); print(c.execute('SELECT COUNT(*) FROM paper_journal').fetchone()[0])")
echo "market run: $BARS bars of 1h ($DAYS days) with $BOTS bots, $CALLS journaled venue calls"
timed_restart() {  # prints seconds until "listening" and the rebuild line
  local t0 t1
  t0=$(date +%s.%N)
  start 1
  t1=$(date +%s.%N)
  kill -TERM "$PID"; wait "$PID" || true
  PID=""
  printf '%s: %.2f s to listen; %s\n' "$1" "$(echo "$t1 - $t0" | bc)" "$(grep -o 'rebuilt the paper venue.*' "$DIR/server.log")"
}
timed_restart "with the checkpoint"
python3 -c "import sqlite3; c=sqlite3.connect('$DIR/a.db'); c.execute('DELETE FROM paper_checkpoints'); c.commit()"
timed_restart "full replay      "
