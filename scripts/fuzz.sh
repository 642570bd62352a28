#!/usr/bin/env bash
# Builds the libFuzzer target for the LLM decision parser (fuzz/decision_parser_fuzz.cpp) with
# clang++ -fsanitize=fuzzer,address,undefined and runs it for N seconds (default 60) on one core.
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]
#
# The seeds in tests/data/agent/decision_corpus/ are copied into build-fuzz/corpus/, which the
# fuzzer grows; crash reproducers land in build-fuzz/artifacts/. To keep a reproducer as a
# regression test, copy it into tests/data/agent/decision_corpus/ (CTest replays that folder).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
out=build-fuzz
mkdir -p "$out/obj" "$out/corpus" "$out/artifacts"
CXX=${CXX:-clang++}
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Isrc -DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB
       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
sources=(src/agent/decision.cpp src/core/fixed.cpp src/core/status.cpp src/core/strings.cpp)
objs=()
for s in "${sources[@]}"; do
  o="$out/obj/$(echo "$s" | tr / _).o"
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ src/agent/decision.hpp -nt "$o" ]; then
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
"$CXX" "${flags[@]}" -fsanitize=fuzzer fuzz/decision_parser_fuzz.cpp "${objs[@]}" -o "$out/decision_parser_fuzz"
cp -n tests/data/agent/decision_corpus/* "$out/corpus/" 2>/dev/null || true
echo "fuzzing for ${seconds}s (corpus $out/corpus, artifacts $out/artifacts)"
exec "$out/decision_parser_fuzz" "$out/corpus" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
