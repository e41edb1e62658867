#!/usr/bin/env bash
# The Rust tokenizer's Unicode 8.0 view (src/tokenize/rust_unicode8_table.h) is exactly what
# scripts/gen_rust_unicode8.py makes from the npm package unicode-8.0.0 and the utf8proc
# linked here: regenerated and compared byte for byte, so it can never be a hand-edited list.
# The package (pinned version, integrity checked) is installed into the build tree on first
# use with npm (scripts/bootstrap.sh installs nodejs and npm).
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
: "${TKA_TEST_BIN:?}"
version=0.7.5
integrity=sha512-hN0pNtg7sA3MpQKvcu2oZOaMdv8QqfkqUfwARmGOolFJt0v5J+uxASggJRSInTodptXHi8nGnYJzsTqKCIWtXA==
prefix=$TKA_TEST_BIN/npm
pkg=$prefix/node_modules/unicode-8.0.0
for tool in node npm; do
  command -v $tool >/dev/null ||
    { bad "$tool not found (apt-get install nodejs npm, as scripts/bootstrap.sh does)"; finish; }
done
if [ ! -f "$pkg/package.json" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$prefix" "unicode-8.0.0@$version" >/dev/null ||
    { bad "npm install unicode-8.0.0@$version into $prefix"; finish; }
fi
got=$("$TKA_PYTHON" -c '
import json, sys
p = json.load(open(sys.argv[1]))["packages"]["node_modules/unicode-8.0.0"]
print(p["version"], p["integrity"])' "$prefix/node_modules/.package-lock.json")
check "unicode-8.0.0@$version installed, integrity as pinned" "$version $integrity" "$got"
[ "$got" == "$version $integrity" ] || finish
"$TKA_PYTHON" "$TKA_SOURCE/scripts/gen_rust_unicode8.py" "$pkg" "$tmp/table.h"
committed=$TKA_SOURCE/src/tokenize/rust_unicode8_table.h
if cmp -s "$tmp/table.h" "$committed"; then
  ok "src/tokenize/rust_unicode8_table.h is the generator's output ($(grep -o '[0-9]* ranges, [0-9]* code points' "$committed"))"
else
  bad "src/tokenize/rust_unicode8_table.h differs from scripts/gen_rust_unicode8.py's output:"
  diff "$committed" "$tmp/table.h" | head -20
fi
finish
