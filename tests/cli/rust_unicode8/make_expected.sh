#!/usr/bin/env bash
# Regenerates expected.tsv: the Rust tokenizer (npm tokenizers@0.23.2 through
# ../shared/oracle/tokenizer_json/tj_oracle.js, bert-base-uncased-fast's tokenizer.json, special
# tokens added) on "a" + c + "b" for every code point c of src/tokenize/rust_unicode8_table.h.
# Not run by the suite (it needs node and npm):
#   (cd bench && npm install --no-save tokenizers@0.23.2)
#   NODE_PATH=bench/node_modules bash tests/cli/rust_unicode8/make_expected.sh [SHARED]
# SHARED: the shared directory (default ../shared beside the source tree).
# shellcheck source=tests/cli/oracle_lib.sh
. "$(dirname "$0")/../oracle_lib.sh"
python3 - "$src/src/tokenize/rust_unicode8_table.h" "$tmp/rows.jsonl" <<'PY'
import json, re, sys
# the 8.0 / 9.0 ranges only (the header also lists the 16.0 ones after them)
text = open(sys.argv[1], encoding="utf-8").read().split("rust8_ranges[]")[1].split("};")[0]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for a, b in re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+), [^}]*\}", text):
        for cp in range(int(a, 16), int(b, 16) + 1):
            f.write(json.dumps({"text": "a" + chr(cp) + "b", "add_special_tokens": True}) + "\n")
PY
node "$shared/oracle/tokenizer_json/tj_oracle.js" \
  "$shared/data/tokenizers/bert-base-uncased-fast/tokenizer.json" "$tmp/rows.jsonl" "$tmp/out.jsonl"
python3 - "$tmp/rows.jsonl" "$tmp/out.jsonl" "$version" > "$here/expected.tsv" <<'PY'
import json, sys
print("# made by tests/cli/rust_unicode8/make_expected.sh: npm tokenizers@%s, "
      "bert-base-uncased-fast, \"a\" + c + \"b\" with special tokens; code point, then ids" % sys.argv[3])
for r, o in zip(open(sys.argv[1], encoding="utf-8"), open(sys.argv[2], encoding="utf-8")):
    print("%04X\t%s" % (ord(json.loads(r)["text"][1]), " ".join(map(str, json.loads(o)["ids"]))))
PY
echo "wrote $(grep -vc '^#' "$here/expected.tsv") rows to $here/expected.tsv"
