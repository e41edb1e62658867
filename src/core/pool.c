/* tka_pool: a ring of pending tasks run by N threads, handed back in order. */
#include "tokalign/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/cacheline.h"

enum { TASK_QUEUED = 0, TASK_RUNNING, TASK_DONE };

typedef struct slot {
    void *task;
    int state;
    tka_status st;
    tka_error err; /* written by the thread running the task, read after TASK_DONE */
} slot;

typedef struct thread_arg {
    tka_pool *pool;
    int worker;
} thread_arg;

/* Tasks have sequence numbers: [head, tail) are pending, in ring slots
 * seq % cap; [head, next_start) have started (running or done). Tasks from
 * stop_at on do not start (a failure before them, or a cancel). Every field
 * is under mu. */
struct tka_pool {
    tka_pool_fn fn;
    void *ctx;
    int threads;
    size_t cap;
    slot *ring;
    uint64_t head, tail, next_start, stop_at;
    int running; /* tasks being run by the pool's threads (not the owner) */
    bool quit;
    pthread_mutex_t mu;
    pthread_cond_t work; /* to the pool's threads: a task to start, or quit */
    pthread_cond_t done; /* to the owner: a task finished */
    int spawned;
    pthread_t *ids;
    thread_arg *args;
};

static bool can_start(const tka_pool *p)
{
    return p->next_start < p->tail && p->next_start < p->stop_at;
}

/* Runs the next task to start as `worker`; called and returns with mu held. */
static void run_one(tka_pool *p, int worker, bool owner)
{
    slot *s = &p->ring[p->next_start % p->cap];
    uint64_t seq = p->next_start++;
    s->state = TASK_RUNNING;
    if (!owner)
        p->running++;
    pthread_mutex_unlock(&p->mu);
    tka_error_clear(&s->err);
    tka_status st = p->fn(p->ctx, worker, s->task, &s->err);
    if (st != TKA_OK && s->err.status == TKA_OK)
        s->err.status = st; /* a task function that set no message */
    pthread_mutex_lock(&p->mu);
    s->st = st;
    s->state = TASK_DONE;
    if (st != TKA_OK && seq + 1 < p->stop_at)
        p->stop_at = seq + 1; /* later tasks are not needed */
    if (!owner) {
        p->running--;
        pthread_cond_signal(&p->done);
    }
}

static void *thread_main(void *arg)
{
    thread_arg *a = arg;
    tka_pool *p = a->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->quit)
            break;
        if (can_start(p))
            run_one(p, a->worker, false);
        else
            pthread_cond_wait(&p->work, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

tka_status tka_pool_new(int threads, size_t max_pending, tka_pool_fn fn, void *ctx, tka_pool **out,
                        tka_error *err)
{
    *out = NULL;
    if (!fn)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "tka_pool_new: no task function");
    if (threads < 1)
        threads = 1;
    if (max_pending == 0)
        max_pending = 2 * (size_t)threads;
    if (max_pending > SIZE_MAX / sizeof(slot))
        return tka_error_set(err, TKA_ERR_LIMIT, "tka_pool_new: max_pending %zu is too large",
                             max_pending);
    tka_pool *p = tka_calloc_cache_lines(sizeof *p);
    if (!p)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    p->fn = fn;
    p->ctx = ctx;
    p->threads = threads;
    p->cap = max_pending;
    p->stop_at = UINT64_MAX;
    p->ring = calloc(max_pending, sizeof *p->ring);
    p->ids = calloc((size_t)threads, sizeof *p->ids);
    p->args = calloc((size_t)threads, sizeof *p->args);
    int sync = 0; /* how many of mu, work, done are initialised */
    if (p->ring && p->ids && p->args && pthread_mutex_init(&p->mu, NULL) == 0 && ++sync &&
        pthread_cond_init(&p->work, NULL) == 0 && ++sync && pthread_cond_init(&p->done, NULL) == 0)
        sync++;
    if (sync < 3) {
        if (sync > 1)
            pthread_cond_destroy(&p->work);
        if (sync > 0)
            pthread_mutex_destroy(&p->mu);
        free(p->ring);
        free(p->ids);
        free(p->args);
        free(p);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    for (int t = 1; t < threads; t++) {
        p->args[p->spawned] = (thread_arg){p, t};
        if (pthread_create(&p->ids[p->spawned], NULL, thread_main, &p->args[p->spawned]) != 0)
            break; /* the owner (and any started thread) does the work */
        p->spawned++;
    }
    *out = p;
    return TKA_OK;
}

/* Drops every pending task; called and returns with mu held. */
static void drop_pending(tka_pool *p)
{
    p->stop_at = p->next_start;
    while (p->running > 0)
        pthread_cond_wait(&p->done, &p->mu);
    p->head = p->next_start = p->tail;
    p->stop_at = UINT64_MAX;
}

void tka_pool_cancel(tka_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mu);
    drop_pending(pool);
    pthread_mutex_unlock(&pool->mu);
}

void tka_pool_free(tka_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mu);
    drop_pending(pool);
    pool->quit = true;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->mu);
    for (int t = 0; t < pool->spawned; t++)
        pthread_join(pool->ids[t], NULL);
    pthread_cond_destroy(&pool->done);
    pthread_cond_destroy(&pool->work);
    pthread_mutex_destroy(&pool->mu);
    free(pool->ring);
    free(pool->ids);
    free(pool->args);
    free(pool);
}

int tka_pool_threads(const tka_pool *pool)
{
    return pool->threads;
}

size_t tka_pool_pending(const tka_pool *pool)
{
    /* head and tail change only in the owner's calls, and the owner is the caller */
    return (size_t)(pool->tail - pool->head);
}

tka_status tka_pool_submit(tka_pool *pool, void *task, tka_error *err)
{
    if (!task)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "tka_pool_submit: NULL task");
    if (pool->tail - pool->head >= pool->cap)
        return tka_error_set(err, TKA_ERR_LIMIT,
                             "tka_pool_submit: %zu tasks pending, the most the pool takes",
                             pool->cap);
    pthread_mutex_lock(&pool->mu);
    slot *s = &pool->ring[pool->tail % pool->cap];
    s->task = task;
    s->state = TASK_QUEUED;
    pool->tail++;
    if (pool->spawned)
        pthread_cond_signal(&pool->work);
    pthread_mutex_unlock(&pool->mu);
    return TKA_OK;
}

tka_status tka_pool_next(tka_pool *pool, void **task, tka_error *err)
{
    *task = NULL;
    if (pool->head == pool->tail)
        return TKA_END;
    pthread_mutex_lock(&pool->mu);
    slot *s = &pool->ring[pool->head % pool->cap];
    /* The oldest task always starts: stop_at is past any task before a failure. */
    while (s->state != TASK_DONE) {
        if (can_start(pool))
            run_one(pool, 0, true);
        else
            pthread_cond_wait(&pool->done, &pool->mu);
    }
    *task = s->task;
    tka_status st = s->st;
    if (st != TKA_OK) {
        if (err)
            *err = s->err;
        drop_pending(pool); /* the tasks after it: nobody needs them now */
    } else {
        pool->head++;
    }
    pthread_mutex_unlock(&pool->mu);
    return st;
}
