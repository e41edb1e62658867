#!/usr/bin/env bash
# The Rust tokenizer's answers (tests/cli/tj_unicode16/expected.tsv.gz, made by
# make_expected.sh with npm tokenizers@0.23.2) on the 5,812 code points Unicode 16.0 assigns
# and utf8proc 2.8 (Unicode 15.0) does not (15.1's and 16.0's new characters), three texts
# each, through the gpt2, llama3 and qwen3 tokenizer.json files and gpt2's with the
# Whitespace or the Digits pre-tokenizer (tj_unicode16/variant.py): every row's ids, offsets
# and word ids must be the Rust tokenizer's (tj_regex.c's widening, tj_is_word_char and the
# Digits pre-tokenizer take these characters from the generated Unicode 16.0 table in
# rust_unicode8_table.h).
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/cli/tj_unicode_rows.sh
. "$(dirname "$0")/tj_unicode_rows.sh"
"$TKA_PYTHON" "$TKA_SOURCE/tests/cli/tj_unicode16/variant.py" \
  "$TKA_SHARED/data/tokenizers/gpt2/tokenizer.json" "$tmp" ||
  { bad "tj_unicode16/variant.py"; finish; }
check_rows "$TKA_SOURCE/tests/cli/tj_unicode16/expected.tsv.gz" 17000 \
  "gpt2:$TKA_SHARED/data/tokenizers/gpt2/tokenizer.json" \
  "llama3:$TKA_SHARED/data/tokenizers/llama3/tokenizer.json" \
  "qwen3:$TKA_SHARED/data/tokenizers/qwen3/tokenizer.json" \
  "whitespace:$tmp/whitespace.json" \
  "digits:$tmp/digits.json"
finish
