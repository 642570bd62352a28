#!/usr/bin/env bash
# WebSocket fan-out of `aitrader serve`: CLIENTS streams on one bot, EVENTS status events, the
# delivery latency of each event to each client (issue target: p99 < 50 ms with 1,000 clients).
#   bench/api/run_ws_bench.sh [BUILD_DIR] [CLIENTS] [EVENTS]
# Starts the real server (temporary folder, SQLite, --port 0, --speed 1 so that no bar falls
# inside the run: the feed's 1h bars come once an hour), registers a user, creates and starts
# a baseline bot, and runs BUILD_DIR/bench/ws_fanout: it opens the streams, then sends
# POST /api/bots/{id}/pause and /resume alternately (each stores and publishes one `status`
# event) and times every delivery from the moment just before the POST (see ws_fanout.cpp).
# Everything runs on 127.0.0.1; the server and the temporary folder are removed on exit.
# env: GAP_MS (pause between commands, default 20), CONNECT_PARALLEL (handshakes in flight, 100).
set -euo pipefail
BUILD=${1:-build}
CLIENTS=${2:-1000}
EVENTS=${3:-100}
BIN="$BUILD/src/app/aitrader"
LOAD="$BUILD/bench/ws_fanout"
for f in "$BIN" "$LOAD"; do
  [ -x "$f" ] || { echo "missing $f: cmake --build $BUILD --target aitrader ws_fanout" >&2; exit 2; }
done

# Each stream is a socket in the server and one in the client (both inherit this limit).
NEED=$((CLIENTS + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEED" ]; then
  WANT=$(( NEED > 4096 ? NEED : 4096 ))
  ulimit -n "$WANT" 2>/dev/null || echo "warning: cannot raise ulimit -n to $WANT (it is $(ulimit -n))" >&2
fi
echo "ulimit -n: $(ulimit -n)"

DIR=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; then
    # SIGTERM is a graceful stop; one that does not end in 10 s is killed.
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && { echo "warning: the server did not stop on SIGTERM; killed" >&2; kill -KILL "$SERVER_PID"; }
  fi
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
# A fresh secret for this run, handed over in the environment (never in a file or argument).
AITRADER_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
export AITRADER_JWT_SECRET
# limits.max_connections (default 1024) counts every open connection, streams included:
# CLIENTS streams + the command connection + curl must stay under it, so it is raised to
# CLIENTS + 64 when that is above the default.
MAXCONN=$(( CLIENTS + 64 > 1024 ? CLIENTS + 64 : 1024 ))
cat > "$DIR/server.json" <<EOF
{"jwt_secret_file": "$DIR/jwt", "master_key_file": "$DIR/key",
 "limits": {"max_connections": $MAXCONN}}
EOF
"$BIN" serve --port 0 --database "sqlite:$DIR/a.db" --config "$DIR/server.json" --speed 1 > "$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$DIR/server.log" && break; sleep 0.1; done
PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$DIR/server.log" | grep -o '[0-9]*$') ||
  { cat "$DIR/server.log" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
H='Content-Type: application/json'
curl -sf "$URL/api/auth/register" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' > /dev/null
TOKEN=$(curl -sf "$URL/api/auth/login" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
BOT=$(curl -sf "$URL/api/bots" -H "$H" -H "Authorization: Bearer $TOKEN" -d '{"name": "fanout"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf -X POST "$URL/api/bots/$BOT/start" -H "Authorization: Bearer $TOKEN" > /dev/null
echo "server pid $SERVER_PID on port $PORT, bot $BOT running; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ws_fanout: $CLIENTS clients on GET /api/bots/$BOT/stream, $EVENTS pause/resume commands"
cpu() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }  # user + system, clock ticks
PERF_PID=""
if [ -n "${PERF_OUT:-}" ]; then  # PERF_OUT=FILE: perf record -g the server during the run
  perf record -F 999 -g -p "$SERVER_PID" -o "$PERF_OUT" > "$DIR/perf.log" 2>&1 &
  PERF_PID=$!
  sleep 0.5
fi
CPU0=$(cpu)
RC=0
"$LOAD" fanout --port "$PORT" --token "$TOKEN" --bot "$BOT" --clients "$CLIENTS" --events "$EVENTS" \
  --gap-ms "${GAP_MS:-20}" --connect-parallel "${CONNECT_PARALLEL:-100}" --server-pid "$SERVER_PID" || RC=$?
CPU1=$(cpu)
if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID"; wait "$PERF_PID" || true; fi
echo "server CPU during the whole run (connections included): $(awk -v t=$((CPU1 - CPU0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f s", t / hz}')"
echo "server: $(grep -E '^(VmRSS|VmHWM)' "/proc/$SERVER_PID/status" | tr -s ' \t' ' ' | paste -sd ',' -)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$RC"
