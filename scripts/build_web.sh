#!/usr/bin/env bash
# Builds the dashboard into web/dist (npm ci && npm run build), skipped when web/dist is newer
# than every file under web/src, web/index.html, web/public, package.json and package-lock.json.
# node_modules is reinstalled (npm ci) only when package-lock.json changed: its hash is kept in
# web/node_modules/.aitrader-lock-hash.
# Usage: scripts/build_web.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/../web"
force=0
if [ "${1:-}" = --force ]; then force=1; fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
marker=node_modules/.aitrader-lock-hash
if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$lock_hash" ]; then
  echo "web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$marker"
fi

stale=1
if [ $force = 0 ] && [ -f dist/index.html ]; then
  newer=$(find src public index.html package.json package-lock.json vite.config.ts tsconfig.json \
              -newer dist/index.html -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then stale=0; fi
fi
if [ $stale = 1 ]; then
  echo "web: npm run build"
  npm run build --silent
  touch dist/index.html
else
  echo "web: dist is up to date"
fi
