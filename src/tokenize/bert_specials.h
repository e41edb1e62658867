/* Special tokens of BERT texts: where they split a text (slow and fast
 * rules) and the lower-cased text that the slow rules look at. */
#ifndef TKA_TOKENIZE_BERT_SPECIALS_H
#define TKA_TOKENIZE_BERT_SPECIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/text.h"
#include "tokenize/bert_model.h"

typedef struct segment {
    size_t start, end; /* bytes */
    int32_t special;   /* index into m->specials, or -1 */
} segment;

/* Segment lists only exist when a special token may occur (rare); free v. */
typedef struct seglist {
    segment *v;
    size_t n, cap;
} seglist;

/* True when some byte of t starts a special token (none: no split needed). */
bool bert_has_special_start(const bert_model *m, const uint8_t *t, size_t len);

/* Splits x into text and special-token segments, covering x in order:
 * slow = PreTrainedTokenizer.split_on_tokens, fast = the Rust added
 * vocabulary. False when out of memory. */
bool bert_split_slow(const bert_model *m, const uint8_t *x, size_t len, seglist *out);
bool bert_split_fast(const bert_model *m, const uint8_t *x, size_t len, seglist *out);

/* The text as tokenize() lowers it before splitting (special tokens left as
 * they are) into lt, with the input offset of each of its characters in
 * *map (grown as needed). False when out of memory. */
bool bert_lower_text(const bert_model *m, const uint8_t *t, size_t len, tka_buf *lt, uint32_t **map,
                     size_t *map_cap);

#endif
