#!/usr/bin/env bash
# tokenizer.json components checked against the Rust tokenizer (npm tokenizers@0.23.2) on
# small hand-made files in tests/cli/tj_more/: NAME.json, NAME.in.jsonl (rows as tj_oracle.js
# reads them) and NAME.expected.jsonl (the oracle's answers, made with
# ../shared/oracle/tokenizer_json/tj_oracle.js). Every row through `encode --offsets`
# and `decode` (with and without --skip-special-tokens).
set -euo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
F=$TKA_SOURCE/tests/cli/tj_more

# LABEL NAME.json ROWS ANSWERS [OPTION...]: the rows (with add_special_tokens true, then false)
# through the CLI with the OPTIONs, against the oracle's answers (tests/tools/tj_compare.py).
compare() {
  local label=$1 tj=$2 rows=$3 answers=$4
  shift 4
  check_cmd "$label" "$TKA_PYTHON" "$TKA_SOURCE/tests/tools/tj_compare.py" "$T" "$F/$tj" "$F/$rows" \
    "$F/$answers" "$@"
}

# UnicodeScripts: cuts where the script changes, spaces join either side, leading spaces
# dropped, Hiragana / Katakana / U+30FC as Han, code points after Unicode 9.0 as "Any".
# Through encode --offsets, and decode (with and without --skip-special-tokens).
compare "UnicodeScripts" scripts.json scripts.in.jsonl scripts.expected.jsonl

# NAME.EXPECTED.expected.jsonl are made by oracle_more.js (encodeBatch in runs of BATCH rows,
# with the overflow encodings): encodings only, no decode.
# The file's BatchLongest padding (left, pad id 1, pad type id 2, multiple of 3): each batch
# padded to its longest, as encodeBatch does; the default batch (1000 rows) is the whole input.
compare "BatchLongest, batches of 3" pad.json pad.in.jsonl pad.b3.expected.jsonl --no-decode --batch-size 3
compare "BatchLongest, the default batch" pad.json pad.in.jsonl pad.b0.expected.jsonl --no-decode

# Truncation with stride and the overflow encodings (Encoding::truncate windows, the
# post-processor on each, Encoding::merge_with's order for pairs; the model stopping at
# max_length tokens): the CLI's options, and the file's own truncation section (direction
# Left, stride 1), row by row (no padding).
compare "overflow, longest_first 12, stride 2" ovf.json ovf.in.jsonl ovf.lf12s2.expected.jsonl \
  --no-decode --overflow --max-length 12 --truncation longest_first --stride 2
compare "overflow, longest_first 9, stride 0" ovf.json ovf.in.jsonl ovf.lf9s0.expected.jsonl \
  --no-decode --overflow --max-length 9 --truncation longest_first
compare "overflow, the file's Left truncation, stride 1" ovf_left.json ovf.in.jsonl \
  ovf_left.file.expected.jsonl --no-decode --overflow
# TemplateProcessing with type ids 2 / 3: the overflow pieces keep the model's 0 / 1.
compare "overflow, template type ids" ovf_types.json ovf.in.jsonl ovf_types.lf12s2.expected.jsonl \
  --no-decode --overflow --max-length 12 --truncation longest_first --stride 2

# --tokenizer NAME: a fake HuggingFace hub cache (HOME in a temp dir). A snapshot with only
# tokenizer.json opens it; one with tokenizer.json and vocab.txt keeps the slow WordPiece
# default, --compat fast picks tokenizer.json; the mirror's tokenizers/NAME too.
hub=$tmp/home/.cache/huggingface/hub
mkdir -p "$hub/models--org--tiny/snapshots/abc" "$hub/models--org--both/snapshots/def" \
         "$hub/models--org--tiny/refs" "$tmp/mirror/tokenizers/mirrored"
echo abc > "$hub/models--org--tiny/refs/main"
ln -s "$F/scripts.json" "$hub/models--org--tiny/snapshots/abc/tokenizer.json"
cp "$F/scripts.json" "$hub/models--org--both/snapshots/def/tokenizer.json"
cp "$F/scripts.json" "$tmp/mirror/tokenizers/mirrored/tokenizer.json"
printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nyes\n' > "$hub/models--org--both/snapshots/def/vocab.txt"
run_name() { # NAME [options]: tokenize "Yes。" with only the fake caches visible
  echo 'Yes。' | env -u HF_HUB_CACHE -u HUGGINGFACE_HUB_CACHE -u HF_HOME -u PPNLP_HOME \
    -u TOKALIGN_CACHE -u XDG_CACHE_HOME HOME="$tmp/home" TOKALIGN_MIRROR="$tmp/mirror" \
    "$T" tokenize --tokenizer "$@" 2>&1
}
check "hub name, tokenizer.json only" '{"tokens": ["Yes", "。"], "ids": [3, 4]}' \
  "$(run_name org/tiny)"
check "hub name, slow and fast files: slow default" '{"tokens": ["yes", "[UNK]"], "ids": [5, 1]}' \
  "$(run_name org/both)"
check "hub name, slow and fast files: --compat fast" '{"tokens": ["Yes", "。"], "ids": [3, 4]}' \
  "$(run_name org/both --compat fast)"
check "mirror tokenizers/NAME" '{"tokens": ["Yes", "。"], "ids": [3, 4]}' "$(run_name mirrored)"
check "unknown name" "tokalign tokenize: error: tokenizer 'org/none' not found" \
  "$(run_name org/none | cut -d: -f1-3)"

finish
