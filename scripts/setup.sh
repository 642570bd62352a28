#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages aitrader needs to build, test and run.
# Idempotent: installs only what is missing. Uses sudo when not root.
# Usage: scripts/setup.sh [--test]   (--test adds the test-only packages: chromium for the
#        dashboard's browser tests; scripts/test.sh passes it, scripts/run.sh does not)
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=0
if [ "${1:-}" = --test ]; then with_tests=1; fi

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config git gzip ccache
  # C++ libraries (docs/dependencies.md says why each)
  libboost1.81-dev libboost-json1.81-dev libcli11-dev zlib1g-dev
  libcurl4-openssl-dev libssl-dev libsodium-dev libsqlite3-dev libfmt-dev libspdlog-dev
  libjwt-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # a real PostgreSQL 15 server for the storage tests (started by the tests on a loopback port)
  postgresql-15 postgresql-client-15
  # benchmarks (bench/run_many_bots.sh measures peak memory with GNU time)
  time
)
# The dashboard (web/) is built with node and npm; Debian's packages when node is missing.
if ! command -v node >/dev/null 2>&1; then PACKAGES+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(npm); fi
# Test-only: the browser the dashboard's end-to-end tests drive (playwright-core, no download).
TEST_PACKAGES=(chromium)
if [ $with_tests = 1 ]; then PACKAGES+=("${TEST_PACKAGES[@]}"); fi

# node must satisfy web/package.json's engines.node (">=X.Y.Z").
check_node() {
  local need have
  need=$(sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' web/package.json | head -1)
  have=$(node --version 2>/dev/null | sed 's/^v//')
  if [ -z "$have" ]; then
    echo "setup: error: node is not installed (web/ needs node >= $need)" >&2
    exit 1
  fi
  if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
    echo "setup: error: node $have is older than the $need the dashboard needs (web/package.json" >&2
    echo "       engines.node). Install node >= $need (e.g. Debian's bookworm-backports or trixie" >&2
    echo "       nodejs package, NodeSource's node_22.x, or nvm) so 'node --version' shows it, then" >&2
    echo "       run this again." >&2
    exit 1
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  check_node
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
check_node
