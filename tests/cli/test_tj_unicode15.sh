#!/usr/bin/env bash
# The Rust tokenizer's answers (tests/cli/tj_unicode15/expected.tsv.gz, made by
# make_expected.sh with npm tokenizers@0.23.2) on the code points assigned in Unicode 15.0
# that PCRE2 10.42's Unicode 14.0 tables leave unassigned, three texts each, through the
# gpt2, llama3 and qwen3 tokenizer.json files: every row's ids, offsets and word ids must be
# the Rust tokenizer's (tj_regex.c widens \p{..} classes with these code points).
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
expected=$TKA_SOURCE/tests/cli/tj_unicode15/expected.tsv.gz
for m in gpt2 llama3 qwen3; do
  "$TKA_PYTHON" - "$expected" "$m" "$tmp/$m.jsonl" <<'PY'
import gzip, json, sys
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for line in gzip.open(sys.argv[1], "rt", encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if not line.startswith("#") and cols[0] == sys.argv[2]:
            f.write(json.dumps({"text": json.loads(cols[1])}) + "\n")
PY
  "$T" encode --tokenizer "$TKA_SHARED/data/tokenizers/$m/tokenizer.json" --input "$tmp/$m.jsonl" \
    --input-format jsonl --text-field text --no-special-tokens --offsets --word-ids \
    > "$tmp/$m.out.jsonl" || bad "$m: encode exited with status $?"
  res=$("$TKA_PYTHON" - "$expected" "$m" "$tmp/$m.out.jsonl" <<'PY'
import gzip, json, sys
want = [l.rstrip("\n").split("\t") for l in gzip.open(sys.argv[1], "rt", encoding="utf-8")
        if not l.startswith("#") and l.split("\t")[0] == sys.argv[2]]
got = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8")]
cps = {ord(c) for _, text, *_ in want for c in json.loads(text) if ord(c) > 0x7F}
bad = {"ids": [], "offsets": [], "word_ids": []}
for (_, text, ids, offs, words), g in zip(want, got):
    if list(map(int, ids.split())) != g["input_ids"]:
        bad["ids"].append(text)
    if [list(map(int, o.split("-"))) for o in offs.split()] != g["offsets"]:
        bad["offsets"].append(text)
    if [None if w == "None" else int(w) for w in words.split()] != g["word_ids"]:
        bad["word_ids"].append(text)
print(len(want), len(got), len(cps), " ".join("%d" % (len(want) - len(v)) for v in bad.values()),
      " ".join(t for v in bad.values() for t in v[:2]) or "-")
PY
)
  read -r n n_got n_cp ok_ids ok_offsets ok_words first <<< "$res"
  if [ "$n" = "$n_got" ] && [ "$n" -gt 13000 ] && [ "$n" = "$ok_ids" ] && [ "$n" = "$ok_offsets" ] &&
     [ "$n" = "$ok_words" ]; then
    ok "$m: $n rows over $n_cp code points; ids, offsets and word ids all match"
  else
    bad "$m: $n rows (written $n_got); matching ids $ok_ids, offsets $ok_offsets, word ids $ok_words; first differing: $first"
  fi
done
finish
