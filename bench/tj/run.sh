#!/usr/bin/env bash
# tokenizer.json throughput.
#   bash bench/tj/run.sh            # end to end, side by side (below), then the models alone
#   bash bench/tj/run.sh models [SECONDS]   # the models alone only
# End to end, in one run on the same English text (botchan + the_republic repeated to
# SIZE_MB MB, default 4): `tokalign encode --output-format ids` with 1 and 2 threads
# against HuggingFace's Rust tokenizer (npm tokenizers@0.23.2, same tokenizer.json,
# TOKENIZERS_PARALLELISM=false) for gpt2, llama3, qwen3, llama2 and t5-style-unigram, and
# against tiktoken (npm tiktoken, get_encoding("gpt2"), encode_ordinary) for gpt2. The ids
# of every tool must be identical (tiktoken's equal gpt2's: GPT-2's file adds no special
# token). Reports MB/s (best elapsed time of RUNS, default 3) and the ratios. Every tool is
# also timed on an empty input file: that time (start-up + loading the tokenizer.json) is
# printed as "load s" and subtracted from its time on the corpus for the "encoding alone"
# figures, the same rule for tokalign and the references; the ratios compare those.
# MODELS="gpt2 llama3" runs only those models.
# The models alone: single thread, CPU time, on the words of botchan as the real pipelines
# hand them over: byte-level pre-tokens for gpt2/llama3/qwen3 (GPT-2 regex +
# bytes_to_unicode), whole "▁"-joined lines for llama2, "▁"-prefixed words for the Unigram.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../lib.sh"
mode=${1:-all}
seconds=${2:-2}
out=$out/tj
mkdir -p "$out"
if [ "$mode" != models ]; then
  bench_cli
  bench_npm tokenizers@0.23.2 tiktoken@1.0.22
  bench_corpus "${SIZE_MB:-4}"
  echo "corpus: $corpus ($bytes bytes, $lines lines); best elapsed time of $runs runs"
  echo "(machine: $(nproc) cores, load average before: $(load_average))"
  : > "$out/empty.txt"
  # measure INPUT_ARG_INDEX command... : the command on an empty file, then on the corpus
  # (start-up + loading the tokenizer). Sets $mbs (end to end) and $emb (encoding alone:
  # the corpus over the difference).
  measure() {
    local i=$1 a
    shift
    a=("$@")
    a[$i]=$out/empty.txt
    best_of "${a[@]}"; local empty=$best
    load=$empty
    best_of "$@"; local full=$best # last, so the ids written are the corpus's
    mbs=$(awk "BEGIN{printf \"%.2f\", $bytes / 1e6 / ($full > 0 ? $full : 0.01)}")
    # under 0.05 s apart, the difference is noise: no figure
    emb=$(awk "BEGIN{d = $full - $empty; if (d < 0.05) print \"-\"; else printf \"%.2f\", $bytes / 1e6 / d}")
  }
  # x/y as "N.Nx", or "-" when a figure is missing (too close to the loading time to tell)
  ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else awk "BEGIN{printf \"%.1fx\", $1 / $2}"; fi; }
  export TOKENIZERS_PARALLELISM=false
  echo "MB/s end to end (start-up and loading included) | MB/s encoding alone (minus the same"
  echo "tool's time on an empty file) | ratios on the encoding-alone figures; load s: each"
  echo "tool's best time on the empty file (start-up + loading), Rust | tokalign 1 thread"
  printf '%-17s %12s %12s %12s %12s %9s %9s %12s\n' model "Rust" "tka 1 thr" "tka 2 thr" "tiktoken" "1thr/Rust" "2thr/Rust" "load s"
  fail=0
  for m in ${MODELS:-gpt2 llama3 qwen3 llama2 t5-style-unigram}; do
    tj=$shared/data/tokenizers/$m/tokenizer.json
    measure 4 node bench/lib/rust_tokenizers.js json "$tj" "$corpus" "$out/$m.rust.ids"; rust=$mbs; rust_e=$emb; rust_l=$load
    measure 5 "$tokalign" encode --tokenizer "$tj" --input "$corpus" --output-format ids --threads 1 --output "$out/$m.tka1.ids"; t1=$mbs; t1_e=$emb; t1_l=$load
    measure 5 "$tokalign" encode --tokenizer "$tj" --input "$corpus" --output-format ids --threads 2 --output "$out/$m.tka2.ids"; t2=$mbs; t2_e=$emb
    cmp -s "$out/$m.rust.ids" "$out/$m.tka1.ids" && cmp -s "$out/$m.tka1.ids" "$out/$m.tka2.ids" \
      || { echo "ERROR: $m: the ids differ between tokalign and the Rust tokenizer"; fail=1; }
    tt=-
    if [ $m = gpt2 ]; then
      measure 2 node bench/tj/tiktoken_gpt2.js "$corpus" "$out/gpt2.tiktoken.ids"; tt="$mbs|$emb"
      cmp -s "$out/gpt2.tiktoken.ids" "$out/gpt2.tka1.ids" \
        || { echo "ERROR: gpt2: tiktoken's ids differ from tokalign's"; fail=1; }
      tik=$mbs; tik_e=$emb; g1=$t1; g1_e=$t1_e
    fi
    printf '%-17s %12s %12s %12s %12s %9s %9s %12s\n' $m "$rust|$rust_e" "$t1|$t1_e" "$t2|$t2_e" "$tt" \
      "$(ratio "$t1_e" "$rust_e")" "$(ratio "$t2_e" "$rust_e")" "$rust_l|$t1_l"
  done
  [ $fail = 0 ] || exit 1
  echo "ids identical for all $lines lines, every model (tokalign 1 and 2 threads, Rust; tiktoken for gpt2)"
  if [ -n "${g1:-}" ]; then
    printf 'gpt2: tokalign 1 thread / tiktoken: %s encoding alone, %s end to end\n' \
      "$(ratio "$g1_e" "$tik_e")" "$(ratio "$g1" "$tik")"
  fi
  echo "(load average after: $(load_average))"
  [ "$mode" = all ] || exit 0
  echo
fi
bench_static
# shellcheck disable=SC2086
gcc $static_cflags -Isrc -o "$out/tj_model_run" bench/tj/tj_model_run.c $static_libs
python3 - "$shared/data/corpora/botchan.txt" "$out" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding='utf-8').read()
bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
cs, n = bs[:], 0
for b in range(256):
    if b not in bs:
        bs.append(b); cs.append(256 + n); n += 1
b2u = dict(zip(bs, map(chr, cs)))
pat = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")
def dump(name, words):
    with open(f'{sys.argv[2]}/{name}.jsonl', 'w', encoding='utf-8') as f:
        for w in words:
            f.write(json.dumps(w, ensure_ascii=False) + '\n')
lines = text.splitlines()
dump('bytelevel', [''.join(b2u[b] for b in w.encode()) for l in lines for w in pat.findall(l)])
dump('metaspace_lines', ['\u2581' + l.replace(' ', '\u2581') for l in lines if l])
dump('metaspace_words', ['\u2581' + w for l in lines for w in l.split()])
PY
printf '%-24s %-18s %s\n' model words "MB/s (model only)"
for m in gpt2 llama3 qwen3; do
  printf '%-24s %-18s %s\n' $m bytelevel "$("$out/tj_model_run" --bench "$shared/data/tokenizers/$m/tokenizer.json" "$out/bytelevel.jsonl" "$seconds")"
done
printf '%-24s %-18s %s\n' llama2 metaspace_lines "$("$out/tj_model_run" --bench "$shared/data/tokenizers/llama2/tokenizer.json" "$out/metaspace_lines.jsonl" "$seconds")"
printf '%-24s %-18s %s\n' t5-style-unigram metaspace_words "$("$out/tj_model_run" --bench "$shared/data/tokenizers/t5-style-unigram/tokenizer.json" "$out/metaspace_words.jsonl" "$seconds")"
