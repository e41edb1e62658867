#!/usr/bin/env bash
# tokenizer.json through the CLI: every golden row of ../shared/golden/tokenizer_json via
# `encode` (ids, type ids, masks, offsets; with and without special tokens, pairs) and
# `decode` (with and without --skip-special-tokens), with --threads 2; a GPT-2 directory
# (vocab.json + merges.txt) against the tokenizer.json HF builds from it; --compat fast
# choosing tokenizer.json beside a vocab.txt; errors naming the file and JSON path.
set -euo pipefail
: "${TOKALIGN:?}" "${TKA_SHARED:?}" "${TKA_PYTHON:?}"
T=$TOKALIGN
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name expected actual
  if [ "$2" == "$3" ]; then echo "ok   $1"; else
    echo "FAIL $1"; echo "  expected: $2"; echo "  actual:   $3"; fail=1; fi
}
G=$TKA_SHARED/golden/tokenizer_json
D=$TKA_SHARED/data/tokenizers

for model in bert-base-uncased-fast gpt2 qwen3 llama3 llama2 t5-style-unigram; do
  for specials in true false; do
    "$TKA_PYTHON" -c '
import glob, json, os, sys
want = sys.argv[1] == "true"
for path in sorted(glob.glob(sys.argv[2] + ".*.jsonl")):
    for l in open(path, encoding="utf-8"):
        r = json.loads(l)
        if r["add_special_tokens"] == want:
            r["_set"] = os.path.basename(path).split(".")[-2]
            print(json.dumps(r, ensure_ascii=False))' "$specials" "$G/$model" > "$tmp/rows.jsonl"
    flag=""; [ "$specials" = false ] && flag="--no-special-tokens"
    $T encode --tokenizer "$D/$model/tokenizer.json" --input "$tmp/rows.jsonl" \
       --input-format jsonl --text-field text --pair-field pair --offsets --threads 2 \
       $flag > "$tmp/enc.jsonl"
    $T encode --tokenizer "$D/$model/tokenizer.json" --input "$tmp/rows.jsonl" \
       --input-format jsonl --text-field text --pair-field pair --output-format ids \
       $flag > "$tmp/ids.txt"
    $T decode --tokenizer "$D/$model/tokenizer.json" --input "$tmp/ids.txt" > "$tmp/dec.jsonl"
    $T decode --tokenizer "$D/$model/tokenizer.json" --input "$tmp/ids.txt" \
       --skip-special-tokens > "$tmp/decs.jsonl"
    result=$("$TKA_PYTHON" - "$tmp/rows.jsonl" "$tmp/enc.jsonl" "$tmp/dec.jsonl" "$tmp/decs.jsonl" "$model" <<'PY'
import json, sys
rd = lambda p: [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
want, enc, dec, decs = (rd(p) for p in sys.argv[1:5])
bad = []
for w, e, d, s in zip(want, enc, dec, decs):
    ok = (e["input_ids"] == w["ids"] and e["token_type_ids"] == w["type_ids"]
          and e["attention_mask"] == w["attention_mask"]
          and e["special_tokens_mask"] == w["special_tokens_mask"]
          and e["offsets"] == w["offsets"] and d["text"] == w["decoded"]
          and s["text"] == w["decoded_skip"])
    if not ok:
        bad.append("%s:%d" % (w["_set"], w["i"]))
n = len(want)
print(n, len(enc), len(dec), len(decs), n - len(bad), bad[:5])
PY
)
    read -r n n_enc n_dec n_decs matched bad <<<"$result"
    if [ "$n" = "$n_enc" ] && [ "$n" = "$n_dec" ] && [ "$n" = "$n_decs" ] && [ "$n" = "$matched" ]; then
      echo "ok   $model add_special_tokens=$specials: checked $n, matched $matched"
    else
      echo "FAIL $model add_special_tokens=$specials: checked $n, matched $matched (written $n_enc/$n_dec/$n_decs), first differing rows $bad"
      fail=1
    fi
  done
done

# GPT-2's slow files open like the tokenizer.json built from them.
mkdir "$tmp/gpt2slow"
cp "$D/gpt2/vocab.json" "$D/gpt2/merges.txt" "$tmp/gpt2slow/"
a=$(head -200 "$TKA_SHARED/data/corpora/botchan.txt" | $T tokenize --tokenizer "$tmp/gpt2slow" | md5sum)
b=$(head -200 "$TKA_SHARED/data/corpora/botchan.txt" | $T tokenize --tokenizer "$D/gpt2/tokenizer.json" | md5sum)
check "gpt2 vocab.json + merges.txt = tokenizer.json on 200 botchan lines" "$b" "$a"
out=$(echo 'Hello world<|endoftext|>' | $T tokenize --tokenizer "$tmp/gpt2slow")
check "gpt2 directory" '{"tokens": ["Hello", "Ġworld", "<|endoftext|>"], "ids": [15496, 995, 50256]}' "$out"

# A directory with vocab.txt and tokenizer.json: slow by default, tokenizer.json with --compat fast.
mkdir "$tmp/both"
cp "$TKA_SHARED/data/vocab/bert-base-uncased/vocab.txt" "$D/bert-base-uncased-fast/tokenizer.json" "$tmp/both/"
# U+0378 (unassigned): the slow BertTokenizer drops it, the Rust one keeps it.
out=$(printf 'a\xcd\xb8b\n' | $T tokenize --tokenizer "$tmp/both")
check "directory with both: vocab.txt (slow) by default" '{"tokens": ["ab"], "ids": [11113]}' "$out"
out=$(printf 'a\xcd\xb8b\n' | $T tokenize --tokenizer "$tmp/both" --compat fast)
check "directory with both: --compat fast" '{"tokens": ["[UNK]"], "ids": [100]}' "$out"

# The file's truncation / padding sections (expected: npm tokenizers@0.23.2 on the same file).
"$TKA_PYTHON" - "$D/llama2/tokenizer.json" "$tmp/l2pad.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
j["truncation"] = {"direction": "Right", "max_length": 4, "strategy": "LongestFirst", "stride": 0}
j["padding"] = {"strategy": {"Fixed": 6}, "direction": "Left", "pad_to_multiple_of": None,
                "pad_id": 0, "pad_type_id": 0, "pad_token": "<unk>"}
json.dump(j, open(sys.argv[2], "w", encoding="utf-8"))
PY
out=$(printf 'Hello world again and again\nHi\n' | $T encode --tokenizer "$tmp/l2pad.json" --offsets)
check "file truncation + left padding" '{"input_ids": [0, 0, 1, 22557, 1526, 1076], "token_type_ids": [0, 0, 0, 0, 0, 0], "attention_mask": [0, 0, 1, 1, 1, 1], "special_tokens_mask": [1, 1, 1, 0, 0, 0], "offsets": [[0, 0], [0, 0], [0, 0], [0, 5], [5, 11], [11, 17]]}
{"input_ids": [0, 0, 0, 0, 1, 15359], "token_type_ids": [0, 0, 0, 0, 0, 0], "attention_mask": [0, 0, 0, 0, 1, 1], "special_tokens_mask": [1, 1, 1, 1, 1, 0], "offsets": [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 2]]}' "$out"
out=$(printf '{"text": "Hello world again and again", "pair": "and a second one here"}\n' | $T encode --tokenizer "$tmp/l2pad.json" --input-format jsonl --pair-field pair)
check "file truncation of a pair" '{"input_ids": [0, 0, 1, 22557, 1, 304], "token_type_ids": [0, 0, 0, 0, 1, 1], "attention_mask": [0, 0, 1, 1, 1, 1], "special_tokens_mask": [1, 1, 1, 0, 1, 0]}' "$out"

# pipeline: tokenizer.json rows padded with its [PAD].
printf 'sentence\tlabel\nHello world\t1\nAnother, longer sentence here!\t0\nx\t1\n' > "$tmp/p.tsv"
$T pipeline --data "$tmp/p.tsv" --tokenizer "$D/bert-base-uncased-fast/tokenizer.json" --dump "$tmp/p.json" > /dev/null 2>&1
out=$("$TKA_PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print([e["data"] for e in d["entries"] if e["key"] == "dataloader_0_input_ids"][0])' "$tmp/p.json")
check "pipeline with a tokenizer.json" '[[101, 7592, 2088, 102, 0, 0, 0, 0], [101, 2178, 1010, 2936, 6251, 2182, 999, 102], [101, 1060, 102, 0, 0, 0, 0, 0]]' "$out"

# Bad input: file and JSON path in the message, non-zero exit.
printf '{"model": {"type": "BPE", "vocab": {}, "merges": []}, "normalizer": {"type": "Lowercase2"}}' > "$tmp/bad.json"
set +e
msg=$(echo hi | $T tokenize --tokenizer "$tmp/bad.json" 2>&1); rc=$?
set -e
check "unknown normalizer type exits non-zero" 1 "$([ $rc -ne 0 ] && echo 1 || echo 0)"
case "$msg" in *bad.json*normalizer*Lowercase2*) echo "ok   unknown normalizer named with its path";;
  *) echo "FAIL unknown normalizer message: $msg"; fail=1;; esac
printf '{"model": {"type": "BPE", "vocab": {}, ' > "$tmp/trunc.json"
set +e
msg=$(echo hi | $T tokenize --tokenizer "$tmp/trunc.json" 2>&1); rc=$?
set -e
case "$msg" in *trunc.json*line*) echo "ok   truncated JSON: $msg";;
  *) echo "FAIL truncated JSON message: $msg"; fail=1;; esac

exit $fail
