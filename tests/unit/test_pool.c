/* tka_pool: tasks come back in submission order whatever the thread count
 * and finishing order, a worker index is never used by two threads at once,
 * the first failure in submission order is the one reported (later tasks
 * dropped, none left running), cancel and free return with work pending. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "tokalign/pool.h"

#define MAX_WORKERS 16

typedef struct task {
    uint64_t index;
    uint64_t result;
    int worker;
    bool ran;
} task;

typedef struct ctx {
    atomic_int in_use[MAX_WORKERS]; /* a worker index running right now */
    atomic_int running;
    atomic_int ran;
    int threads;
    pthread_t owner;
    bool owner_only;         /* with one thread every task must run on the owner's */
    uint64_t fail_a, fail_b; /* tasks that fail (UINT64_MAX: none) */
    int sleep_us;            /* per task, to let cancel find work pending */
} ctx;

static void pause_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* A result that depends on the index only, after a varying amount of work
 * (so tasks finish out of order on several threads). */
static tka_status work(void *p, int worker, void *t, tka_error *err)
{
    ctx *c = p;
    task *k = t;
    cr_assert(worker >= 0 && worker < c->threads, "worker %d of %d", worker, c->threads);
    cr_assert_eq(atomic_fetch_add(&c->in_use[worker], 1), 0, "worker %d used twice at once",
                 worker);
    if (c->owner_only)
        cr_assert(pthread_equal(pthread_self(), c->owner), "one thread: the owner runs tasks");
    atomic_fetch_add(&c->running, 1);
    uint64_t h = k->index * 0x9E3779B97F4A7C15ull;
    for (uint64_t i = 0; i < (k->index * 7919) % 20000; i++)
        h = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull + i;
    if (c->sleep_us)
        pause_us(c->sleep_us);
    k->result = h;
    k->worker = worker;
    k->ran = true;
    atomic_fetch_add(&c->ran, 1);
    atomic_fetch_sub(&c->running, 1);
    atomic_fetch_sub(&c->in_use[worker], 1);
    if (k->index == c->fail_a || k->index == c->fail_b)
        return tka_error_set(err, TKA_ERR_FORMAT, "task %llu is bad", (unsigned long long)k->index);
    return TKA_OK;
}

static void ctx_init(ctx *c, int threads)
{
    memset(c, 0, sizeof *c);
    c->threads = threads;
    c->owner = pthread_self();
    c->owner_only = threads == 1;
    c->fail_a = c->fail_b = UINT64_MAX;
}

#define N 2000

/* Submits N tasks, keeping the pool full, and takes them back; returns how
 * many came back OK, with the error of the first failure in *err. */
static size_t run_all(ctx *c, size_t max_pending, task *tasks, tka_status *st_out, tka_error *err)
{
    tka_pool *pool;
    cr_assert_eq(tka_pool_new(c->threads, max_pending, work, c, &pool, err), TKA_OK);
    cr_assert_eq(tka_pool_threads(pool), c->threads);
    size_t submitted = 0, back = 0;
    *st_out = TKA_OK;
    for (;;) {
        while (submitted < N && tka_pool_submit(pool, &tasks[submitted], NULL) == TKA_OK)
            submitted++;
        cr_assert_leq(tka_pool_pending(pool), max_pending ? max_pending : 2 * (size_t)c->threads);
        void *t;
        tka_status st = tka_pool_next(pool, &t, err);
        if (st == TKA_END) {
            cr_assert_null(t);
            break;
        }
        cr_assert_eq(t, &tasks[back], "task %zu came back out of order", back);
        if (st != TKA_OK) {
            *st_out = st;
            /* every later task was dropped: none runs now or later */
            cr_assert_eq(atomic_load(&c->running), 0);
            cr_assert_eq(tka_pool_pending(pool), 0);
            int ran = atomic_load(&c->ran);
            pause_us(20000);
            cr_assert_eq(atomic_load(&c->ran), ran, "a dropped task ran");
            break;
        }
        cr_assert(tasks[back].ran);
        back++;
    }
    tka_pool_free(pool);
    return back;
}

static void make_tasks(task *tasks)
{
    memset(tasks, 0, N * sizeof *tasks);
    for (size_t i = 0; i < N; i++)
        tasks[i].index = i;
}

Test(pool, one_or_many_threads_give_the_same_results_in_order, .timeout = 60)
{
    static task one[N], many[N];
    ctx c;
    tka_error err;
    tka_status st;
    make_tasks(one);
    ctx_init(&c, 1);
    cr_assert_eq(run_all(&c, 1, one, &st, &err), N);
    cr_assert_eq(st, TKA_OK);
    const int threads[] = {2, 3, 8};
    const size_t pending[] = {0, 1, 7, 64};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++)
        for (size_t p = 0; p < sizeof pending / sizeof *pending; p++) {
            make_tasks(many);
            ctx_init(&c, threads[t]);
            cr_assert_eq(run_all(&c, pending[p], many, &st, &err), N);
            cr_assert_eq(st, TKA_OK);
            bool other_workers = false;
            for (size_t i = 0; i < N; i++) {
                cr_assert_eq(many[i].result, one[i].result, "task %zu", i);
                other_workers |= many[i].worker != 0;
            }
            /* the pool's threads did work (the owner alone would be worker 0) */
            cr_assert(pending[p] == 1 || other_workers, "%d threads, %zu pending", threads[t],
                      pending[p]);
        }
}

Test(pool, an_error_in_a_middle_task_is_the_first_in_order, .timeout = 60)
{
    static task tasks[N];
    for (int threads = 1; threads <= 8; threads *= 2) {
        ctx c;
        ctx_init(&c, threads);
        c.fail_a = 1500; /* a later failure that may finish first */
        c.fail_b = 777;
        make_tasks(tasks);
        tka_error err;
        tka_status st;
        size_t ok = run_all(&c, 1024, tasks, &st, &err);
        cr_assert_eq(ok, 777, "%d threads: %zu tasks before the failure", threads, ok);
        cr_assert_eq(st, TKA_ERR_FORMAT);
        cr_assert_eq(err.status, TKA_ERR_FORMAT);
        cr_assert_str_eq(err.message, "task 777 is bad");
        if (threads == 1) /* nothing past the failure ever ran */
            for (size_t i = 778; i < N; i++)
                cr_assert(!tasks[i].ran, "task %zu ran", i);
    }
}

Test(pool, the_pool_is_reusable_after_a_failure, .timeout = 30)
{
    static task tasks[8];
    ctx c;
    ctx_init(&c, 2);
    c.fail_a = 2;
    tka_pool *pool;
    tka_error err;
    cr_assert_eq(tka_pool_new(2, 8, work, &c, &pool, &err), TKA_OK);
    for (size_t i = 0; i < 8; i++) {
        tasks[i].index = i;
        cr_assert_eq(tka_pool_submit(pool, &tasks[i], &err), TKA_OK);
    }
    cr_assert_eq(tka_pool_submit(pool, &tasks[0], &err), TKA_ERR_LIMIT, "max_pending holds");
    void *t;
    cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_OK);
    cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_OK);
    cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_ERR_FORMAT);
    cr_assert_eq(t, &tasks[2]);
    cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_END);
    c.fail_a = UINT64_MAX;
    for (size_t i = 3; i < 8; i++)
        cr_assert_eq(tka_pool_submit(pool, &tasks[i], &err), TKA_OK);
    for (size_t i = 3; i < 8; i++) {
        cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_OK);
        cr_assert_eq(t, &tasks[i]);
    }
    cr_assert_eq(tka_pool_submit(pool, NULL, &err), TKA_ERR_ARGUMENT);
    tka_pool_free(pool);
}

/* Early exit: cancel and free return with many slow tasks pending, and no
 * task runs after they return. */
Test(pool, cancel_and_free_with_work_pending_do_not_wait_for_it, .timeout = 30)
{
    static task tasks[64];
    for (int round = 0; round < 2; round++) {
        ctx c;
        ctx_init(&c, 4);
        c.sleep_us = 20000;
        tka_pool *pool;
        tka_error err;
        cr_assert_eq(tka_pool_new(4, 64, work, &c, &pool, &err), TKA_OK);
        for (size_t i = 0; i < 64; i++) {
            tasks[i] = (task){.index = i};
            cr_assert_eq(tka_pool_submit(pool, &tasks[i], &err), TKA_OK);
        }
        void *t;
        cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_OK);
        cr_assert_eq(t, &tasks[0]);
        if (round == 0) {
            tka_pool_cancel(pool);
            cr_assert_eq(atomic_load(&c.running), 0);
            cr_assert_eq(tka_pool_pending(pool), 0);
            cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_END);
        }
        tka_pool_free(pool);
        int ran = atomic_load(&c.ran);
        cr_assert_lt(ran, 64, "cancelled tasks were dropped, not run (%d ran)", ran);
        pause_us(50000);
        cr_assert_eq(atomic_load(&c.ran), ran, "a task ran after the pool let go of it");
    }
}

Test(pool, one_thread_runs_nothing_until_next)
{
    static task tasks[4];
    ctx c;
    ctx_init(&c, 1);
    tka_pool *pool;
    tka_error err;
    cr_assert_eq(tka_pool_new(0, 0, work, &c, &pool, &err), TKA_OK);
    cr_assert_eq(tka_pool_threads(pool), 1);
    for (size_t i = 0; i < 2; i++) {
        tasks[i].index = i;
        cr_assert_eq(tka_pool_submit(pool, &tasks[i], &err), TKA_OK);
    }
    cr_assert_eq(tka_pool_submit(pool, &tasks[2], &err), TKA_ERR_LIMIT, "default: 2 * threads");
    cr_assert_eq(atomic_load(&c.ran), 0);
    void *t;
    cr_assert_eq(tka_pool_next(pool, &t, &err), TKA_OK);
    cr_assert_eq(atomic_load(&c.ran), 1, "only the task handed back ran");
    tka_pool_free(pool); /* drops task 1 unrun */
    cr_assert_eq(atomic_load(&c.ran), 1);
    cr_assert_eq(tka_pool_new(1, 1, NULL, &c, &pool, &err), TKA_ERR_ARGUMENT);
    cr_assert_null(pool);
    tka_pool_free(NULL);
}
