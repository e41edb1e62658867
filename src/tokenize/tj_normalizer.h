/* tokenizer.json "normalizer" section: BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase, Strip,
 * StripAccents, Replace, Prepend, Precompiled, ByteLevel and Sequence, each a transformation of the
 * alignment-keeping string. */
#ifndef TKA_TJ_NORMALIZER_H
#define TKA_TJ_NORMALIZER_H

#include <jansson.h>

#include "tokenize/tj_json.h"
#include "tokenize/tj_regex.h"
#include "tokenize/tj_str.h"

typedef struct tj_normalizer tj_normalizer;

/* `j` may be NULL or json null (no normalizer: *out = NULL). */
tka_status tj_normalizer_from_json(const json_t *j, const tj_where *w, tj_normalizer **out,
                                   tka_error *err);
void tj_normalizer_free(tj_normalizer *n);
/* Normalizes `str` in place. `rw` is the thread's regex scratch. */
tka_status tj_normalize(const tj_normalizer *n, tj_ctx *cx, tj_regex_work *rw, tj_str *str);

/* Whether tj_normalize runs on a string without alignments (al NULL, the ids-only path):
 * every step but ByteLevel. NULL (no normalizer) too. */
bool tj_normalizer_text_only(const tj_normalizer *n);

/* Tests only: drops the fast paths of the Precompiled steps, so every char goes through
 * the grapheme clusters and the charsmap walk: the reference the fast paths must equal. */
void tj_normalizer_drop_fast_paths(tj_normalizer *n);

/* Unicode helpers shared with the pre-tokenizers (Rust char predicates). */
bool tj_is_whitespace(uint32_t c);  /* char::is_whitespace (White_Space) */
bool tj_is_punctuation(uint32_t c); /* is_ascii_punctuation || P* */

#endif
