/* Parallel encoding of row chunks with per-thread encoders and output
 * buffers: a chunk's rows go to a tka_pool (tokalign/pool.h) as tasks of a
 * few rows, which hands them back in row order. */
#include "pipeline/encode_pool.h"

#include <stdlib.h>
#include <string.h>

#include "core/cacheline.h"
#include "core/grow.h"
#include "pipeline/pack.h"
#include "tokalign/arena.h"
#include "tokalign/pool.h"

/* Each worker on cache lines of its own (see core/cacheline.h); indexed by
 * the tka_pool worker index (0: the caller, in encode_pool_wait). */
typedef struct worker {
    _Alignas(TKA_CACHE_LINE) tka_encoder *encoder;
    tka_arena *arena;
    int32_t *out; /* stored sequences of kept rows */
    size_t out_used, out_cap;
    uint64_t tokens;
} worker;

/* Rows [begin, end) of the active chunk; failed_at: the row that failed. */
typedef struct rows_task {
    size_t begin, end, failed_at;
} rows_task;

#define MAX_THREADS 64

/* A chunk is cut into at most this many tasks of at least ROWS_PER_TASK
 * rows: small enough that a thread that starts late (the caller, after
 * reading the next chunk) takes over what is left instead of waiting for a
 * fixed share; all of them are submitted at once, so the pool takes them all. */
#define MAX_TASKS 128
#define ROWS_PER_TASK 64

struct encode_pool {
    int threads;
    worker *workers;
    bool fields[TKA_FIELD_SEQ_COUNT];
    size_t fields_per_row;
    tka_pool *pool;
    /* the chunk between encode_pool_start and encode_pool_wait */
    pool_chunk *active;
    rows_task tasks[MAX_TASKS];
};

static tka_status encode_rows(void *ctx, int index, void *task, tka_error *err);

void pool_chunk_clear(pool_chunk *chunk)
{
    chunk->count = 0;
    chunk->text.len = 0;
}

void pool_chunk_free(pool_chunk *chunk)
{
    free(chunk->rows);
    tka_buf_free(&chunk->text);
    memset(chunk, 0, sizeof *chunk);
}

tka_status pool_chunk_add(pool_chunk *chunk, uint64_t row, uint64_t line, const char *text,
                          size_t len, const char *pair, size_t pair_len, bool has_pair, bool keep)
{
    if (!tka_grow_array((void **)&chunk->rows, &chunk->cap, chunk->count + 1, sizeof *chunk->rows,
                        1024))
        return TKA_ERR_NOMEM;
    pool_row *r = &chunk->rows[chunk->count];
    memset(r, 0, sizeof *r);
    r->row = row;
    r->line = line;
    r->text_off = chunk->text.len;
    r->text_len = len;
    tka_status st = tka_buf_append(&chunk->text, text, len);
    if (st == TKA_OK && has_pair) {
        r->pair_off = chunk->text.len;
        r->pair_len = pair_len;
        st = tka_buf_append(&chunk->text, pair, pair_len);
    }
    if (st != TKA_OK)
        return st;
    r->has_pair = has_pair;
    r->keep = keep;
    chunk->count++;
    return TKA_OK;
}

tka_status encode_pool_new(const tka_tokenizer *tok, const tka_encode_options *options, int threads,
                           const bool fields[TKA_FIELD_SEQ_COUNT], encode_pool **out,
                           tka_error *err)
{
    *out = NULL;
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    encode_pool *p = tka_calloc_cache_lines(sizeof *p);
    if (!p)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    p->threads = threads;
    memcpy(p->fields, fields, sizeof p->fields);
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
        p->fields_per_row += fields[f];
    p->workers = tka_calloc_cache_lines((size_t)threads * sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < threads; i++) {
        tka_status st = tka_encoder_new(tok, options, &p->workers[i].encoder, err);
        if (st != TKA_OK) {
            encode_pool_free(p);
            return st;
        }
        p->workers[i].arena = tka_arena_new(0);
        if (!p->workers[i].arena) {
            encode_pool_free(p);
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        }
    }
    tka_status st = tka_pool_new(threads, MAX_TASKS, encode_rows, p, &p->pool, err);
    if (st != TKA_OK) {
        encode_pool_free(p);
        return st;
    }
    *out = p;
    return TKA_OK;
}

void encode_pool_free(encode_pool *pool)
{
    if (!pool)
        return;
    tka_pool_free(pool->pool); /* a run never waited for: dropped */
    for (int i = 0; i < pool->threads; i++) {
        tka_encoder_free(pool->workers[i].encoder);
        tka_arena_free(pool->workers[i].arena);
        free(pool->workers[i].out);
    }
    free(pool->workers);
    free(pool);
}

static bool store_row(worker *w, const encode_pool *pool, pool_row *r, const tka_encoding *e)
{
    size_t need = e->length * pool->fields_per_row;
    if (need > SIZE_MAX - w->out_used ||
        !tka_grow_array((void **)&w->out, &w->out_cap, w->out_used + need, sizeof *w->out, 4096))
        return false;
    const int32_t *src[TKA_FIELD_SEQ_COUNT] = {e->input_ids, e->token_type_ids,
                                               e->special_tokens_mask, e->attention_mask};
    r->out_off = w->out_used;
    r->length = (uint32_t)e->length;
    pack_fields(w->out + w->out_used, pool->fields, src, e->length);
    w->out_used += need;
    return true;
}

/* A pool task: encodes its rows until the end or the first failing one. */
static tka_status encode_rows(void *ctx, int index, void *task, tka_error *err)
{
    encode_pool *pool = ctx;
    worker *w = &pool->workers[index];
    rows_task *t = task;
    pool_chunk *chunk = pool->active;
    const char *base = chunk->text.data;
    for (size_t i = t->begin; i < t->end; i++) {
        pool_row *r = &chunk->rows[i];
        tka_arena_reset(w->arena);
        tka_encoding e;
        tka_status st = tka_encoder_encode(w->encoder, base + r->text_off, r->text_len,
                                           r->has_pair ? base + r->pair_off : NULL, r->pair_len,
                                           w->arena, &e, err);
        if (st == TKA_OK && r->keep && !store_row(w, pool, r, &e))
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory storing an encoding");
        if (st != TKA_OK) {
            t->failed_at = i;
            return st;
        }
        r->worker = index;
        w->tokens += e.length;
    }
    return TKA_OK;
}

void encode_pool_start(encode_pool *pool, pool_chunk *chunk)
{
    /* No task of the previous run is pending (it was waited for), so no
     * thread touches the workers; tka_pool_submit publishes the resets. */
    for (int t = 0; t < pool->threads; t++)
        pool->workers[t].out_used = 0;
    pool->active = chunk;
    size_t per = (chunk->count + MAX_TASKS - 1) / MAX_TASKS;
    if (per < ROWS_PER_TASK)
        per = ROWS_PER_TASK;
    /* With `--threads 1` nothing runs until encode_pool_wait, on the
     * caller's thread; with N, the pool's N - 1 threads start now while the
     * caller reads the next chunk, then it joins them in encode_pool_wait. */
    size_t n = 0;
    for (size_t begin = 0; begin < chunk->count; begin += per, n++) {
        rows_task *t = &pool->tasks[n];
        t->begin = begin;
        t->end = begin + per < chunk->count ? begin + per : chunk->count;
        t->failed_at = SIZE_MAX;
        tka_pool_submit(pool->pool, t, NULL); /* cannot fail: at most MAX_TASKS */
    }
}

tka_status encode_pool_wait(encode_pool *pool, const char *file, tka_error *err)
{
    pool_chunk *chunk = pool->active;
    /* Tasks come back in row order and the pool reports the first failing
     * one in that order (and drops the rest), so the row reported is the
     * first failing row, whichever thread met it. */
    for (;;) {
        void *done;
        tka_status st = tka_pool_next(pool->pool, &done, err);
        if (st == TKA_END) {
            pool->active = NULL;
            return TKA_OK;
        }
        if (st != TKA_OK) { /* the tasks after it were dropped: none runs */
            pool->active = NULL;
            const pool_row *r = &chunk->rows[((rows_task *)done)->failed_at];
            return tka_error_prefix(err, "%s: line %llu (row %llu): ", file,
                                    (unsigned long long)r->line, (unsigned long long)r->row);
        }
    }
}

tka_status encode_pool_run(encode_pool *pool, pool_chunk *chunk, const char *file, tka_error *err)
{
    encode_pool_start(pool, chunk);
    return encode_pool_wait(pool, file, err);
}

uint64_t encode_pool_tokens(const encode_pool *pool)
{
    uint64_t n = 0;
    for (int t = 0; t < pool->threads; t++)
        n += pool->workers[t].tokens;
    return n;
}

void encode_pool_row_fields(const encode_pool *pool, const pool_row *row,
                            const int32_t *fields[TKA_FIELD_SEQ_COUNT])
{
    const int32_t *p = pool->workers[row->worker].out + row->out_off;
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++) {
        fields[f] = pool->fields[f] ? p : NULL;
        if (pool->fields[f])
            p += row->length;
    }
}
