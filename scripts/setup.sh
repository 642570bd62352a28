#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages aitrader needs to build, test and run.
# Idempotent: installs only what is missing. Uses sudo when not root.
set -euo pipefail

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

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
