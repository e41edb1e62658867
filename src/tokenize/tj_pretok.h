/* tokenizer.json "pre_tokenizer" section: BertPreTokenizer, ByteLevel, Whitespace,
 * WhitespaceSplit, Metaspace, Split, Punctuation, Digits, UnicodeScripts, CharDelimiterSplit,
 * FixedLength, Sequence, each cutting the splits
 * of the alignment-keeping string. */
#ifndef TKA_TJ_PRETOK_H
#define TKA_TJ_PRETOK_H

#include <jansson.h>

#include "tokenize/tj_json.h"
#include "tokenize/tj_regex.h"
#include "tokenize/tj_str.h"

/* Metaspace's settings. One Rust struct is both the pre-tokenizer and the decoder of that
 * name, with one deserializer: both read them here. The replacement char; prepend_scheme
 * "always" (the default), "first" or "never"; add_prefix_space false, allowed only with
 * "never"; split (default true). */
typedef enum { TJ_PREPEND_ALWAYS, TJ_PREPEND_FIRST, TJ_PREPEND_NEVER } tj_prepend_scheme;
typedef struct tj_metaspace {
    char rep[4]; /* the replacement's UTF-8 bytes */
    size_t rep_len;
    uint32_t rep_cp;
    tj_prepend_scheme scheme;
    bool split;
} tj_metaspace;
tka_status tj_metaspace_from_json(const json_t *j, const tj_where *w, tj_metaspace *m,
                                  tka_error *err);

typedef struct tj_pretok tj_pretok;

tka_status tj_pretok_from_json(const json_t *j, const tj_where *w, tj_pretok **out, tka_error *err);
void tj_pretok_free(tj_pretok *p);
/* The regex of a pre-tokenizer that only splits on a regex (Isolated) and maps the bytes to
 * GPT-2 chars: ByteLevel(use_regex, no prefix space), or Sequence[Split(Regex, Isolated, not
 * inverted), ByteLevel(no regex, no prefix space)] as llama3 and qwen ship; else NULL. */
const tj_regex *tj_pretok_bytelevel_regex(const tj_pretok *p);

/* The settings of a pre-tokenizer that is one Metaspace with prepend_scheme "always" or
 * "never" (owned by p); NULL for any other pre-tokenizer. */
const tj_metaspace *tj_pretok_metaspace(const tj_pretok *p);

/* Scratch: regex match data and spare vectors. */
typedef struct tj_pretok_work {
    tj_regex_work *rw;
    tj_splits spare, tmp;
    tj_matches m;
} tj_pretok_work;

/* Pre-tokenizes `sp` (splits with added < 0 are cut; added tokens pass through). */
tka_status tj_pretokenize(const tj_pretok *p, tj_ctx *cx, tj_pretok_work *w, tj_splits *sp);

/* Each byte of `str` as its GPT-2 char, with the alignments of Rust's ByteLevel transform
 * (shared by the ByteLevel pre-tokenizer and the ByteLevel normalizer). */
tka_status tj_bytelevel_chars(tj_ctx *cx, tj_str *str);

/* Rust regex's Unicode \w (Alphabetic, marks, Nd, Pc, Join_Control): the Whitespace
 * pre-tokenizer's classes and the word boundaries of single_word added tokens. */
bool tj_is_word_char(uint32_t c);

#endif
