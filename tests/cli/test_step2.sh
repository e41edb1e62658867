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

exit $fail
