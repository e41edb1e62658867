#!/usr/bin/env bash
# End-to-end pipeline throughput and memory, side by side with the tokenizer
# alone on the same sentences: a generated TSV of ROWS rows (sentence<TAB>label,
# sentences are lines of the shared English corpora, repeated) is run through
# `tokalign pipeline` (read as pandas does, every row tokenized, sequential
# batches of 4, dump written) and the same sentences through
# `tokalign encode --output-format ids` with the same truncation. Reports
# rows/s, MB/s, peak RSS, and pipeline / tokenizer for 1 and 2 threads; and the
# peak RSS at SMALL_ROWS rows to show memory does not grow with the file.
#   bash bench/pipeline/run.sh                 # ROWS=1000000 SMALL_ROWS=100000 RUNS=3
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../lib.sh"
rows=${ROWS:-1000000}
small=${SMALL_ROWS:-100000}
bench_cli
export TOKALIGN_MIRROR=${TOKALIGN_MIRROR:-$shared/data}

# A TSV pandas reads as plain rows: CR stripped, TABs in text become spaces,
# double quotes become single ones (a leading " would open a quoted field),
# blank lines and pandas' NA strings skipped; label = row % 2.
make_tsv() { # N FILE
  [ -s "$2" ] && return 0
  awk -v n="$1" 'BEGIN { print "sentence\tlabel"; split("#N/A,#N/A N/A,#NA,-1.#IND,-1.#QNAN,-NaN,-nan,1.#IND,1.#QNAN,<NA>,N/A,NA,NULL,NaN,n/a,nan,null", na, ",");
                         for (k in na) isna[na[k]] = 1 }
       { sub(/\r$/, ""); gsub(/\t/, " "); gsub(/"/, "'"'"'"); if ($0 ~ /^ *$/ || ($0 in isna)) next;
         lines[m++] = $0 }
       END { for (i = 0; i < n; i++) print lines[i % m] "\t" (i % 2) }' \
    "$shared/data/corpora/botchan.txt" "$shared/data/corpora/the_republic.txt" > "$2"
}
big=$out/pipeline_${rows}.tsv
small_tsv=$out/pipeline_${small}.tsv
make_tsv "$rows" "$big"
make_tsv "$small" "$small_tsv"
tail -n +2 "$big" | cut -f1 > "$out/pipeline_${rows}.txt"
bytes=$(stat -c %s "$big")
text_bytes=$(stat -c %s "$out/pipeline_${rows}.txt")
echo "TSV: $big ($rows rows, $bytes bytes); sentences alone: $text_bytes bytes"

measure() { # name rows bytes command...: one table row; sets rps_NAME
  local name=$1 n=$2 b=$3 rps
  shift 3
  best_of "$@" > /dev/null
  rps=$(awk "BEGIN{printf \"%.0f\", $n / $best}")
  printf '%-30s %7.2f s %10s rows/s %7.1f MB/s %6d MB peak RSS\n' "$name" "$best" "$rps" \
    "$(awk "BEGIN{print $b / 1e6 / $best}")" $((peak_rss / 1024))
  eval "rps_$name=$rps"
}
echo "runs per measurement: $runs (best elapsed time kept); bert-base-uncased, max_length 128"
for th in 1 2; do
  measure "tokenizer_${th}t" "$rows" "$text_bytes" "$tokalign" encode --tokenizer bert-base-uncased \
    --max-length 128 --truncation longest_first --output-format ids --threads $th \
    --input "$out/pipeline_${rows}.txt" --output "$out/pipeline_ids.txt"
  measure "pipeline_${th}t" "$rows" "$bytes" "$tokalign" pipeline --data "$big" \
    --tokenizer bert-base-uncased --threads $th --dump "$out/pipeline.npy" -q
done
measure "pipeline_1t_${small}_rows" "$small" "$(stat -c %s "$small_tsv")" "$tokalign" pipeline \
  --data "$small_tsv" --tokenizer bert-base-uncased --threads 1 --dump "$out/pipeline_small.npy" -q
# shellcheck disable=SC2154
awk "BEGIN{printf \"pipeline / tokenizer rows/s: %.2fx with 1 thread, %.2fx with 2 threads (goal >= 0.8x)\n\", $rps_pipeline_1t / $rps_tokenizer_1t, $rps_pipeline_2t / $rps_tokenizer_2t}"

# The Reformer step-2 pipeline on the real model (ReformerTokenizer.from_pretrained: </s> and
# <unk> never split; no truncation; pad token = eos), same TSV.
echo "google/reformer-crime-and-punishment (from_pretrained), --pad-token '</s>', no truncation"
for th in 1 2; do
  measure "reformer_tokenizer_${th}t" "$rows" "$text_bytes" "$tokalign" encode \
    --tokenizer google/reformer-crime-and-punishment --output-format ids --threads $th \
    --input "$out/pipeline_${rows}.txt" --output "$out/pipeline_ids.txt"
  measure "reformer_pipeline_${th}t" "$rows" "$bytes" "$tokalign" pipeline --data "$big" \
    --tokenizer google/reformer-crime-and-punishment --pad-token '</s>' --threads $th \
    --dump "$out/pipeline.npy" -q
done
# shellcheck disable=SC2154
awk "BEGIN{printf \"reformer pipeline / tokenizer rows/s: %.2fx with 1 thread, %.2fx with 2 threads\n\", $rps_reformer_pipeline_1t / $rps_reformer_tokenizer_1t, $rps_reformer_pipeline_2t / $rps_reformer_tokenizer_2t}"
echo "(machine: $(nproc) cores, load average $(load_average))"
