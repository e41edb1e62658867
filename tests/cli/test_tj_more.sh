#!/usr/bin/env bash
# tokenizer.json components checked against the Rust tokenizer (npm tokenizers@0.23.2) on
# small hand-made files in tests/cli/tj_more/: NAME.json, NAME.in.jsonl (rows as tj_oracle.js
# reads them) and NAME.expected.jsonl (the oracle's answers, made with
# ../shared/oracle/tokenizer_json/tj_oracle.js). Every row through `encode --offsets`
# and `decode` (with and without --skip-special-tokens).
set -euo pipefail
: "${TOKALIGN:?}" "${TKA_SOURCE:?}" "${TKA_PYTHON:?}"
T=$TOKALIGN
F=$TKA_SOURCE/tests/cli/tj_more
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name expected actual
  if [ "$2" == "$3" ]; then echo "ok   $1"; else
    echo "FAIL $1"; echo "  expected: $2"; echo "  actual:   $3"; fail=1; fi
}

# NAME: rows with add_special_tokens true, then false, each through the CLI.
oracle_rows() {
  local name=$1
  for specials in true false; do
    "$TKA_PYTHON" -c '
import json, sys
want = sys.argv[1] == "true"
ins = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
exp = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8") if l.strip()]
with open(sys.argv[4], "w", encoding="utf-8") as a, open(sys.argv[5], "w", encoding="utf-8") as b:
    for r, e in zip(ins, exp):
        if r["add_special_tokens"] == want:
            a.write(json.dumps(r, ensure_ascii=False) + "\n")
            b.write(json.dumps(e, ensure_ascii=False) + "\n")' \
      "$specials" "$F/$name.in.jsonl" "$F/$name.expected.jsonl" "$tmp/rows.jsonl" "$tmp/want.jsonl"
    [ -s "$tmp/rows.jsonl" ] || continue
    flag=""; [ "$specials" = false ] && flag="--no-special-tokens"
    $T encode --tokenizer "$F/$name.json" --input "$tmp/rows.jsonl" --input-format jsonl \
       --text-field text --pair-field pair --offsets $flag > "$tmp/enc.jsonl"
    $T encode --tokenizer "$F/$name.json" --input "$tmp/rows.jsonl" --input-format jsonl \
       --text-field text --pair-field pair --output-format ids $flag > "$tmp/ids.txt"
    $T decode --tokenizer "$F/$name.json" --input "$tmp/ids.txt" > "$tmp/dec.jsonl"
    $T decode --tokenizer "$F/$name.json" --input "$tmp/ids.txt" --skip-special-tokens \
       > "$tmp/decs.jsonl"
    result=$("$TKA_PYTHON" - "$tmp/want.jsonl" "$tmp/enc.jsonl" "$tmp/dec.jsonl" "$tmp/decs.jsonl" <<'PY'
import json, sys
rd = lambda p: [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
want, enc, dec, decs = (rd(p) for p in sys.argv[1:5])
bad = [i for i, (w, e, d, s) in enumerate(zip(want, enc, dec, decs))
       if not (e["input_ids"] == w["ids"] and e["token_type_ids"] == w["type_ids"]
               and e["attention_mask"] == w["attention_mask"]
               and e["special_tokens_mask"] == w["special_tokens_mask"]
               and e["offsets"] == w["offsets"] and d["text"] == w["decoded"]
               and s["text"] == w["decoded_skip"])]
if len(enc) != len(want):
    bad.append("count %d != %d" % (len(enc), len(want)))
print("checked %d, matched %d%s" % (len(want), len(want) - len(bad), "" if not bad else " bad rows: %s" % bad[:10]))
PY
)
    n=$(wc -l < "$tmp/want.jsonl")
    check "$name add_special_tokens=$specials" "checked $n, matched $n" "$result"
  done
}

# UnicodeScripts: cuts where the script changes, spaces join either side, leading spaces
# dropped, Hiragana / Katakana / U+30FC as Han, code points after Unicode 9.0 as "Any".
oracle_rows scripts

# NAME.in.jsonl through `encode --batch-size BATCH --offsets [options]` against
# NAME.EXPECTED.expected.jsonl, made by oracle_more.js (encodeBatch in runs of BATCH rows,
# with the overflow encodings).
oracle_batch() { # label name expected batch [options]
  local label=$1 name=$2 expected=$3 batch=$4
  shift 4
  local bs=(--batch-size "$batch")
  # 0: the default batch (1000 rows, here the whole input); 1: no padding, row by row
  [ "$batch" = 0 ] || [ "$batch" = 1 ] && bs=()
  $T encode --tokenizer "$F/$name.json" --input "$F/$name.in.jsonl" --input-format jsonl \
     --text-field text --pair-field pair --offsets "${bs[@]}" "$@" > "$tmp/enc.jsonl"
  result=$("$TKA_PYTHON" - "$F/$name.$expected.expected.jsonl" "$tmp/enc.jsonl" <<'PY'
import json, sys
rd = lambda p: [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
want, enc = rd(sys.argv[1]), rd(sys.argv[2])
same = lambda w, e: (e["input_ids"] == w["ids"] and e["token_type_ids"] == w["type_ids"]
                     and e["attention_mask"] == w["attention_mask"]
                     and e["special_tokens_mask"] == w["special_tokens_mask"]
                     and e["offsets"] == w["offsets"])
bad = [i for i, (w, e) in enumerate(zip(want, enc))
       if not same(w, e) or len(e.get("overflowing", [])) != len(w["overflowing"])
       or not all(same(a, b) for a, b in zip(w["overflowing"], e.get("overflowing", [])))]
if len(enc) != len(want):
    bad.append("count %d != %d" % (len(enc), len(want)))
print("checked %d, matched %d%s" % (len(want), len(want) - len(bad), "" if not bad else " bad rows: %s" % bad[:10]))
PY
)
  n=$(wc -l < "$F/$name.$expected.expected.jsonl")
  check "$label" "checked $n, matched $n" "$result"
}

# The file's BatchLongest padding (left, pad id 1, pad type id 2, multiple of 3): each batch
# padded to its longest, as encodeBatch does.
oracle_batch "BatchLongest, batches of 3" pad b3 3
oracle_batch "BatchLongest, the default batch" pad b0 0

# Truncation with stride and the overflow encodings (Encoding::truncate windows, the
# post-processor on each, Encoding::merge_with's order for pairs; the model stopping at
# max_length tokens): the CLI's options, and the file's own truncation section (direction
# Left, stride 1). Rows with and without special tokens (one run each).
oracle_ovf() { # label name expected [options]
  local label=$1 name=$2 expected=$3
  shift 3
  for specials in true false; do
    "$TKA_PYTHON" -c '
import json, sys
keep = sys.argv[3] == "true"
with open(sys.argv[4], "w") as a, open(sys.argv[5], "w") as b:
    for l, e in zip(open(sys.argv[1], encoding="utf-8"), open(sys.argv[2], encoding="utf-8")):
        if json.loads(l)["add_special_tokens"] == keep:
            a.write(l)
            b.write(e)' "$F/ovf.in.jsonl" "$F/$name.$expected.expected.jsonl" "$specials" \
      "$tmp/sub.in.jsonl" "$tmp/sub.expected.jsonl"
    flag=""; [ "$specials" = false ] && flag="--no-special-tokens"
    mkdir -p "$tmp/ovf"
    cp "$F/$name.json" "$tmp/ovf/sub.json"
    cp "$tmp/sub.in.jsonl" "$tmp/ovf/sub.in.jsonl"
    cp "$tmp/sub.expected.jsonl" "$tmp/ovf/sub.x.expected.jsonl"
    F_SAVE=$F; F=$tmp/ovf
    oracle_batch "$label, add_special_tokens=$specials" sub x 1 --overflow $flag "$@"
    F=$F_SAVE
  done
}
oracle_ovf "overflow, longest_first 12, stride 2" ovf lf12s2 --max-length 12 \
  --truncation longest_first --stride 2
oracle_ovf "overflow, longest_first 9, stride 0" ovf lf9s0 --max-length 9 \
  --truncation longest_first
oracle_ovf "overflow, the file's Left truncation, stride 1" ovf_left file
# TemplateProcessing with type ids 2 / 3: the overflow pieces keep the model's 0 / 1.
oracle_ovf "overflow, template type ids" ovf_types lf12s2 --max-length 12 \
  --truncation longest_first --stride 2

# --tokenizer NAME: a fake HuggingFace hub cache (HOME in a temp dir). A snapshot with only
# tokenizer.json opens it; one with tokenizer.json and vocab.txt keeps the slow WordPiece
# default, --compat fast picks tokenizer.json; the mirror's tokenizers/NAME too.
hub=$tmp/home/.cache/huggingface/hub
mkdir -p "$hub/models--org--tiny/snapshots/abc" "$hub/models--org--both/snapshots/def" \
         "$hub/models--org--tiny/refs" "$tmp/mirror/tokenizers/mirrored"
echo abc > "$hub/models--org--tiny/refs/main"
ln -s "$F/scripts.json" "$hub/models--org--tiny/snapshots/abc/tokenizer.json"
cp "$F/scripts.json" "$hub/models--org--both/snapshots/def/tokenizer.json"
cp "$F/scripts.json" "$tmp/mirror/tokenizers/mirrored/tokenizer.json"
printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nyes\n' > "$hub/models--org--both/snapshots/def/vocab.txt"
run_name() { # NAME [options]: tokenize "Yes。" with only the fake caches visible
  echo 'Yes。' | env -u HF_HUB_CACHE -u HUGGINGFACE_HUB_CACHE -u HF_HOME -u PPNLP_HOME \
    -u TOKALIGN_CACHE -u XDG_CACHE_HOME HOME="$tmp/home" TOKALIGN_MIRROR="$tmp/mirror" \
    "$T" tokenize --tokenizer "$@" 2>&1
}
check "hub name, tokenizer.json only" '{"tokens": ["Yes", "。"], "ids": [3, 4]}' \
  "$(run_name org/tiny)"
check "hub name, slow and fast files: slow default" '{"tokens": ["yes", "[UNK]"], "ids": [5, 1]}' \
  "$(run_name org/both)"
check "hub name, slow and fast files: --compat fast" '{"tokens": ["Yes", "。"], "ids": [3, 4]}' \
  "$(run_name org/both --compat fast)"
check "mirror tokenizers/NAME" '{"tokens": ["Yes", "。"], "ids": [3, 4]}' "$(run_name mirrored)"
check "unknown name" "tokalign tokenize: error: tokenizer 'org/none' not found" \
  "$(run_name org/none | cut -d: -f1-3)"

exit $fail
