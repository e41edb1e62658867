#!/usr/bin/env bash
# tokenizer.json components and options checked against the Rust tokenizer (npm
# tokenizers@0.23.2) on variants of the shared real files (tests/cli/tj_audit/variants.py: Split
# with every behavior and invert, Metaspace prepend schemes, ByteLevel / RobertaProcessing
# add_prefix_space and trim_offsets, the CTC / Fuse / Strip / Replace / BPEDecoder / WordPiece
# decoders, CharDelimiterSplit, FixedLength, the ByteLevel normalizer, added-token flags, the
# file's truncation and padding sections, batch padding with pairs, the CLI's truncation and
# padding options with overflow), every row through `encode --offsets` and `decode`.
# The answers in tests/cli/tj_audit/expected/ were made by make_expected.sh (see its header).
set -euo pipefail
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
A=$TKA_SOURCE/tests/cli/tj_audit
"$TKA_PYTHON" "$A/variants.py" "$TKA_SHARED/data/tokenizers" "$TKA_SHARED/data/corpora" "$tmp"
check_cmd "every variant as the Rust tokenizer" "$TKA_PYTHON" "$A/check.py" "$TOKALIGN" "$tmp" "$A/expected"
# --help states the directory rule (slow file by default, --compat fast picks tokenizer.json).
help=$("$TOKALIGN" tokenize --help | tr -s ' \n' ' ')
case "$help" in
  *"directory with both a slow file (vocab.txt, .model) and tokenizer.json opens the slow one, or tokenizer.json with --compat fast"*)
    ok "--help: the directory rule";;
  *) bad "--help does not state the directory rule";;
esac
finish
