/* The WordPiece model shared by bert_backend.c (opening, vtable),
 * bert_pretokenize.c (special tokens, clean-up, words) and wordpiece.c. */
#ifndef TKA_TOKENIZE_BERT_MODEL_H
#define TKA_TOKENIZE_BERT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "tokalign/tokenizer.h"
#include "tokenize/vocab.h"

/* ASCII byte classes of the fast path (see bert_pretokenize.c). */
enum { ASCII_WORD = 0, ASCII_SPACE = 1, ASCII_PUNCT = 2, ASCII_SLOW = 3 };

typedef struct bert_special {
    char *text;
    size_t len;
    int32_t id;
} bert_special;

typedef struct bert_model {
    tka_vocab vocab;
    tka_compat compat;
    bool lower;         /* do_lower_case */
    bool strip_accents; /* effective: strip_accents, or do_lower_case when unset */
    bool chinese_chars; /* tokenize_chinese_chars */
    size_t max_chars;   /* max_input_chars_per_word (100) */
    int32_t unk_id;
    int32_t special_ids[TKA_SPECIAL_COUNT];
    /* all_special_tokens in HF's order (unk, sep, pad, cls, mask, then
     * additional_special_tokens), without repeats. */
    bert_special *specials;
    size_t n_specials;
    /* Indices into specials sorted by string: the order in which
     * PreTrainedTokenizer.tokenize splits on unique_no_split_tokens. */
    size_t *no_split_order;
    /* Special tokens missing from vocab.txt get ids after it, as HF's
     * _add_tokens gives them (pad / mask only; see bert_backend.c). */
    size_t n_added;
    /* The special-token alternative of PreTrainedTokenizer.tokenize's
     * lower-casing regex, "(" + "|".join(escaped specials) + ")|(.+?)", in
     * all_special_tokens order (NULL without specials); see bert_lower_text. */
    pcre2_code *special_re;
    /* Bytes that start some special token: a text without any of them
     * cannot contain one (all BERT specials start with "["). */
    uint8_t special_first[256];
    /* True when some special starts with a byte that another character may
     * lower-case to (an ASCII letter, or non-ASCII): then the slow path must
     * build the lower-cased text before looking for specials. */
    bool specials_need_lowered_text;
    /* tokenizer_config.json's never_split: whitespace tokens kept whole and
     * looked up without WordPiece (slow mode only, as in HF) */
    bert_special *never_split;
    size_t n_never_split;
    /* Bytes that start a special or never_split token: a whitespace token
     * starting with another byte needs no whole-token comparison. */
    uint8_t whole_first[256];
    uint8_t ascii_class[128]; /* ASCII_* */
    uint8_t ascii_lower[128]; /* identity when !lower */
} bert_model;

/* Tokenizes valid UTF-8 (bert_pretokenize.c). */
tka_status bert_tokenize(const bert_model *m, const char *text, size_t len, unsigned flags,
                         tka_tokens *out, tka_error *err);

/* The same with the rules of `compat` instead of m->compat (encode.c needs
 * the fast segmentation of a slow tokenizer for its offsets). */
tka_status bert_tokenize_as(const bert_model *m, tka_compat compat, const char *text, size_t len,
                            unsigned flags, tka_tokens *out, tka_error *err);

/* The same without the ASCII fast path: unit tests compare the two. */
tka_status bert_tokenize_generic(const bert_model *m, const char *text, size_t len, unsigned flags,
                                 tka_tokens *out, tka_error *err);

/* One word through WordPiece (wordpiece.c). `word` holds nbytes of UTF-8
 * that make nchars characters; orig[k] is the code-point offset of
 * character k in the input text, or NULL when it is orig_base + k. */
tka_status bert_wordpiece(const bert_model *m, const uint8_t *word, size_t nbytes, size_t nchars,
                          const uint32_t *orig, uint32_t orig_base, unsigned flags,
                          tka_tokens *out);

/* WordPiece of an ASCII word read straight from the input, lower-cased on
 * the fly through m->ascii_lower (the fast path). The caller has reserved
 * room for n more tokens (every ASCII piece consumes at least one byte). */
tka_status bert_wordpiece_ascii(const bert_model *m, const uint8_t *word, size_t n,
                                uint32_t orig_base, unsigned flags, tka_tokens *out);

/* Appends one token of the vocabulary (or an added special token). */
tka_status bert_push(const bert_model *m, int32_t id, uint32_t start, uint32_t end, unsigned flags,
                     tka_tokens *out);

/* The string of an id: the vocabulary line, an added special token, or
 * NULL when out of range. Shadowed duplicates return the unknown token, as
 * HF's ids_to_tokens lookup does. */
const char *bert_id_to_token(const bert_model *m, int32_t id, size_t *len);

#endif
