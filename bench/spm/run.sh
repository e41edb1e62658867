#!/usr/bin/env bash
# SentencePiece encode throughput, tokalign vs libsentencepiece's C++ encoder,
# side by side in one run (single thread, same corpora, same line split;
# a checksum of all ids shows both did the same work).
#   bash bench/spm/run.sh [MIN_SECONDS]     (needs g++ and libsentencepiece-dev)
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../lib.sh"
min_seconds=${1:-1.0}
out=$out/spm
mkdir -p "$out"
pkg-config --exists sentencepiece || {
  echo "bench/spm: libsentencepiece-dev is needed (apt-get install libsentencepiece-dev g++)" >&2
  exit 1
}

bench_static
g++ -O2 -std=c++17 -o "$out/sp_bench" bench/spm/sp_bench.cc $(pkg-config --cflags --libs sentencepiece)
# shellcheck disable=SC2086
gcc $static_cflags -o "$out/tka_bench" bench/spm/tka_bench.c $static_libs

printf '%-30s %-24s %12s %12s %8s  %s\n' model corpus "sp MB/s" "tokalign MB/s" speedup ids
run() { # model corpus
  local model=$shared/data/spm/$1.model corpus=$shared/data/corpora/$2
  read -r sp_rate _ _ sp_sum < <("$out/sp_bench" "$model" "$corpus" "$min_seconds")
  read -r tk_rate _ _ tk_sum < <("$out/tka_bench" "$model" "$corpus" "$min_seconds")
  local same=same; [ "$sp_sum" = "$tk_sum" ] || same="DIFFER"
  printf '%-30s %-24s %12s %12s %7.2fx  %s\n' "$1" "$2" "$sp_rate" "$tk_rate" \
    "$(awk -v a="$tk_rate" -v b="$sp_rate" 'BEGIN { print a / b }')" "$same"
}
for corpus in botchan.txt the_republic.txt wagahaiwa_nekodearu.txt; do
  for model in reformer-crime-and-punishment/spiece bpe320_republic sentencepiece_test_model \
               sentencepiece_test_ja_model cluecorpussmall_spm; do
    run "$model" "$corpus"
  done
done
