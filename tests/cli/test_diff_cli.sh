#!/usr/bin/env bash
# Exact-output tests of `tokalign diff` and `tokalign show`: the report lines
# (timestamp matched by pattern), the log file, exit codes, the reference's
# exception texts, and the reasons printed for failing keys.
set -u
T=${TOKALIGN:?}
S=${TKA_SHARED:?}
G=$S/golden/reprod_log
P=$S/golden/pipeline
W=$(mktemp -d "${TMPDIR:-/tmp}/tka_diff_cli.XXXXXX")
trap 'rm -rf "$W"' EXIT
checked=0
failed=0

check() { # check NAME CONDITION-EXIT-CODE
  checked=$((checked + 1))
  if [ "$2" -ne 0 ]; then
    failed=$((failed + 1))
    echo "FAIL: $1" >&2
  fi
}

strip() { sed -E 's/^\[[0-9]{4}\/[0-9]{2}\/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] root INFO: //'; }
prefixed() { ! grep -vqE '^\[[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] root INFO: ' "$1"; }

# 1. the step-2 check of the reference repository: 31 keys, all 0.0, compared
#    with the real diff log (Step2_data_diff_log.txt) line by line
"$T" diff "$P/bert_seq_bs4_torch.npy" "$P/bert_seq_bs4_paddle.npy" --log "$W/sub/dir/diff.txt" >"$W/out" 2>"$W/err"
check "step-2 diff exit 0" $?
strip <"$S/data/reprod_log_samples/Step2_data_diff_log.txt" >"$W/expected"
strip <"$W/out" >"$W/got"
cmp -s "$W/expected" "$W/got"
check "step-2 report equals Step2_data_diff_log.txt" $?
cmp -s "$W/out" "$W/sub/dir/diff.txt" || [ "$(strip <"$W/sub/dir/diff.txt")" = "$(cat "$W/got")" ]
check "--log file holds the same lines (directories created)" $?
prefixed "$W/out"
check "every stdout line carries the logging prefix" $?
[ ! -s "$W/err" ]
check "nothing on stderr for a passing diff" $?

# 2. the real Step1 forward log: mean of float32 logits
printf 'logits: \n\tmean diff: check passed: True, value: 1.30385160446167e-07\ndiff check passed\n' >"$W/expected"
strip <"$S/data/reprod_log_samples/Step1_forward_diff.log" | cmp -s - "$W/expected"
check "Step1 sample log parses as expected" $?
"$T" diff "$S/data/reprod_log_samples/Step2_metric_paddle.npy" "$S/data/reprod_log_samples/Step2_metric_torch.npy" >"$W/out"
check "Step2 metric samples diff exit 0" $?

# 3. a failing diff: exit 1, report on stdout, reasons on stderr
"$T" diff "$G/diff_one_token_differs_1.npy" "$G/diff_one_token_differs_2.npy" --method all >"$W/out" 2>"$W/err"
check "failing diff exits 1" $(( $? == 1 ? 0 : 1 ))
printf 'ids: \n\tmin diff: check passed: True, value: 0\n\tmax diff: check passed: False, value: 1\n\tmean diff: check passed: False, value: 0.125\ndiff check failed\n' >"$W/expected"
strip <"$W/out" | cmp -s - "$W/expected"
check "failing report lines" $?
grep -qx 'tokalign diff: ids: 1 of 8 elements differ; first at \[1, 1\]: 4895 (first) vs 4896 (second)' "$W/err"
check "first differing position on stderr" $?
"$T" diff "$G/diff_one_token_differs_1.npy" "$G/diff_one_token_differs_2.npy" --no-explain >/dev/null 2>"$W/err"
[ ! -s "$W/err" ]
check "--no-explain keeps stderr empty" $?
"$T" diff "$G/diff_sticky_failure_in_all_1.npy" "$G/diff_sticky_failure_in_all_2.npy" --method mean,min >"$W/out"
check "list-form methods pass" $?
printf 'x: \n\tmean diff: check passed: True, value: 1e-06\n\tmin diff: check passed: True, value: 0.0\ndiff check passed\n' | cmp -s - <(strip <"$W/out")
check "list-form method output" $?
"$T" diff "$G/diff_threshold_is_strict_greater_1.npy" "$G/diff_threshold_is_strict_greater_2.npy" --threshold 0.5 >/dev/null
check "value == threshold passes" $?
"$T" diff "$G/diff_threshold_is_strict_greater_1.npy" "$G/diff_threshold_is_strict_greater_2.npy" --threshold 0.49 >/dev/null 2>&1
check "value > threshold fails" $(( $? == 1 ? 0 : 1 ))

# 4. compare_info's own stdout line comes before the log and not into the file
"$T" diff "$G/diff_transpose_fallback_1.npy" "$G/diff_transpose_fallback_2.npy" --log "$W/t.txt" >"$W/out"
check "transpose diff passes" $?
[ "$(head -1 "$W/out")" = "transpose sub_data1" ] && ! grep -q transpose "$W/t.txt" && [ "$(wc -l <"$W/t.txt")" -eq 3 ]
check "transpose line on stdout only" $?

# 5. where reprod_log raises: the exception text, no log file; shape mismatches and
#    missing keys are differences (exit 1), bool / empty arrays cannot be compared (3)
"$T" diff "$G/diff_shape_mismatch_error_1.npy" "$G/diff_shape_mismatch_error_2.npy" --log "$W/never.txt" >"$W/out" 2>"$W/err"
check "broadcast error (a shape mismatch) exits 1" $(( $? == 1 ? 0 : 1 ))
grep -qxF 'tokalign diff: error: ValueError: operands could not be broadcast together with shapes (4,28) (4,25) ' "$W/err" &&
  grep -qxF "tokalign diff: raised at key 'ids'" "$W/err" && [ ! -e "$W/never.txt" ] && [ ! -s "$W/out" ]
check "broadcast ValueError text, key named, no log written" $?
"$T" diff "$G/diff_missing_key_error_1.npy" "$G/diff_missing_key_error_2.npy" 2>"$W/err" >/dev/null
check "missing key exits 1" $(( $? == 1 ? 0 : 1 ))
grep -qxF 'tokalign diff: error: AssertionError: k in data1 but not found in data2' "$W/err" && grep -q "key 'b' of" "$W/err"
check "AssertionError text and the key" $?
"$T" diff "$G/diff_bool_error_1.npy" "$G/diff_bool_error_2.npy" 2>"$W/err" >/dev/null
check "bool subtract exits 3" $(( $? == 3 ? 0 : 1 ))
grep -qF 'TypeError: numpy boolean subtract, the `-` operator, is not supported' "$W/err"
check "bool TypeError text" $?
"$T" diff "$G/diff_empty_array_error_1.npy" "$G/diff_empty_array_error_2.npy" 2>"$W/err" >/dev/null
check "empty array exits 3" $(( $? == 3 ? 0 : 1 ))

# 6. usage and input errors
"$T" diff "$G/diff_nan_passes_1.npy" 2>/dev/null; check "one file is a usage error" $(( $? == 2 ? 0 : 1 ))
"$T" diff a b --method median 2>/dev/null; check "bad method is a usage error" $(( $? == 2 ? 0 : 1 ))
"$T" diff a b --threshold x 2>/dev/null; check "bad threshold is a usage error" $(( $? == 2 ? 0 : 1 ))
"$T" diff "$W/missing.npy" "$G/diff_nan_passes_1.npy" 2>"$W/err"
check "missing file exits 3" $(( $? == 3 ? 0 : 1 ))
grep -q "missing.npy: cannot open" "$W/err"; check "missing file named" $?
head -c 300 "$G/example_2key.npy" >"$W/trunc.npy"
"$T" diff "$W/trunc.npy" "$G/example_2key.npy" 2>"$W/err"
check "truncated file exits 3" $(( $? == 3 ? 0 : 1 ))
grep -q "trunc.npy: byte [0-9]*: " "$W/err"; check "truncated file: name and byte offset" $?
"$T" diff "$G/diff_nan_passes_1.npy" "$G/diff_nan_passes_2.npy" --tokenizer "$W/no-such-vocab.txt" 2>"$W/err" >"$W/out"
check "unusable --tokenizer exits 3 before diffing" $(( $? == 3 ? 0 : 1 ))
[ ! -s "$W/out" ] && grep -q -- "--tokenizer" "$W/err"; check "tokenizer error named" $?

# 7. the source row: a pipeline dump with one token changed, mirrors beside both
cp "$P/bert_seq_bs4_torch.npy" "$P/bert_seq_bs4_torch.json" "$W/"
"$TKA_PYTHON" - "$W" <<'EOF'
import json, sys
w = sys.argv[1]
d = json.load(open(w + "/bert_seq_bs4_torch.json"))
for e in d["entries"]:
    if e["key"] == "dataloader_1_input_ids":
        e["data"][2][3] = 999
d["file"] = "changed.npy"
json.dump(d, open(w + "/changed.json", "w"))
EOF
"$T" show "$W/changed.json" --to npy -o "$W/changed.npy"
check "JSON mirror converts to .npy" $?
"$T" diff "$W/bert_seq_bs4_torch.npy" "$W/changed.npy" >/dev/null 2>"$W/err"
check "changed token fails" $(( $? == 1 ? 0 : 1 ))
grep -qx 'tokalign diff: dataloader_1_input_ids: 1 of 100 elements differ; first at \[2, 3\]: 6945 (first) vs 999 (second)' "$W/err" &&
  grep -qx 'tokalign diff: dataloader_1_input_ids: batch row 2 comes from dataset row 6 of demo.tsv on both sides' "$W/err"
check "first difference and source row from the mirrors' meta" $?

# 8. show: mirrors and conversions round-trip numpy's bytes
"$T" show "$P/bert_seq_bs4_torch.json" --to npy -o "$W/rt.npy" && cmp -s "$W/rt.npy" "$P/bert_seq_bs4_torch.npy"
check "show mirror --to npy == numpy's file" $?
"$T" show "$P/bert_seq_bs4_torch.npy" --to npz -o "$W/rt.npz" && "$T" show "$W/rt.npz" --to npy -o "$W/rt2.npy" &&
  cmp -s "$W/rt2.npy" "$P/bert_seq_bs4_torch.npy"
check "npy -> npz -> npy round trip" $?
"$T" show "$G/example_2key.npy" >"$W/ex.json"
check "show example" $?
printf '{"file":"example_2key.npy","entries":[{"key":"input_ids","dtype":"int64","shape":[4,7],"data":[[0,1,2,3,4,5,6],[7,8,9,10,11,12,13],[14,15,16,17,18,19,20],[21,22,23,24,25,26,27]]},{"key":"loss","dtype":"float32","shape":[],"data":0.25}]}\n' | cmp -s - "$W/ex.json"
check "show output is the JSON mirror" $?
"$T" show "$G/example_2key.npy" --to npy 2>/dev/null; check "binary to stdout refused" $(( $? == 2 ? 0 : 1 ))
"$T" show "$G/example_2key.npy" --to array -o "$W/x.npy" 2>/dev/null; check "--to array needs one entry" $(( $? == 3 ? 0 : 1 ))
printf 'not a dump' >"$W/junk"
"$T" show "$W/junk" 2>"$W/err"; check "junk refused" $(( $? == 3 ? 0 : 1 ))
grep -q "junk: byte 0: not a dump" "$W/err"; check "junk message" $?

echo "$([ $failed -eq 0 ] && echo PASS || echo FAIL) cli diff/show: checked $checked, matched $((checked - failed))"
[ $failed -eq 0 ]
