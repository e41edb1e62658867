#!/usr/bin/env bash
# The step-2 check on both sides where real ports go: the real Reformer model in the
# pipeline, fixed-length padding (--padding max_length / --pad-to-max-seq-len), and
# --order (one framework's batch order in the other's pipeline).
set -uo pipefail
: "${TOKALIGN:?}" "${TKA_SHARED:?}" "${TKA_PYTHON:?}"
T=$TOKALIGN
DEMO=$TKA_SHARED/data/demo_sst2_sentence/demo.tsv
G=$TKA_SHARED/golden/pipeline
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

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

exit $fail
