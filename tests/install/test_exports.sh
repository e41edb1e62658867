#!/usr/bin/env bash
# The API surface of the shared library: its SONAME, and its exported symbols
# are exactly the functions the public headers declare (all tka_*: internal
# helpers stay hidden, and no public function lacks TKA_API); the umbrella
# header includes every public header and compiles on its own as C and C++.
# usage: test_exports.sh LIBTOKALIGN_SO CC SOURCE_INCLUDE_DIR BUILD_INCLUDE_DIR MAJOR
set -euo pipefail
lib=$1 cc=$2 inc=$3 gen_inc=$4 major=$5
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

# Every function the umbrella header declares (after preprocessing, so only
# what a user sees): an identifier tka_* directly followed by "(".
printf '#include "tokalign/tokalign.h"\n' > "$tmp/all.c"
"$cc" -E -P -I "$inc" -I "$gen_inc" "$tmp/all.c" | grep -o '\btka_[A-Za-z0-9_]*[[:space:]]*(' \
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
echo "checked $(wc -l < "$tmp/exported") exported symbols, matched $(wc -l < "$tmp/declared") declared"
