#!/usr/bin/env bash
# The Rust tokenizer's answers on "a" + c + "b" for every code point c of the generated Unicode
# 8.0 table (tests/cli/rust_unicode8/expected.tsv, made by make_expected.sh with npm
# tokenizers@0.23.2 on bert-base-uncased-fast): through the CLI with that tokenizer.json and
# with bert-base-uncased --compat fast, every row's ids must be the Rust tokenizer's.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
expected=$TKA_SOURCE/tests/cli/rust_unicode8/expected.tsv
"$TKA_PYTHON" - "$expected" "$tmp/rows.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for line in open(sys.argv[1], encoding="utf-8"):
        if not line.startswith("#"):
            f.write(json.dumps({"text": "a" + chr(int(line.split("\t")[0], 16)) + "b"}) + "\n")
PY
for how in "--tokenizer $TKA_SHARED/data/tokenizers/bert-base-uncased-fast/tokenizer.json" \
           "--tokenizer bert-base-uncased --compat fast"; do
  # shellcheck disable=SC2086
  "$T" encode $how --input "$tmp/rows.jsonl" --input-format jsonl --text-field text \
    > "$tmp/out.jsonl" || bad "$how: encode exited with status $?"
  res=$("$TKA_PYTHON" - "$expected" "$tmp/out.jsonl" <<'PY'
import json, sys
want = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if not l.startswith("#")]
got = [json.loads(l)["input_ids"] for l in open(sys.argv[2], encoding="utf-8")]
bad = ["U+" + cp for (cp, ids), g in zip(want, got) if list(map(int, ids.split())) != g]
print(len(want), len(got), len(want) - len(bad), " ".join(bad[:5]))
PY
)
  read -r n n_got matched first_bad <<< "$res"
  if [ "$n" = "$n_got" ] && [ "$n" = "$matched" ] && [ "$n" -gt 500 ]; then
    ok "$how: checked $n, matched $matched"
  else
    bad "$how: checked $n (written $n_got), matched $matched; first differing: $first_bad"
  fi
done
finish
