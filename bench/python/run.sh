#!/usr/bin/env bash
# The Python package's benchmarks, in one run on one text (the BERT bench's
# English corpus, SIZE_MB MB of the shared botchan + the_republic):
#   1. BERT: tokalign.AutoTokenizer batches -> padded int64 numpy arrays vs the
#      CLI's `encode --output-format ids`, 1 and 2 threads; ids compared line
#      for line (goal: Python >= 0.7x the CLI);
#   2. SentencePiece: tokalign vs Debian python3-sentencepiece
#      encode(list_of_lines), single thread, ids identical (goal >= 2x);
#   3. Dask: 2 worker processes vs 1 on a LocalCluster, and the overhead
#      against the same work in one process.
#   bash bench/python/run.sh          # SIZE_MB=20 RUNS=3
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${TKA_SHARED:-$root/../shared}
build=${BUILD:-$root/build}
out=$root/bench/out
size_mb=${SIZE_MB:-20}
runs=${RUNS:-3}
py=/usr/bin/python3
vocab=$shared/data/vocab/bert-base-uncased/vocab.txt
export TOKALIGN_MIRROR=${TOKALIGN_MIRROR:-$shared/data} RUNS=$runs
export PYTHONPATH=$build/python
mkdir -p "$out"

if [ ! -x "$build/tokalign" ] || ! grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j 2 --target tokalign_cli tokalign_python >/dev/null

corpus=$out/en_${size_mb}mb.txt
if [ ! -s "$corpus" ]; then
  : > "$corpus"
  while [ "$(stat -c %s "$corpus")" -lt $((size_mb * 1000000)) ]; do
    cat "$shared/data/corpora/botchan.txt" "$shared/data/corpora/the_republic.txt" >> "$corpus"
  done
fi
bytes=$(stat -c %s "$corpus")
echo "corpus: $(basename "$corpus") ($bytes bytes, $(wc -l < "$corpus") lines); best of $runs runs; $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg) at the start"

echo "== BERT (bert-base-uncased): padded numpy batches of 1024 lines vs the CLI's ids"
for t in 1 2; do
  best="" cpu=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S' -o "$out/time.txt" "$build/tokalign" encode --tokenizer "$vocab" \
      --input "$corpus" --output-format ids --threads "$t" --output "$out/cli$t.ids"
    read -r e u s < "$out/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($e < $best)}"; then best=$e cpu=$(awk "BEGIN{print $u + $s}"); fi
  done
  read -r _ pt pc rt rc < <("$py" "$here/bench.py" bert "$corpus" "$vocab" "$out/cli$t.ids" "$t")
  awk -v t="$t" -v b="$bytes" -v cw="$best" -v cc="$cpu" -v pw="$pt" -v pc="$pc" -v rw="$rt" -v rc="$rc" 'BEGIN{
    printf "%d thread(s): CLI %.2f s wall (%.2f s CPU) = %.1f MB/s | Python %.2f s wall (%.2f s CPU) = %.1f MB/s\n",
      t, cw, cc, b / 1e6 / cw, pw, pc, b / 1e6 / pw
    printf "   Python / CLI throughput: %.2fx wall, %.2fx CPU (goal >= 0.7x); reading the file into str first adds %.2f s (%.2f s CPU): %.2fx wall\n",
      cw / pw, cc / pc, rw, rc, cw / (pw + rw) }'
done

echo "== SentencePiece, single thread: tokalign padded numpy vs python3-sentencepiece encode(list)"
"$py" "$here/bench.py" spm "$corpus" "$shared/data/spm/bpe320_republic.model" \
  "$shared/data/spm/sentencepiece_test_model.model" "$shared/data/spm/cluecorpussmall_spm.model" \
  "$shared/data/spm/reformer-crime-and-punishment/spiece.model"

echo "== Dask (tokalign.dask, bert-base-uncased, shards of ids)"
"$py" "$here/bench.py" dask "$corpus" "$vocab" "$out"
echo "(machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
