/* Chunked, threaded record processing with in-order output: the main
 * thread reads whole-line chunks and writes finished ones in order; a
 * tka_pool (tokalign/pool.h) runs the command on the chunks' records on N
 * threads, the main thread among them while it waits for the next chunk. */
#include "cli/records.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "core/cacheline.h"
#include "tokalign/pool.h"

/* Chunks stay small: every slot's input and output buffers are touched
 * for the first time by the workers, and in a VM those page faults cost
 * more than the extra hand-offs (2 threads on 60 MB: 1 MiB chunks 1.62x,
 * 256 KiB 1.8x the single-thread speed). */
#define CHUNK_BYTES ((size_t)256 << 10)

typedef struct chunk {
    char *data;
    size_t len, cap;
    tka_buf out;
    size_t n_lines; /* physical lines in the chunk */
    tka_status st;  /* first error of the chunk */
    tka_error err;
    size_t err_line; /* its 1-based line within the chunk */
    void *user;
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
            if (json_is_string(p)) { /* NULL when absent */
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

/* A tka_pool task: one chunk, run with the state of the worker running it. */
static tka_status run_chunk(void *ctx, int index, void *task, tka_error *err)
{
    (void)err;             /* the chunk keeps its error and line, reported when delivered */
    worker *workers = ctx; /* indexed by the pool's worker index */
    chunk *c = task;
    process_chunk(&workers[index], c);
    return c->st;
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
    if (!rs->job->finish && c->out.len &&
        fwrite(c->out.data, 1, c->out.len, rs->out) != c->out.len) {
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
        const char *name =
            rs->in->path && strcmp(rs->in->path, "-") != 0 ? rs->in->path : "<stdin>";
        fprintf(stderr, "tokalign %s: error: %s: line %llu: %s\n", rs->command, name,
                (unsigned long long)rs->line_base + c->err_line,
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
    reader r = {f,    in->path && strcmp(in->path, "-") != 0 ? in->path : "<stdin>", NULL, 0, 0,
                false};
    run_state rs = {command, in, job, out, 0, NULL, 0, 0, CLI_EXIT_OK, {0}, 0};
    cli_progress_start(&rs.progress, command, in->progress, in->path);
    if (threads < 1)
        threads = 1;
    /* Chunks in flight: one with one thread (read, process, write in turn);
     * with N, enough that every thread has one while finished ones wait to
     * be written in order. */
    size_t nslots = threads == 1 ? 1 : (size_t)threads * 2 + 1;
    chunk *slots = calloc(nslots, sizeof *slots);
    worker *workers = tka_calloc_cache_lines((size_t)threads * sizeof *workers);
    tka_pool *pool = NULL;
    if (!slots || !workers) {
        fprintf(stderr, "tokalign %s: error: out of memory\n", command);
        rs.exit_code = CLI_EXIT_ERROR;
        goto done;
    }
    for (int i = 0; i < threads; i++) {
        tka_error err;
        tka_error_clear(&err);
        workers[i].job = job;
        workers[i].in = in;
        workers[i].state = job->make(job->shared, &err);
        if (!workers[i].state) {
            rs.exit_code = cli_report(command, &err);
            goto done;
        }
    }
    tka_error err;
    if (tka_pool_new(threads, nslots, run_chunk, workers, &pool, &err) != TKA_OK) {
        rs.exit_code = cli_report(command, &err);
        goto done;
    }
    /* Read ahead while a slot is free, else write the oldest chunk once it
     * is done (tka_pool_next works on pending chunks meanwhile). Slots are
     * used in turn: chunks come back in the order they went in. A read error
     * is reported after the chunks before it, as one thread meets it. */
    uint64_t submitted = 0;
    bool eof = false, read_failed = false;
    tka_error read_err;
    for (;;) {
        if (!eof && tka_pool_pending(pool) < nslots) {
            chunk *c = &slots[submitted % nslots];
            if (!read_chunk(&r, c, &read_err)) {
                read_failed = eof = true;
            } else if (c->len == 0) {
                eof = true;
            } else {
                tka_pool_submit(pool, c, NULL); /* cannot fail: a slot is free */
                submitted++;
            }
            continue;
        }
        void *finished;
        tka_status st = tka_pool_next(pool, &finished, &err);
        if (st == TKA_END) {
            if (read_failed)
                rs.exit_code = cli_report(command, &read_err);
            break;
        }
        if (!deliver(&rs, finished)) /* a failed chunk reports its error here */
            break;
    }
    tka_pool_free(pool); /* after an early exit: drops the chunks still pending */
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
        for (size_t i = 0; slots && i < nslots; i++)
            if (slots[i].user)
                job->free_user(slots[i].user);
    }
    free(rs.users);
    for (size_t i = 0; slots && i < nslots; i++) {
        free(slots[i].data);
        tka_buf_free(&slots[i].out);
    }
    for (int i = 0; workers && i < threads; i++) {
        if (workers[i].state)
            job->free_state(workers[i].state);
        tka_buf_free(&workers[i].fixed);
    }
    free(slots);
    free(workers);
    free(r.carry);
    cli_close(f);
    return rs.exit_code;
}
