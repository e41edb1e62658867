#!/usr/bin/env bash
# BERT throughput, side by side in one run: tokalign (1 and 2 threads) and
# HuggingFace's Rust tokenizer through npm tokenizers@0.23.2 in its fastest
# single-core mode (TOKENIZERS_PARALLELISM=false, batches of 10k lines), on
# an English corpus of at least SIZE_MB MB built by repeating the shared
# botchan + the_republic corpora. Every line is encoded with special tokens
# (bert-base-uncased) and its ids written out; both outputs must be
# byte-identical. Reports MB/s (best of RUNS), peak RSS and the ratios.
#   bash bench/bert/run.sh            # SIZE_MB=60 RUNS=3 by default
#   SIZE_MB=20 RUNS=1 bash bench/bert/run.sh
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../lib.sh"
vocab=$shared/data/vocab/bert-base-uncased/vocab.txt

bench_cli
bench_npm tokenizers@0.23.2
bench_corpus "${SIZE_MB:-60}"
echo "corpus: $corpus ($bytes bytes, $lines lines)"

measure() { # name command...: one table row; sets mbs_NAME
  local name=$1 mbs
  shift
  best_of "$@"
  mbs=$(awk "BEGIN{printf \"%.1f\", $bytes / 1e6 / $best}")
  printf '%-34s %8.2f s %9s MB/s %8d MB peak RSS\n' "$name" "$best" "$mbs" $((peak_rss / 1024))
  eval "mbs_$name=$mbs"
}
export TOKENIZERS_PARALLELISM=false
echo "runs per tool: $runs (best elapsed time kept)"
measure rust node bench/lib/rust_tokenizers.js bert "$vocab" "$corpus" "$out/rust.ids"
measure tokalign_1 "$tokalign" encode --tokenizer "$vocab" --input "$corpus" \
  --output-format ids --threads 1 --output "$out/tokalign1.ids"
measure tokalign_2 "$tokalign" encode --tokenizer "$vocab" --input "$corpus" \
  --output-format ids --threads 2 --output "$out/tokalign2.ids"

# identical ids
cmp -s "$out/rust.ids" "$out/tokalign1.ids" && cmp -s "$out/tokalign1.ids" "$out/tokalign2.ids" \
  || { echo "ERROR: the ids differ between the tools"; exit 1; }
echo "ids identical for all $lines lines (tokalign 1 thread, 2 threads, Rust)"
# shellcheck disable=SC2154
awk "BEGIN{printf \"tokalign 1 thread / Rust: %.1fx (goal >= 25x); tokalign 2 threads / 1 thread: %.2fx (goal >= 1.8x)\n\", $mbs_tokalign_1 / $mbs_rust, $mbs_tokalign_2 / $mbs_tokalign_1}"
echo "(machine: $(nproc) cores, load average $(load_average))"
