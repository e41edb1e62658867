#!/usr/bin/env bash
# The StripAccents normalizer against the Rust tokenizer: tests/cli/rust_strip_accents/
# expected.tsv holds npm tokenizers@0.23.2's ids and offsets on "a" + c + "b" for every mark
# (Unicode 9.0's, which Rust's is_combining_mark knows, and utf8proc's) and thousands of
# other code points, with variant.py's NFD + StripAccents variant of bert-base-uncased-fast
# (made by make_expected.sh). Every row's ids and offsets through the CLI must be Rust's.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
here=$TKA_SOURCE/tests/cli/rust_strip_accents
expected=$here/expected.tsv
"$TKA_PYTHON" "$here/variant.py" "$TKA_SHARED/data/tokenizers/bert-base-uncased-fast/tokenizer.json" \
  "$tmp/variant.json"
"$TKA_PYTHON" - "$expected" "$tmp/rows.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for line in open(sys.argv[1], encoding="utf-8"):
        if not line.startswith("#"):
            f.write(json.dumps({"text": "a" + chr(int(line.split("\t")[0], 16)) + "b"}) + "\n")
PY
"$T" encode --tokenizer "$tmp/variant.json" --offsets --input "$tmp/rows.jsonl" \
  --input-format jsonl --text-field text > "$tmp/out.jsonl" || bad "encode exited with status $?"
"$TKA_PYTHON" - "$expected" "$tmp/out.jsonl" <<'PY'
import json, sys
want = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
        if not l.startswith("#")]
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
ids_bad, offsets_bad, marks = [], [], 0
for (cp, ids, offsets), g in zip(want, got):
    if list(map(int, ids.split())) != g["input_ids"]:
        ids_bad.append("U+" + cp)
    elif [list(map(int, o.split(","))) for o in offsets.split()] != g["offsets"]:
        offsets_bad.append("U+" + cp)
    marks += ids.split() == ["101", "11113", "102"]  # "ab": the mark was dropped
matched = len(want) - len(ids_bad) - len(offsets_bad)
print(f"checked {len(want)} code points (written {len(got)}): matched {matched} "
      f"(Rust dropped the mark in {marks}), ids differ {len(ids_bad)}, "
      f"offsets differ {len(offsets_bad)}")
if ids_bad or offsets_bad:
    print("first differing:", " ".join(ids_bad[:5]), "|", " ".join(offsets_bad[:5]))
ok = len(got) == len(want) > 5000 and matched == len(want) and marks > 2000
sys.exit(0 if ok else 1)
PY
check_rc "StripAccents: every row's ids and offsets are the Rust tokenizer's" $?
finish
