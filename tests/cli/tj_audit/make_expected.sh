#!/usr/bin/env bash
# Regenerates expected/NAME.jsonl: the Rust tokenizer (npm tokenizers@0.23.2, oracle_audit.js)
# on every variant of variants.py over its rows. Not run by the suite (it needs node and npm).
#   (cd bench && npm install --no-save tokenizers@0.23.2)
#   NODE_PATH=bench/node_modules bash tests/cli/tj_audit/make_expected.sh [MIRROR]
# MIRROR: the shared data directory (default $TOKALIGN_MIRROR, else ../shared/data).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=${1:-${TOKALIGN_MIRROR:-$here/../../../../shared/data}}
: "${NODE_PATH:?set NODE_PATH to a node_modules holding tokenizers@0.23.2}"
version=$(node -e "console.log(require('tokenizers/package.json').version)")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/variants.py" "$mirror/tokenizers" "$mirror/corpora" "$tmp"
mkdir -p "$here/expected"
rm -f "$here/expected/"*.jsonl
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    print(m["name"], m["kind"], json.dumps({k: v for k, v in m.items() if k not in ("name", "kind")}))' \
  "$tmp/manifest.jsonl" | while read -r name kind extra; do
  node "$here/oracle_audit.js" "$tmp/$name.json" "$tmp/rows.jsonl" "$tmp/$name.out" "$kind" "$extra"
  { printf '{"made_by": "tests/cli/tj_audit/make_expected.sh", "oracle": "npm tokenizers@%s via oracle_audit.js", "variant": "%s", "kind": "%s"}\n' \
      "$version" "$name" "$kind"
    cat "$tmp/$name.out"; } > "$here/expected/$name.jsonl"
done
echo "wrote $(ls "$here/expected" | wc -l) files to $here/expected"
