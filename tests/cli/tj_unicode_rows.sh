#!/usr/bin/env bash
# shellcheck disable=SC2154  # tmp, T and TKA_PYTHON come from lib.sh, sourced first
# Sourced by test_tj_unicode15.sh and test_tj_unicode16.sh (after lib.sh): check_rows
# EXPECTED MIN_ROWS MODEL:TOKENIZER_JSON... encodes each model's rows of EXPECTED (a gzipped
# TSV made by the Rust tokenizer: model, text as JSON, ids, offsets, word ids) through the
# CLI without special tokens and requires every row's ids, offsets and word ids to be the
# Rust tokenizer's, with at least MIN_ROWS rows for each model; prints the counts.
check_rows() {
  local expected=$1 min=$2 entry m tj res n n_got n_cp ok_ids ok_offsets ok_words first
  shift 2
  for entry in "$@"; do
    m=${entry%%:*} tj=${entry#*:}
    "$TKA_PYTHON" - "$expected" "$m" "$tmp/$m.jsonl" <<'PY'
import gzip, json, sys
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for line in gzip.open(sys.argv[1], "rt", encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if not line.startswith("#") and cols[0] == sys.argv[2]:
            f.write(json.dumps({"text": json.loads(cols[1])}) + "\n")
PY
    "$T" encode --tokenizer "$tj" --input "$tmp/$m.jsonl" \
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
    if [ "$n" = "$n_got" ] && [ "$n" -ge "$min" ] && [ "$n" = "$ok_ids" ] &&
       [ "$n" = "$ok_offsets" ] && [ "$n" = "$ok_words" ]; then
      ok "$m: $n rows over $n_cp code points; ids, offsets and word ids all match"
    else
      bad "$m: $n rows (written $n_got); matching ids $ok_ids, offsets $ok_offsets, word ids $ok_words; first differing: $first"
    fi
  done
}
