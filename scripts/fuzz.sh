#!/usr/bin/env bash
# Builds a libFuzzer target with clang++ -fsanitize=fuzzer,address,undefined and runs it for N
# seconds (default 60) on one core.
#
#   scripts/fuzz.sh [TARGET] [SECONDS] [extra libFuzzer flags...]
#
# TARGET: decision_parser_fuzz (default; the LLM decision parser, fuzz/decision_parser_fuzz.cpp,
# seeds tests/data/agent/decision_corpus/) or decision_risk_fuzz (the whole path answer → parse →
# validate → risk → order sizing, fuzz/decision_risk_fuzz.cpp, seeds
# tests/data/agent/decision_risk_corpus/ plus the parser's seeds).
# The seeds are copied into build-fuzz/corpus-TARGET/, which the fuzzer grows; crash reproducers
# land in build-fuzz/artifacts/. To keep a reproducer as a regression test, copy it into the
# target's seed folder (CTest replays those folders).
set -euo pipefail
cd "$(dirname "$0")/.."
target=decision_parser_fuzz
case "${1:-}" in decision_parser_fuzz|decision_risk_fuzz) target=$1; shift ;; esac
seconds=${1:-60}
shift || true
out=build-fuzz
corpus="$out/corpus"
[ "$target" = decision_parser_fuzz ] || corpus="$out/corpus-$target"
mkdir -p "$out/obj" "$corpus" "$out/artifacts"
CXX=${CXX:-clang++}
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Isrc -DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB
       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
sources=(src/agent/decision.cpp src/core/fixed.cpp src/core/status.cpp src/core/strings.cpp)
if [ "$target" = decision_risk_fuzz ]; then
  sources+=(src/risk/risk_engine.cpp src/core/instrument.cpp src/core/enums.cpp src/core/time.cpp src/core/io.cpp)
fi
objs=()
for s in "${sources[@]}"; do
  o="$out/obj/$(echo "$s" | tr / _).o"
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ src/agent/decision.hpp -nt "$o" ] || [ src/core/fixed.hpp -nt "$o" ] ||
     [ src/risk/risk_engine.hpp -nt "$o" ]; then
    "$CXX" "${flags[@]}" -c "$s" -o "$o"
  fi
  objs+=("$o")
done
# Boost.JSON compiled into the target (header-only mode) so it is instrumented too.
if [ ! -f "$out/obj/boost_json.o" ]; then
  printf '#include <boost/json/src.hpp>\n' > "$out/obj/boost_json.cpp"
  "$CXX" "${flags[@]}" -c "$out/obj/boost_json.cpp" -o "$out/obj/boost_json.o"
fi
objs+=("$out/obj/boost_json.o")
"$CXX" "${flags[@]}" -fsanitize=fuzzer "fuzz/$target.cpp" "${objs[@]}" -lz -o "$out/$target"
cp -n tests/data/agent/decision_corpus/* "$corpus/" 2>/dev/null || true
[ "$target" = decision_parser_fuzz ] || cp -n tests/data/agent/decision_risk_corpus/* "$corpus/" 2>/dev/null || true
echo "fuzzing $target for ${seconds}s (corpus $corpus, artifacts $out/artifacts)"
exec "$out/$target" "$corpus" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
