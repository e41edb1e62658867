/* Chunked, threaded record processing with in-order output: the main
 * thread reads whole-line chunks and writes finished ones in order, worker
 * threads (and the main thread when it has nothing to read or write) split
 * chunks into records and run the command on them. */
#include "cli/records.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "core/cacheline.h"

/* Chunks stay small: every slot's input and output buffers are touched
 * for the first time by the workers, and in a VM those page faults cost
 * more than the extra hand-offs (2 threads on 60 MB: 1 MiB chunks 1.62x,
 * 256 KiB 1.8x the single-thread speed). */
#define CHUNK_BYTES ((size_t)256 << 10)

enum { SLOT_FREE = 0, SLOT_READY, SLOT_BUSY, SLOT_DONE };

typedef struct chunk {
    char *data;
    size_t len, cap;
    tka_buf out;
    size_t n_lines;   /* physical lines in the chunk */
    tka_status st;    /* first error of the chunk */
    tka_error err;
    size_t err_line;  /* its 1-based line within the chunk */
    void *user;
    int state;
    uint64_t seq;
} chunk;

typedef struct reader {
    FILE *f;
    const char *name;
    char *carry;
    size_t carry_len, carry_cap;
    bool eof;
} reader;

/* ------------------------------------------------------------ reading */

static bool ensure_cap(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : CHUNK_BYTES;
    while (c < need)
        c *= 2;
    char *q = realloc(*p, c);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

/* Appends up to the chunk's free space (grown by CHUNK_BYTES) from the input;
 * sets r->eof at the end. False on a read error or out of memory. */
static bool read_more(reader *r, chunk *c, tka_error *err)
{
    if (!ensure_cap(&c->data, &c->cap, c->len + CHUNK_BYTES)) {
        tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading input");
        return false;
    }
    size_t n = fread(c->data + c->len, 1, c->cap - c->len, r->f);
    c->len += n;
    if (n == 0) {
        if (ferror(r->f)) {
            tka_error_set(err, TKA_ERR_IO, "%s: read error: %s", r->name, strerror(errno));
            return false;
        }
        r->eof = true;
    }
    return true;
}

/* Fills c with whole lines: it ends after a "\n", or after a "\r" known not
 * to start a "\r\n", or at the end of input. Returns false on a read
 * error or out of memory (message in err); c->len == 0 means end of input. */
static bool read_chunk(reader *r, chunk *c, tka_error *err)
{
    c->len = 0;
    if (!ensure_cap(&c->data, &c->cap, r->carry_len + CHUNK_BYTES)) {
        tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading input");
        return false;
    }
    if (r->carry_len)
        memcpy(c->data, r->carry, r->carry_len);
    c->len = r->carry_len;
    r->carry_len = 0;
    size_t scanned = 0; /* no terminator before this position (but a "\r" there may now be one) */
    for (;;) {
        if (!r->eof && c->len < CHUNK_BYTES) {
            if (!read_more(r, c, err))
                return false;
            continue;
        }
        size_t cut = 0;
        for (size_t i = c->len; i > scanned; i--) {
            char ch = c->data[i - 1];
            if (ch == '\n' || (ch == '\r' && (i < c->len || r->eof))) {
                cut = i;
                break;
            }
        }
        if (r->eof && cut < c->len)
            cut = c->len; /* a last line without terminator */
        if (cut == 0 && !r->eof) {
            /* one line longer than the chunk: read on */
            scanned = c->len ? c->len - 1 : 0;
            if (!read_more(r, c, err))
                return false;
            continue;
        }
        size_t rest = c->len - cut;
        if (!ensure_cap(&r->carry, &r->carry_cap, rest)) {
            tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading input");
            return false;
        }
        if (rest)
            memcpy(r->carry, c->data + cut, rest);
        r->carry_len = rest;
        c->len = cut;
        return true;
    }
}

/* ------------------------------------------------------------ processing */

/* Each on cache lines of its own (see core/cacheline.h). */
typedef struct worker {
    _Alignas(TKA_CACHE_LINE) const cli_job *job;
    const cli_input *in;
    void *state;
    tka_buf fixed; /* --errors replace copy of the current line */
} worker;

/* Makes text valid UTF-8 per --errors; *out points at the text to use. */
static tka_status check_utf8(const cli_input *in, const char *s, size_t len, tka_buf *fixed,
                             const char **out, const char *what, tka_error *err)
{
    size_t bad;
    *out = s;
    if (tka_utf8_valid(s, len, &bad))
        return TKA_OK;
    if (in->errors == TKA_UTF8_STRICT)
        return tka_error_set(err, TKA_ERR_UTF8,
                             "%sinvalid UTF-8 at byte offset %zu (--errors replace decodes it as "
                             "Python's errors=\"replace\" does)",
                             what, bad);
    fixed->len = 0;
    if (tka_utf8_append_replacing(fixed, s, len) != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    *out = fixed->data;
    return TKA_OK;
}

static tka_status run_line(worker *w, const char *line, size_t len, chunk *c, tka_error *err)
{
    const cli_input *in = w->in;
    cli_record rec = {0};
    tka_status st;
    if (in->format == CLI_INPUT_LINES) {
        if ((st = check_utf8(in, line, len, &w->fixed, &rec.text, "", err)) != TKA_OK)
            return st;
        rec.len = rec.text == line ? len : w->fixed.len;
        return w->job->run(w->state, &rec, &c->out, &c->user, err);
    }
    /* JSONL: blank lines are skipped, as JSONL readers do */
    size_t k = 0;
    while (k < len && (line[k] == ' ' || line[k] == '\t'))
        k++;
    if (k == len)
        return TKA_OK;
    const char *src;
    if ((st = check_utf8(in, line, len, &w->fixed, &src, "", err)) != TKA_OK)
        return st;
    size_t src_len = src == line ? len : w->fixed.len;
    json_error_t jerr;
    json_t *obj = json_loadb(src, src_len, JSON_ALLOW_NUL, &jerr);
    if (!obj)
        return tka_error_set(err, TKA_ERR_FORMAT, "column %d: not JSON: %s", jerr.column,
                             jerr.text);
    st = TKA_OK;
    const json_t *t = json_is_object(obj) ? json_object_get(obj, in->text_field) : NULL;
    if (!json_is_string(t)) {
        st = tka_error_set(err, TKA_ERR_FORMAT, "expected a JSON object with a string field \"%s\"",
                           in->text_field);
    } else {
        rec.text = json_string_value(t);
        rec.len = json_string_length(t);
        if (in->pair_field) {
            const json_t *p = json_object_get(obj, in->pair_field);
            if (p && json_is_string(p)) {
                rec.pair = json_string_value(p);
                rec.pair_len = json_string_length(p);
            } else if (p && !json_is_null(p)) {
                st = tka_error_set(err, TKA_ERR_FORMAT, "field \"%s\" must be a string or null",
                                   in->pair_field);
            }
        }
        if (st == TKA_OK)
            st = w->job->run(w->state, &rec, &c->out, &c->user, err);
    }
    json_decref(obj);
    return st;
}

/* Splits a chunk into lines (Python text mode: "\n", "\r\n", "\r") and
 * runs the job on each; stops at the first error. */
static void process_chunk(worker *w, chunk *c)
{
    c->out.len = 0;
    c->n_lines = 0;
    c->st = TKA_OK;
    const char *d = c->data;
    size_t len = c->len;
    size_t next_nl = 0, next_cr = 0; /* cached positions of the next "\n" / "\r" */
    bool nl_valid = false, cr_valid = false;
    for (size_t p = 0; p < len;) {
        if (!nl_valid || next_nl < p) {
            const char *q = memchr(d + p, '\n', len - p);
            next_nl = q ? (size_t)(q - d) : len;
            nl_valid = true;
        }
        if (!cr_valid || next_cr < p) {
            const char *q = memchr(d + p, '\r', len - p);
            next_cr = q ? (size_t)(q - d) : len;
            cr_valid = true;
        }
        size_t t = next_nl < next_cr ? next_nl : next_cr;
        c->n_lines++;
        tka_error err;
        tka_error_clear(&err);
        tka_status st = run_line(w, d + p, t - p, c, &err);
        if (st != TKA_OK) {
            c->st = st;
            c->err = err;
            c->err_line = c->n_lines;
            return;
        }
        if (t < len && d[t] == '\r' && t + 1 < len && d[t + 1] == '\n')
            p = t + 2;
        else
            p = t + 1;
    }
}

/* ------------------------------------------------------------ the pool */

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk *slots;
    size_t nslots;
    uint64_t next_take;
    bool stop;
    worker *workers;
} pool;

typedef struct thread_arg {
    pool *p;
    worker *w;
} thread_arg;

/* The next chunk in sequence if it waits to be processed, marked busy;
 * called with the lock held. */
static chunk *take_ready(pool *p)
{
    chunk *c = &p->slots[p->next_take % p->nslots];
    if (c->state != SLOT_READY || c->seq != p->next_take)
        return NULL;
    c->state = SLOT_BUSY;
    p->next_take++;
    return c;
}

/* Processes a taken chunk without the lock, then marks it done. */
static void process_taken(pool *p, worker *w, chunk *c)
{
    pthread_mutex_unlock(&p->mu);
    process_chunk(w, c);
    pthread_mutex_lock(&p->mu);
    c->state = SLOT_DONE;
    pthread_cond_broadcast(&p->cv);
}

static void *worker_main(void *arg)
{
    thread_arg *a = arg;
    pool *p = a->p;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        chunk *c = take_ready(p);
        if (c)
            process_taken(p, a->w, c);
        else
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

typedef struct run_state {
    const char *command;
    const cli_input *in;
    const cli_job *job;
    FILE *out;
    uint64_t line_base; /* lines before the chunk being written */
    void **users;
    size_t n_users, cap_users;
    int exit_code;
    cli_progress progress;
    uint64_t bytes_done;
} run_state;

/* Writes (or keeps) a finished chunk; false once something failed. */
static bool deliver(run_state *rs, chunk *c)
{
    if (!rs->job->finish && c->out.len && fwrite(c->out.data, 1, c->out.len, rs->out) != c->out.len) {
        fprintf(stderr, "tokalign %s: error: write failed: %s\n", rs->command, strerror(errno));
        rs->exit_code = CLI_EXIT_ERROR;
        return false;
    }
    if (rs->job->finish && rs->job->take) {
        void *user = c->user;
        c->user = NULL;
        int rc = rs->job->take(rs->job->shared, user, rs->out);
        if (rc != CLI_EXIT_OK) {
            rs->exit_code = rc;
            return false;
        }
    } else if (rs->job->finish) {
        if (rs->n_users == rs->cap_users) {
            size_t cap = rs->cap_users ? rs->cap_users * 2 : 16;
            void **u = realloc(rs->users, cap * sizeof *u);
            if (!u) {
                fprintf(stderr, "tokalign %s: error: out of memory\n", rs->command);
                rs->exit_code = CLI_EXIT_ERROR;
                return false;
            }
            rs->users = u;
            rs->cap_users = cap;
        }
        rs->users[rs->n_users++] = c->user;
        c->user = NULL;
    }
    if (c->st != TKA_OK) {
        const char *name = rs->in->path && strcmp(rs->in->path, "-") != 0 ? rs->in->path : "<stdin>";
        fprintf(stderr, "tokalign %s: error: %s: line %llu: %s\n", rs->command, name,
                (unsigned long long)(rs->line_base + c->err_line),
                c->err.message[0] ? c->err.message : tka_status_name(c->st));
        rs->exit_code = CLI_EXIT_ERROR;
        return false;
    }
    rs->line_base += c->n_lines;
    rs->bytes_done += c->len;
    cli_progress_update(&rs->progress, rs->line_base, rs->bytes_done);
    return true;
}

int cli_run_records(const char *command, const cli_input *in, int threads, const cli_job *job,
                    FILE *out)
{
    FILE *f = cli_open_input(command, in->path);
    if (!f)
        return CLI_EXIT_ERROR;
    reader r = {f, in->path && strcmp(in->path, "-") != 0 ? in->path : "<stdin>", NULL, 0, 0, false};
    run_state rs = {command, in, job, out, 0, NULL, 0, 0, CLI_EXIT_OK, {0}, 0};
    cli_progress_start(&rs.progress, command, in->progress, in->path);
    if (threads < 1)
        threads = 1;
    pool p;
    memset(&p, 0, sizeof p);
    p.nslots = (size_t)threads * 2 + 1;
    p.slots = calloc(p.nslots, sizeof *p.slots);
    p.workers = tka_calloc_cache_lines((size_t)threads * sizeof *p.workers);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    thread_arg *args = calloc((size_t)threads, sizeof *args);
    int started = 0;
    if (!p.slots || !p.workers || !tids || !args) {
        fprintf(stderr, "tokalign %s: error: out of memory\n", command);
        rs.exit_code = CLI_EXIT_ERROR;
        goto done;
    }
    for (int i = 0; i < threads; i++) {
        tka_error err;
        tka_error_clear(&err);
        p.workers[i].job = job;
        p.workers[i].in = in;
        p.workers[i].state = job->make(job->shared, &err);
        if (!p.workers[i].state) {
            rs.exit_code = cli_report(command, &err);
            goto done;
        }
    }
    if (threads == 1) {
        /* no threads: read, process and write in turn */
        chunk *c = &p.slots[0];
        for (;;) {
            tka_error err;
            if (!read_chunk(&r, c, &err)) {
                rs.exit_code = cli_report(command, &err);
                break;
            }
            if (c->len == 0)
                break;
            process_chunk(&p.workers[0], c);
            if (!deliver(&rs, c))
                break;
        }
        goto done;
    }
    /* N threads: N - 1 workers, and this thread, which reads and writes in
     * order and processes chunks itself when there is nothing to read or
     * write (workers[0] is its state). A thread that cannot be started
     * leaves more work to the others. */
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    for (int i = 1; i < threads; i++) {
        args[i] = (thread_arg){&p, &p.workers[i]};
        if (pthread_create(&tids[i], NULL, worker_main, &args[i]) != 0)
            break;
        started++;
    }
    uint64_t next_read = 0, next_write = 0;
    bool eof = false, failed = false;
    pthread_mutex_lock(&p.mu);
    while (!failed) {
        chunk *w = &p.slots[next_write % p.nslots];
        if (next_write < next_read && w->state == SLOT_DONE) {
            pthread_mutex_unlock(&p.mu);
            bool ok = deliver(&rs, w);
            pthread_mutex_lock(&p.mu);
            w->state = SLOT_FREE;
            next_write++;
            if (!ok)
                failed = true;
            continue;
        }
        if (eof && next_write == next_read)
            break;
        chunk *rd = &p.slots[next_read % p.nslots];
        if (!eof && rd->state == SLOT_FREE) {
            pthread_mutex_unlock(&p.mu);
            tka_error err;
            bool ok = read_chunk(&r, rd, &err);
            pthread_mutex_lock(&p.mu);
            if (!ok) {
                pthread_mutex_unlock(&p.mu);
                rs.exit_code = cli_report(command, &err);
                pthread_mutex_lock(&p.mu);
                failed = true;
            } else if (rd->len == 0) {
                eof = true;
            } else {
                rd->seq = next_read++;
                rd->state = SLOT_READY;
                pthread_cond_broadcast(&p.cv);
            }
            continue;
        }
        chunk *mine = take_ready(&p);
        if (mine)
            process_taken(&p, &p.workers[0], mine);
        else
            pthread_cond_wait(&p.cv, &p.mu);
    }
    p.stop = true;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (int i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
done:
    if (rs.exit_code == CLI_EXIT_OK && job->finish)
        rs.exit_code = job->finish(job->shared, rs.users, rs.n_users, out);
    if (rs.exit_code == CLI_EXIT_OK)
        cli_progress_finish(&rs.progress, rs.line_base, rs.bytes_done);
    if (rs.exit_code == CLI_EXIT_OK && fflush(out) != 0) {
        fprintf(stderr, "tokalign %s: error: write failed: %s\n", command, strerror(errno));
        rs.exit_code = CLI_EXIT_ERROR;
    }
    if (job->free_user) {
        for (size_t i = 0; i < rs.n_users; i++)
            job->free_user(rs.users[i]);
        for (size_t i = 0; p.slots && i < p.nslots; i++)
            if (p.slots[i].user)
                job->free_user(p.slots[i].user);
    }
    free(rs.users);
    for (size_t i = 0; p.slots && i < p.nslots; i++) {
        free(p.slots[i].data);
        tka_buf_free(&p.slots[i].out);
    }
    for (int i = 0; p.workers && i < threads; i++) {
        if (p.workers[i].state)
            job->free_state(p.workers[i].state);
        tka_buf_free(&p.workers[i].fixed);
    }
    free(p.slots);
    free(p.workers);
    free(tids);
    free(args);
    free(r.carry);
    cli_close(f);
    return rs.exit_code;
}
