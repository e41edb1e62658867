#!/usr/bin/env bash
# The Rust tokenizer's answers (tests/cli/tj_unicode15/expected.tsv.gz, made by
# make_expected.sh with npm tokenizers@0.23.2) on the code points assigned in Unicode 15.0
# that PCRE2 10.42's Unicode 14.0 tables leave unassigned, three texts each, through the
# gpt2, llama3 and qwen3 tokenizer.json files: every row's ids, offsets and word ids must be
# the Rust tokenizer's (tj_regex.c widens \p{..} classes with these code points).
set -uo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/cli/tj_unicode_rows.sh
. "$(dirname "$0")/tj_unicode_rows.sh"
check_rows "$TKA_SOURCE/tests/cli/tj_unicode15/expected.tsv.gz" 13000 \
  "gpt2:$TKA_SHARED/data/tokenizers/gpt2/tokenizer.json" \
  "llama3:$TKA_SHARED/data/tokenizers/llama3/tokenizer.json" \
  "qwen3:$TKA_SHARED/data/tokenizers/qwen3/tokenizer.json"
finish
