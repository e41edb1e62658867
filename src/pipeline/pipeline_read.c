/* The pipeline's read: one loop over the TSV rows, every row tokenized (as
 * dataset.map does, so a bad row anywhere fails the run like the reference)
 * and the logged ones kept, for both the two-pass and the single-pass mode. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/try.h"
#include "pipeline/pipeline_internal.h"

static tka_status read_label(const tka_pipeline_options *o, const label_plan *lp,
                             const tka_value *v, row_store_entry *entry, tka_error *err)
{
    switch (lp->kind) {
    case TKA_LABEL_NONE: return TKA_OK;
    case TKA_LABEL_INT:
        if (o->sampler.flavor == TKA_FLAVOR_PADDLE)
            return tka_value_to_int64(v, o->data_path, &entry->label_int, err);
        entry->label_int = v->i;
        return TKA_OK;
    case TKA_LABEL_BOOL: entry->label_int = v->b; return TKA_OK;
    case TKA_LABEL_FLOAT:
        entry->label_float = v->kind == TKA_VALUE_INT   ? (double)v->i
                             : v->kind == TKA_VALUE_NAN ? __builtin_nan("")
                                                        : v->f;
        return TKA_OK;
    }
    return TKA_OK;
}

/* The sentence as the reference tokenizer receives it: only a str works. */
static tka_status refuse_text(const run *r, uint64_t line, uint64_t index, tka_value_kind kind,
                              const char *what, tka_error *err)
{
    const char *why = kind == TKA_VALUE_NAN
                          ? "is missing (pandas reads an empty field and strings such as NA, "
                            "null, nan as NaN)"
                          : "is a number (pandas typed the whole column as numeric)";
    return tka_error_set(err, TKA_ERR_REFERENCE,
                         "%s: line %llu (row %llu): the %s %s, and the tokenizer refuses it "
                         "(transformers: AssertionError: text input must of type `str` (single "
                         "example), `List[str]` (batch or single pretokenized example) or "
                         "`List[List[str]]` (batch of pretokenized examples).)",
                         r->o->data_path, (unsigned long long)line, (unsigned long long)index, what,
                         why);
}

static tka_status check_text(const run *r, const tka_row *row, const tka_value *v, const char *what,
                             tka_error *err)
{
    if (v->kind == TKA_VALUE_STR)
        return TKA_OK;
    return refuse_text(r, row->line, row->index, v->kind, what, err);
}

/* Collects the chunk's kept encodings into the row store, in row order. */
static tka_status keep_chunk(run *r, pool_chunk *chunk, tka_error *err)
{
    for (size_t i = 0; i < chunk->count; i++) {
        const pool_row *pr = &chunk->rows[i];
        if (!pr->keep)
            continue;
        const int32_t *fields[TKA_FIELD_SEQ_COUNT];
        encode_pool_row_fields(r->pool, pr, fields);
        row_store_entry *e = row_store_slot(&r->store, pr->row);
        tka_status st = row_store_put(&r->store, e, pr->length, fields, err);
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}

/* Two chunks in turn: while the encoders work on one, rows are read into the
 * other (with --threads 1 the encoding happens when it is waited for, so
 * reading and encoding take turns on one thread). */
typedef struct chunk_flow {
    pool_chunk chunks[2];
    int fill;       /* the chunk being filled */
    bool in_flight; /* chunks[1 - fill] is being encoded */
} chunk_flow;

static pool_chunk *flow_current(chunk_flow *f)
{
    return &f->chunks[f->fill];
}

/* Waits for the chunk in flight and keeps its encodings. On an encoding
 * failure *encode_failed is set and *first_row is that chunk's first row. */
static tka_status flow_wait(run *r, chunk_flow *f, bool *encode_failed, uint64_t *first_row,
                            tka_error *err)
{
    *encode_failed = false;
    if (!f->in_flight)
        return TKA_OK;
    f->in_flight = false;
    pool_chunk *c = &f->chunks[1 - f->fill];
    tka_status st = encode_pool_wait(r->pool, r->o->data_path, err);
    if (st != TKA_OK) {
        *encode_failed = true;
        *first_row = c->rows[0].row;
    } else {
        st = keep_chunk(r, c, err);
    }
    pool_chunk_clear(c);
    return st;
}

/* Hands the filled chunk to the encoders once the one in flight is kept. */
static tka_status flow_submit(run *r, chunk_flow *f, bool *encode_failed, uint64_t *first_row,
                              tka_error *err)
{
    tka_status st = flow_wait(r, f, encode_failed, first_row, err);
    pool_chunk *c = flow_current(f);
    if (st != TKA_OK || c->count == 0)
        return st;
    encode_pool_start(r->pool, c);
    f->in_flight = true;
    f->fill = 1 - f->fill;
    return TKA_OK;
}

/* Finishes whatever is in flight (after an error elsewhere) and frees. */
static void flow_free(run *r, chunk_flow *f)
{
    if (f->in_flight) {
        tka_error ignored;
        encode_pool_wait(r->pool, r->o->data_path, &ignored);
    }
    pool_chunk_free(&f->chunks[0]);
    pool_chunk_free(&f->chunks[1]);
}

/* The caller's progress callback: every 1024 rows and at the end. */
static void report_progress(run *r, const tka_row *row, bool end)
{
    if (!r->o->progress)
        return;
    if (!end && ++r->progress_seen % 1024 != 0)
        return;
    r->o->progress(r->o->progress_ctx, end ? r->progress_seen : row->index + 1,
                   end ? UINT64_MAX : row->offset);
}

static tka_status save_label(run *r, uint64_t row, const tka_value *v, tka_error *err)
{
    if (!tka_grow_array((void **)&r->saved, &r->saved_cap, r->n_saved + 1, sizeof *r->saved, 64))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping labels");
    saved_label *s = &r->saved[r->n_saved++];
    s->row = row;
    s->raw = *v;
    s->text_off = r->saved_text.len;
    if (tka_buf_append(&r->saved_text, v->text, v->len) != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping labels");
    return TKA_OK;
}

static void consider(row_failure *first, uint64_t row, int order, const tka_error *e)
{
    if (first->set && (first->row < row || (first->row == row && first->order <= order)))
        return;
    first->set = true;
    first->row = row;
    first->order = order;
    first->error = *e;
}

/* Where the reading stands: two chunks in flight (chunk_flow), the first row
 * error and the first chunk the tokenizer failed in. */
typedef struct read_state {
    chunk_flow flow;
    bool tokenize; /* an encoder exists and has not failed yet */
    row_failure first;
    bool tok_failed;
    uint64_t tok_chunk; /* the chunk (row / CHUNK_ROWS) of the tokenizer failure */
    tka_error tok_error;
} read_state;

/* Keeps a tokenizer failure for the end (a row error earlier in the file may
 * win) and stops tokenizing; returns any other failure of the flow. */
static tka_status note_flow(read_state *s, tka_status st, bool encode_failed, uint64_t failed_row,
                            tka_error *err)
{
    if (encode_failed) {
        s->tok_failed = true;
        s->tok_chunk = failed_row / CHUNK_ROWS;
        s->tokenize = false;
        return TKA_OK;
    }
    if (st != TKA_OK)
        *err = s->tok_error;
    return st;
}

/* Hands the filled chunk to the encoders; at the end waits for the last. */
static tka_status flow_step(run *r, read_state *s, bool end, tka_error *err)
{
    bool failed;
    uint64_t row = 0;
    tka_status st = flow_submit(r, &s->flow, &failed, &row, &s->tok_error);
    if (st == TKA_OK && end)
        st = flow_wait(r, &s->flow, &failed, &row, &s->tok_error);
    return note_flow(s, st, failed, row, err);
}

/* The two-pass checks of one row, made as it is read (the column types are
 * known): a refused text or pair, a label the flavor cannot convert. */
static bool row_checks_fail(run *r, const tka_row *row, bool have_pair, row_store_entry *e,
                            row_failure *first)
{
    tka_error e2;
    if (check_text(r, row, &row->text, "sentence", &e2) != TKA_OK)
        consider(first, row->index, 1, &e2);
    else if (have_pair && check_text(r, row, &row->pair, "pair text", &e2) != TKA_OK)
        consider(first, row->index, 2, &e2);
    else if (e && read_label(r->o, &r->labels, &row->label, e, &e2) != TKA_OK)
        consider(first, row->index, 3, &e2); /* the message names file, line and column */
    return first->set;
}

tka_status pipeline_deferred_checks(run *r, row_failure *first, tka_error *err)
{
    size_t watched[2] = {tka_dataset_text_column(r->ds), tka_dataset_pair_column(r->ds)};
    static const char *const what[2] = {"sentence", "pair text"};
    for (int k = 0; k < 2; k++) {
        uint64_t row, line;
        tka_value_kind kind;
        if (watched[k] == SIZE_MAX)
            continue;
        tka_status st = tka_dataset_first_non_string(r->ds, watched[k], &row, &line, &kind, err);
        if (st == TKA_ERR_NOT_FOUND)
            continue; /* every cell of the column is a str */
        if (st != TKA_OK)
            return st;
        tka_error e;
        refuse_text(r, line, row, kind, what[k], &e);
        consider(first, row, 1 + k, &e);
    }
    /* Labels of the logged rows, in row order (the saved rows that turned out
     * not to be logged are skipped: the two-pass run never reads them). */
    uint64_t bs = r->batches.batch_size; /* saturating: a batch size may be 2^40 */
    uint64_t logged_rows =
        r->logged && bs > UINT64_MAX / r->logged ? UINT64_MAX : (uint64_t)r->logged * bs;
    for (size_t i = 0; i < r->n_saved; i++) {
        saved_label *s = &r->saved[i];
        bool logged = s->row < logged_rows;
        for (size_t j = 0; j < r->n_items && !logged; j++)
            logged = (uint64_t)r->items[j] == s->row;
        if (!logged || (first->set && first->row < s->row))
            continue;
        tka_value raw = s->raw, v;
        raw.text = r->saved_text.data ? r->saved_text.data + s->text_off : "";
        TKA_TRY(tka_dataset_convert(r->ds, tka_dataset_label_column(r->ds), false, s->row, &raw, &v,
                                    err));
        tka_error e;
        row_store_entry *entry = row_store_slot(&r->store, s->row);
        if (entry && read_label(r->o, &r->labels, &v, entry, &e) != TKA_OK) {
            consider(first, s->row, 3, &e);
            break;
        }
    }
    return TKA_OK;
}

/* The error the two-pass run reports first: a tokenizer failure in chunk k
 * unless a row error comes before chunk k + 1 (the reading stops at a row
 * error, and chunk k is encoded while chunk k + 1 is read). */
static tka_status first_error(const read_state *s, tka_error *err)
{
    if (s->tok_failed && (!s->first.set || s->first.row >= (s->tok_chunk + 1) * CHUNK_ROWS)) {
        *err = s->tok_error;
        return err->status;
    }
    if (s->first.set) {
        *err = s->first.error;
        return err->status;
    }
    return TKA_OK;
}

/* Two-pass (r->single false): the plan is made before the rows, each row is
 * checked as it comes and the reading stops at the first failure. Single pass
 * (a sequential sampler): every row's text is tokenized as it comes, whatever
 * its type so far; the plan and the checks that need the final types are made
 * at the end, and errors the two-pass run reports before or instead are found
 * by reading on to the end. Either way the same error comes out. */
tka_status pipeline_read_rows(run *r, tka_buf *warnings, tka_error *err)
{
    read_state s;
    memset(&s, 0, sizeof s);
    s.tokenize = r->pool != NULL;
    bool deferred = r->single, failed = false;
    bool have_pair = tka_dataset_pair_column(r->ds) != SIZE_MAX;
    bool have_label = tka_dataset_label_column(r->ds) != SIZE_MAX;
    uint64_t failed_row = 0;
    tka_status st = TKA_OK;
    tka_row row;
    if (!deferred)
        TKA_TRY_GOTO(st, pipeline_plan_count(r, warnings, err), out);
    for (;;) {
        st = tka_dataset_next(r->ds, &row, err);
        bool end = st == TKA_END;
        if (st != TKA_OK && !end) {
            if (deferred && !tka_dataset_complete(r->ds))
                goto out; /* a parser error: the two-pass run fails at open with it */
            /* GLUE's IndexError: the run stops at this row; the rows of the
             * unfinished chunk are never tokenized. */
            consider(&s.first, r->result->rows_encoded, 0, err);
            break;
        }
        report_progress(r, &row, end);
        if (!end) {
            r->result->rows_encoded++;
            bool nomem = false;
            row_store_entry *e = row_store_want(&r->store, row.index, &nomem);
            if (nomem || (deferred && e && have_label &&
                          save_label(r, row.index, &row.label, err) != TKA_OK)) {
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping logged rows");
                goto out;
            }
            if (!deferred && row_checks_fail(r, &row, have_pair, e, &s.first))
                break;
            if (e && row_store_keep_text(&r->store, e, row.line, row.text.text, row.text.len,
                                         row.pair.text, row.pair.len, have_pair) != TKA_OK) {
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping logged rows");
                goto out;
            }
            if (s.tokenize) {
                st = pool_chunk_add(flow_current(&s.flow), row.index, row.line, row.text.text,
                                    row.text.len, have_pair ? row.pair.text : NULL,
                                    have_pair ? row.pair.len : 0, have_pair, e != NULL);
                if (st != TKA_OK) {
                    tka_error_set(err, st, "out of memory reading rows");
                    goto out;
                }
            }
        }
        if (s.tokenize && (flow_current(&s.flow)->count == CHUNK_ROWS || end))
            TKA_TRY_GOTO(st, flow_step(r, &s, end, err), out);
        /* Two-pass: no later row can come before a tokenizer failure in an
         * earlier chunk, so the reading stops there. */
        if (end || (!deferred && s.tok_failed))
            break;
    }
    if (s.flow.in_flight) {
        /* The loop stopped with a chunk in flight: its rows come before the
         * stop, so its outcome still counts, as without the overlap. */
        st = flow_wait(r, &s.flow, &failed, &failed_row, &s.tok_error);
        TKA_TRY_GOTO(st, note_flow(&s, st, failed, failed_row, err), out);
    }
    if (deferred) {
        TKA_TRY_GOTO(st, pipeline_plan_count(r, warnings, err), out);
        TKA_TRY_GOTO(st, pipeline_deferred_checks(r, &s.first, err), out);
    }
    st = first_error(&s, err);
out:
    flow_free(r, &s.flow);
    if (r->pool)
        r->result->tokens = encode_pool_tokens(r->pool);
    return st;
}
