/* Encodes chunks of dataset rows on several threads, one encoder each;
 * results are read back in row order, so threads never change the output. */
#ifndef TKA_PIPELINE_ENCODE_POOL_H
#define TKA_PIPELINE_ENCODE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/collate.h"
#include "tokalign/encode.h"
#include "tokalign/status.h"
#include "tokalign/text.h"

/* One row of a chunk: its text (and pair) live in the chunk's text buffer. */
typedef struct pool_row {
    uint64_t row, line;
    size_t text_off, text_len;
    size_t pair_off, pair_len;
    bool has_pair;
    bool keep; /* the dump needs its encoding */
    /* filled by encode_pool_run for kept rows */
    int worker;
    size_t out_off;
    uint32_t length;
} pool_row;

typedef struct pool_chunk {
    pool_row *rows;
    size_t count, cap;
    tka_buf text;
} pool_chunk;

void pool_chunk_clear(pool_chunk *chunk);
void pool_chunk_free(pool_chunk *chunk);
/* Appends a row; text (and pair) are copied. */
tka_status pool_chunk_add(pool_chunk *chunk, uint64_t row, uint64_t line, const char *text,
                          size_t len, const char *pair, size_t pair_len, bool has_pair, bool keep);

typedef struct encode_pool encode_pool;

/* `fields` says which sequences of a kept row are stored. threads >= 1. */
tka_status encode_pool_new(const tka_tokenizer *tok, const tka_encode_options *options, int threads,
                           const bool fields[TKA_FIELD_SEQ_COUNT], encode_pool **out,
                           tka_error *err);
void encode_pool_free(encode_pool *pool);

/* Starts encoding every row of the chunk. With one thread nothing runs
 * until encode_pool_wait, which does the work on the caller's thread; with
 * N threads, N - 1 workers start while the caller goes on (reading the next
 * chunk) and the caller takes its share of what is left in encode_pool_wait.
 * The chunk must stay untouched until encode_pool_wait, and the stored
 * sequences of the previous run must have been read. */
void encode_pool_start(encode_pool *pool, pool_chunk *chunk);

/* Finishes the started run. On failure, the error of the first failing row
 * (in row order) is reported, prefixed with the file, its line and row. */
tka_status encode_pool_wait(encode_pool *pool, const char *file, tka_error *err);

/* encode_pool_start + encode_pool_wait. */
tka_status encode_pool_run(encode_pool *pool, pool_chunk *chunk, const char *file, tka_error *err);

/* Tokens produced by all runs so far, specials included. */
uint64_t encode_pool_tokens(const encode_pool *pool);

/* The stored sequences of a kept row of the last run (NULL for fields not
 * stored); valid until the next run. */
void encode_pool_row_fields(const encode_pool *pool, const pool_row *row,
                            const int32_t *fields[TKA_FIELD_SEQ_COUNT]);

#endif
