# Sourced by the tests/cli/*/make_expected.sh scripts (not run by the suite: they need node
# and npm tokenizers on NODE_PATH): the paths they use (here: the script's folder, src: the
# source tree, shared: $1 or ../shared beside it), the oracle's version, a scratch directory
# removed on exit, and the row writer of the Unicode-version sets.
# shellcheck shell=bash disable=SC2034 # (the variables set here are for the scripts that source it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
shared=${1:-$src/../shared}
: "${NODE_PATH:?set NODE_PATH to a node_modules holding tokenizers@0.23.2${ORACLE_ALSO:+ and $ORACLE_ALSO}}"
version=$(node -e "console.log(require('tokenizers/package.json').version)")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# unicode_rows_expected MODEL...: the Rust tokenizer's ids and offsets (tj_oracle.js) and word
# ids (word_ids_oracle.js) on $tmp/rows.jsonl through each model's tokenizer.json ($tmp/MODEL.json
# when the script made a variant there, else the shared file), written to $here/expected.tsv.gz
# as tests/cli/tj_unicode_rows.sh reads it.
unicode_rows_expected() {
  local m tj
  for m in "$@"; do
    tj=$shared/data/tokenizers/$m/tokenizer.json
    [ -f "$tmp/$m.json" ] && tj=$tmp/$m.json
    node "$shared/oracle/tokenizer_json/tj_oracle.js" "$tj" "$tmp/rows.jsonl" "$tmp/$m.tj.jsonl"
    node "$src/tests/python/oracle/word_ids_oracle.js" "$tj" "$tmp/rows.jsonl" "$tmp/$m.w.jsonl"
  done
  /usr/bin/python3 - "$tmp" "$version" "${here#"$src"/}/make_expected.sh" "$@" <<'PY' |
import json, sys
tmp, version, script, models = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
print("# made by %s: npm tokenizers@%s, no special tokens;"
      " model, text (JSON), ids, offsets (code points), word ids" % (script, version))
rows = [json.loads(l)["text"] for l in open(tmp + "/rows.jsonl", encoding="utf-8")]
for m in models:
    tj = [json.loads(l) for l in open("%s/%s.tj.jsonl" % (tmp, m), encoding="utf-8")]
    wi = [json.loads(l) for l in open("%s/%s.w.jsonl" % (tmp, m), encoding="utf-8")]
    for text, t, w in zip(rows, tj, wi):
        assert "error" not in t and "error" not in w and w["ids"][0] == t["ids"], (m, text)
        print("\t".join([m, json.dumps(text), " ".join(map(str, t["ids"])),
                         " ".join("%d-%d" % tuple(o) for o in t["offsets"]),
                         " ".join(str(x) for x in w["word_ids"][0])]))
PY
    gzip -9n > "$here/expected.tsv.gz"
  echo "wrote $(gzip -dc "$here/expected.tsv.gz" | grep -vc '^#') rows to $here/expected.tsv.gz"
}
