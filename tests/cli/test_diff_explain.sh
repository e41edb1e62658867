#!/usr/bin/env bash
# `tokalign diff` explains constructed step-2 failures: a cased vs uncased
# vocabulary, a dropped row, a shuffled order, a shorter truncation, other
# padding. Checks reprod_log's own output stays as it was, the --json fields,
# the stderr explanation and the exit codes.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
PY=$TKA_PYTHON

# jq-like assertions on the --json document: q FILE 'python expression on d' EXPECTED
q() {
  local got
  got=$("$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
k = {e["key"]: e for e in d["keys"]}
print(json.dumps(eval(sys.argv[2]), ensure_ascii=False))' "$1" "$2" 2>&1)
  check "$2 in $(basename "$1")" "$3" "$got"
}

cd "$tmp" || exit 1
sed 3d "$DEMO" >drop.tsv
pipe() { "$T" pipeline --tokenizer bert-base-uncased --num-batches 2 --dataset-items 1,2 "$@" 2>/dev/null; }
pipe --data "$DEMO" --dump unc.npy
check_rc "uncased dump" $?
pipe --data "$DEMO" --tokenizer bert-base-cased --dump cased.npy
check_rc "cased dump" $?
pipe --data drop.tsv --dump drop.npy
check_rc "dropped-row dump" $?
pipe --data "$DEMO" --sampler random --seed 42 --dump rand.npy
check_rc "shuffled dump" $?
pipe --data "$DEMO" --max-length 16 --dump trunc.npy
check_rc "truncated dump" $?
pipe --data "$DEMO" --pad-to-multiple-of 16 --dump pad16.npy
check_rc "padded dump" $?
pipe --data "$DEMO" --num-batches 1 --dump fewer.npy
check_rc "one-batch dump" $?

# 0. a passing diff: exit 0, JSON says so
"$T" diff unc.npy unc.npy --json >pass.out.json 2>err
check "same dump passes" 0 $?
q pass.out.json 'd["passed"], d["exception"], d["report"][-1], all(e["passed"] for e in d["keys"]), len(d["keys"])' \
  '[true, null, "diff check passed", true, 13]'
q pass.out.json 'k["dataset_1_input_ids"]' \
  '{"key": "dataset_1_input_ids", "passed": true, "value": 0.0, "values": {"mean": 0.0}, "shape_a": [10], "shape_b": [10], "dtype_a": "int64", "dtype_b": "int64", "elements_differ": 0, "first_difference": null, "cause": "none", "explanation": null, "error": null, "source_a": null, "source_b": null, "row_a": null, "row_b": null}'
[ ! -s err ]; check_rc "passing --json: stderr empty" $?

# 1. vocabulary: cased vs uncased. reprod_log's exception text stays as it was
"$T" diff unc.npy cased.npy >out 2>err
check "cased vs uncased exits 1" 1 $?
[ ! -s out ]; check_rc "reprod_log raised: nothing on stdout" $?
[ "$(head -2 err)" = "tokalign diff: error: ValueError: operands could not be broadcast together with shapes (10,) (10,) " ] 2>/dev/null ||
  [ "$(head -1 err)" = "tokalign diff: error: ValueError: operands could not be broadcast together with shapes (24,) (26,) " ]
check_rc "exception text first on stderr, unchanged" $?
grep -qxF "tokalign diff: raised at key 'dataset_2_input_ids'" err; check_rc "raising key named" $?
grep -qxF 'tokalign diff: dataset_2_input_ids: shapes (24,) (first) and (26,) (second); first difference at [1]: 4473 (first) vs 3643 (second)' err
check_rc "shapes and first difference on stderr" $?
grep -qxF 'tokalign diff: dataset_2_input_ids: likely cause: the same row tokenized differently: vocabulary, casing (do_lower_case) or normalization; the dumps name different tokenizers: bert-base-uncased (first), bert-base-cased (second)' err
check_rc "tokenization named with both tokenizers" $?
grep -qxF 'tokalign diff: dataset_1_input_ids: dataset row 1 (line 3): "unflinchingly bleak and desperate "' err
check_rc "source row text on stderr" $?
"$T" diff unc.npy cased.npy --json >cased.out.json 2>err
check "--json exits 1 too" 1 $?
q cased.out.json 'd["passed"], d["exception"], d["report"], d["printed"]' \
  '[false, "ValueError: operands could not be broadcast together with shapes (24,) (26,) ", [], []]'
q cased.out.json '[k["dataset_2_input_ids"][f] for f in ("passed", "value", "values", "shape_a", "shape_b", "first_difference", "cause", "error")]' \
  '[false, null, null, [24], [26], {"index": [1], "a": 4473, "b": 3643}, "tokenization", "ValueError: operands could not be broadcast together with shapes (24,) (26,) "]'
q cased.out.json '[k["dataset_1_input_ids"][f] for f in ("value", "shape_a", "first_difference", "cause", "elements_differ")]' \
  '[1970.1, [10], {"index": [1], "a": 4895, "b": 8362}, "tokenization", 8]'
q cased.out.json 'k["dataset_1_input_ids"]["source_a"]' \
  '{"row": 1, "line": 3, "file": "demo.tsv", "text": "unflinchingly bleak and desperate "}'
q cased.out.json 'k["dataset_2_token_type_ids"]["explanation"].startswith("follows dataset_2_input_ids: the same row tokenized")' 'true'
q cased.out.json '[e["key"] for e in d["keys"] if not e["passed"]]' \
  '["dataset_1_input_ids", "dataset_2_input_ids", "dataset_2_token_type_ids", "dataloader_0_input_ids", "dataloader_0_token_type_ids", "dataloader_1_input_ids", "dataloader_1_token_type_ids"]'
"$T" diff unc.npy cased.npy --tokenizer bert-base-uncased --tokenizer bert-base-cased --json >cased2.out.json 2>/dev/null
q cased2.out.json 'k["dataset_1_input_ids"]["row_b"]["tokens"][:6], k["dataset_1_input_ids"]["row_a"]["tokens"][:6]' \
  '[["[CLS]", "un", "##f", "##lin", "##ching", "##ly"], ["[CLS]", "un", "##fl", "##in", "##ching", "##ly"]]'
"$T" diff unc.npy cased.npy --tokenizer bert-base-uncased 2>err >/dev/null
grep -qxF 'tokalign diff: dataset_2_input_ids: tokens, first: [CLS] >>allows<< us to hope that nolan is poised to embark a major career as a commercial yet in ##vent ##ive filmmaker . [SEP]' err
check_rc "--tokenizer: tokens around the first difference" $?

# 2. a dropped row: the data files differ
"$T" diff unc.npy drop.npy --json >drop.out.json 2>/dev/null
check "dropped row exits 1" 1 $?
q drop.out.json '[k["length"][f] for f in ("passed", "value", "first_difference", "cause")]' \
  '[false, 1.0, {"index": [], "a": 32, "b": 31}, "other_row"]'
q drop.out.json '[k["dataset_1_input_ids"][f] for f in ("shape_a", "shape_b", "cause")]' '[[10], [24], "other_row"]'
q drop.out.json 'k["dataset_1_input_ids"]["source_b"]["text"], k["dataset_1_input_ids"]["explanation"]' \
  '["allows us to hope that nolan is poised to embark a major career as a commercial yet inventive filmmaker . ", "a different row: dataset row 1 (line 3) holds different text on the two sides, so the data files differ (a row dropped, inserted or edited before it?)"]'

# 3. shuffled order: random sampler vs sequential
"$T" diff unc.npy rand.npy --json >rand.out.json 2>/dev/null
check "shuffled order exits 1" 1 $?
q rand.out.json '[k["dataloader_0_input_ids"][f] for f in ("shape_a", "shape_b", "first_difference", "cause")]' \
  '[[4, 28], [4, 26], {"index": [1, 1], "a": 4895, "b": 2017}, "other_row"]'
q rand.out.json 'k["dataloader_0_input_ids"]["source_a"]["row"], k["dataloader_0_input_ids"]["source_b"]["row"], k["dataloader_0_input_ids"]["source_b"]["batch_row"]' '[1, 8, 1]'
q rand.out.json '[k["dataloader_0_labels"][f] for f in ("passed", "value", "cause")]' '[false, 0.25, "other_row"]'
q rand.out.json '"the samplers differ, DataLoader(ds, batch_size=4, shuffle=False, drop_last=False) (first) vs torch.manual_seed(42)" in k["dataloader_0_labels"]["explanation"]' 'true'
q rand.out.json 'k["dataset_1_input_ids"]["passed"]' 'true'

# 4. truncation: --max-length 16 on the second side
"$T" diff unc.npy trunc.npy --json >trunc.out.json 2>/dev/null
check "truncation exits 1" 1 $?
q trunc.out.json '[k["dataset_2_input_ids"][f] for f in ("shape_a", "shape_b", "first_difference", "cause", "explanation")]' \
  '[[24], [16], {"index": [15], "a": 1037, "b": 102}, "truncation", "truncation: the same tokens, but the second side stops after 16 and the first after 24; the max length or truncation differs"]'
q trunc.out.json 'k["dataset_1_input_ids"]["passed"]' 'true'

# 5. padding: pad_to_multiple_of 16 on the second side
"$T" diff unc.npy pad16.npy --json >pad.out.json 2>/dev/null
check "padding exits 1" 1 $?
q pad.out.json '[k["dataloader_0_input_ids"][f] for f in ("shape_a", "shape_b", "first_difference", "cause")]' \
  '[[4, 28], [4, 32], {"index": [0, 28], "a": null, "b": 0}, "padding"]'

# 6. missing keys: reprod_log's AssertionError, a difference (exit 1)
"$T" diff unc.npy fewer.npy >out 2>err
check "missing key exits 1" 1 $?
[ "$(head -1 err)" = "tokalign diff: error: AssertionError: k in data1 but not found in data2" ]
check_rc "AssertionError text unchanged" $?
grep -qxF 'tokalign diff: dataloader_1_input_ids: likely cause: missing: the key is only in the first dump (fewer rows, batches or fields logged on the second side?)' err
check_rc "missing key explained" $?
"$T" diff fewer.npy unc.npy --json >fewer.out.json 2>/dev/null
q fewer.out.json '[k["dataloader_1_labels"][f] for f in ("passed", "value", "shape_a", "shape_b", "cause")]' '[false, null, null, [4, 1], "missing"]'

# 7. exit codes of --json runs on bad input and usage
"$T" diff unc.npy missing.npy --json >out 2>/dev/null
check "unreadable input exits 3" 3 $?
[ ! -s out ]; check_rc "no JSON for unreadable input" $?
"$T" diff unc.npy --json >/dev/null 2>&1
check "one file exits 2" 2 $?
"$T" diff unc.npy cased.npy --tokenizer a --tokenizer b --tokenizer c >/dev/null 2>&1
check "three --tokenizer exit 2" 2 $?
"$T" diff "$S/golden/reprod_log/diff_bool_error_1.npy" "$S/golden/reprod_log/diff_bool_error_2.npy" --json >bool.out.json 2>/dev/null
check "bool arrays exit 3" 3 $?
q bool.out.json 'd["passed"], d["keys"][0]["value"], d["keys"][0]["cause"]' '[false, null, "dtype"]'

# 8. a failing, comparable diff keeps its report lines and -o writes them
"$T" diff unc.npy drop.npy --method all -o logs/d.txt >/dev/null 2>&1
check "-o with a raising diff exits 1" 1 $?
[ ! -e logs/d.txt ]; check_rc "no log where reprod_log raises" $?
"$T" diff "$S/golden/reprod_log/diff_one_token_differs_1.npy" "$S/golden/reprod_log/diff_one_token_differs_2.npy" -o logs/d.txt >out 2>/dev/null
check "-o with a failing diff exits 1" 1 $?
cmp -s out logs/d.txt || [ "$(sed 's/^\[[^]]*\]//' out)" = "$(sed 's/^\[[^]]*\]//' logs/d.txt)" ]
check_rc "-o file holds the report" $?

# 9. compare_info's own print comes into the JSON, not onto stdout beside it
"$T" diff "$S/golden/reprod_log/diff_transpose_fallback_1.npy" "$S/golden/reprod_log/diff_transpose_fallback_2.npy" --json >tr.out.json
check_rc "transposed diff passes" $?
q tr.out.json 'd["passed"], d["printed"], d["keys"][0]["passed"]' '[true, ["transpose sub_data1"], true]'

finish
