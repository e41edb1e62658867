/* Encodings of the dataset rows a dump needs, kept compactly while the TSV
 * streams by: only logged rows are stored, so memory follows the dump, not
 * the file. */
#ifndef TKA_PIPELINE_ROW_STORE_H
#define TKA_PIPELINE_ROW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/collate.h"
#include "tokalign/status.h"
#include "tokalign/text.h"

typedef struct row_store_entry {
    uint64_t row;      /* dataset row index */
    uint64_t offset;   /* first value in the pool */
    uint32_t length;   /* tokens */
    bool stored;       /* the row was reached and encoded */
    int64_t label_int; /* TKA_LABEL_INT / TKA_LABEL_BOOL */
    double label_float;
    uint64_t line; /* physical line of the row in the TSV */
    /* the row's text (and pair) in the store's text buffer, when kept */
    size_t text_off, text_len, pair_len;
    bool has_text, has_pair;
} row_store_entry;

typedef struct row_store {
    row_store_entry *entries; /* sorted by row, unique */
    size_t count;
    size_t cursor; /* next entry the streaming pass will reach */
    /* Streaming mode (row_store_init_stream): entries are added as the rows
     * arrive, every row below `prefix` and the listed `items`. */
    bool streaming;
    uint64_t prefix;
    uint64_t *items; /* sorted, unique */
    size_t n_items, entries_cap;
    int32_t *pool; /* per entry: fields[0] values, fields[1] values, ... */
    uint64_t pool_used, pool_cap;
    bool field_present[TKA_FIELD_SEQ_COUNT];
    size_t fields_per_row; /* number of present fields */
    tka_buf texts;         /* source texts of the rows (see row_store_keep_text) */
} row_store;

/* Rows whose text is kept for the dump's metadata: enough for any report a
 * person reads, and memory stays bounded when every batch is logged. */
#define ROW_STORE_MAX_TEXTS 10000

/* Keeps the source text (and pair) of an entry, unless the store already
 * holds ROW_STORE_MAX_TEXTS of them. */
tka_status row_store_keep_text(row_store *store, row_store_entry *entry, uint64_t line,
                               const char *text, size_t len, const char *pair, size_t pair_len,
                               bool has_pair);

/* `rows` may hold duplicates and be unsorted; it is sorted here. */
tka_status row_store_init(row_store *store, const uint64_t *rows, size_t n_rows,
                          const bool field_present[TKA_FIELD_SEQ_COUNT], tka_error *err);
/* A store for a single pass over rows whose count is not known yet: it keeps
 * every row below `prefix` (the first logged batches of a sequential
 * sampler; UINT64_MAX: all) and the rows in `items` (any order, duplicates
 * and rows beyond the file allowed). */
tka_status row_store_init_stream(row_store *store, uint64_t prefix, const uint64_t *items,
                                 size_t n_items, const bool field_present[TKA_FIELD_SEQ_COUNT],
                                 tka_error *err);
void row_store_free(row_store *store);

/* The entry for `row` if the streaming pass must keep it (rows arrive in
 * increasing order), else NULL. In streaming mode the entry is added here;
 * NULL too when it cannot be (out of memory: *nomem set), and the pointer
 * is valid until the next call. */
row_store_entry *row_store_want(row_store *store, uint64_t row, bool *nomem);

/* Copies the present fields of one encoding (each `length` values; a NULL
 * field array is filled as pack_fields does: ones for attention_mask, zeros
 * otherwise). */
tka_status row_store_put(row_store *store, row_store_entry *entry, uint32_t length,
                         const int32_t *const fields[TKA_FIELD_SEQ_COUNT], tka_error *err);

/* The entry of `row` whether stored yet or not (binary search), or NULL
 * when the dump does not need that row. */
row_store_entry *row_store_slot(row_store *store, uint64_t row);

/* The stored entry of `row`, or NULL. */
const row_store_entry *row_store_find(const row_store *store, uint64_t row);

/* The values of `field` for a stored entry (NULL when the field is absent). */
const int32_t *row_store_field(const row_store *store, const row_store_entry *entry,
                               tka_seq_field field);

#endif
