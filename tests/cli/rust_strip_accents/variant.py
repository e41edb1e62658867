#!/usr/bin/env python3
"""Writes the tokenizer.json variant the StripAccents oracle runs on: bert-base-uncased-fast
with the normalizer NFD + StripAccents (the standalone normalizer, not BertNormalizer's
option) and the Punctuation pre-tokenizer; the WordPiece model and BertProcessing stay.

usage: variant.py BERT_BASE_UNCASED_FAST_TOKENIZER_JSON OUT
"""
import json
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__)
with open(sys.argv[1], encoding="utf-8") as f:
    tokenizer = json.load(f)
tokenizer["normalizer"] = {"type": "Sequence",
                           "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}]}
tokenizer["pre_tokenizer"] = {"type": "Punctuation", "behavior": "Isolated"}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(tokenizer, f, ensure_ascii=False)
