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
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${TKA_SHARED:-$root/../shared}
build=${BUILD:-$root/build}
out=$root/bench/out
size_mb=${SIZE_MB:-60}
runs=${RUNS:-3}
vocab=$shared/data/vocab/bert-base-uncased/vocab.txt
mkdir -p "$out"

# 1. a Release build of the CLI
if [ ! -x "$build/tokalign" ] || ! grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j 2 --target tokalign_cli >/dev/null
tokalign=$build/tokalign

# 2. the reference binding, in the git-ignored bench/node_modules
if [ ! -d "$root/bench/node_modules/tokenizers" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$root/bench" tokenizers@0.23.2 >/dev/null
fi

# 3. the corpus
corpus=$out/en_${size_mb}mb.txt
if [ ! -s "$corpus" ]; then
  : > "$corpus"
  while [ "$(stat -c %s "$corpus")" -lt $((size_mb * 1000000)) ]; do
    cat "$shared/data/corpora/botchan.txt" "$shared/data/corpora/the_republic.txt" >> "$corpus"
  done
fi
bytes=$(stat -c %s "$corpus")
lines=$(wc -l < "$corpus")
echo "corpus: $corpus ($bytes bytes, $lines lines)"

# 4. best of $runs, with peak RSS from /usr/bin/time
measure() { # name command...
  local name=$1 best="" rss=0
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@"
    read -r t m < "$out/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local mbs
  mbs=$(awk "BEGIN{printf \"%.1f\", $bytes / 1e6 / $best}")
  printf '%-34s %8.2f s %9s MB/s %8d MB peak RSS\n' "$name" "$best" "$mbs" $((rss / 1024))
  eval "mbs_$name=$mbs"
}
export TOKENIZERS_PARALLELISM=false
echo "runs per tool: $runs (best elapsed time kept)"
measure rust node "$here/rust_bert.js" "$vocab" "$corpus" "$out/rust.ids"
measure tokalign_1 "$tokalign" encode --tokenizer "$vocab" --input "$corpus" \
  --output-format ids --threads 1 --output "$out/tokalign1.ids"
measure tokalign_2 "$tokalign" encode --tokenizer "$vocab" --input "$corpus" \
  --output-format ids --threads 2 --output "$out/tokalign2.ids"

# 5. identical ids
cmp -s "$out/rust.ids" "$out/tokalign1.ids" && cmp -s "$out/tokalign1.ids" "$out/tokalign2.ids" \
  || { echo "ERROR: the ids differ between the tools"; exit 1; }
echo "ids identical for all $lines lines (tokalign 1 thread, 2 threads, Rust)"
# shellcheck disable=SC2154
awk "BEGIN{printf \"tokalign 1 thread / Rust: %.1fx (goal >= 25x); tokalign 2 threads / 1 thread: %.2fx (goal >= 1.8x)\n\", $mbs_tokalign_1 / $mbs_rust, $mbs_tokalign_2 / $mbs_tokalign_1}"
echo "(machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
