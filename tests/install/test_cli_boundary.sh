#!/usr/bin/env bash
# The CLI is a client of the public API: with exactly the include path the
# CLI is compiled with, the public headers, the CLI's own headers and the
# four core helpers it shares (io.h, json_write.h, lines.h, cacheline.h)
# compile, and every other internal header of src/ is out of reach.
# usage: test_cli_boundary.sh CC SOURCE_DIR INCLUDE_DIR...
set -uo pipefail
cc=$1 src=$2
shift 2
flags=()
for d in "$@"; do flags+=(-I "$d"); done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
allowed="core/io.h core/json_write.h core/lines.h core/cacheline.h"

try() { # try HEADER: 0 when a file including it compiles with the CLI's flags
  printf '#include "%s"\n' "$1" > "$tmp/probe.c"
  "$cc" -std=c11 -fsyntax-only "${flags[@]}" "$tmp/probe.c" > "$tmp/log" 2>&1
}

for h in tokalign/tokalign.h $allowed $(cd "$src/src" && ls cli/*.h); do
  if try "$h"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $h not reachable"; cat "$tmp/log"; fi
done
for h in $(cd "$src/src" && find . -name '*.h' -not -path './cli/*' | sed 's|^\./||' | sort); do
  case " $allowed " in *" $h "*) continue ;; esac
  if try "$h"; then
    fail=$((fail + 1)); echo "FAIL: the CLI can include internal header $h"
  elif grep -q "$h.*No such file" "$tmp/log"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: $h: unexpected error"; cat "$tmp/log"
  fi
done
echo "checked $((pass + fail)), matched $pass"
[ "$fail" -eq 0 ] && [ "$pass" -gt 10 ]
