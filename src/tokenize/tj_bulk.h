/* The bulk of a BPE tokenizer.json ("model.vocab" and "model.merges": 99% of llama3's 9 MB)
 * read by a strict scanner straight into the model's tables; jansson parses the rest. */
#ifndef TKA_TOKENIZE_TJ_BULK_H
#define TKA_TOKENIZE_TJ_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokenize/tj_model_impl.h"

/* One JSON string, decoded: it points into the scanned buffer when it has no escape, else
 * into the scan's side buffer. Never contains NUL (jansson refuses \u0000). */
typedef struct tj_bulk_str {
    const char *s;
    uint32_t len;
} tj_bulk_str;

typedef struct tj_bulk {
    /* model.vocab in document order, and the vocabulary built from it (taken by the BPE
     * loader, which leaves it zeroed) */
    const char **vocab_tok;
    uint32_t *vocab_len;
    int32_t *vocab_id;
    size_t n_vocab, vocab_cap;
    tj_vocab vocab;
    /* model.merges: n_merges strings ("a b"), or n_merges pairs (2 strings each) */
    tj_bulk_str *merges;
    size_t n_merges, merges_cap;
    bool merge_pairs;
    /* [start, end) of the vocab object and of the merges list in the buffer */
    size_t vocab_at[2], merges_at[2];
    char *side; /* decoded escaped strings, NULL until one is met */
    size_t side_len;
} tj_bulk;

/* Scans buf[0..n) as a tokenizer.json whose model is "type": "BPE" with a vocab of
 * {"token": id} (ids from 0 to 2^31 - 2) and merges all "a b" strings or all ["a", "b"]
 * pairs. True: *b holds them (release with tj_bulk_free; its strings may point into buf),
 * and they are exactly what jansson (JSON_REJECT_DUPLICATES) reads there: the scan is as
 * strict as jansson's lexer in the two sections and refuses whatever it is not sure of
 * (duplicate tokens, other shapes, deep nesting). The rest of the file is only walked:
 * jansson reads the spliced copy (tj_bulk_splice), which it accepts exactly when it
 * accepts buf. False: *b is empty and the file must go through jansson whole, which also
 * reports what is wrong with it, so every syntax message stays jansson's.
 * fuzz/fuzz_tj_bulk.c checks all of this against jansson. */
bool tj_bulk_scan(const char *buf, size_t n, tj_bulk *b);

/* buf with the vocab object replaced by {} and the merges list by [] (for jansson, the
 * same document otherwise); *len its length. NULL when out of memory. */
char *tj_bulk_splice(const char *buf, size_t n, const tj_bulk *b, size_t *len);

void tj_bulk_free(tj_bulk *b); /* accepts NULL */

#endif
