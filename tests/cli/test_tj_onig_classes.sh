#!/usr/bin/env bash
# Oniguruma's \w, \W, \b, \h and \d against tokalign's spelling of them for PCRE2
# (tj_regex.c): the Rust tokenizer's ids and word ids (tests/cli/tj_onig_classes/
# expected.tsv.gz, made by make_expected.sh with npm tokenizers@0.23.2) for a Split on each
# pattern, on "a" c "b" for every code point below 256 and of the categories where the two
# \w differ (Nd among them). Every row must match.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
here=$TKA_SOURCE/tests/cli/tj_onig_classes
"$TKA_PYTHON" "$here/variants.py" "$TKA_SHARED/data/tokenizers/gpt2/tokenizer.json" "$tmp"
for p in w W b h d; do
  "$T" encode --tokenizer "$tmp/$p.json" --input "$tmp/rows.jsonl" --input-format jsonl \
    --text-field text --no-special-tokens --word-ids > "$tmp/$p.out.jsonl" || bad "$p: encode exited with status $?"
  res=$("$TKA_PYTHON" - "$here/expected.tsv.gz" "$p" "$tmp/rows.jsonl" "$tmp/$p.out.jsonl" <<'PY'
import gzip, json, sys
want = [l.rstrip("\n").split("\t") for l in gzip.open(sys.argv[1], "rt", encoding="utf-8")
        if not l.startswith("#") and l.split("\t")[0] == sys.argv[2]]
rows = ["%04X" % ord(json.loads(l)["text"][1]) for l in open(sys.argv[3], encoding="utf-8")]
got = [json.loads(l) for l in open(sys.argv[4], encoding="utf-8")]
assert [w[1] for w in want] == rows, "expected.tsv.gz is not for variants.py's rows: regenerate it"
bad = ["U+" + cp for (_, cp, ids, words), g in zip(want, got)
       if list(map(int, ids.split())) != g["input_ids"] or list(map(int, words.split())) != g["word_ids"]]
print(len(want), len(got), len(want) - len(bad), " ".join(bad[:5]) or "-")
PY
)
  read -r n n_got matched first <<< "$res"
  if [ "$n" = "$n_got" ] && [ "$n" = "$matched" ] && [ "$n" -gt 10000 ]; then
    ok "Split on pattern '$p': $n rows, ids and word ids all match"
  else
    bad "Split on pattern '$p': $n rows (written $n_got), matched $matched; first differing: $first"
  fi
done
finish
