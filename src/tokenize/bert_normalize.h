/* Character rules of HF's BasicTokenizer / Rust BertNormalizer, all derived
 * from utf8proc (Rust's Unicode 8.0 view: rust_unicode8.h): clean-up classes,
 * CJK ranges, full lower-casing, NFD. */
#ifndef TKA_TOKENIZE_BERT_NORMALIZE_H
#define TKA_TOKENIZE_BERT_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/tokenizer.h"

/* What the clean-up and splitting steps do with one code point. */
enum {
    BERT_WORD = 0,  /* part of a word */
    BERT_DROP = 1,  /* removed by clean_text (NUL, U+FFFD, control/format/...) */
    BERT_SPACE = 2, /* separates words (clean_text's whitespace, str.split()'s) */
    BERT_PUNCT = 3, /* a word of its own (_is_punctuation) */
    BERT_CJK = 4    /* a word of its own (_tokenize_chinese_chars) */
};

/* The class of cp under the rules of `compat` (slow: transformers'
 * BasicTokenizer; fast: tokenizers' BertNormalizer + BertPreTokenizer).
 * chinese_chars: whether CJK ideographs are isolated. */
int bert_char_class(int32_t cp, tka_compat compat, bool chinese_chars);

/* The class of a character produced by lower-casing / accent stripping:
 * only punctuation and whitespace splitting apply to those. */
int bert_produced_class(int32_t cp, tka_compat compat);

/* Python's str.lower() / Rust's char::to_lowercase() for one code point
 * (full case mapping, no context): writes 1 or more code points to out
 * (room for 4) and returns their number. */
int bert_lower(int32_t cp, int32_t out[4]);

/* Canonical decomposition of one code point (no reordering); returns the
 * number of code points written to out (room for `cap`), or -1 if it did
 * not fit. */
int bert_decompose(int32_t cp, int32_t *out, int cap);

/* Canonical combining class (for the reordering step of NFD). */
int bert_combining_class(int32_t cp);

/* True for general category Mn (what _run_strip_accents drops; for Rust, Mn
 * in Unicode 8.0). */
bool bert_is_mn(int32_t cp, tka_compat compat);

#endif
