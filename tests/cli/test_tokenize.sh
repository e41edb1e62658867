#!/usr/bin/env bash
# Exact-output tests of `tokalign tokenize`: JSON shape, line splitting,
# JSONL input, invalid UTF-8, threads, bad tokenizer files, and the golden
# rows of the demo and edge-case sets through the CLI.
set -euo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

out=$(echo 'Hello, world!' | $T tokenize --tokenizer bert-base-uncased)
check "json shape" '{"tokens": ["hello", ",", "world", "!"], "ids": [7592, 1010, 2088, 999]}' "$out"

out=$(printf 'Caf\xc3\xa9 "quoted"\n' | $T tokenize --tokenizer bert-base-cased)
check "cased, escaping" '{"tokens": ["Café", "\"", "quoted", "\""], "ids": [21036, 107, 9129, 107]}' "$out"

# Python text mode: \n, \r\n and a lone \r end lines; an empty line is a record
out=$(printf 'a\r\nb\rc\n\nd' | $T tokenize --tokenizer bert-base-uncased | tr '\n' '|')
check "line splitting" '{"tokens": ["a"], "ids": [1037]}|{"tokens": ["b"], "ids": [1038]}|{"tokens": ["c"], "ids": [1039]}|{"tokens": [], "ids": []}|{"tokens": ["d"], "ids": [1040]}|' "$out"

out=$(printf '{"sentence": "[MASK] it"}\n\n{"sentence": "x", "other": 1}\n' |
      $T tokenize --tokenizer bert-base-uncased --input-format jsonl --text-field sentence | tr '\n' '|')
check "jsonl input, blank line skipped" '{"tokens": ["[MASK]", "it"], "ids": [103, 2009]}|{"tokens": ["x"], "ids": [1060]}|' "$out"

set +e
err=$(printf 'ok\nab\xffcd\n' | $T tokenize --tokenizer bert-base-uncased 2>&1 >/dev/null); rc=$?
set -e
check "invalid UTF-8: exit code" 3 "$rc"
check "invalid UTF-8: message" 'tokalign tokenize: error: <stdin>: line 2: invalid UTF-8 at byte offset 2 (--errors replace decodes it as Python'"'"'s errors="replace" does)' "$err"

out=$(printf 'ab\xffcd \xe2\x82\n' | $T tokenize --tokenizer bert-base-uncased --errors replace)
check "--errors replace (U+FFFD, dropped by clean_text)" '{"tokens": ["abc", "##d"], "ids": [5925, 2094]}' "$out"

set +e
err=$(printf '{"text": 3}\n' | $T tokenize --tokenizer bert-base-uncased --input-format jsonl 2>&1); rc=$?
set -e
check "jsonl without the field" "3|tokalign tokenize: error: <stdin>: line 1: expected a JSON object with a string field \"text\"" "$rc|$err"

set +e
$T tokenize >/dev/null 2>&1; rc=$?
set -e
check "no --tokenizer: usage error" 2 "$rc"
set +e
$T tokenize --tokenizer bert-base-uncased --bogus >/dev/null 2>&1; rc=$?
set -e
check "unknown option: usage error" 2 "$rc"
$T tokenize --help | grep -q '^examples:' && check "--help has examples" ok ok

# bad tokenizer files
printf '\x7fELF\x02\x01\x01\x00\x80\xfe' > "$tmp/vocab.txt"
set +e
err=$($T tokenize --tokenizer "$tmp/vocab.txt" < /dev/null 2>&1); rc=$?
set -e
check "binary vocabulary" "3|tokalign tokenize: error: $tmp/vocab.txt: line 1 (byte offset 8 in the file): invalid UTF-8; not a vocab.txt? (HF's load_vocab would raise UnicodeDecodeError)" "$rc|$err"
printf '[PAD]\n[CLS]\n[SEP]\nhello\n' > "$tmp/vocab.txt"
set +e
err=$($T tokenize --tokenizer "$tmp/vocab.txt" < /dev/null 2>&1); rc=$?
set -e
check "vocabulary without [UNK]" "3" "$rc"
echo "$err" | grep -q 'has no unk_token "\[UNK\]"' && check "vocabulary without [UNK]: message" ok ok
printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nhello\n\n' > "$tmp/vocab.txt"
out=$(echo hello | $T tokenize --tokenizer "$tmp/vocab.txt" 2>"$tmp/err")
check "duplicate line: the later id" '{"tokens": ["hello"], "ids": [5]}' "$out"
grep -q 'line 5 repeats the token of line 6' "$tmp/err" && check "duplicate line: warning" ok ok
set +e
$T tokenize --tokenizer no/such/dir/vocab.txt < /dev/null 2>/dev/null; rc=$?
set -e
check "missing vocabulary" 3 "$rc"

# threads never change the output
corpus=$TKA_SHARED/data/corpora/the_republic.txt
$T tokenize --tokenizer bert-base-uncased --input "$corpus" > "$tmp/t1"
$T tokenize --tokenizer bert-base-uncased --input "$corpus" --threads 3 > "$tmp/t3"
cmp -s "$tmp/t1" "$tmp/t3" && check "--threads 3 == --threads 1 ($(wc -l < "$tmp/t1") lines)" ok ok

# a single line longer than the 1 MiB read chunk
$TKA_PYTHON -c "import sys; sys.stdout.write('word ' * 300000 + '\nlast\n')" > "$tmp/long"
n=$($T tokenize --tokenizer bert-base-uncased --input "$tmp/long" --threads 2 | wc -l)
check "line longer than a chunk" 2 "$n"

# golden rows through the CLI (texts as JSONL, compared with Python's json)
for model in bert-base-uncased bert-base-cased bert-base-chinese; do
  for set in demo edge_cases; do
    g=$TKA_SHARED/golden/tokenize/$model.$set.jsonl
    for compat in slow fast; do
      $T tokenize --tokenizer $model --input-format jsonl --compat $compat --input "$g" > "$tmp/out"
      res=$($TKA_PYTHON - "$g" "$tmp/out" $compat <<'EOF'
import json, sys
gold = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
got = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
fast = sys.argv[3] == 'fast'
assert len(gold) == len(got), (len(gold), len(got))
checked = matched = apart = 0
for g, o in zip(gold, got):
    if 'unicode_sensitive' in g and not fast:
        apart += 1; continue
    want_t = g.get('fast_tokens', g['tokens']) if fast else g['tokens']
    want_i = g.get('fast_ids', g['ids']) if fast else g['ids']
    checked += 1
    if o == {'tokens': want_t, 'ids': want_i}:
        matched += 1
print(checked, matched, apart)
EOF
)
      read -r c m a <<< "$res"
      check "golden $model.$set --compat $compat: checked $c, matched $m ($a reported apart)" "$c" "$m"
    done
  done
done

finish
