#!/usr/bin/env bash
# Checks that every module under src/ includes only itself and the modules it is allowed to
# depend on (docs/architecture.md, "Modules and layers"). The CMake link graph says the same
# thing for symbols; this says it for headers, which the linker cannot see (a header-only use
# of a higher layer would otherwise slip through). Run by CTest (Layering.Includes).
# Exit 0 when clean; 1 with one line per offending include.
set -euo pipefail
root=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
declare -A allowed=(
  [core]="core"
  [market]="core market"
  [indicators]="core indicators"
  [llm]="core llm"
  [exchange]="core market exchange"
  [agent]="core market indicators llm agent"
  [risk]="core risk"
  [store]="core store"
  [engine]="core market indicators llm exchange agent risk store engine"
  [api]="core market indicators llm exchange agent risk store engine api"
  [app]="core market indicators llm exchange agent risk store engine api app"
)
status=0
for dir in "$root"/src/*/; do
  m=$(basename "$dir")
  if [ -z "${allowed[$m]+x}" ]; then
    echo "layering: module src/$m is not in scripts/check_layering.sh (add it with its allowed dependencies)"
    status=1
    continue
  fi
  while IFS= read -r line; do
    file=${line%%:*}
    rest=${line#*:}
    lineno=${rest%%:*}
    inc=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$rest")
    case " ${allowed[$m]} " in
      *" $inc "*) ;;
      *) echo "layering: ${file#"$root"/}:$lineno: $m may not include $inc/"; status=1 ;;
    esac
  done < <(grep -rnE '^\s*#\s*include "[a-z_]+/' "$dir" --include='*.hpp' --include='*.cpp' --include='*.h' || true)
done
[ $status -eq 0 ] && echo "layering: every include follows the module graph"
exit $status
