/* Parallel encoding of row chunks with per-thread encoders and output buffers. */
#include "pipeline/encode_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/cacheline.h"
#include "pipeline/pack.h"
#include "tokalign/arena.h"

/* Each worker on cache lines of its own (see core/cacheline.h). */
typedef struct worker {
    _Alignas(TKA_CACHE_LINE) tka_encoder *encoder;
    tka_arena *arena;
    int32_t *out;            /* stored sequences of kept rows */
    size_t out_used, out_cap;
    uint64_t tokens;
    /* per run */
    size_t failed_at;        /* index in the chunk of the row that failed, or SIZE_MAX */
    tka_error err;
} worker;

typedef struct work_arg {
    worker *w;
    struct encode_pool *pool;
} work_arg;

#define MAX_THREADS 64

/* Workers 1..spawned are threads that live as long as the pool and sleep on
 * `wake` until `run` changes (starting and joining them per 8192-row chunk
 * made a clone3 and a madvise call per chunk and thread). */
struct encode_pool {
    int threads;
    worker *workers;
    bool fields[TKA_FIELD_SEQ_COUNT];
    size_t fields_per_row;
    /* the chunk between encode_pool_start and encode_pool_wait */
    pool_chunk *active;
    _Alignas(TKA_CACHE_LINE) atomic_size_t next_row; /* first row no worker has taken */
    _Alignas(TKA_CACHE_LINE) pthread_mutex_t mu;
    pthread_cond_t wake;  /* a run started, or stop */
    pthread_cond_t done;  /* a thread finished its part of the run */
    uint64_t run;         /* runs started so far */
    int busy;             /* threads still working on the current run */
    bool stop;
    bool sync_ready;      /* mu, wake and done are initialised */
    int spawned;
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
    if (pool->sync_ready) {
        pthread_mutex_lock(&pool->mu);
        pool->stop = true;
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mu);
        for (int t = 0; t < pool->spawned; t++)
            pthread_join(pool->ids[t], NULL);
        pthread_cond_destroy(&pool->done);
        pthread_cond_destroy(&pool->wake);
        pthread_mutex_destroy(&pool->mu);
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
    pack_fields(w->out + w->out_used, pool->fields, src, e->length);
    w->out_used += need;
    return true;
}

/* Rows are taken from the chunk in batches of this many through one shared
 * counter, so a thread that starts late (the caller, after reading the next
 * chunk) takes over what is left instead of waiting for a fixed share. */
#define ROWS_PER_TAKE 32

/* Encodes batches of rows until none is left or one of its rows fails. */
static void *work_rows(void *arg)
{
    work_arg *a = arg;
    worker *w = a->w;
    encode_pool *pool = a->pool;
    pool_chunk *chunk = pool->active;
    const char *base = chunk->text.data;
    int self = (int)(w - pool->workers);
    for (;;) {
        size_t begin = atomic_fetch_add_explicit(&pool->next_row, ROWS_PER_TAKE, memory_order_relaxed);
        if (begin >= chunk->count)
            return NULL;
        size_t end = begin + ROWS_PER_TAKE < chunk->count ? begin + ROWS_PER_TAKE : chunk->count;
        for (size_t i = begin; i < end; i++) {
            pool_row *r = &chunk->rows[i];
            tka_arena_reset(w->arena);
            tka_encoding e;
            tka_status st = tka_encoder_encode(w->encoder, base + r->text_off, r->text_len,
                                               r->has_pair ? base + r->pair_off : NULL, r->pair_len,
                                               w->arena, &e, &w->err);
            if (st == TKA_OK && r->keep && !store_row(w, pool, r, &e))
                st = tka_error_set(&w->err, TKA_ERR_NOMEM, "out of memory storing an encoding");
            if (st != TKA_OK) {
                /* Rows are taken in increasing order, so this is the worker's
                 * first failing row; later ones are left to no one. */
                w->failed_at = i;
                return NULL;
            }
            r->worker = self;
            w->tokens += e.length;
        }
    }
}

/* A pool thread: one share of every run until the pool stops. */
static void *worker_thread(void *arg)
{
    work_arg *a = arg;
    encode_pool *pool = a->pool;
    uint64_t seen = 0;
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (!pool->stop && pool->run == seen)
            pthread_cond_wait(&pool->wake, &pool->mu);
        if (pool->stop)
            break;
        seen = pool->run;
        pthread_mutex_unlock(&pool->mu);
        work_rows(a);
        pthread_mutex_lock(&pool->mu);
        if (--pool->busy == 0)
            pthread_cond_signal(&pool->done);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

/* Starts the pool threads on first use; a thread that cannot be started
 * leaves its share to the others. */
static void spawn_threads(encode_pool *pool)
{
    if (pool->threads == 1 || pool->sync_ready)
        return;
    if (pthread_mutex_init(&pool->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&pool->wake, NULL) != 0) {
        pthread_mutex_destroy(&pool->mu);
        return;
    }
    if (pthread_cond_init(&pool->done, NULL) != 0) {
        pthread_cond_destroy(&pool->wake);
        pthread_mutex_destroy(&pool->mu);
        return;
    }
    pool->sync_ready = true;
    for (int t = 1; t < pool->threads; t++) {
        pool->args[t] = (work_arg){&pool->workers[t], pool};
        if (pthread_create(&pool->ids[pool->spawned], NULL, worker_thread, &pool->args[t]) != 0)
            break;
        pool->spawned++;
    }
}

void encode_pool_start(encode_pool *pool, pool_chunk *chunk)
{
    spawn_threads(pool);
    if (pool->sync_ready)
        pthread_mutex_lock(&pool->mu);
    for (int t = 0; t < pool->threads; t++) {
        worker *w = &pool->workers[t];
        w->out_used = 0;
        w->failed_at = SIZE_MAX;
        tka_error_clear(&w->err);
    }
    pool->args[0] = (work_arg){&pool->workers[0], pool};
    pool->active = chunk;
    atomic_store_explicit(&pool->next_row, 0, memory_order_relaxed);
    /* Worker 0 is the caller, in encode_pool_wait: with `--threads 1` the
     * work happens there, so one thread really is one; with N threads, the
     * N - 1 pool threads start now and the caller joins them once it has
     * read the next chunk. The mutex publishes the chunk and the counter. */
    if (pool->sync_ready) {
        pool->run++;
        pool->busy = pool->spawned;
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mu);
    }
}

tka_status encode_pool_wait(encode_pool *pool, const char *file, tka_error *err)
{
    pool_chunk *chunk = pool->active;
    work_rows(&pool->args[0]); /* also every row left if no thread could be started */
    if (pool->sync_ready) {
        pthread_mutex_lock(&pool->mu);
        while (pool->busy > 0)
            pthread_cond_wait(&pool->done, &pool->mu);
        pthread_mutex_unlock(&pool->mu);
    }
    pool->active = NULL;
    /* A worker stops at its first failure while the others go on, so every
     * row before the earliest failing one was encoded: that row is the first
     * failure in row order. */
    const worker *first = NULL;
    for (int t = 0; t < pool->threads; t++) {
        const worker *w = &pool->workers[t];
        if (w->failed_at != SIZE_MAX && (!first || w->failed_at < first->failed_at))
            first = w;
    }
    if (first) {
        const pool_row *r = &chunk->rows[first->failed_at];
        *err = first->err;
        return tka_error_prefix(err, "%s: line %llu (row %llu): ", file,
                                (unsigned long long)r->line, (unsigned long long)r->row);
    }
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
