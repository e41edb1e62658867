#!/usr/bin/env bash
# Memory stays bounded on ordinary input (issue 12, item 13), asserted on peak RSS
# (measured with /usr/bin/time, not RLIMIT_AS, so a sanitizer build runs it too):
# - encode --padding longest pads and writes each batch as it completes (default
#   batch 1000 records, datasets.map's): 4x the input, same peak;
# - one 20 MB TSV line: read and pipeline peak at a small multiple of the line.
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
rss() { /usr/bin/time -f %M -o "$tmp/rss" "$@"; local rc=$?; tail -1 "$tmp/rss"; return $rc; }
# In a sanitizer build, ASan holds freed blocks in a quarantine (256 MB by
# default), which would be measured as if tokalign kept them: keep it small.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"

"$TKA_PYTHON" - "$tmp/small.txt" <<'PY'
import random, sys
random.seed(1)
words = "the a quick brown fox jumps over lazy dog hello world token align test".split()
with open(sys.argv[1], "w") as f:
    for _ in range(100000):
        f.write(" ".join(random.choice(words) for _ in range(random.randint(1, 12))) + "\n")
PY
for _ in 1 2 3 4; do cat "$tmp/small.txt"; done > "$tmp/large.txt"
enc=("$T" encode --tokenizer bert-base-uncased --padding longest --output-format ids)
enc() { "${enc[@]}" "$@"; }
small=$(rss "${enc[@]}" --input "$tmp/small.txt" --output "$tmp/small.out") || bad "encode small"
large=$(rss "${enc[@]}" --input "$tmp/large.txt" --output "$tmp/large.out") || bad "encode large"
echo "encode --padding longest: $(stat -c %s "$tmp/small.txt") bytes -> ${small} KB, 4x -> ${large} KB"
[ "$large" -lt $((small + 20000)) ] && ok "4x the input, peak RSS ${large} KB vs ${small} KB (flat)" \
  || bad "encode memory grows with the input: $small KB -> $large KB"
# batches of 1000: the first 1000 lines padded to their own longest, not the file's
head -1000 "$tmp/small.txt" > "$tmp/h.txt"
enc --input "$tmp/h.txt" --batch-size 1000 > "$tmp/h.out"
cmp -s "$tmp/h.out" <(head -1000 "$tmp/small.out") && ok "default batch = --batch-size 1000" || bad "default batch differs"
awk '{ b = int((NR - 1) / 1000); if (b in w && w[b] != NF) bad = 1; w[b] = NF } END { exit bad || NR != 400000 }' "$tmp/large.out" \
  && ok "400,000 records, one width per batch of 1000" || bad "widths within a batch differ"
enc --input "$tmp/h.txt" --batch-size 0 2> "$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "got '0'" "$tmp/e" && ok "--batch-size 0 refused" || bad "--batch-size 0 (rc $rc)"

# one 20 MB line
"$TKA_PYTHON" - "$tmp/line.tsv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("sentence\tlabel\n" + "abc def ghi " * ((20 << 20) // 12) + "\t1\nshort\t0\n")
PY
line_kb=$(( $(stat -c %s "$tmp/line.tsv") / 1024 ))
r=$(rss "$T" read "$tmp/line.tsv" --out "$tmp/read.json") || bad "read"
[ "$r" -lt $((line_kb * 5 + 30000)) ] && ok "read, a ${line_kb} KB line: peak ${r} KB (< 5x + 30 MB)" || bad "read peak $r KB"
r=$(rss "$T" pipeline --data "$tmp/line.tsv" --tokenizer bert-base-uncased -q --dump "$tmp/p.npy") || bad "pipeline"
[ "$r" -lt $((line_kb * 10 + 30000)) ] && ok "pipeline, a ${line_kb} KB line: peak ${r} KB (< 10x + 30 MB)" || bad "pipeline peak $r KB"
finish
