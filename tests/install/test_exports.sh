#!/usr/bin/env bash
# The API surface of the shared library: its SONAME, and its exported symbols
# are exactly the functions the public headers declare (all tka_*: internal
# helpers stay hidden, and no public function lacks TKA_API); the umbrella
# header includes every public header and compiles on its own as C and C++.
# The static library made for install defines exactly the same global
# symbols (its internal ones are local: no clash with a user's own names).
# usage: test_exports.sh LIBTOKALIGN_SO CC SOURCE_INCLUDE_DIR BUILD_INCLUDE_DIR MAJOR LIBTOKALIGN_A
set -euo pipefail
lib=$1 cc=$2 inc=$3 gen_inc=$4 major=$5 archive=$6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

soname=$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')
if [ "$soname" != "libtokalign.so.$major" ]; then
  echo "FAIL: SONAME is '$soname', expected libtokalign.so.$major"; fail=1
fi

nm -D --defined-only "$lib" | awk '{print $NF}' | sort -u > "$tmp/exported"
grep -v '^tka_' "$tmp/exported" > "$tmp/foreign" || true
if [ -s "$tmp/foreign" ]; then
  echo "FAIL: exported symbols without the tka_ prefix:"; sed 's/^/  /' "$tmp/foreign"; fail=1
fi

# The archive's global definitions (text, data, bss, read-only, weak, TLS...):
# any symbol nm -g lists as defined.
nm -g --defined-only "$archive" | awk 'NF == 3 {print $3}' | sort -u > "$tmp/archived"
if ! diff "$tmp/exported" "$tmp/archived" > "$tmp/delta"; then
  echo "FAIL: global definitions of $(basename "$archive") (>) differ from the shared library's exports (<):"
  grep '^[<>]' "$tmp/delta" | head -20; fail=1
fi

# Every function the umbrella header declares (after preprocessing, so only
# what a user sees): an identifier tka_* directly followed by "(" -- but not
# "(*", the return type of a function-pointer typedef.
printf '#include "tokalign/tokalign.h"\n' > "$tmp/all.c"
"$cc" -E -P -I "$inc" -I "$gen_inc" "$tmp/all.c" | grep -oP '\btka_\w+\s*\((?!\s*\*)' \
  | sed 's/[[:space:]]*($//' | sort -u > "$tmp/declared"
if ! diff "$tmp/declared" "$tmp/exported" > "$tmp/delta"; then
  echo "FAIL: declared (<) and exported (>) functions differ:"; grep '^[<>]' "$tmp/delta"; fail=1
fi

for h in "$inc"/tokalign/*.h; do
  name=tokalign/$(basename "$h")
  [ "$name" = tokalign/tokalign.h ] && continue
  grep -q "^#include \"$name\"" "$inc/tokalign/tokalign.h" ||
    { echo "FAIL: tokalign/tokalign.h does not include $name"; fail=1; }
done
"$cc" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -I "$inc" -I "$gen_inc" "$tmp/all.c" ||
  { echo "FAIL: the umbrella header does not compile as pedantic C11"; fail=1; }
if command -v c++ > /dev/null; then
  cp "$tmp/all.c" "$tmp/all.cpp"
  c++ -Wall -Wextra -Werror -fsyntax-only -I "$inc" -I "$gen_inc" "$tmp/all.cpp" ||
    { echo "FAIL: the umbrella header does not compile as C++"; fail=1; }
fi

[ $fail -eq 0 ] || exit 1
echo "checked $(wc -l < "$tmp/exported") exported symbols, matched $(wc -l < "$tmp/declared") declared" \
  "and $(wc -l < "$tmp/archived") global definitions in the static library"
