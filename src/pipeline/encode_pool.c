/* Parallel encoding of row chunks with per-thread encoders and output buffers. */
#include "pipeline/encode_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/arena.h"

typedef struct worker {
    tka_encoder *encoder;
    tka_arena *arena;
    int32_t *out;            /* stored sequences of kept rows */
    size_t out_used, out_cap;
    uint64_t tokens;
    /* per run */
    pool_chunk *chunk;
    size_t begin, end;
    size_t failed_at;        /* index in the chunk of the row that failed, or SIZE_MAX */
    tka_error err;
} worker;

typedef struct work_arg {
    worker *w;
    const struct encode_pool *pool;
} work_arg;

#define MAX_THREADS 64

struct encode_pool {
    int threads;
    worker *workers;
    bool fields[TKA_FIELD_SEQ_COUNT];
    size_t fields_per_row;
    /* the chunk between encode_pool_start and encode_pool_wait */
    pool_chunk *active;
    int slices;          /* workers with rows in the active chunk */
    int spawned;         /* slices 0..spawned-1 run on their own thread */
    pthread_t ids[MAX_THREADS];
    work_arg args[MAX_THREADS];
};

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
    if (chunk->count == chunk->cap) {
        size_t cap = chunk->cap ? chunk->cap * 2 : 1024;
        pool_row *p = realloc(chunk->rows, cap * sizeof *p);
        if (!p)
            return TKA_ERR_NOMEM;
        chunk->rows = p;
        chunk->cap = cap;
    }
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

tka_status encode_pool_new(const tka_tokenizer *tok, const tka_encode_options *options,
                           int threads, const bool fields[TKA_FIELD_SEQ_COUNT],
                           encode_pool **out, tka_error *err)
{
    *out = NULL;
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    encode_pool *p = calloc(1, sizeof *p);
    if (!p)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    p->threads = threads;
    memcpy(p->fields, fields, sizeof p->fields);
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
        p->fields_per_row += fields[f];
    p->workers = calloc((size_t)threads, sizeof *p->workers);
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
    *out = p;
    return TKA_OK;
}

void encode_pool_free(encode_pool *pool)
{
    if (!pool)
        return;
    if (pool->active) { /* a run that was never waited for: finish it first */
        tka_error ignored;
        encode_pool_wait(pool, "", &ignored);
    }
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
    if (w->out_cap - w->out_used < need) {
        size_t cap = w->out_cap ? w->out_cap : 4096;
        while (cap - w->out_used < need)
            cap *= 2;
        int32_t *p = realloc(w->out, cap * sizeof *p);
        if (!p)
            return false;
        w->out = p;
        w->out_cap = cap;
    }
    const int32_t *src[TKA_FIELD_SEQ_COUNT] = {e->input_ids, e->token_type_ids,
                                               e->special_tokens_mask, e->attention_mask};
    r->out_off = w->out_used;
    r->length = (uint32_t)e->length;
    int32_t *dst = w->out + w->out_used;
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++) {
        if (!pool->fields[f])
            continue;
        if (src[f] && e->length) /* an empty encoding may have no buffer to copy into */
            memcpy(dst, src[f], e->length * sizeof *dst);
        else
            for (size_t i = 0; i < e->length; i++)
                dst[i] = f == TKA_FIELD_ATTENTION_MASK; /* absent mask: all ones */
        dst += e->length;
    }
    w->out_used += need;
    return true;
}

/* Each worker encodes a contiguous slice and stops at its first failure. */
static void *work_slice(void *arg)
{
    work_arg *a = arg;
    worker *w = a->w;
    const encode_pool *pool = a->pool;
    const char *base = w->chunk->text.data;
    for (size_t i = w->begin; i < w->end; i++) {
        pool_row *r = &w->chunk->rows[i];
        tka_arena_reset(w->arena);
        tka_encoding e;
        tka_status st = tka_encoder_encode(w->encoder, base + r->text_off, r->text_len,
                                           r->has_pair ? base + r->pair_off : NULL, r->pair_len,
                                           w->arena, &e, &w->err);
        if (st == TKA_OK && r->keep && !store_row(w, pool, r, &e))
            st = tka_error_set(&w->err, TKA_ERR_NOMEM, "out of memory storing an encoding");
        if (st != TKA_OK) {
            w->failed_at = i;
            return NULL;
        }
        w->tokens += e.length;
    }
    return NULL;
}

void encode_pool_start(encode_pool *pool, pool_chunk *chunk)
{
    int slices = pool->threads;
    if ((size_t)slices > chunk->count)
        slices = chunk->count ? (int)chunk->count : 1;
    for (int t = 0; t < pool->threads; t++) {
        worker *w = &pool->workers[t];
        w->out_used = 0;
        w->chunk = chunk;
        w->begin = t < slices ? chunk->count * (size_t)t / (size_t)slices : 0;
        w->end = t < slices ? chunk->count * (size_t)(t + 1) / (size_t)slices : 0;
        w->failed_at = SIZE_MAX;
        tka_error_clear(&w->err);
        pool->args[t].w = w;
        pool->args[t].pool = pool;
    }
    pool->active = chunk;
    pool->slices = slices;
    pool->spawned = 0;
    /* One thread: the work happens in encode_pool_wait, on the caller's
     * thread, so `--threads 1` really uses one. */
    if (pool->threads == 1)
        return;
    while (pool->spawned < slices &&
           pthread_create(&pool->ids[pool->spawned], NULL, work_slice, &pool->args[pool->spawned]) == 0)
        pool->spawned++;
}

tka_status encode_pool_wait(encode_pool *pool, const char *file, tka_error *err)
{
    pool_chunk *chunk = pool->active;
    /* Slices without a thread (one thread, or pthread_create failed) run here. */
    for (int t = pool->spawned; t < pool->slices; t++)
        work_slice(&pool->args[t]);
    for (int t = 0; t < pool->spawned; t++)
        pthread_join(pool->ids[t], NULL);
    pool->active = NULL;
    for (int t = 0; t < pool->slices; t++) {
        worker *w = &pool->workers[t];
        if (w->failed_at == SIZE_MAX)
            continue;
        /* Slices are in row order, so the first failing slice holds the first failing row. */
        const pool_row *r = &chunk->rows[w->failed_at];
        *err = w->err;
        return tka_error_prefix(err, "%s: line %llu (row %llu): ", file,
                                (unsigned long long)r->line, (unsigned long long)r->row);
    }
    for (int t = 0; t < pool->slices; t++)
        for (size_t i = pool->workers[t].begin; i < pool->workers[t].end; i++)
            chunk->rows[i].worker = t;
    return TKA_OK;
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
