#!/usr/bin/env bash
# Memory of `aitrader serve` with 1,000 bots and 1,000 stream clients.
#   bench/api/run_memory_bench.sh [BUILD_DIR] [BOTS] [CLIENTS] [BARS]
# Starts the real server (temporary folder, SQLite, --port 0, --speed 1800: one 1h bar every
# 2 s), registers one user (the API has no per-user bot limit), creates BOTS baseline bots
# (six coins each) and starts them all with BUILD_DIR/bench/ws_fanout (create / start over 4
# keep-alive connections), lets BARS bars run, connects CLIENTS streams spread over the bots
# (ws_fanout hold: one stream per bot when CLIENTS = BOTS) and lets BARS more bars run while
# they read. Prints the server's VmRSS and VmHWM (/proc/PID/status) at each step and the time
# to create and start the bots. Everything runs on 127.0.0.1; the server, the client and the
# temporary folder are removed on exit.
# env: SPEED (default 1800), PARALLEL (HTTP connections for create/start, default 4).
set -euo pipefail
BUILD=${1:-build}
BOTS=${2:-1000}
CLIENTS=${3:-1000}
BARS=${4:-5}
SPEED=${SPEED:-1800}
BIN="$BUILD/src/app/aitrader"
LOAD="$BUILD/bench/ws_fanout"
for f in "$BIN" "$LOAD"; do
  [ -x "$f" ] || { echo "missing $f: cmake --build $BUILD --target aitrader ws_fanout" >&2; exit 2; }
done
NEED=$((CLIENTS + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEED" ]; then
  WANT=$(( NEED > 4096 ? NEED : 4096 ))
  ulimit -n "$WANT" 2>/dev/null || echo "warning: cannot raise ulimit -n to $WANT (it is $(ulimit -n))" >&2
fi

DIR=$(mktemp -d)
SERVER_PID=""
HOLD_PID=""
cleanup() {
  [ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null || true
  if [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; then
    # SIGTERM is a graceful stop; one that does not end in 10 s is killed.
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && { echo "warning: the server did not stop on SIGTERM; killed" >&2; kill -KILL "$SERVER_PID"; }
  fi
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
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
"$BIN" serve --port 0 --database "sqlite:$DIR/a.db" --config "$DIR/server.json" --speed "$SPEED" > "$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$DIR/server.log" && break; sleep 0.1; done
PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$DIR/server.log" | grep -o '[0-9]*$') ||
  { cat "$DIR/server.log" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
H='Content-Type: application/json'
echo "server pid $SERVER_PID on port $PORT (--speed $SPEED); ulimit -n $(ulimit -n); load average $(cut -d' ' -f1-3 /proc/loadavg)"

ROWS=()
mem() {  # mem LABEL: one row of the table
  local rss hwm thr
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
  thr=$(awk '/^Threads/ {print $2}' "/proc/$SERVER_PID/status")
  ROWS+=("$(awk -v l="$1" -v r="$rss" -v h="$hwm" -v t="$thr" 'BEGIN {printf "%-42s %9.1f MB %9.1f MB %8s", l, r / 1024, h / 1024, t}')")
  echo "  [$1] VmRSS $((rss / 1024)) MB, VmHWM $((hwm / 1024)) MB, threads $thr"
}
market_time() {
  curl -sf "$URL/api/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["market_time"])'
}
wait_bars() {  # wait_bars N: until the market clock moved N bars (1h each)
  local t0 t
  t0=$(market_time)
  for _ in $(seq 1 600); do
    t=$(market_time)
    [ $(( (t - t0) / 3600000 )) -ge "$1" ] && return 0
    sleep 0.2
  done
  echo "warning: the market clock did not move $1 bars in 120 s" >&2
}

sleep 1
mem "idle after start"
curl -sf "$URL/api/auth/register" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' > /dev/null
TOKEN=$(curl -sf "$URL/api/auth/login" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

T0=$(date +%s%N)
"$LOAD" create --port "$PORT" --token "$TOKEN" --count "$BOTS" --parallel "${PARALLEL:-4}" --ids "$DIR/ids" | grep -v 'ws_fanout CPU'
T1=$(date +%s%N)
mem "$BOTS bots created"
"$LOAD" start --port "$PORT" --token "$TOKEN" --ids "$DIR/ids" --parallel "${PARALLEL:-4}" | grep -v 'ws_fanout CPU'
T2=$(date +%s%N)
echo "create + start of $BOTS bots: $(( (T2 - T0) / 1000000 )) ms (create $(( (T1 - T0) / 1000000 )) ms, start $(( (T2 - T1) / 1000000 )) ms)"
mem "$BOTS bots started"
wait_bars "$BARS"
mem "after $BARS bars"

FIRST=$(head -1 "$DIR/ids")
LAST=$(tail -1 "$DIR/ids")
"$LOAD" hold --port "$PORT" --token "$TOKEN" --bots "$FIRST-$LAST" --clients "$CLIENTS" > "$DIR/hold.log" 2>&1 &
HOLD_PID=$!
for _ in $(seq 1 600); do grep -q "^holding" "$DIR/hold.log" && break; sleep 0.1; done
grep -v '^holding' "$DIR/hold.log"
mem "$CLIENTS clients connected"
wait_bars "$BARS"
mem "$CLIENTS clients, $BARS more bars"
kill -TERM "$HOLD_PID"
wait "$HOLD_PID" || true
HOLD_PID=""
grep '^held' "$DIR/hold.log" || true
sleep 1
mem "clients gone"

echo
printf '%-42s %12s %12s %8s\n' "step" "VmRSS" "VmHWM" "threads"
for r in "${ROWS[@]}"; do echo "$r"; done
echo "database: $(du -sh "$DIR" | cut -f1) in $DIR (a.db + WAL); load average $(cut -d' ' -f1-3 /proc/loadavg)"
