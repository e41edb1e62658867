#!/usr/bin/env bash
# Throughput of the tokenizer.json MODELS alone (no normalizer / pre-tokenizer), single
# thread, CPU time, on the words of botchan as the real pipelines hand them over:
# byte-level pre-tokens for gpt2/llama3/qwen3 (GPT-2 regex + bytes_to_unicode), whole
# "▁"-joined lines for llama2, "▁"-prefixed words for the Unigram file.
#   bash bench/tj/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${TKA_SHARED:-../shared}
seconds=${1:-2}
out=bench/out/tj
mkdir -p "$out"
if [ ! -f build-bench/libtokalign.a ] || [ -n "$(find src include -newer build-bench/libtokalign.a -print -quit)" ]; then
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTKA_TESTS=OFF >/dev/null
  cmake --build build-bench -j 2 --target tokalign >/dev/null
fi
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -o "$out/tj_model_run" bench/tj/tj_model_run.c \
  build-bench/libtokalign.a $(pkg-config --libs libutf8proc libpcre2-8 jansson icu-uc) -lcsv -lpthread -lm
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
