#!/usr/bin/env bash
# Benchmarks authenticated GET /api/bots/{id}/positions of `aitrader serve` (SQLite) with wrk
# (64 connections), and the same route in the seed's stack (bench/peers/fastapi_positions.py:
# FastAPI + uvicorn + PyJWT + SQLAlchemy) on the same database, and prints the ratio.
#   [THREADS=N] [WORKERS=N] bench/api/run_api_bench.sh [BUILD_DIR] [SECONDS]
# Needs wrk (Debian `wrk`); the peer needs python3-fastapi python3-uvicorn python3-sqlalchemy
# python3-jwt (skipped when missing). Everything runs on 127.0.0.1.
set -euo pipefail
BUILD=${1:-build}
SECS=${2:-10}
BIN="$BUILD/src/app/aitrader"
DIR=$(mktemp -d)
SECRET="bench-secret-bench-secret-bench-secret-0123"
SERVER_PID=""
PEER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
# One I/O thread by default: wrk runs on the same two cores (THREADS=2 is the server's default).
THREADS=${THREADS:-1}
WORKERS=${WORKERS:-4}
echo '{"jwt_secret_file": "'"$DIR"'/jwt", "master_key_file": "'"$DIR"'/key", "workers": '"$WORKERS"', "threads": '"$THREADS"'}' > "$DIR/server.json"
AITRADER_JWT_SECRET="$SECRET" "$BIN" serve --port 0 --database "sqlite:$DIR/a.db" --config "$DIR/server.json" \
  --speed 3600 > "$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$DIR/server.log" && break; sleep 0.1; done
PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$DIR/server.log" | grep -o '[0-9]*$')
URL="http://127.0.0.1:$PORT"
H='Content-Type: application/json'
curl -sf "$URL/api/auth/register" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' > /dev/null
TOKEN=$(curl -sf "$URL/api/auth/login" -H "$H" -d '{"email": "bench@example.com", "password": "bench-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
BOT=$(curl -sf "$URL/api/bots" -H "$H" -H "Authorization: Bearer $TOKEN" -d '{"name": "bench"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf -X POST "$URL/api/bots/$BOT/start" -H "Authorization: Bearer $TOKEN" > /dev/null
# Wait until the bot holds positions (the replay runs one 1h bar per second).
for _ in $(seq 1 120); do
  N=$(curl -sf "$URL/api/bots/$BOT/positions" -H "Authorization: Bearer $TOKEN" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
  [ "$N" -gt 0 ] && break
  sleep 0.5
done
echo "bot $BOT holds $N positions; body: $(curl -sf "$URL/api/bots/$BOT/positions" -H "Authorization: Bearer $TOKEN" | wc -c) bytes"
echo "== aitrader serve (C++, Beast, SQLite; $THREADS I/O thread(s), $WORKERS workers), wrk -t2 -c64 -d${SECS}s"
wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$URL/api/bots/$BOT/positions" | tee "$DIR/wrk_cpp.txt"
CPP=$(awk '/Requests\/sec/ {print $2}' "$DIR/wrk_cpp.txt")
# Debian's interpreter (where the python3-* packages are), not a pyenv shim.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if "$PY" -c 'import fastapi, uvicorn, sqlalchemy, jwt' 2>/dev/null; then
  PEER_PORT=$((PORT + 1))
  AITRADER_JWT_SECRET="$SECRET" DB="$DIR/a.db" "$PY" "$(dirname "$0")/../peers/fastapi_positions.py" "$PEER_PORT" > "$DIR/peer.log" 2>&1 &
  PEER_PID=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PEER_PORT/docs" && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$PEER_PORT/api/bots/$BOT/positions" -H "Authorization: Bearer $TOKEN" > /dev/null
  echo "== FastAPI + uvicorn + PyJWT + SQLAlchemy (SQLite), wrk -t2 -c64 -d${SECS}s"
  wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PEER_PORT/api/bots/$BOT/positions" | tee "$DIR/wrk_py.txt"
  PY=$(awk '/Requests\/sec/ {print $2}' "$DIR/wrk_py.txt")
  python3 -c "print(f'ratio: {float($CPP) / float($PY):.1f}x ({float($CPP):.0f} vs {float($PY):.0f} requests/s)')"
else
  echo "peer skipped: python3-fastapi python3-uvicorn python3-sqlalchemy python3-jwt are not all installed"
fi
