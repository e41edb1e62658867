/* Added tokens of a tokenizer.json, matched as the Rust tokenizer's AddedVocabulary does:
 * non-normalized ones on the raw text before normalization, normalized ones on each
 * normalized piece, leftmost-longest, with lstrip / rstrip / single_word. */
#ifndef TKA_TJ_ADDED_H
#define TKA_TJ_ADDED_H

#include <jansson.h>
#include <stdbool.h>

#include "tokenize/tj_json.h"
#include "tokenize/tj_normalizer.h"
#include "tokenize/tj_str.h"

typedef struct tj_added_token {
    int32_t id;
    char *content;
    size_t len;
    char *pattern; /* what is matched: content, or its normalized form */
    size_t pattern_len;
    bool special, normalized, lstrip, rstrip, single_word;
} tj_added_token;

typedef struct tj_added {
    tj_added_token *v;
    size_t n;
    /* per first byte: indices of tokens (non-normalized / normalized), longest first */
    uint32_t *by_byte[2][256];
    uint32_t count[2][256];
    bool any[2]; /* some token in by_byte[k]: without one, a string is not scanned */
} tj_added;

struct tj_model;
/* Ids are assigned as Rust's AddedVocabulary::add_tokens does on loading (the file's "id" is
 * only a hint there): the model's id of the content when it has one, else the next id after
 * the model's vocabulary; a repeated content updates the earlier token. */
tka_status tj_added_from_json(const json_t *list, const tj_where *w, const tj_normalizer *norm,
                              const struct tj_model *model, tj_added *a, tka_error *err);
void tj_added_free(tj_added *a);

/* Splits `in` (splits without token) on added tokens of kind `normalized`; the normalizer
 * is applied first to the pieces when `norm` is given (extract_and_normalize's step 2). */
tka_status tj_added_split(const tj_added *a, bool normalized, const tj_normalizer *norm, tj_ctx *cx,
                          tj_regex_work *rw, tj_splits *in, tj_splits *out);

const tj_added_token *tj_added_by_id(const tj_added *a, int32_t id);
const tj_added_token *tj_added_by_content(const tj_added *a, const char *s, size_t len);

#endif
