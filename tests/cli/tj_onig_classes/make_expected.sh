#!/usr/bin/env bash
# Regenerates expected.tsv.gz: the Rust tokenizer (npm tokenizers@0.23.2, Oniguruma) with a
# Split on \w+, \W+, \b, \h+ and \d+ (gpt2's tokenizer.json with its pre-tokenizer
# replaced, made by variants.py) on "a" c "b" for every code point below 256 and of the
# categories where Oniguruma's \w and PCRE2's differ: ids and word ids
# (tests/python/oracle/word_ids_oracle.js).
# Not run by the suite (it needs node and npm):
#   (cd "$(mktemp -d)" && npm install --no-save tokenizers@0.23.2 && pwd)  # -> DIR
#   NODE_PATH=DIR/node_modules bash tests/cli/tj_onig_classes/make_expected.sh [SHARED]
# SHARED: the shared directory (default ../shared beside the source tree).
# shellcheck source=tests/cli/oracle_lib.sh
. "$(dirname "$0")/../oracle_lib.sh"
/usr/bin/python3 "$here/variants.py" "$shared/data/tokenizers/gpt2/tokenizer.json" "$tmp"
for p in w W b h d; do
  node "$src/tests/python/oracle/word_ids_oracle.js" "$tmp/$p.json" "$tmp/rows.jsonl" "$tmp/$p.out.jsonl"
done
/usr/bin/python3 - "$tmp" "$version" <<'PY' | gzip -9n > "$here/expected.tsv.gz"
import json, sys
tmp, version = sys.argv[1:]
print("# made by tests/cli/tj_onig_classes/make_expected.sh: npm tokenizers@%s, gpt2 with a Split"
      " on each pattern; pattern name (w W b h d), code point c of \"a\" c \"b\", ids, word ids" % version)
rows = [json.loads(l)["text"] for l in open(tmp + "/rows.jsonl", encoding="utf-8")]
for p in "wWbhd":
    for text, line in zip(rows, open("%s/%s.out.jsonl" % (tmp, p), encoding="utf-8")):
        o = json.loads(line)
        assert "error" not in o, (p, text)
        print("%s\t%04X\t%s\t%s" % (p, ord(text[1]), " ".join(map(str, o["ids"][0])),
                                    " ".join(map(str, o["word_ids"][0]))))
PY
echo "wrote $(gzip -dc "$here/expected.tsv.gz" | grep -vc '^#') rows to $here/expected.tsv.gz"
