#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the engine and the dashboard,
# starts `aitrader serve --web web/dist` on the bundled candles and sets up a demo arena through
# the API — a demo user (credentials printed, password generated once into var/demo.credentials,
# mode 0600), rule-based baseline bots and one LLM bot per provider key in the environment — and
# prints the URL to open. Ctrl-C stops the server gracefully; running it again continues the
# same demo (same user, same bots resumed with their positions, the market clock where it
# stopped — also after a crash or kill -9).
#
# Usage: scripts/run.sh [--reset] [--speed N] [--port N] [--no-build]
#   --reset     start the demo over (deletes var/demo.db, the demo credentials and clock)
#   --speed N   replay speed, N × real time (env AITRADER_DEMO_SPEED; default 1200: one 1h
#               candle, hence one decision per bot, every 3 seconds)
#   --port N    listening port (env AITRADER_PORT; default 8080)
#   --no-build  skip setup and the engine build (use the existing build/; the dashboard is
#               still rebuilt when stale)
# env: ANTHROPIC_API_KEY, OPENAI_API_KEY, DEEPSEEK_API_KEY, GEMINI_API_KEY add an LLM bot each.
set -euo pipefail
cd "$(dirname "$0")/.."
reset=0
build=1
speed=${AITRADER_DEMO_SPEED:-1200}
port=${AITRADER_PORT:-8080}
while [ $# -gt 0 ]; do
  case "$1" in
    --reset) reset=1 ;;
    --no-build) build=0 ;;
    --speed) speed=${2:?--speed needs a number}; shift ;;
    --port) port=${2:?--port needs a number}; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ $build = 1 ]; then
  bash scripts/setup.sh
  bash scripts/build.sh
fi
bash scripts/build_web.sh
BIN=build/src/app/aitrader

mkdir -p var
DB=var/demo.db
CRED=var/demo.credentials
CLOCK=var/demo.market_time
if [ $reset = 1 ]; then
  echo "demo: starting over"
  rm -f "$DB" "$DB-wal" "$DB-shm" "$CRED" "$CLOCK"
fi
if [ ! -f "$CRED" ]; then
  # Generated once, never a fixed default; readable only by you.
  ( umask 077
    pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf 'DEMO_EMAIL=demo@aitrader.local\nDEMO_PASSWORD=%s\n' "$pw" > "$CRED" )
fi
chmod 600 "$CRED"
# shellcheck disable=SC1090
. "$CRED"
export DEMO_EMAIL DEMO_PASSWORD

# Alpha Arena Season 1 begins 2025-10-17 (inside the bundled 1h candles, 2025-09-13 → 2026-03-19).
# A later run continues the market run the database holds (the server keeps its position and
# rebuilds the paper venue; --from applies to a new database only).
from=2025-10-17
rm -f "$CLOCK"  # written by earlier versions of this script

BASE="http://127.0.0.1:$port"
"$BIN" serve --port "$port" --database "sqlite:$DB" --web web/dist --speed "$speed" --from "$from" \
  >> var/demo-serve.log 2>&1 &
server=$!

stop_server() {
  trap - INT TERM
  echo
  echo "demo: stopping the server"
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  tail -n 1 var/demo-serve.log
  exit 0
}
trap stop_server INT TERM

# Wait (deadline 60 s) until the server is ready, or report why it is not.
deadline=$((SECONDS + 60))
until curl -sf --max-time 2 "$BASE/api/ready" >/dev/null 2>&1; do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "demo: the server exited:" >&2; cat var/demo-serve.log >&2; exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "demo: the server did not become ready within 60 s (var/demo-serve.log):" >&2
    tail -n 20 var/demo-serve.log >&2; kill -TERM "$server"; wait "$server" || true; exit 1
  fi
  sleep 0.2
done

if ! BASE_URL="$BASE" node scripts/demo_bootstrap.mjs; then
  kill -TERM "$server"; wait "$server" || true; exit 1
fi

cat <<MSG

  aitrader demo is running: open $BASE
    e-mail    $DEMO_EMAIL
    password  $DEMO_PASSWORD     (kept in $CRED, mode 0600)
  Replaying the bundled candles (a new demo starts at $from) at ${speed}× real time (--speed N to change).
  Server log: var/demo-serve.log. Ctrl-C stops; run again to continue, --reset to start over.

MSG
while kill -0 "$server" 2>/dev/null; do
  # wait returns when the server exits or a signal arrives (then the trap runs)
  sleep 10 & wait $! || true
done
wait "$server"
