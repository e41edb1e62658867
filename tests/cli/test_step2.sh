#!/usr/bin/env bash
# The step-2 check on both sides where real ports go: the real Reformer model in the
# pipeline, fixed-length padding (--padding max_length / --pad-to-max-seq-len), and
# --order (one framework's batch order in the other's pipeline).
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
G=$TKA_SHARED/golden/pipeline

# 1. The Reformer step-2 pipeline on the real model (google/reformer-crime-and-punishment,
#    from_pretrained's tokenizer), both flavors, every batch: dataset items are the ids of
#    golden/tokenize/reformer.demo.jsonl (transformers 4.9.1 on demo.tsv), batches are those
#    ids padded with </s> (id 2) and attention_mask 0 to the longest row; both sides agree.
for side in torch paddle; do
  "$T" pipeline --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --pad-token '</s>' \
     --flavor $side --num-batches all --mirror --dump "$tmp/reformer_$side.npy" -q ||
    bad "reformer $side run"
done
cmp -s "$tmp/reformer_torch.npy" "$tmp/reformer_paddle.npy" &&
  ok "reformer (real model): torch and paddle dumps byte-identical" || bad "reformer: sides differ"
"$TKA_PYTHON" - "$tmp/reformer_torch.json" "$TKA_SHARED/golden/tokenize/reformer.demo.jsonl" <<'PY' &&
import json, sys
d = json.load(open(sys.argv[1]))
e = {x["key"]: x["data"] for x in d["entries"]}
gold = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
rows = d["meta"]["source_rows"]
assert len(gold) == 32 and e["length"] == 32
for i in range(5):
    assert e["dataset_%d_input_ids" % i] == gold[i]["ids"], i
    assert e["dataset_%d_attention_mask" % i] == [1] * len(gold[i]["ids"]), i
checked = 0
for b, idx in enumerate(d["meta"]["batch_indices"]):
    width = max(len(gold[i]["ids"]) for i in idx)
    assert e["dataloader_%d_input_ids" % b] == [gold[i]["ids"] + [2] * (width - len(gold[i]["ids"])) for i in idx], b
    assert e["dataloader_%d_attention_mask" % b] == [[1] * len(gold[i]["ids"]) + [0] * (width - len(gold[i]["ids"])) for i in idx], b
    for i in idx:
        assert rows[str(i)]["text"] == gold[i]["text"], i
    checked += len(idx)
assert checked == 32
print("reformer pipeline: checked 32 rows in 8 batches, matched 32")
PY
  ok "reformer (real model): items and batches = transformers 4.9.1's ids, padded with </s>" ||
  bad "reformer (real model): ids differ from reformer.demo.jsonl"

# encode follows from_pretrained too (special_tokens_mask stays 0: ReformerTokenizer adds no
# special tokens, and get_special_tokens_mask does not look at the ids); the bare .model is plain
out=$(printf 'a <unk> b</s>\n' | "$T" encode --tokenizer google/reformer-crime-and-punishment)
[ "$out" = '{"input_ids": [4, 0, 17, 2], "attention_mask": [1, 1, 1, 1], "special_tokens_mask": [0, 0, 0, 0]}' ] &&
  ok "encode, Reformer model: <unk> and </s> never split" || bad "encode, Reformer model: $out"
out=$(printf 'a <unk> b</s>\n' | "$T" encode --tokenizer "$TKA_SHARED/data/spm/reformer-crime-and-punishment/spiece.model" --output-format ids)
[ "$out" = '4 258 0 236 282 0 17 0 266 0' ] && ok "encode, bare spiece.model: plain sentencepiece" ||
  bad "encode, bare spiece.model: $out"

# 2. Fixed-length padding: every item padded to 128 when tokenizing, on both sides, byte for
#    byte the goldens (HF padding="max_length"; PaddleNLP max_seq_len=128,
#    pad_to_max_seq_len=True, given by PaddleNLP's own names too).
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --padding max_length --dump "$tmp/ml_torch.npy" -q &&
  cmp -s "$tmp/ml_torch.npy" "$G/bert_seq_bs4_maxlen128_torch.npy" &&
  ok "--padding max_length, torch = bert_seq_bs4_maxlen128_torch.npy" || bad "--padding max_length, torch"
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --flavor paddle --max-seq-len 128 \
   --pad-to-max-seq-len --dump "$tmp/ml_paddle.npy" -q &&
  cmp -s "$tmp/ml_paddle.npy" "$G/bert_seq_bs4_maxlen128_paddle.npy" &&
  ok "--max-seq-len 128 --pad-to-max-seq-len, paddle = bert_seq_bs4_maxlen128_paddle.npy" || bad "--pad-to-max-seq-len, paddle"
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --padding max_length --max-length 16 \
   --fields input_ids,token_type_ids,attention_mask --num-batches 1 --mirror --dump "$tmp/ml16.npy" -q
"$TKA_PYTHON" - "$tmp/ml16.json" <<'PY' && ok "--max-length 16: truncated, padded with [PAD]=0, attention_mask 0" || bad "--max-length 16 padding"
import json, sys
e = {x["key"]: x["data"] for x in json.load(open(sys.argv[1]))["entries"]}
assert e["dataset_1_input_ids"] == [101, 4895, 10258, 2378, 8450, 2135, 21657, 1998, 7143, 102, 0, 0, 0, 0, 0, 0], e["dataset_1_input_ids"]
assert e["dataset_1_attention_mask"] == [1] * 10 + [0] * 6
assert e["dataset_1_token_type_ids"] == [0] * 16
assert len(e["dataset_2_input_ids"]) == 16 and e["dataset_2_input_ids"][-1] == 102   # truncated, [SEP] kept
assert [len(r) for r in e["dataloader_0_input_ids"]] == [16] * 4
PY
"$T" pipeline --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --pad-token '</s>' \
   --padding max_length --max-length 12 --num-batches 1 --mirror --dump "$tmp/rml.npy" -q
"$TKA_PYTHON" - "$tmp/rml.json" "$TKA_SHARED/golden/tokenize/reformer.demo.jsonl" <<'PY' && ok "Reformer, --padding max_length 12: </s>-padded items" || bad "Reformer max_length padding"
import json, sys
e = {x["key"]: x["data"] for x in json.load(open(sys.argv[1]))["entries"]}
gold = [json.loads(l)["ids"] for l in open(sys.argv[2], encoding="utf-8")]
for i in range(5):
    ids = gold[i][:12]
    assert e["dataset_%d_input_ids" % i] == ids + [2] * (12 - len(ids)), i
    assert e["dataset_%d_attention_mask" % i] == [1] * len(ids) + [0] * (12 - len(ids)), i
PY
refuses() { # name exit-code message-fragment args...
  local name=$1 want_rc=$2 frag=$3; shift 3
  "$T" pipeline "$@" -q 2> "$tmp/err"; local rc=$?
  if [ $rc -eq "$want_rc" ] && grep -qF -- "$frag" "$tmp/err"; then ok "$name"; else
    bad "$name (exit $rc)"; cat "$tmp/err"; fi
}
refuses "--padding longest is not a tokenization-time padding" 2 "--padding expects none or max_length, got 'longest'" \
  --data "$DEMO" --tokenizer bert-base-uncased --padding longest --dump "$tmp/x.npy"
refuses "--padding max_length needs a length" 2 "--padding max_length needs a length" \
  --data "$DEMO" --tokenizer bert-base-uncased --padding max_length --max-length none --dump "$tmp/x.npy"
refuses "SentencePiece without a length" 2 "padding to max_length needs a max length" \
  --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --pad-token '</s>' --padding max_length --dump "$tmp/x.npy"
refuses "Reformer without a pad token: HF's message, then the remedy" 3 "does not have a padding token. Please select a token to use as \`pad_token\` \`(tokenizer.pad_token = tokenizer.eos_token e.g.)\` or add a new pad token via \`tokenizer.add_special_tokens({'pad_token': '[PAD]'})\`. tokalign: give the pad token with --pad-id N or --pad-token PIECE" \
  --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --padding max_length --max-length 8 --dump "$tmp/x.npy"
out=$(printf 'hello world\n' | "$T" encode --tokenizer bert-base-uncased --max-seq-len 6 --pad-to-max-seq-len)
want='{"input_ids": [101, 7592, 2088, 102, 0, 0], "token_type_ids": [0, 0, 0, 0, 0, 0], "attention_mask": [1, 1, 1, 1, 0, 0], "special_tokens_mask": [1, 0, 0, 1, 1, 1]}'
[ "$out" = "$want" ] && ok "encode --max-seq-len 6 --pad-to-max-seq-len = --max-length 6 --padding max_length" ||
  { bad "encode PaddleNLP aliases"; echo "  got $out"; }
out2=$(printf 'hello world\n' | "$T" encode --tokenizer bert-base-uncased --max-length 6 --padding max_length)
[ "$out2" = "$want" ] && ok "encode --padding max_length" || bad "encode --padding max_length: $out2"

# 3. --order: one framework's batch order in the other's pipeline. A paddle-flavor dump made in
#    torch's RandomSampler order (seed 42) against the torch golden bert_random42_bs4_torch:
#    for BERT the two collators agree on every key (DataCollatorWithPadding and
#    Dict(Pad(pad_val=0), Pad(pad_val=0), Stack()) both give int64 (B, L_max) arrays padded with 0
#    and (B, 1) labels), and the dataset items are rows 0..4 either way, so the whole dump must be
#    the golden byte for byte; each dataloader key is also checked against the golden's own
#    batches. And back: a torch-flavor dump in Paddle's shuffle order = bert_pdshuffle42_bs4_paddle.
"$T" order --sampler random --flavor torch --seed 42 --n 32 --batch-size 4 --out "$tmp/torch42.json"
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --flavor paddle --order "$tmp/torch42.json" \
   --num-batches all --mirror --dump "$tmp/paddle_in_torch_order.npy" -q || bad "paddle side with --order"
cmp -s "$tmp/paddle_in_torch_order.npy" "$G/bert_random42_bs4_torch.npy" &&
  ok "paddle flavor in torch's order (JSON) = bert_random42_bs4_torch.npy byte for byte" ||
  bad "paddle flavor in torch's order differs from the torch golden"
"$TKA_PYTHON" - "$tmp/paddle_in_torch_order.json" "$G/bert_random42_bs4_torch.json" <<'PY' &&
import json, sys
ours, gold = (json.load(open(p)) for p in sys.argv[1:3])
e = {x["key"]: x for x in ours["entries"]}
g = {x["key"]: x for x in gold["entries"]}
assert ours["meta"]["batch_indices"] == gold["meta"]["batch_indices"]
keys = [k for k in g if k.startswith("dataloader_")]
assert len(keys) == 24, len(keys)        # 8 batches x input_ids, token_type_ids, labels
for k in keys:
    assert e[k] == g[k], k
print("dataloader keys in torch's order: checked %d, matched %d" % (len(keys), len(keys)))
PY
  ok "paddle flavor in torch's order: 24 dataloader keys and batch rows = the torch golden's" ||
  bad "dataloader keys differ from the torch golden's"
"$T" order --sampler random --flavor paddle --seed 42 --n 32 --batch-size 4 --out "$tmp/paddle42.npy"
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --order "$tmp/paddle42.npy" --num-batches all \
   --dump "$tmp/torch_in_paddle_order.npy" -q &&
  cmp -s "$tmp/torch_in_paddle_order.npy" "$G/bert_pdshuffle42_bs4_paddle.npy" &&
  ok "torch flavor in Paddle's order (.npy) = bert_pdshuffle42_bs4_paddle.npy byte for byte" ||
  bad "torch flavor in Paddle's order"
# a user's own list of lists: ragged batches, repeated rows, exactly that order; each batch is
# padded to its own longest row (ids from tokens.json, the oracle's BERT ids per row)
printf '[[31, 0], [5], [5, 7, 9]]\n' > "$tmp/own_order.json"
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --flavor paddle --order "$tmp/own_order.json" \
   --num-batches all --mirror --dump "$tmp/own.npy" -q || bad "own order run"
"$TKA_PYTHON" - "$tmp/own.json" "$G/tokens.json" <<'PY' && ok "own order [[31, 0], [5], [5, 7, 9]]: keys follow it exactly, each batch padded to its longest" || bad "own order keys"
import json, sys
d = json.load(open(sys.argv[1]))
e = {x["key"]: x["data"] for x in d["entries"]}
ids = [r["bert_input_ids"] for r in json.load(open(sys.argv[2]))["rows"]]
labels = [r["label"] for r in json.load(open(sys.argv[2]))["rows"]]
order = [[31, 0], [5], [5, 7, 9]]
assert d["meta"]["batch_indices"] == order and d["meta"]["order"] == "own_order.json"
assert not any(k.startswith("dataloader_3") for k in e)
for b, rows in enumerate(order):
    w = max(len(ids[i]) for i in rows)
    assert e["dataloader_%d_input_ids" % b] == [ids[i] + [0] * (w - len(ids[i])) for i in rows], b
    assert e["dataloader_%d_labels" % b] == [[labels[i]] for i in rows], b
PY
# errors: an index out of range names the batch and position (exit 2); a malformed file names
# the file and the JSON line/column or the batch/position (exit 3); --order excludes --sampler
orders() { # name exit fragment order-file-content
  printf '%s' "$4" > "$tmp/bad_order.json"
  "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --order "$tmp/bad_order.json" \
     --dump "$tmp/x.npy" -q 2> "$tmp/err"; local rc=$?
  if [ $rc -eq "$2" ] && grep -qF -- "$3" "$tmp/err"; then ok "$1"; else bad "$1 (exit $rc)"; cat "$tmp/err"; fi
}
orders "--order: row out of range names batch and position" 2 \
  "bad_order.json: batch 1, position 2: row 32 is out of range (the dataset has 32 rows: 0..31)" '[[0,1],[2,3,32]]'
orders "--order: JSON syntax error names line and column" 3 "bad_order.json: line 2, column 5:" $'[[0,1],\n [2,,3]]'
orders "--order: a string index names batch and position" 3 \
  "bad_order.json: batch 0, position 1: expected a row index (an integer >= 0), got a string" '[[0,"1"]]'
orders "--order: a negative index" 3 "batch 1, position 0: expected a row index (an integer >= 0), got a negative integer" '[[0],[-1]]'
orders "--order: an empty batch" 3 "bad_order.json: batch 1 is empty" '[[0],[]]'
orders "--order: an object without batches" 3 'has no "batches" list' '{"tokalign_order": 1}'
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --order "$tmp/torch42.json" --sampler random \
   --seed 1 --dump "$tmp/x.npy" -q 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -qF -- "--order gives the batches; it replaces --sampler" "$tmp/err" &&
  ok "--order with --sampler is a usage error" || bad "--order with --sampler (exit $rc)"
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --order "$tmp/none.json" --dump "$tmp/x.npy" -q 2> "$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -qF "none.json" "$tmp/err" && ok "--order: a missing file is named" || bad "--order missing file (exit $rc)"

finish
