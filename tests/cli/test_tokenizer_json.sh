#!/usr/bin/env bash
# tokenizer.json through the CLI: every golden row of ../shared/golden/tokenizer_json via
# `encode` (ids, type ids, masks, offsets; with and without special tokens, pairs) and
# `decode` (with and without --skip-special-tokens), with --threads 2; a GPT-2 directory
# (vocab.json + merges.txt) against the tokenizer.json HF builds from it; --compat fast
# choosing tokenizer.json beside a vocab.txt; errors naming the file and JSON path.
set -euo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
G=$TKA_SHARED/golden/tokenizer_json
D=$TKA_SHARED/data/tokenizers

# MODEL's golden rows (every set), add_special_tokens true, then false, through the CLI with
# --threads 2 (tests/tools/tj_compare.py).
golden_rows() {
  "$TKA_PYTHON" - "$TKA_SOURCE/tests/tools" "$T" "$G/$1" "$D/$1/tokenizer.json" "$1" "$tmp" <<'PY'
import glob, os, sys
sys.path.insert(0, sys.argv[1])
import tj_compare as C
tokalign, golden, tj, model, tmp = sys.argv[2:7]
rows = []
for path in sorted(glob.glob(golden + ".*.jsonl")):
    for r in C.read_jsonl(path):
        r["_set"] = os.path.basename(path).split(".")[-2]
        rows.append(r)
failed = False
for sp in (True, False):
    want = [r for r in rows if r["add_special_tokens"] == sp]
    run = C.run_cli(tokalign, tj, want, sp, tmp, ["--threads", "2"])
    bad = ["%s:%d" % (w["_set"], w["i"]) for k, w in enumerate(want) if not C.row_matches(run, k, w)]
    written = (len(run.enc), len(run.dec or []), len(run.decs or []))
    good = not bad and written == (len(want),) * 3
    print("%s %s add_special_tokens=%s: checked %d, matched %d%s" % (
        "ok  " if good else "FAIL", model, str(sp).lower(), len(want), len(want) - len(bad),
        "" if good else ", written %d/%d/%d, first differing rows %s" % (written + (bad[:5],))))
    failed = failed or not good
sys.exit(1 if failed else 0)
PY
}
for model in bert-base-uncased-fast gpt2 qwen3 llama3 llama2 t5-style-unigram; do
  check_cmd "$model: every golden row" golden_rows "$model"
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
case "$msg" in *bad.json*normalizer*Lowercase2*) ok "unknown normalizer named with its path";;
  *) bad "unknown normalizer message: $msg";; esac
printf '{"model": {"type": "BPE", "vocab": {}, ' > "$tmp/trunc.json"
set +e
msg=$(echo hi | $T tokenize --tokenizer "$tmp/trunc.json" 2>&1); rc=$?
set -e
case "$msg" in *trunc.json*line*) ok "truncated JSON: $msg";;
  *) bad "truncated JSON message: $msg";; esac

finish
