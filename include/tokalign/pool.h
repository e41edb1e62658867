/* Ordered parallel work: a function runs over tasks on N threads and the
 * tasks come back in the order they were submitted, so the thread count never
 * changes a result. The one mechanism behind `tokalign encode/tokenize
 * --threads`, the pipeline's encoding and the Python batch encoder; for a
 * C/C++ caller encoding a large corpus it is the same tool:
 *
 *     // ctx holds one tka_encoder and one tka_arena per worker index
 *     static tka_status encode_block(void *ctx, int worker, void *task, tka_error *err);
 *     tka_pool_new(threads, 0, encode_block, &ctx, &pool, &err);
 *     for (;;) {
 *         while (have_input() && tka_pool_submit(pool, next_block(), NULL) == TKA_OK) {}
 *         void *done;
 *         tka_status st = tka_pool_next(pool, &done, &err);
 *         if (st == TKA_END) break;         // nothing pending, no input left
 *         if (st != TKA_OK) break;          // the first failure in input order
 *         write_block(done);                // in input order
 *     }
 *     tka_pool_free(pool);
 *
 * Tasks are the caller's (the pool stores their pointers only); a task is the
 * pool's from tka_pool_submit until tka_pool_next hands it back or the pool
 * drops it (tka_pool_cancel, a failure, tka_pool_free), and no thread touches
 * it afterwards. Memory in flight is bounded by max_pending tasks. */
#ifndef TOKALIGN_POOL_H
#define TOKALIGN_POOL_H

#include <stddef.h>

#include "tokalign/export.h"
#include "tokalign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership and threads: owned by the caller of tka_pool_new, freed with
 * tka_pool_free; one thread at a time calls its functions (the owner). The
 * pool's own threads call only the task function. */
typedef struct tka_pool tka_pool;

/* Runs one task. `worker` is in [0, threads) and no two calls with the same
 * worker run at once, so per-thread state (a tka_encoder, an arena) can live
 * in an array indexed by it; worker 0 is the owner's thread, which works
 * inside tka_pool_next while the task it waits for is not done. Called on
 * any of the pool's threads, for different tasks at once: it must be
 * thread-safe apart from its task and its worker's state. On failure it
 * fills err and returns its status. */
typedef tka_status (*tka_pool_fn)(void *ctx, int worker, void *task, tka_error *err);

/* A pool of `threads` threads in all: threads - 1 started here, plus the
 * owner's (threads < 1 counts as 1: every task runs on the owner's thread,
 * inside tka_pool_next, in submission order). A thread that cannot be
 * started leaves its share to the others. At most `max_pending` tasks are
 * submitted and not yet handed back (0: 2 * threads). */
TKA_API tka_status tka_pool_new(int threads, size_t max_pending, tka_pool_fn fn, void *ctx,
                                tka_pool **out, tka_error *err);

/* Drops whatever is pending (tka_pool_cancel), stops the threads. Accepts NULL. */
TKA_API void tka_pool_free(tka_pool *pool);

/* Threads in all (the `worker` values are 0 .. threads - 1). */
TKA_API int tka_pool_threads(const tka_pool *pool);

/* Tasks submitted and not yet handed back or dropped. */
TKA_API size_t tka_pool_pending(const tka_pool *pool);

/* Queues a task (not NULL); a free thread starts on it. TKA_ERR_LIMIT when
 * max_pending tasks are pending: take one back with tka_pool_next first. */
TKA_API tka_status tka_pool_submit(tka_pool *pool, void *task, tka_error *err);

/* Hands back the oldest pending task in *task once it has run, working on
 * pending tasks meanwhile; returns the task function's status (err filled
 * on failure). TKA_END (*task NULL) when nothing is pending.
 * After a failure no later task starts, and when the failing task is
 * handed back every task submitted after it is dropped: none is running or
 * will run (the caller may free them), the pool is empty and may be reused.
 * So the failure reported is always the first in submission order, as one
 * thread would meet it. */
TKA_API tka_status tka_pool_next(tka_pool *pool, void **task, tka_error *err);

/* Drops every pending task: those not started never run, running ones are
 * waited for, finished ones are forgotten. The pool is empty afterwards. */
TKA_API void tka_pool_cancel(tka_pool *pool);

#ifdef __cplusplus
}
#endif
#endif
