#!/usr/bin/env bash
# `tokalign pipeline` and `tokalign demo`: the demo's report against the real
# step-2 log, thread-count independence, output formats, and clear refusals of
# bad input (naming file, line and column) with non-zero exits.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# 1. demo: both sides, the diff report equal to reprod_log's real Step2 log
#    (timestamps aside), data_diff.log written, exit 0.
(cd "$tmp" && "$T" demo --data "$DEMO" --out demo > report.txt 2> demo.err); rc=$?
[ $rc -eq 0 ] && ok "demo exits 0" || { bad "demo exit $rc"; cat "$tmp/demo.err"; }
if diff <(log_body < "$tmp/report.txt") <(log_body < "$S/data/reprod_log_samples/Step2_data_diff_log.txt") >/dev/null &&
   grep -qE "${log_re}diff check passed\$" "$tmp/report.txt"; then
  ok "demo report = Step2_data_diff_log.txt, line for line (63 lines)"
else bad "demo report differs from Step2_data_diff_log.txt"; fi
cmp -s "$tmp/report.txt" "$tmp/demo/data_diff.log" && ok "demo log file = stdout" || bad "data_diff.log differs from stdout"
cmp -s "$tmp/demo/data_torch.npy" "$TKA_SHARED/golden/pipeline/bert_seq_bs4_torch.npy" &&
cmp -s "$tmp/demo/data_paddle.npy" "$TKA_SHARED/golden/pipeline/bert_seq_bs4_paddle.npy" &&
  ok "demo dumps = the goldens byte for byte" || bad "demo dumps differ from the goldens"

# 2. threads never change the output; the sidecar names the rows of each key
for th in 1 2 3; do
  "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --sampler random --seed 7 \
     --num-batches all --threads $th --dump "$tmp/t$th.npy" -q || bad "threads $th run"
done
cmp -s "$tmp/t1.npy" "$tmp/t2.npy" && cmp -s "$tmp/t1.npy" "$tmp/t3.npy" && ok "1, 2, 3 threads: identical dumps" || bad "threads change the dump"
"$TKA_PYTHON" - "$tmp/t1.json" <<'PY' && ok "sidecar: 8 logged batches covering all 32 rows" || bad "sidecar content"
import json, sys
m = json.load(open(sys.argv[1]))["meta"]
rows = sorted(i for b in m["batch_indices"] for i in b)
assert m["batches_logged"] == 8 and rows == list(range(32)), m
PY

# 3. formats: .npz and .json hold the same arrays as the .npy (numpy reads them)
for ext in npz json; do
  "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --dump "$tmp/f.$ext" -q || bad "--dump .$ext"
done
"$TKA_PYTHON" - "$TKA_SHARED/golden/pipeline/bert_seq_bs4_torch.npy" "$tmp/f.npz" "$tmp/f.json" <<'PY' && ok ".npz and .json dumps hold the golden arrays" || bad ".npz / .json dumps"
import json, sys
import numpy as np
want = np.load(sys.argv[1], allow_pickle=True).tolist()
npz = np.load(sys.argv[2])
assert list(npz.keys()) == list(want.keys())
for k, v in want.items():
    assert npz[k].dtype == v.dtype and np.array_equal(npz[k], v), k
doc = json.load(open(sys.argv[3]))
assert [e["key"] for e in doc["entries"]] == list(want.keys())
for e in doc["entries"]:
    v = want[e["key"]]
    assert e["dtype"] == str(v.dtype) and e["shape"] == list(v.shape) and e["data"] == v.tolist(), e["key"]
PY

# 4. refusals: exit 3 (bad input) or 2 (an option that cannot apply), with the position
refuses() { # NAME WANT_RC WANT_TEXT ARGS...
  local name=$1 want_rc=$2 want=$3; shift 3
  "$T" pipeline "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
  if [ $rc -eq "$want_rc" ] && grep -qF -- "$want" "$tmp/err"; then ok "$name"
  else bad "$name (rc $rc): $(cat "$tmp/err")"; fi
}
printf 'sentence\tlabel\na good film\t1\n\t0\nfine\t1\n' > "$tmp/nan.tsv"
refuses "NaN sentence" 3 "nan.tsv: line 3 (row 1): the sentence is missing" \
  --data "$tmp/nan.tsv" --tokenizer bert-base-uncased --dump "$tmp/x.npy"
printf 'sentence\tlabel\na good film\t1\nbad\tneg\n' > "$tmp/lab.tsv"
refuses "paddle: non-integer label" 3 "lab.tsv: line 3, column 5: label 'neg': not an integer" \
  --data "$tmp/lab.tsv" --tokenizer bert-base-uncased --flavor paddle --dump "$tmp/x.npy"
refuses "torch: string labels" 3 "label column 'label' holds strings" \
  --data "$tmp/lab.tsv" --tokenizer bert-base-uncased --dump "$tmp/x.npy"
printf 'sentence\tlabel\nab\xffcd\t1\n' > "$tmp/utf.tsv"
refuses "invalid UTF-8" 3 "utf.tsv: line 2, column 3 (byte 17): invalid UTF-8" \
  --data "$tmp/utf.tsv" --tokenizer bert-base-uncased --dump "$tmp/x.npy"
"$T" pipeline --data "$tmp/utf.tsv" --tokenizer bert-base-uncased --dump "$tmp/r.npy" --errors replace -q &&
  "$TKA_PYTHON" -c "import numpy as np,sys; d=np.load(sys.argv[1],allow_pickle=True).tolist(); assert d['dataset_0_input_ids'].tolist()==[101,5925,2094,102]" "$tmp/r.npy" &&
  ok "--errors replace (U+FFFD dropped by BERT's clean_text)" || bad "--errors replace"
printf 'sentence\tlabel\n"never closed\t1\n' > "$tmp/quote.tsv"
refuses "run-away quote (pandas' message)" 3 "EOF inside string starting at row 1" \
  --data "$tmp/quote.tsv" --tokenizer bert-base-uncased --dump "$tmp/x.npy"
printf 'sentence\tlabel\na\t1\nb\t0\textra\n' > "$tmp/fields.tsv"
refuses "too many fields (pandas' message)" 3 "Expected 2 fields in line 3, saw 3" \
  --data "$tmp/fields.tsv" --tokenizer bert-base-uncased --dump "$tmp/x.npy"
refuses "dataset item out of range" 2 "dataset item 40 is out of range" \
  --data "$DEMO" --tokenizer bert-base-uncased --dump "$tmp/x.npy" --dataset-items 40
refuses "missing column (pandas KeyError)" 3 "no text column named 'nope'" \
  --data "$DEMO" --tokenizer bert-base-uncased --dump "$tmp/x.npy" --text-field nope
refuses "Reformer, torch: HF's missing pad token, then the remedy" 3 "Asking to pad but the tokenizer does not have a padding token. Please select a token to use as \`pad_token\` \`(tokenizer.pad_token = tokenizer.eos_token e.g.)\` or add a new pad token via \`tokenizer.add_special_tokens({'pad_token': '[PAD]'})\`. tokalign: give the pad token with --pad-id N or --pad-token PIECE" \
  --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --dump "$tmp/x.npy"
refuses "Reformer, paddle: Pad needs a pad id" 2 "give one explicitly (--pad-id)" \
  --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --flavor paddle --dump "$tmp/x.npy"
refuses "Reformer has no token_type_ids" 2 "returns no token_type_ids" \
  --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --fields input_ids,token_type_ids --dump "$tmp/x.npy"
refuses "unknown pad token" 2 "pad token '<pad>' is not in the vocabulary" \
  --data "$DEMO" --tokenizer google/reformer-crime-and-punishment --pad-token '<pad>' --dump "$tmp/x.npy"
refuses "unwritable dump" 3 "cannot create" \
  --data "$DEMO" --tokenizer bert-base-uncased --dump "$tmp/no/such/dir/x.npy"
refuses "sampler option of another sampler" 2 "apply to --sampler distributed" \
  --data "$DEMO" --tokenizer bert-base-uncased --rank 1 --dump "$tmp/x.npy"
refuses "random without seed (torch would seed from the OS)" 2 "seed" \
  --data "$DEMO" --tokenizer bert-base-uncased --sampler random --dump "$tmp/x.npy"
[ ! -e "$tmp/x.npy" ] && ok "no dump left behind by a failed run" || bad "a failed run left x.npy"

# 5. --pad-token names Reformer's eos (the goldens' choice) like --pad-id 2 (the reformer_*
#    goldens were made with the stand-in bpe320_republic model, kept as an extra model)
"$T" pipeline --data "$DEMO" --tokenizer bpe320_republic --pad-token '</s>' --dump "$tmp/ref.npy" -q &&
  cmp -s "$tmp/ref.npy" "$TKA_SHARED/golden/pipeline/reformer_seq_bs4_torch.npy" &&
  ok "--pad-token '</s>' = reformer golden" || bad "--pad-token '</s>'"
# 6. diff explains a difference with a real tokenizer: the tokens of both
#    sides and the source row (dataset keys are named by row, as test_data.py)
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --dataset-items 7,1 \
   --dump "$tmp/ours.npy" -q || bad "pipeline --dataset-items 7,1"
"$TKA_PYTHON" - "$tmp/ours.npy" "$tmp/theirs.npy" <<'PY'
import sys
import numpy as np
d = np.load(sys.argv[1], allow_pickle=True).tolist()
assert list(d)[1:4] == ["dataset_7_input_ids", "dataset_7_token_type_ids", "dataset_7_labels"], list(d)[:4]
ids = d["dataset_1_input_ids"].copy()
ids[3] = 2379  # "##in" -> "near"
d["dataset_1_input_ids"] = ids
np.save(sys.argv[2], d)
PY
"$T" diff "$tmp/ours.npy" "$tmp/theirs.npy" --tokenizer bert-base-uncased > "$tmp/rep" 2> "$tmp/why"; rc=$?
[ $rc -eq 1 ] && ok "diff of a changed token exits 1" || bad "diff exit $rc"
grep -qF 'dataset_1_input_ids: tokens, first: [CLS] un ##fl >>##in<< ##ching ##ly bleak and desperate [SEP]' "$tmp/why" &&
grep -qF 'dataset_1_input_ids: tokens, second: [CLS] un ##fl >>near<< ##ching ##ly bleak and desperate [SEP]' "$tmp/why" &&
  ok "diff --tokenizer: tokens on both sides" || { bad "diff tokens"; cat "$tmp/why"; }
grep -qF 'dataset_1_input_ids: dataset row 1 (line 3): "unflinchingly bleak and desperate "' "$tmp/why" &&
  ok "diff: the source row's line and text" || { bad "diff source row"; cat "$tmp/why"; }
grep -q 'dataset_7_input_ids' "$tmp/why" && bad "diff explained an unchanged key" || ok "diff: only the changed keys explained"

# 7. a sequential sampler reads the TSV once and decides at the end of the pass
#    what the two-pass reading decides at open: same dumps, same refusals
mkdir -p "$tmp/one" "$tmp/two" # same dump names: the sidecar holds the file name
for fl in torch paddle; do
  "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased --flavor $fl --num-batches all \
    --dump "$tmp/one/$fl.npy" -q && "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased \
    --flavor $fl --num-batches all --two-pass --dump "$tmp/two/$fl.npy" -q &&
    cmp -s "$tmp/one/$fl.npy" "$tmp/two/$fl.npy" && cmp -s "$tmp/one/$fl.json" "$tmp/two/$fl.json" &&
    ok "$fl: one pass = --two-pass (every batch logged)" || bad "$fl: one pass differs from --two-pass"
done
awk 'BEGIN { print "sentence\tlabel"; for (i = 0; i < 40; i++) print i * 3 "\t" i % 2 }' > "$tmp/numeric.tsv"
refuses "numeric-only sentence column (int64 at the end of the pass)" 3 \
  "numeric.tsv: line 2 (row 0): the sentence is a number" \
  --data "$tmp/numeric.tsv" --tokenizer bert-base-uncased --dump "$tmp/x.npy"
awk 'BEGIN { print "sentence\tlabel"; for (i = 0; i < 60000; i++) print "film " i "\t" (i == 50000 ? "1.0" : i % 2) }' > "$tmp/late_float.tsv"
refuses "torch: label column float64 from row 50000 (HF chunk 5)" 3 \
  "label column 'label' is int64 in rows 0..9999 but float64 in rows 50000..59999" \
  --data "$tmp/late_float.tsv" --tokenizer bert-base-uncased --dump "$tmp/x.npy"
"$T" pipeline --data "$tmp/late_float.tsv" --tokenizer bert-base-uncased --flavor paddle \
  --dump "$tmp/lf1.npy" -q 2> "$tmp/lf.err" &&
  "$T" pipeline --data "$tmp/late_float.tsv" --tokenizer bert-base-uncased --flavor paddle \
  --two-pass --dump "$tmp/lf2.npy" -q 2>/dev/null && cmp -s "$tmp/lf1.npy" "$tmp/lf2.npy" &&
  grep -qF "label column 'label' is float64" "$tmp/lf.err" &&
  ok "paddle: labels float64 from row 50000, logged labels = --two-pass" || bad "paddle: late float labels"
refuses "dataset item beyond the rows (known at the end of the pass)" 2 \
  "dataset item 60000 is out of range: $tmp/late_float.tsv has 60000 rows" \
  --data "$tmp/late_float.tsv" --tokenizer bert-base-uncased --flavor paddle --dataset-items 1,60000 \
  --dump "$tmp/x.npy"
[ ! -e "$tmp/x.npy" ] && ok "no dump left behind by a failed single pass" || bad "a failed single pass left x.npy"
finish
