#!/usr/bin/env bash
# --threads through the one ordered pool (tokalign/pool.h) of tokenize and
# encode: an input of many chunks with a bad record in the middle fails with
# the same message, exit code and output before it whatever the thread count;
# a write failure with chunks in flight exits at once (no deadlock).
set -euo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# about 2.4 MB (about ten 256 KiB chunks) of plain lines, an invalid UTF-8
# byte on line 21000 (chunk 6 or so), a second one later
corpus=$TKA_SHARED/data/corpora/botchan.txt
for _ in 1 2 3 4 5 6 7 8 9 10; do tr -d '\r' < "$corpus"; done | awk 'NF && n++ < 40000' > "$tmp/in.txt"
awk 'NR == 21000 { printf "%s \377 tail\n", $0; next } NR == 33000 { printf "\376\n"; next } { print }' \
  "$tmp/in.txt" > "$tmp/bad.txt"
col=$(awk 'NR == 21000 { print length($0) + 1 }' "$tmp/in.txt")

for cmd in tokenize encode; do
  for th in 1 2 4; do
    set +e
    err=$($T $cmd --tokenizer bert-base-uncased --input "$tmp/bad.txt" --threads $th 2>&1 >"$tmp/out$th"); rc=$?
    set -e
    check "$cmd --threads $th: first bad line reported" \
      "3|tokalign $cmd: error: $tmp/bad.txt: line 21000: invalid UTF-8 at byte offset $col (--errors replace decodes it as Python's errors=\"replace\" does)" \
      "$rc|$err"
  done
  n=$(wc -l < "$tmp/out1")
  [ "$n" -gt 10000 ] && [ "$n" -lt 21000 ] && check "$cmd: the chunks before the failing one are written" ok ok ||
    check "$cmd: the chunks before the failing one are written" "10000 < lines < 21000" "$n"
  cmp -s "$tmp/out1" "$tmp/out2" && cmp -s "$tmp/out1" "$tmp/out4" &&
    check "$cmd: same output before the error with 1, 2 and 4 threads" ok ok ||
    check "$cmd: same output before the error with 1, 2 and 4 threads" same different
done

# every thread count gives the same bytes on the good input
$T encode --tokenizer bert-base-uncased --input "$tmp/in.txt" --output-format ids > "$tmp/ids1"
for th in 2 3 8; do
  $T encode --tokenizer bert-base-uncased --input "$tmp/in.txt" --output-format ids --threads $th > "$tmp/ids$th"
  cmp -s "$tmp/ids1" "$tmp/ids$th" && check "encode --threads $th == --threads 1" ok ok ||
    check "encode --threads $th == --threads 1" same different
done
check "one ids line per record" 40000 "$(wc -l < "$tmp/ids1")"

# early exit: the output device is full while chunks are in flight
if [ -w /dev/full ]; then
  for th in 1 2 8; do
    set +e
    err=$(timeout 60 $T encode --tokenizer bert-base-uncased --input "$tmp/in.txt" --threads $th -o /dev/full 2>&1); rc=$?
    set -e
    check "--threads $th, write failure: exits with an error, no hang" \
      "3|tokalign encode: error: write failed: No space left on device" "$rc|$(printf '%s' "$err" | head -n 1)"
  done
fi
finish
