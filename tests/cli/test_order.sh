#!/usr/bin/env bash
# CLI test of `tokalign order`: exact JSON output, the batch order of every
# golden/pipeline dump, output files and the refusals.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# 1. exact output: samplers.md §2.5 worked example (torch.manual_seed(0), DataLoader, B=4)
cat > "$tmp/want.json" <<'JSON'
{
 "tokalign_order": 1,
 "flavor": "torch",
 "sampler": "random",
 "call": "torch.manual_seed(0); DataLoader(ds, batch_size=4, sampler=RandomSampler(ds), drop_last=False)",
 "n": 10,
 "batch_size": 4,
 "drop_last": false,
 "num_batches": 3,
 "num_indices": 10,
 "batches": [
  [6, 7, 1, 4],
  [2, 0, 9, 8],
  [3, 5]
 ]
}
JSON
"$TOKALIGN" order --sampler random --flavor torch --n 10 --batch-size 4 --seed 0 > "$tmp/got.json"
check_cmd "exact stdout" cmp -s "$tmp/want.json" "$tmp/got.json"
"$TOKALIGN" order --sampler random --flavor torch --n 10 --batch-size 4 --seed 0 --out "$tmp/file.json"
check_cmd "--out file equals stdout" cmp -s "$tmp/want.json" "$tmp/file.json"

# 2. every golden/pipeline dump's meta.batch_indices
same_batches() { # same_batches GOLDEN.json ORDER.json
  "$TKA_PYTHON" - "$1" "$2" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))["meta"]["batch_indices"]
got = json.load(open(sys.argv[2]))["batches"]
sys.exit(0 if want == got else 1)
PY
}
while read -r golden args; do
  # shellcheck disable=SC2086
  "$TOKALIGN" order $args --n 32 --out "$tmp/o.json" \
    && check_cmd "$golden" same_batches "$TKA_SHARED/golden/pipeline/$golden" "$tmp/o.json" \
    || check_cmd "$golden (command failed)" false
done <<'CASES'
bert_seq_bs4_torch.json         --sampler sequential --flavor torch --batch-size 4
bert_seq_bs4_paddle.json        --sampler sequential --flavor paddle --batch-size 4
reformer_seq_bs1_torch.json     --sampler sequential --flavor torch --batch-size 1
bert_random42_bs4_torch.json    --sampler random --flavor torch --batch-size 4 --seed 42
bert_pdshuffle42_bs4_paddle.json --sampler random --flavor paddle --batch-size 4 --seed 42
bert_dist2r0_bs4_torch.json     --sampler distributed --flavor torch --batch-size 4 --world-size 2 --rank 0
bert_dist2r1_bs4_torch.json     --sampler distributed --flavor torch --batch-size 4 --world-size 2 --rank 1
bert_pddist2r0_bs4_paddle.json  --sampler distributed --flavor paddle --batch-size 4 --world-size 2 --rank 0 --shuffle
bert_pddist2r1_bs4_paddle.json  --sampler distributed --flavor paddle --batch-size 4 --world-size 2 --rank 1 --shuffle
CASES

# the length can come from the TSV itself (pandas rows of demo.tsv: 32)
"$TOKALIGN" order --sampler random --flavor paddle --batch-size 4 --seed 42 \
  --data "$TKA_SHARED/data/demo_sst2_sentence/demo.tsv" --out "$tmp/d.json" \
  && check_cmd "--data demo.tsv" same_batches "$TKA_SHARED/golden/pipeline/bert_pdshuffle42_bs4_paddle.json" "$tmp/d.json" \
  || check_cmd "--data demo.tsv (command failed)" false

# 3. refusals: exit status and the message
refuses() { # refuses WANT_RC WANT_TEXT ARGS...
  local want_rc=$1 want_text=$2; shift 2
  "$TOKALIGN" order "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [ "$rc" -eq "$want_rc" ] && grep -qF -- "$want_text" "$tmp/err" && [ ! -s "$tmp/out" ] \
    || { echo "  rc=$rc stderr: $(cat "$tmp/err")" >&2; return 1; }
}
check_cmd "random needs a seed" refuses 2 "needs a seed" --sampler random --flavor torch --n 5 --batch-size 2
check_cmd "unknown output format" refuses 2 "unknown output format; use .json or .npy" \
  --sampler sequential --flavor torch --n 5 --batch-size 2 --out "$tmp/x.txt"
check_cmd "bad rank" refuses 3 "Invalid rank 2, rank should be in the interval [0, 1]" \
  --sampler distributed --flavor torch --n 5 --batch-size 2 --world-size 2 --rank 2
check_cmd "numpy seed range" refuses 3 "Seed must be between 0 and 2**32 - 1" \
  --sampler random --flavor paddle --n 5 --batch-size 2 --seed -1
check_cmd "rank on a random sampler" refuses 2 "apply to --sampler distributed" \
  --sampler random --flavor torch --n 5 --batch-size 2 --seed 1 --rank 1
check_cmd "unknown option" refuses 2 "unknown option '--bogus'" --bogus
check_cmd "batch size 0" refuses 2 "--batch-size expects an integer" \
  --sampler sequential --flavor torch --n 5 --batch-size 0
check_cmd "paddle distributed has no seed" refuses 2 "takes no seed" \
  --sampler distributed --flavor paddle --n 5 --batch-size 2 --seed 3
check_cmd "no file left behind" test ! -e "$tmp/x.txt"

# 4. .npy output: numpy loads the flat order, equal to the JSON batches
npy_matches_json() { # ARGS...: the same sampler written both ways
  "$TOKALIGN" order "$@" --out "$tmp/o.json" && "$TOKALIGN" order "$@" --out "$tmp/o.npy" &&
  "$TKA_PYTHON" - "$tmp/o.json" "$tmp/o.npy" <<'PY'
import json, sys
import numpy as np
want = [i for b in json.load(open(sys.argv[1]))["batches"] for i in b]
got = np.load(sys.argv[2])
assert got.dtype == np.int64 and got.ndim == 1, (got.dtype, got.shape)
assert got.tolist() == want, (got.tolist(), want)
PY
}
check_cmd ".npy: torch random" npy_matches_json --sampler random --flavor torch --n 10 --batch-size 4 --seed 0
check_cmd ".npy: paddle distributed, drop_last" npy_matches_json --sampler distributed --flavor paddle \
  --n 11 --batch-size 3 --world-size 2 --rank 1 --shuffle --drop-last
check_cmd "--n and --data" refuses 2 "either --n or --data" --sampler sequential --flavor torch \
  --n 3 --data "$TKA_SHARED/data/demo_sst2_sentence/demo.tsv" --batch-size 2
printf 's\tl\na\t1\t2\nb\t1\t2\t3\n' > "$tmp/bad.tsv"
check_cmd "--data with a malformed TSV" refuses 3 "Expected 3 fields in line 3, saw 4" \
  --sampler sequential --flavor torch --data "$tmp/bad.tsv" --batch-size 2

# 4. --help documents the JSON shape and has examples
"$TOKALIGN" order --help > "$tmp/help"
check_cmd "--help exit 0 with examples" grep -q '^examples:' "$tmp/help"
check_cmd "--help states the JSON shape" grep -qF '"batches": [[i, i, ...], ...]' "$tmp/help"

finish
