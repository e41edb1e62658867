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
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../lib.sh"
here=$root/bench/python
py=/usr/bin/python3
vocab=$shared/data/vocab/bert-base-uncased/vocab.txt
export TOKALIGN_MIRROR=${TOKALIGN_MIRROR:-$shared/data} RUNS=$runs
export PYTHONPATH=$build/python

bench_cli tokalign_python
bench_corpus "${SIZE_MB:-20}"
echo "corpus: $(basename "$corpus") ($bytes bytes, $lines lines); best of $runs runs; $(nproc) cores, load average $(load_average) at the start"

echo "== BERT (bert-base-uncased): padded numpy batches of 1024 lines vs the CLI's ids"
for t in 1 2; do
  best_of "$build/tokalign" encode --tokenizer "$vocab" --input "$corpus" --output-format ids \
    --threads "$t" --output "$out/cli$t.ids"
  read -r _ pt pc rt rc < <("$py" "$here/bench.py" bert "$corpus" "$vocab" "$out/cli$t.ids" "$t")
  awk -v t="$t" -v b="$bytes" -v cw="$best" -v cc="$best_cpu" -v pw="$pt" -v pc="$pc" -v rw="$rt" -v rc="$rc" 'BEGIN{
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
echo "(machine: $(nproc) cores, load average $(load_average))"
