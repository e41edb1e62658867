#!/usr/bin/env bash
# SentencePiece through the generic CLI: every spm golden row via `tokenize`
# (pieces, tokens and ids), Reformer's missing pad token, --pad-id /
# --pad-token, and decode.
set -euo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# Every row of every spm golden through the CLI (JSONL in, compared field by field).
for golden in "$TKA_SHARED"/golden/tokenize/spm.*.jsonl; do
  name=$(basename "$golden" .jsonl)           # spm.MODEL.SET
  model=${name#spm.}; model=${model%.*}
  $T tokenize --tokenizer "$model" --input-format jsonl --text-field text --threads 2 \
     < "$golden" > "$tmp/out.jsonl"
  result=$("$TKA_PYTHON" - "$golden" "$tmp/out.jsonl" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
bad = [w["i"] for w, g in zip(want, got)
       if g.get("pieces") != w["pieces"] or g.get("tokens") != w["pieces"] or g.get("ids") != w["ids"]]
print("%d %d %s" % (len(want), len(got), bad[:5]))
PY
)
  read -r n_want n_got bad <<<"$result"
  if [ "$n_want" = "$n_got" ] && [ "$bad" = "[]" ]; then
    ok "$name: checked $n_want, matched $n_want"
  else
    bad "$name: $n_want rows expected, $n_got written, first mismatching lines $bad"
  fi
done

# The real Reformer model: every row of the reformer.* goldens (transformers 4.9.1's
# ReformerTokenizer.from_pretrained) through the model directory and through the known
# name (resolved in the mirror); the bare spiece.model is plain SentencePiece, so there
# rows carrying plain_pieces / plain_ids (from_pretrained differs) must give those.
rdir="$TKA_SHARED/data/spm/reformer-crime-and-punishment"
for golden in "$TKA_SHARED"/golden/tokenize/reformer.*.jsonl; do
  name=$(basename "$golden" .jsonl)
  for spec in "$rdir" google/reformer-crime-and-punishment "$rdir/spiece.model"; do
    plain=0; [ "$spec" = "$rdir/spiece.model" ] && plain=1
    $T tokenize --tokenizer "$spec" --input-format jsonl --text-field text --threads 2 \
       < "$golden" > "$tmp/out.jsonl"
    result=$("$TKA_PYTHON" - "$golden" "$tmp/out.jsonl" "$plain" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
plain = sys.argv[3] == "1"
def expect(w, key):
    return w.get("plain_" + key, w[key]) if plain else w[key]
bad = [w["i"] for w, g in zip(want, got)
       if g.get("pieces") != expect(w, "pieces") or g.get("ids") != expect(w, "ids")]
differ = sum("plain_ids" in w for w in want)
print("%d %d %d %s" % (len(want), len(got), differ, bad[:5]))
PY
)
    read -r n_want n_got n_differ bad <<<"$result"
    case "$spec" in
      "$rdir") label="$name via the model directory" ;;
      "$rdir/spiece.model") label="$name via the bare spiece.model (plain sentencepiece)" ;;
      *) label="$name via the name $spec" ;;
    esac
    if [ "$n_want" = "$n_got" ] && [ "$bad" = "[]" ]; then
      ok "$label: checked $n_want, matched $n_want ($n_differ rows where the two differ)"
    else
      bad "$label: $n_want rows expected, $n_got written, first mismatching rows $bad"
    fi
  done
done

out=$(printf 'am\xc3\xa9lie\n' | $T tokenize --tokenizer bpe320_republic)
check "unknown piece keeps its surface" '{"pieces": ["▁a", "m", "é", "li", "e"], "tokens": ["▁a", "m", "é", "li", "e"], "ids": [5, 271, 0, 168, 258]}' "$out"

out=$(printf 'am\xc3\xa9lie\n' | $T encode --tokenizer bpe320_republic)
check "encode: no special tokens, no token_type_ids" '{"input_ids": [5, 271, 0, 168, 258], "attention_mask": [1, 1, 1, 1, 1], "special_tokens_mask": [0, 0, 0, 0, 0]}' "$out"

# ReformerTokenizer has no pad token, even when the .model file declares one.
for model in bpe320_republic cluecorpussmall_spm google/reformer-crime-and-punishment; do
  set +e
  err=$(printf 'a\n' | $T encode --tokenizer $model --padding longest 2>&1 >/dev/null); rc=$?
  set -e
  check "$model: padding without a pad token is refused (exit)" 3 "$rc"
  check "$model: HF's message, then tokalign's remedy" "tokalign encode: error: ValueError: Asking to pad but the tokenizer does not have a padding token. Please select a token to use as \`pad_token\` \`(tokenizer.pad_token = tokenizer.eos_token e.g.)\` or add a new pad token via \`tokenizer.add_special_tokens({'pad_token': '[PAD]'})\`. tokalign: give the pad token with --pad-id N or --pad-token PIECE (e.g. --pad-token '</s>', Reformer's eos, as tokenizer.pad_token = tokenizer.eos_token)." "$err"
done

out=$(printf 'ab\n' | $T encode --tokenizer bpe320_republic --padding max_length --max-length 4 --pad-id 2)
check "--pad-id (eos, as the Reformer goldens; 'ab' is the one piece ▁ab=217)" '{"input_ids": [217, 2, 2, 2], "attention_mask": [1, 0, 0, 0], "special_tokens_mask": [0, 1, 1, 1]}' "$out"
out=$(printf 'hello world\n' | $T encode --tokenizer cluecorpussmall_spm --padding max_length --max-length 5 --pad-token '[PAD]')
check "--pad-token names a piece" '{"input_ids": [17, 39681, 36694, 0, 0], "attention_mask": [1, 1, 1, 0, 0], "special_tokens_mask": [0, 0, 0, 1, 1]}' "$out"

out=$(echo '5 271 0 168 258' | $T decode --tokenizer bpe320_republic)
check "decode: unknown id as the unk surface" '{"text": "am ⁇ lie"}' "$out"

finish
