#!/usr/bin/env bash
# Exact-output tests of `tokalign encode` and `tokalign decode`: output
# shapes, pairs, truncation and overflow, padding (incl. HF's refusal
# without a pad token), ids output, threads, and every encode golden row
# through the CLI (grouped by max_length and strategy).
set -euo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

out=$(echo 'Hello, world!' | $T encode --tokenizer bert-base-uncased --offsets)
check "single, offsets" '{"input_ids": [101, 7592, 1010, 2088, 999, 102], "token_type_ids": [0, 0, 0, 0, 0, 0], "attention_mask": [1, 1, 1, 1, 1, 1], "special_tokens_mask": [1, 0, 0, 0, 0, 1], "offsets": [[0, 0], [0, 5], [5, 6], [7, 12], [12, 13], [0, 0]]}' "$out"

# edge_cases line 218 (U+2B81F U+2B820 U+2B821): slow and fast segment it
# differently with the same ids; slow mode reports BertTokenizerFast's offsets
for model in bert-base-uncased bert-base-cased bert-base-chinese; do
  out=$(sed -n 218p "$TKA_SHARED/golden/tokenize/edge_cases.txt" | $T encode --tokenizer $model --offsets)
  check "$model: slow offsets of edge_cases:218 are the fast tokenizer's" '{"input_ids": [101, 100, 100, 102], "token_type_ids": [0, 0, 0, 0], "attention_mask": [1, 1, 1, 1], "special_tokens_mask": [1, 0, 0, 1], "offsets": [[0, 0], [0, 1], [1, 3], [0, 0]]}' "$out"
done

out=$(echo '{"a": "Hello there", "b": "General Kenobi"}' |
      $T encode --tokenizer bert-base-uncased --input-format jsonl --text-field a --pair-field b \
         --max-length 6 --overflow)
# "general ken ##ob ##i" is the longer: 4.9.1 removes from it, last first
check "pair, max_length alone = longest_first, overflow" '{"input_ids": [101, 7592, 2045, 102, 2236, 102], "token_type_ids": [0, 0, 0, 0, 1, 1], "attention_mask": [1, 1, 1, 1, 1, 1], "special_tokens_mask": [1, 0, 0, 1, 0, 1], "overflowing_tokens": [2072, 16429, 6358], "num_truncated_tokens": 3}' "$out"

out=$(echo 'Hello there' | $T encode --tokenizer bert-base-uncased --max-length 8 --padding max_length --padding-side left --output-format ids)
check "left padding, ids output" '0 0 0 0 101 7592 2045 102' "$out"

out=$(printf 'a\na b c d e f\n' | $T encode --tokenizer bert-base-uncased --padding longest --pad-to-multiple-of 4 --output-format ids | tr '\n' '|')
check "padding longest over the input, multiple of 4" '101 1037 102 0 0 0 0 0|101 1037 1038 1039 1040 1041 1042 102|' "$out"
out=$(printf 'a\na b c d e f\nb\nc\n' | $T encode --tokenizer bert-base-uncased --padding longest --batch-size 2 --output-format ids | tr '\n' '|')
check "padding longest per batch of 2" '101 1037 102 0 0 0 0 0|101 1037 1038 1039 1040 1041 1042 102|101 1038 102|101 1039 102|' "$out"

out=$(echo 'Hello there' | $T encode --tokenizer bert-base-uncased --max-length 3 --truncation only_second --overflow --compat fast 2>&1 || true)
check "fast: Rust's truncation error" 'tokalign encode: error: <stdin>: line 1: Truncation error: Second sequence not provided' "$out"

out=$(echo 'word word word word word' | $T encode --tokenizer bert-base-uncased --max-length 4 --overflow --compat fast --offsets)
check "fast: overflow encodings" '{"input_ids": [101, 2773, 2773, 102], "token_type_ids": [0, 0, 0, 0], "attention_mask": [1, 1, 1, 1], "special_tokens_mask": [1, 0, 0, 1], "offsets": [[0, 0], [0, 4], [5, 9], [0, 0]], "overflowing": [{"input_ids": [101, 2773, 2773, 102], "token_type_ids": [0, 0, 0, 0], "attention_mask": [1, 1, 1, 1], "special_tokens_mask": [1, 0, 0, 1], "offsets": [[0, 0], [10, 14], [15, 19], [0, 0]]}]}' "$out"

# no pad token: HF's ValueError, as DataCollatorWithPadding(ReformerTokenizer) raises
printf '[UNK]\n[CLS]\n[SEP]\nhello\n' > "$tmp/vocab.txt"
printf '{"pad_token": null}' > "$tmp/special_tokens_map.json"
set +e
echo hello | $T encode --tokenizer "$tmp/vocab.txt" --padding longest 2>"$tmp/err"; rc=$?
err=$(tail -n 1 "$tmp/err")
set -e
want=$($TKA_PYTHON -c "import json,sys; print(json.load(open(sys.argv[1]))['message'])" "$TKA_SHARED/golden/pipeline/reformer_collator_refusal.json")
remedy=" tokalign: give the pad token with --pad-id N or --pad-token PIECE (e.g. --pad-token '</s>', Reformer's eos, as tokenizer.pad_token = tokenizer.eos_token)."
check "no pad token: HF's refusal, then tokalign's remedy" "3|tokalign encode: error: ValueError: $want$remedy" "$rc|$err"
out=$(echo hello | $T encode --tokenizer "$tmp/vocab.txt" --padding max_length --max-length 4 --pad-id 0 --output-format ids 2>/dev/null)
check "no pad token: --pad-id" '1 3 2 0' "$out"

set +e
$T encode --tokenizer bert-base-uncased --pair-field b </dev/null >/dev/null 2>&1; rc=$?
set -e
check "--pair-field needs jsonl" 2 "$rc"
set +e
$T encode --tokenizer bert-base-uncased --truncation only_first </dev/null >/dev/null 2>&1; rc=$?
set -e
check "--truncation needs --max-length" 2 "$rc"
$T encode --help | grep -q '^examples:' && check "encode --help has examples" ok ok

# ids output == input_ids of the JSON output; threads change nothing
corpus=$TKA_SHARED/data/corpora/botchan.txt
$T encode --tokenizer bert-base-cased --input "$corpus" --output-format ids > "$tmp/ids1"
$T encode --tokenizer bert-base-cased --input "$corpus" --output-format ids --threads 2 > "$tmp/ids2"
cmp -s "$tmp/ids1" "$tmp/ids2" && check "encode --threads 2 == --threads 1" ok ok
$T encode --tokenizer bert-base-cased --input "$corpus" > "$tmp/json1"
$TKA_PYTHON - "$tmp/json1" "$tmp/ids1" <<'EOF' && check "ids output matches input_ids" ok ok
import json, sys
a = [' '.join(map(str, json.loads(l)['input_ids'])) for l in open(sys.argv[1], encoding='utf-8')]
b = [l.rstrip('\n') for l in open(sys.argv[2], encoding='utf-8')]
assert a == b
EOF

# --padding longest keeps every record until the end; threads change nothing
$T encode --tokenizer bert-base-cased --input "$corpus" --padding longest --batch-size 64 --output-format ids > "$tmp/p1"
$T encode --tokenizer bert-base-cased --input "$corpus" --padding longest --batch-size 64 --output-format ids --threads 3 > "$tmp/p3"
cmp -s "$tmp/p1" "$tmp/p3" && check "padding longest: --threads 3 == --threads 1" ok ok
widths=$(head -n 64 "$tmp/p1" | awk '{print NF}' | sort -u | wc -l)
check "padding longest: one width per batch of 64" 1 "$widths"

# decode
out=$(echo '101 7592 1010 2088 999 102' | $T decode --tokenizer bert-base-uncased)
check "decode" '{"text": "[CLS] hello, world! [SEP]"}' "$out"
out=$(echo '[101, 2009, 1005, 1055, 2025, 23566, 1012, 102]' | $T decode --tokenizer bert-base-uncased --input-format jsonl --skip-special-tokens --output-format text)
check "decode jsonl, skip specials, clean up" "it's not vegetarian." "$out"
out=$(echo '2009 1005 1055' | $T decode --tokenizer bert-base-uncased --no-clean-up-tokenization-spaces --output-format text)
check "decode without clean up" "it ' s" "$out"
set +e
err=$(printf '1 2\n3 x\n' | $T decode --tokenizer bert-base-uncased 2>&1 >/dev/null); rc=$?
set -e
check "decode: bad id" "3|tokalign decode: error: <stdin>: line 2: column 3: expected an integer id" "$rc|$err"
$T encode --tokenizer bert-base-uncased --input "$TKA_SHARED/data/corpora/botchan.txt" --output-format ids |
  $T decode --tokenizer bert-base-uncased --skip-special-tokens --output-format text > "$tmp/round"
n=$(wc -l < "$tmp/round")
check "encode | decode keeps one line per record" "$(wc -l < "$TKA_SHARED/data/corpora/botchan.txt")" "$n"

# every encode golden row through the CLI (offsets included where recorded),
# grouped by (max_length, strategy)
for model in bert-base-uncased bert-base-cased bert-base-chinese; do
  g=$TKA_SHARED/golden/tokenize/encode.$model.jsonl
  res=$($TKA_PYTHON - "$T" "$model" "$g" "$tmp" <<'EOF'
import json, subprocess, sys
tok, model, path, tmp = sys.argv[1:5]
rows = [json.loads(l) for l in open(path, encoding='utf-8')]
groups = {}
for r in rows:
    groups.setdefault((r['max_length'], r['strategy']), []).append(r)
sensitive = {'edge_cases:%d' % i for i in (252, 303, 304, 305, 306)}
checked = matched = apart = 0
keys = ('input_ids', 'token_type_ids', 'attention_mask', 'special_tokens_mask')
for (ml, strategy), rs in groups.items():
    inp = '%s/in.jsonl' % tmp
    with open(inp, 'w', encoding='utf-8') as f:
        for r in rs:
            f.write(json.dumps({'text': r['text'], 'text_pair': r['text_pair']}) + '\n')
    cmd = [tok, 'encode', '--tokenizer', model, '--input', inp, '--input-format', 'jsonl',
           '--pair-field', 'text_pair', '--offsets']
    if ml is not None:
        cmd += ['--max-length', str(ml), '--truncation', strategy, '--overflow']
    out = subprocess.run(cmd, capture_output=True, check=True).stdout.decode('utf-8')
    got = [json.loads(l) for l in out.splitlines()]
    assert len(got) == len(rs)
    for r, o in zip(rs, got):
        if r['src'] in sensitive:
            apart += 1
            continue
        want = {k: r[k] for k in keys}
        if ml is not None:
            want['overflowing_tokens'] = r['overflowing_tokens']
            want['num_truncated_tokens'] = r['num_truncated_tokens']
        if 'offsets' in r:  # recorded where the fast tokenizer gives the same ids
            want['offsets'] = r['offsets']
        else:
            o.pop('offsets', None)
        checked += 1
        matched += o == want
print(checked, matched, apart)
EOF
)
  read -r c m a <<< "$res"
  check "golden encode.$model through the CLI: checked $c, matched $m ($a unicode_sensitive apart)" "$c" "$m"
done

# --word-ids: the Rust Encoding's word ids (values from npm tokenizers@0.23.2's getWordIds):
# an added token in the text is a word, the processor's specials are null; overflow rows
# keep their words
out=$(printf 'Hello, [SEP] world!\n' | $T encode --tokenizer bert-base-uncased --compat fast --word-ids)
check "word ids, fast BERT" '{"input_ids": [101, 7592, 1010, 102, 2088, 999, 102], "token_type_ids": [0, 0, 0, 0, 0, 0, 0], "attention_mask": [1, 1, 1, 1, 1, 1, 1], "special_tokens_mask": [1, 0, 0, 0, 0, 0, 1], "word_ids": [null, 0, 1, 2, 3, 4, null]}' "$out"
out=$(printf '{"t":"Hello <|endoftext|> world","p":"x y"}\n' | $T encode --tokenizer "$TKA_SHARED/data/tokenizers/gpt2/tokenizer.json" \
  --input-format jsonl --text-field t --pair-field p --word-ids --max-length 4 --stride 1 --overflow)
check "word ids, tokenizer.json pair with overflow" '{"input_ids": [15496, 220, 87, 331], "token_type_ids": [0, 0, 1, 1], "attention_mask": [1, 1, 1, 1], "special_tokens_mask": [0, 0, 0, 0], "word_ids": [0, 1, 0, 1], "overflowing": [{"input_ids": [220, 50256, 87, 331], "token_type_ids": [0, 0, 1, 1], "attention_mask": [1, 1, 1, 1], "special_tokens_mask": [0, 0, 0, 0], "word_ids": [1, 2, 0, 1]}, {"input_ids": [50256, 995, 87, 331], "token_type_ids": [0, 0, 1, 1], "attention_mask": [1, 1, 1, 1], "special_tokens_mask": [0, 0, 0, 0], "word_ids": [2, 3, 0, 1]}]}' "$out"
rc=0; err=$(echo x | $T encode --tokenizer bert-base-uncased --word-ids 2>&1 >/dev/null) || rc=$?
check "word ids refused for slow BERT (exit 3)" "3: tokalign encode: error: word ids are those of the Rust (fast) tokenizers: open a BERT vocabulary with compat fast, or a tokenizer.json" "$rc: $err"

# Word ids under the file's own Left truncation (values from npm tokenizers@0.23.2): Rust
# drains the splits before the first one kept, so word ids count from it.
"$TKA_PYTHON" -c 'import json, sys
j = json.load(open(sys.argv[1]))
j["truncation"] = {"direction": "Left", "max_length": 5, "strategy": "LongestFirst", "stride": 0}
json.dump(j, open(sys.argv[2], "w"))' "$S/data/tokenizers/gpt2/tokenizer.json" "$tmp/gpt2_left.json"
out=$(printf 'Hello there my good friend, how are you today?\nHello <|endoftext|> world and more words here\n' |
  $T encode --tokenizer "$tmp/gpt2_left.json" --word-ids | tr -d ' ')
check "word ids, tokenizer.json Left truncation" '{"input_ids":[703,389,345,1909,30],"token_type_ids":[0,0,0,0,0],"attention_mask":[1,1,1,1,1],"special_tokens_mask":[0,0,0,0,0],"word_ids":[0,1,2,3,4]}
{"input_ids":[995,290,517,2456,994],"token_type_ids":[0,0,0,0,0],"attention_mask":[1,1,1,1,1],"special_tokens_mask":[0,0,0,0,0],"word_ids":[0,1,2,3,4]}' "$out"

finish
