#!/usr/bin/env bash
# Option values and tokenizer names an attacker (or a typo) can give: out-of-range
# and overflowing integers are usage errors naming the value (one parser for every
# option), --num-batches 0 is refused ("all" says all), a batch size larger than
# the dataset is one short batch in bounded memory, and a tokenizer name cannot
# climb out of the caches or the mirror with "..".
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
pipe() { "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased -q "$@"; }

# --- item 14 ------------------------------------------------------------------
refused() { # expected-message option...
  local want=$1; shift
  pipe --dump x.npy "$@" 2> e.txt; local rc=$?
  [ $rc -eq 2 ] && grep -qF -- "$want" e.txt && ok "$* refused: $want" || { bad "$* (rc $rc)"; cat e.txt; }
}
refused "--num-batches expects an integer in [1, 1099511627776], got '0'" --num-batches 0
refused "--dataset-items expects an integer in [0, 1099511627776], got '18446744073709551615'" --dataset-items 18446744073709551615
refused "--dataset-items expects an integer in [0, 1099511627776], got '9223372036854775808'" --dataset-items 1,9223372036854775808
refused "--dataset-items expects row numbers in [0, 2^40], got '99999999999999999999999999999999999'" --dataset-items 99999999999999999999999999999999999
refused "--batch-size expects an integer in [1, 1099511627776], got '18446744073709551617'" --batch-size 18446744073709551617
refused "--batch-size expects an integer in [1, 1099511627776], got '+4'" --batch-size +4
refused "--batch-size expects an integer in [1, 1099511627776], got ' 4'" --batch-size " 4"
refused "--seed expects an integer in [-9223372036854775808, 9223372036854775807], got '9223372036854775808'" --sampler random --seed 9223372036854775808
pipe --dump all.npy --num-batches all || bad "--num-batches all"
pipe --dump bs32.npy --batch-size 32 --num-batches 1 || bad "batch size 32"
/usr/bin/time -f %M -o rss.txt "$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased -q \
    --dump big.npy --batch-size 1099511627776 2> e.txt; rc=$?
rss=$(tail -1 rss.txt)
[ $rc -eq 0 ] && cmp -s big.npy bs32.npy && [ "$rss" -lt 200000 ] \
  && ok "--batch-size 2^40 on 32 rows: one batch of 32 (= --batch-size 32), peak RSS ${rss} KB" \
  || { bad "--batch-size 2^40: rc $rc, RSS $rss KB"; cat e.txt; }
"$T" pipeline --data "$DEMO" --tokenizer bert-base-uncased -q --dump big_r.npy --sampler random --seed 3 \
    --batch-size 1099511627776 && ok "random sampler, --batch-size 2^40: runs" || bad "random sampler, huge batch"
"$T" order --sampler sequential --flavor torch --n 3 --batch-size 1099511627776 > o.json \
  && grep -q '"num_batches": 1' o.json && ok "order: huge batch size is one batch" || bad "order huge batch"
"$T" order --sampler sequential --flavor torch --n 18446744073709551616 --batch-size 1 2> e.txt; rc=$?
[ $rc -eq 2 ] && grep -q "got '18446744073709551616'" e.txt && ok "order --n 2^64 refused naming the value" || bad "order --n overflow (rc $rc)"

# --- item 15: names cannot traverse ---------------------------------------------
mkdir -p m/vocab/a outside cwd
cp "$TKA_SHARED/data/vocab/bert-base-uncased/vocab.txt" outside/vocab.txt
cp outside/vocab.txt m/vocab/a/vocab.txt
export TOKALIGN_MIRROR=$tmp/m TOKALIGN_CACHE=$tmp/cache HF_HUB_CACHE=$tmp/none PPNLP_HOME=$tmp/none
cd cwd
echo hi | "$T" tokenize --tokenizer a > /dev/null && ok "a mirror name resolves" || bad "plain name"
for name in "a/../../outside" "bert-base-uncased/../../../outside" "a/b/c" "a/./b" "a//b" "x\\y" "a/.."; do
  echo hi | "$T" tokenize --tokenizer "$name" > /dev/null 2> ../e.txt; rc=$?
  [ $rc -ne 0 ] && grep -q "not a model name" ../e.txt && ok "--tokenizer '$name' refused" || { bad "--tokenizer '$name' (rc $rc)"; cat ../e.txt; }
done
cd ..
finish
