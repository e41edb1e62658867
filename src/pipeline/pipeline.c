/* The step-2 data pipeline: TSV -> tokenize -> sample -> collate -> dump, streaming. */
#include "tokalign/pipeline.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/sha256.h"
#include "pipeline/encode_pool.h"
#include "pipeline/row_store.h"
#include "tokalign/collate.h"
#include "tokalign/dump.h"
#include "core/io.h"

void tka_pipeline_options_init(tka_pipeline_options *o, tka_flavor flavor)
{
    memset(o, 0, sizeof *o);
    tka_dataset_options_init(&o->dataset);
    tka_tokenizer_options_init(&o->tokenizer_options);
    o->flavor = flavor;
    tka_sampler_spec_init(&o->sampler, flavor, TKA_SAMPLER_SEQUENTIAL);
    o->batch_size = 4;
    o->max_length = TKA_PIPELINE_DEFAULT;
    o->pad_to_multiple_of = 0;
    o->pad_id = -1;
    o->num_batches = 5;
    o->threads = 1;
    o->write_sidecar = true;
}

/* ------------------------------------------------------------ fields */

typedef struct field_plan {
    size_t count;
    const char *names[TKA_PIPELINE_MAX_FIELDS];
    int seq[TKA_PIPELINE_MAX_FIELDS]; /* tka_seq_field, or -1 for "labels" */
    bool present[TKA_FIELD_SEQ_COUNT];
    bool labels;
} field_plan;

static tka_status plan_fields(const tka_pipeline_options *o, tka_tokenizer_kind kind,
                              bool have_label, field_plan *plan, tka_error *err)
{
    static const char *wordpiece_default[] = {"input_ids", "token_type_ids", "labels", NULL};
    static const char *sentencepiece_default[] = {"input_ids", "attention_mask", "labels", NULL};
    const char *const *names = o->fields[0] ? o->fields
                               : kind == TKA_TOKENIZER_WORDPIECE ? wordpiece_default
                                                                 : sentencepiece_default;
    memset(plan, 0, sizeof *plan);
    for (size_t i = 0; i < TKA_PIPELINE_MAX_FIELDS && names[i]; i++) {
        const char *name = names[i];
        for (size_t j = 0; j < plan->count; j++)
            if (strcmp(plan->names[j], name) == 0)
                return tka_error_set(err, TKA_ERR_ARGUMENT, "field '%s' is listed twice", name);
        int seq = -1;
        for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
            if (strcmp(name, tka_seq_field_name((tka_seq_field)f)) == 0)
                seq = f;
        if (seq < 0 && strcmp(name, "labels") != 0)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "unknown field '%s' (input_ids, token_type_ids, attention_mask, "
                                 "special_tokens_mask, labels)",
                                 name);
        if (seq == TKA_FIELD_TOKEN_TYPE_IDS && kind == TKA_TOKENIZER_SENTENCEPIECE)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "field 'token_type_ids': a SentencePiece (Reformer) tokenizer "
                                 "returns no token_type_ids");
        if (seq < 0 && !have_label)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "field 'labels' is requested but no label column is selected");
        plan->names[plan->count] = name;
        plan->seq[plan->count] = seq;
        plan->count++;
        if (seq >= 0)
            plan->present[seq] = true;
        else
            plan->labels = true;
    }
    if (!plan->present[TKA_FIELD_INPUT_IDS])
        return tka_error_set(err, TKA_ERR_ARGUMENT, "the fields must include input_ids");
    return TKA_OK;
}

/* ------------------------------------------------------------ batches */

/* The epoch's batches: sequential ones are computed, never materialised, so
 * a sequential run needs no memory proportional to the file. */
typedef struct batch_plan {
    bool sequential;
    uint64_t n;
    size_t batch_size;     /* the longest batch */
    size_t num_batches;
    tka_batches materialised;
    tka_order order;       /* with options.order_path, instead of a sampler */
} batch_plan;

/* The longest batch: the batch size, or fewer when the run has fewer
 * indices (a batch size larger than the dataset is one short batch, as in
 * torch and Paddle; buffers are sized by this, not by the option). */
static size_t max_batch_len(const batch_plan *p)
{
    if (p->order.starts) /* --order: batch_size is the order's longest batch */
        return p->batch_size ? p->batch_size : 1;
    uint64_t total = p->sequential ? p->n : p->materialised.count;
    size_t len = total < p->batch_size ? (size_t)total : p->batch_size;
    return len ? len : 1;
}

static size_t batch_rows(const batch_plan *p, size_t b, const int64_t **rows, int64_t *scratch)
{
    if (p->order.starts) {
        *rows = p->order.rows + p->order.starts[b];
        return p->order.starts[b + 1] - p->order.starts[b];
    }
    if (!p->sequential) {
        size_t start = b * p->materialised.batch_size;
        size_t len = p->materialised.count - start;
        if (len > p->materialised.batch_size)
            len = p->materialised.batch_size;
        *rows = p->materialised.indices + start;
        return len;
    }
    uint64_t start = (uint64_t)b * p->batch_size;
    size_t len = p->n - start < p->batch_size ? (size_t)(p->n - start) : p->batch_size;
    for (size_t i = 0; i < len; i++)
        scratch[i] = (int64_t)(start + i);
    *rows = scratch;
    return len;
}

/* `order`: the --order batches read before the data (moved into the plan),
 * or a zeroed order. */
static tka_status plan_batches(const tka_pipeline_options *o, uint64_t n, tka_order *order,
                               batch_plan *p, tka_error *err)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->batch_size = (size_t)o->batch_size;
    if (o->order_path) {
        p->order = *order;
        memset(order, 0, sizeof *order);
        tka_status st = tka_order_check_rows(&p->order, n, o->order_path, err);
        if (st == TKA_OK) {
            p->num_batches = p->order.num_batches;
            p->batch_size = p->order.max_batch;
        }
        return st;
    }
    tka_sampler_spec spec = o->sampler;
    spec.flavor = o->flavor;
    spec.n = (int64_t)n;
    spec.batch_size = o->batch_size;
    if (spec.kind == TKA_SAMPLER_SEQUENTIAL) {
        p->sequential = true;
        p->num_batches = tka_batch_count((size_t)n, p->batch_size, spec.drop_last);
        return TKA_OK;
    }
    tka_status st = tka_sampler_batches(&spec, &p->materialised, err);
    if (st == TKA_OK)
        p->num_batches = p->materialised.num_batches;
    return st;
}

/* ------------------------------------------------------------ labels */

typedef struct label_plan {
    tka_label_kind kind;  /* what the collator sees */
    size_t column;
} label_plan;

/* How each flavour types labels: torch gets HF datasets' per-10000-row-chunk
 * Arrow types (the first chunk decides; a different later chunk is cast,
 * which tokalign does not model, so it refuses); paddle converts every label
 * with np.array([label], dtype="int64") row by row. */
static tka_status plan_labels(const tka_pipeline_options *o, tka_dataset *ds, label_plan *lp,
                              tka_error *err)
{
    lp->column = tka_dataset_label_column(ds);
    lp->kind = TKA_LABEL_NONE;
    if (lp->column == SIZE_MAX)
        return TKA_OK;
    if (o->flavor == TKA_FLAVOR_PADDLE) {
        lp->kind = TKA_LABEL_INT;
        return TKA_OK;
    }
    const char *name = tka_dataset_column_name(ds, lp->column);
    size_t chunks = tka_dataset_num_chunks(ds);
    tka_column_dtype first = tka_dataset_chunk_dtype(ds, lp->column, 0);
    for (size_t c = 1; c < chunks; c++) {
        tka_column_dtype d = tka_dataset_chunk_dtype(ds, lp->column, c);
        if (d != first)
            return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                                 "%s: label column '%s' is %s in rows 0..9999 but %s in rows "
                                 "%zu..%zu: HF datasets would cast that chunk to the first one's "
                                 "Arrow type (or fail), which tokalign does not model",
                                 o->data_path, name, tka_column_dtype_name(first),
                                 tka_column_dtype_name(d), c * 10000, c * 10000 + 9999);
    }
    switch (first) {
    case TKA_COLUMN_INT64: lp->kind = TKA_LABEL_INT; return TKA_OK;
    case TKA_COLUMN_FLOAT64: lp->kind = TKA_LABEL_FLOAT; return TKA_OK;
    case TKA_COLUMN_BOOL: lp->kind = TKA_LABEL_BOOL; return TKA_OK;
    case TKA_COLUMN_UINT64:
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "%s: label column '%s' holds integers beyond int64; torch.tensor "
                             "raises RuntimeError: Overflow when unpacking long",
                             o->data_path, name);
    case TKA_COLUMN_OBJECT:
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "%s: label column '%s' holds strings (pandas dtype object); the "
                             "torch side cannot make a tensor of them (ValueError: too many "
                             "dimensions 'str'). Map labels to integers first",
                             o->data_path, name);
    }
    return tka_error_set(err, TKA_ERR_ARGUMENT, "unknown label dtype");
}

static tka_status read_label(const tka_pipeline_options *o, const label_plan *lp,
                             const tka_value *v, row_store_entry *entry, tka_error *err)
{
    switch (lp->kind) {
    case TKA_LABEL_NONE:
        return TKA_OK;
    case TKA_LABEL_INT:
        if (o->flavor == TKA_FLAVOR_PADDLE)
            return tka_value_to_int64(v, o->data_path, &entry->label_int, err);
        entry->label_int = v->i;
        return TKA_OK;
    case TKA_LABEL_BOOL:
        entry->label_int = v->b;
        return TKA_OK;
    case TKA_LABEL_FLOAT:
        entry->label_float = v->kind == TKA_VALUE_INT ? (double)v->i
                             : v->kind == TKA_VALUE_NAN ? __builtin_nan("")
                                                        : v->f;
        return TKA_OK;
    }
    return TKA_OK;
}

/* ------------------------------------------------------------ dump output */

typedef struct dump_sink {
    tka_dict *dict;               /* .npz / .json / sidecar with entries */
    tka_reprod_writer *writer;    /* .npy: streamed key by key */
    size_t keys;
} dump_sink;

static tka_status sink_add(dump_sink *s, const char *key, const tka_array *a, tka_error *err)
{
    s->keys++;
    if (s->writer) {
        tka_status st = tka_reprod_writer_add(s->writer, key, a, err);
        if (st != TKA_OK)
            return st;
    }
    if (s->dict)
        return tka_dict_add(s->dict, key, a, err);
    return TKA_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* An int32 sequence as a 1-D int64 array (test_data.py logs np.int64 arrays). */
static tka_status add_sequence(dump_sink *s, const char *key, const int32_t *values, size_t n,
                               int64_t *scratch, tka_error *err)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = values[i];
    tka_array a = {.dtype = TKA_DTYPE_INT64, .ndim = 1, .data = scratch};
    a.shape[0] = (int64_t)n;
    return sink_add(s, key, &a, err);
}

static tka_status add_item_label(dump_sink *s, const char *key, tka_label_kind kind,
                                 const row_store_entry *e, tka_error *err)
{
    tka_array a = {.ndim = 1};
    a.shape[0] = 1;
    int64_t i = e->label_int;
    double f = e->label_float;
    uint8_t b = e->label_int != 0;
    switch (kind) {
    case TKA_LABEL_FLOAT: /* HF datasets: a float64 list column */
        a.dtype = TKA_DTYPE_FLOAT64;
        a.data = &f;
        break;
    case TKA_LABEL_BOOL:
        a.dtype = TKA_DTYPE_BOOL;
        a.data = &b;
        break;
    default:
        a.dtype = TKA_DTYPE_INT64;
        a.data = &i;
    }
    return sink_add(s, key, &a, err);
}

/* ------------------------------------------------------------ the run */

#define CHUNK_ROWS 8192

typedef struct saved_label {
    uint64_t row;
    tka_value raw;   /* text: offset into run.saved_text */
    size_t text_off;
} saved_label;

typedef struct run {
    const tka_pipeline_options *o;
    tka_tokenizer *tok;
    tka_dataset *ds;
    field_plan fields;
    label_plan labels;
    batch_plan batches;
    tka_order order;       /* --order, read before the data so a bad file fails at once */
    size_t logged;         /* batches written to the dump */
    int64_t *items;        /* dataset items, deduplicated, in the requested order */
    size_t n_items;
    row_store store;
    encode_pool *pool;
    int32_t pad_id;        /* resolved from pad_id / pad_token; -1: the tokenizer's */
    int64_t max_length;    /* in effect (defaults applied); -1: none */
    tka_pipeline_result *result;
    /* Single pass (sequential sampler): the raw labels of the rows that may
     * be logged, converted once the label dtype is known; an encoder that
     * could not be made (reported after the end-of-pass checks, as the
     * two-pass order has it). */
    bool single;
    saved_label *saved;
    size_t n_saved, saved_cap;
    tka_buf saved_text;
    bool encoder_failed;
    tka_error encoder_error;
    uint64_t progress_seen; /* rows read, for the progress callback */
} run;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The dataset items (range-checked against n, deduplicated) and the number
 * of logged batches. */
static tka_status choose_items(run *r, uint64_t n, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    /* test_data.py logs 5 sampled rows; the default is rows 0..4 (as the
     * goldens fix them), fewer when the file has fewer rows. */
    static const int64_t default_items[] = {0, 1, 2, 3, 4};
    const int64_t *items = o->dataset_items ? o->dataset_items : default_items;
    size_t n_items = o->dataset_items ? o->num_dataset_items : (n < 5 ? (size_t)n : 5);
    r->items = malloc((n_items ? n_items : 1) * sizeof *r->items);
    if (!r->items)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n_items; i++) {
        if (items[i] < 0 || (uint64_t)items[i] >= n)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "dataset item %lld is out of range: %s has %llu rows",
                                 (long long)items[i], o->data_path, (unsigned long long)n);
        /* COMPAT: ReprodLogger.add of an existing key keeps its first position. */
        bool seen = false;
        for (size_t j = 0; j < r->n_items; j++)
            seen |= r->items[j] == items[i];
        if (!seen)
            r->items[r->n_items++] = items[i];
    }
    r->logged = o->num_batches <= 0 || (uint64_t)o->num_batches > r->batches.num_batches
                    ? r->batches.num_batches
                    : (size_t)o->num_batches;
    return TKA_OK;
}

/* Which rows the dump needs: the dataset items and every row of a logged batch. */
static tka_status choose_rows(run *r, tka_error *err)
{
    size_t cap = r->n_items + r->logged * max_batch_len(&r->batches);
    uint64_t *rows = malloc((cap ? cap : 1) * sizeof *rows);
    int64_t *scratch = malloc(max_batch_len(&r->batches) * sizeof *scratch);
    if (!rows || !scratch) {
        free(rows);
        free(scratch);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for the logged rows");
    }
    size_t used = 0;
    for (size_t i = 0; i < r->n_items; i++)
        rows[used++] = (uint64_t)r->items[i];
    for (size_t b = 0; b < r->logged; b++) {
        const int64_t *idx;
        size_t len = batch_rows(&r->batches, b, &idx, scratch);
        for (size_t i = 0; i < len; i++)
            rows[used++] = (uint64_t)idx[i];
    }
    tka_status st = row_store_init(&r->store, rows, used, r->fields.present, err);
    free(rows);
    free(scratch);
    return st;
}

/* Single pass: the rows a sequential run may log, before the row count is
 * known: the first num_batches batches (rows 0..K*B-1; every row for "all")
 * and the requested dataset items (default 0..4). The logged rows are a
 * subset once the count is known. */
static tka_status choose_rows_ahead(run *r, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    uint64_t k = o->num_batches > 0 ? (uint64_t)o->num_batches : 0;
    uint64_t b = (uint64_t)o->batch_size;
    uint64_t prefix = k == 0 || k > UINT64_MAX / b ? UINT64_MAX : k * b;
    static const int64_t default_items[] = {0, 1, 2, 3, 4};
    const int64_t *items = o->dataset_items ? o->dataset_items : default_items;
    size_t n_items = o->dataset_items ? o->num_dataset_items : 5, used = 0;
    uint64_t *rows = malloc((n_items ? n_items : 1) * sizeof *rows);
    if (!rows)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for the logged rows");
    for (size_t i = 0; i < n_items; i++)
        if (items[i] >= 0) /* a negative item fails the range check at the end */
            rows[used++] = (uint64_t)items[i];
    tka_status st = row_store_init_stream(&r->store, prefix, rows, used, r->fields.present, err);
    free(rows);
    return st;
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
                         r->o->data_path, (unsigned long long)line, (unsigned long long)index,
                         what, why);
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

/* The second pass: every row is tokenized (as dataset.map does, so a bad row
 * anywhere fails the run like the reference), logged rows are kept. */
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

static tka_status encode_rows(run *r, tka_error *err)
{
    chunk_flow flow = {0};
    bool encode_failed;
    uint64_t failed_row;
    tka_status st = TKA_OK;
    tka_row row;
    bool have_pair = tka_dataset_pair_column(r->ds) != SIZE_MAX;
    for (;;) {
        st = tka_dataset_next(r->ds, &row, err);
        bool end = st == TKA_END;
        if (st != TKA_OK && !end)
            break;
        report_progress(r, &row, end);
        if (!end) {
            r->result->rows_encoded++;
            if ((st = check_text(r, &row, &row.text, "sentence", err)) != TKA_OK)
                break;
            if (have_pair && (st = check_text(r, &row, &row.pair, "pair text", err)) != TKA_OK)
                break;
            row_store_entry *e = row_store_want(&r->store, row.index, NULL);
            if (e && (st = read_label(r->o, &r->labels, &row.label, e, err)) != TKA_OK)
                break; /* the message names file, line and column */
            if (e && row_store_keep_text(&r->store, e, row.line, row.text.text, row.text.len,
                                         row.pair.text, row.pair.len, have_pair) != TKA_OK) {
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping row texts");
                break;
            }
            st = pool_chunk_add(flow_current(&flow), row.index, row.line, row.text.text,
                                row.text.len, have_pair ? row.pair.text : NULL,
                                have_pair ? row.pair.len : 0, have_pair, e != NULL);
            if (st != TKA_OK) {
                tka_error_set(err, st, "out of memory reading rows");
                break;
            }
        }
        if (flow_current(&flow)->count == CHUNK_ROWS || end) {
            if ((st = flow_submit(r, &flow, &encode_failed, &failed_row, err)) != TKA_OK)
                break;
        }
        if (end) {
            st = flow_wait(r, &flow, &encode_failed, &failed_row, err);
            break;
        }
    }
    if (st != TKA_OK && flow.in_flight) {
        /* A row error stopped the loop while an earlier chunk was still being
         * encoded: a failure there comes first in row order, as it would have
         * without the overlap. */
        tka_error earlier;
        if (flow_wait(r, &flow, &encode_failed, &failed_row, &earlier) != TKA_OK && encode_failed) {
            *err = earlier;
            st = earlier.status;
        }
    }
    flow_free(r, &flow);
    r->result->tokens = encode_pool_tokens(r->pool);
    return st;
}

/* ------------------------------------------------------------ single pass */

static tka_status save_label(run *r, uint64_t row, const tka_value *v, tka_error *err)
{
    if (r->n_saved == r->saved_cap) {
        size_t cap = r->saved_cap ? 2 * r->saved_cap : 64;
        saved_label *s = realloc(r->saved, cap * sizeof *s);
        if (!s)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping labels");
        r->saved = s;
        r->saved_cap = cap;
    }
    saved_label *s = &r->saved[r->n_saved++];
    s->row = row;
    s->raw = *v;
    s->text_off = r->saved_text.len;
    if (tka_buf_append(&r->saved_text, v->text, v->len) != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping labels");
    return TKA_OK;
}

/* An error the two-pass run meets while streaming the rows, placed where it
 * meets it: at a row, and within the row in check order. */
typedef struct row_failure {
    bool set;
    uint64_t row;
    int order; /* 0 GLUE IndexError (reading the row), 1 text, 2 pair, 3 label */
    tka_error error;
} row_failure;

static void consider(row_failure *first, uint64_t row, int order, const tka_error *e)
{
    if (first->set && (first->row < row || (first->row == row && first->order <= order)))
        return;
    first->set = true;
    first->row = row;
    first->order = order;
    first->error = *e;
}

/* The end of a single pass: the decisions the two-pass run makes at open
 * (row count, label kind, batches, logged rows), then the row errors it would
 * have met first, then the logged labels. Same checks, same order. */
static tka_status finish_single(run *r, tka_buf *warnings, row_failure *first,
                                bool tok_failed, uint64_t tok_chunk, const tka_error *tok_error,
                                tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    if (warnings)
        tka_buf_append_str(warnings, tka_dataset_warnings(r->ds));
    uint64_t n = tka_dataset_num_rows(r->ds);
    r->result->rows = n;
    tka_status st;
    if ((st = plan_labels(o, r->ds, &r->labels, err)) != TKA_OK ||
        (st = plan_batches(o, n, &r->order, &r->batches, err)) != TKA_OK ||
        (st = choose_items(r, n, err)) != TKA_OK)
        return st;
    r->result->batches = r->batches.num_batches;
    r->result->batches_logged = r->logged;
    if (r->encoder_failed) {
        *err = r->encoder_error;
        return err->status;
    }
    /* Text and pair cells the reference refuses: known from the final types. */
    size_t watched[2] = {tka_dataset_text_column(r->ds), tka_dataset_pair_column(r->ds)};
    static const char *const what[2] = {"sentence", "pair text"};
    for (int k = 0; k < 2; k++) {
        uint64_t row, line;
        tka_value_kind kind;
        if (watched[k] == SIZE_MAX ||
            tka_dataset_first_non_string(r->ds, watched[k], &row, &line, &kind, NULL) != TKA_OK)
            continue;
        tka_error e;
        refuse_text(r, line, row, kind, what[k], &e);
        consider(first, row, 1 + k, &e);
    }
    /* Labels of the logged rows, in row order (the saved rows that turned out
     * not to be logged are skipped: the two-pass run never reads them). */
    uint64_t bs = r->batches.batch_size; /* saturating: a batch size may be 2^40 */
    uint64_t logged_rows = r->logged && bs > UINT64_MAX / r->logged ? UINT64_MAX : (uint64_t)r->logged * bs;
    for (size_t i = 0; i < r->n_saved; i++) {
        saved_label *s = &r->saved[i];
        bool logged = s->row < logged_rows;
        for (size_t j = 0; j < r->n_items && !logged; j++)
            logged = (uint64_t)r->items[j] == s->row;
        if (!logged || (first->set && first->row < s->row))
            continue;
        tka_value raw = s->raw, v;
        raw.text = r->saved_text.data ? r->saved_text.data + s->text_off : "";
        if ((st = tka_dataset_convert(r->ds, tka_dataset_label_column(r->ds), false, s->row, &raw,
                                      &v, err)) != TKA_OK)
            return st;
        tka_error e;
        row_store_entry *entry = row_store_slot(&r->store, s->row);
        if (entry && read_label(o, &r->labels, &v, entry, &e) != TKA_OK) {
            consider(first, s->row, 3, &e);
            break;
        }
    }
    /* A tokenizer error in chunk k is met first unless a row error comes
     * before that chunk is full. */
    if (tok_failed && (!first->set || first->row >= (tok_chunk + 1) * CHUNK_ROWS)) {
        *err = *tok_error;
        return err->status;
    }
    if (first->set) {
        *err = first->error;
        return err->status;
    }
    return TKA_OK;
}

/* A sequential run in one pass over the TSV: every row's text is tokenized as
 * it comes (whatever its type so far: the final types decide at the end
 * whether the reference would have refused a row, and which row first);
 * errors the two-pass run reports before or instead are found by reading on
 * to the end. */
static tka_status encode_rows_single(run *r, tka_buf *warnings, tka_error *err)
{
    chunk_flow flow = {0};
    bool encode_failed = false;
    uint64_t failed_row = 0;
    tka_status st = TKA_OK;
    tka_row row;
    bool have_pair = tka_dataset_pair_column(r->ds) != SIZE_MAX;
    bool have_label = tka_dataset_label_column(r->ds) != SIZE_MAX;
    bool tokenize = r->pool != NULL, tok_failed = false;
    uint64_t tok_chunk = 0;
    tka_error tok_error;
    row_failure first = {0};
    for (;;) {
        st = tka_dataset_next(r->ds, &row, err);
        bool end = st == TKA_END;
        report_progress(r, &row, end);
        if (st != TKA_OK && !end) {
            if (!tka_dataset_complete(r->ds))
                goto out; /* a parser error: the two-pass run fails at open with it */
            /* GLUE's IndexError: the two-pass run stops at this row; the
             * rows of the unfinished chunk are never tokenized. */
            consider(&first, r->result->rows_encoded, 0, err);
            break;
        }
        if (!end) {
            r->result->rows_encoded++;
            bool nomem = false;
            row_store_entry *e = row_store_want(&r->store, row.index, &nomem);
            if (nomem || (e && have_label && save_label(r, row.index, &row.label, err) != TKA_OK) ||
                (e && row_store_keep_text(&r->store, e, row.line, row.text.text, row.text.len,
                                          row.pair.text, row.pair.len, have_pair) != TKA_OK)) {
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory keeping logged rows");
                goto out;
            }
            if (tokenize) {
                st = pool_chunk_add(flow_current(&flow), row.index, row.line, row.text.text,
                                    row.text.len, have_pair ? row.pair.text : NULL,
                                    have_pair ? row.pair.len : 0, have_pair, e != NULL);
                if (st != TKA_OK) {
                    tka_error_set(err, st, "out of memory reading rows");
                    goto out;
                }
            }
        }
        if (tokenize && (flow_current(&flow)->count == CHUNK_ROWS || end)) {
            st = flow_submit(r, &flow, &encode_failed, &failed_row, &tok_error);
            if (st == TKA_OK && end)
                st = flow_wait(r, &flow, &encode_failed, &failed_row, &tok_error);
            if (encode_failed) {
                /* Kept for the end: a row error earlier in the file wins. */
                tok_failed = true;
                tok_chunk = failed_row / CHUNK_ROWS;
                tokenize = false;
            } else if (st != TKA_OK) {
                *err = tok_error;
                goto out;
            }
        }
        if (end)
            break;
    }
    if (flow.in_flight) {
        /* The loop stopped with a chunk in flight: its rows come before the
         * stop, so its outcome still counts, as without the overlap. */
        st = flow_wait(r, &flow, &encode_failed, &failed_row, &tok_error);
        if (encode_failed) {
            tok_failed = true;
            tok_chunk = failed_row / CHUNK_ROWS;
        } else if (st != TKA_OK) {
            *err = tok_error;
            goto out;
        }
    }
    st = finish_single(r, warnings, &first, tok_failed, tok_chunk, &tok_error, err);
out:
    flow_free(r, &flow);
    if (r->pool)
        r->result->tokens = encode_pool_tokens(r->pool);
    return st;
}

/* The reprod_log keys, in test_data.py's order: length, dataset items,
 * dataloader batches. */
static tka_status emit(run *r, dump_sink *sink, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    const field_plan *fp = &r->fields;
    int64_t length = (int64_t)r->result->rows;
    tka_array len_array = {.dtype = TKA_DTYPE_INT64, .ndim = 0, .data = &length};
    tka_status st = sink_add(sink, "length", &len_array, err);
    size_t longest = 1;
    for (size_t i = 0; i < r->store.count; i++)
        if (r->store.entries[i].length > longest)
            longest = r->store.entries[i].length;
    int64_t *scratch = malloc(longest * sizeof *scratch);
    char key[128];
    if (!scratch)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == TKA_OK && i < r->n_items; i++) {
        const row_store_entry *e = row_store_find(&r->store, (uint64_t)r->items[i]);
        for (size_t f = 0; st == TKA_OK && f < fp->count; f++) {
            snprintf(key, sizeof key, "dataset_%lld_%s", (long long)r->items[i], fp->names[f]);
            if (fp->seq[f] >= 0)
                st = add_sequence(sink, key, row_store_field(&r->store, e, (tka_seq_field)fp->seq[f]),
                                  e->length, scratch, err);
            else
                st = add_item_label(sink, key, r->labels.kind, e, err);
        }
    }
    free(scratch);

    tka_collate_options copt;
    tka_collate_options_init(&copt, o->flavor == TKA_FLAVOR_PADDLE ? TKA_COLLATE_PADDLE : TKA_COLLATE_HF);
    /* WordPiece pads with [PAD]; a tokenizer.json with its pad token (the file's padding
     * section, else [PAD] / <pad>); Reformer has none. */
    copt.pad_token_id = r->pad_id >= 0 ? r->pad_id
                        : tka_tokenizer_get_kind(r->tok) != TKA_TOKENIZER_SENTENCEPIECE
                            ? tka_tokenizer_special_id(r->tok, TKA_SPECIAL_PAD)
                            : -1;
    copt.pad_to_multiple_of = o->pad_to_multiple_of;
    size_t bs = max_batch_len(&r->batches);
    size_t *lengths = malloc(bs * sizeof *lengths);
    const int32_t **seqs = malloc(TKA_FIELD_SEQ_COUNT * bs * sizeof *seqs);
    int64_t *label_int = malloc(bs * sizeof *label_int);
    double *label_float = malloc(bs * sizeof *label_float);
    int64_t *idx_scratch = malloc(bs * sizeof *idx_scratch);
    tka_arena *arena = tka_arena_new(0);
    if (!lengths || !seqs || !label_int || !label_float || !idx_scratch || !arena)
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory collating");
    for (size_t b = 0; st == TKA_OK && b < r->logged; b++) {
        const int64_t *idx;
        size_t n = batch_rows(&r->batches, b, &idx, idx_scratch);
        tka_batch_items items;
        memset(&items, 0, sizeof items);
        items.count = n;
        items.lengths = lengths;
        items.label_kind = fp->labels ? r->labels.kind : TKA_LABEL_NONE;
        items.label_int = label_int;
        items.label_float = label_float;
        for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
            if (fp->present[f])
                items.fields[f] = seqs + (size_t)f * bs;
        for (size_t i = 0; i < n; i++) {
            const row_store_entry *e = row_store_find(&r->store, (uint64_t)idx[i]);
            lengths[i] = e->length;
            label_int[i] = e->label_int;
            label_float[i] = e->label_float;
            for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
                if (fp->present[f])
                    seqs[(size_t)f * bs + i] = row_store_field(&r->store, e, (tka_seq_field)f);
        }
        tka_arena_reset(arena);
        tka_batch batch;
        st = tka_collate(&items, &copt, arena, &batch, err);
        if (st != TKA_OK) {
            tka_error_prefix(err, "batch %zu: ", b);
            break;
        }
        for (size_t f = 0; st == TKA_OK && f < fp->count; f++) {
            const tka_batch_array *ba = tka_batch_find(&batch, fp->names[f]);
            snprintf(key, sizeof key, "dataloader_%zu_%s", b, fp->names[f]);
            tka_array a = {.ndim = (unsigned)ba->ndim, .data = ba->data};
            a.dtype = ba->dtype == TKA_BATCH_FLOAT32 ? TKA_DTYPE_FLOAT32
                      : ba->dtype == TKA_BATCH_BOOL  ? TKA_DTYPE_BOOL
                                                     : TKA_DTYPE_INT64;
            a.shape[0] = (int64_t)ba->rows;
            a.shape[1] = (int64_t)ba->cols;
            st = sink_add(sink, key, &a, err);
        }
    }
    free(lengths);
    free(seqs);
    free(label_int);
    free(label_float);
    free(idx_scratch);
    tka_arena_free(arena);
    return st;
}

/* Metadata for the JSON sidecar / mirror: where every key came from, so
 * `tokalign diff` can name the source row of a difference. */
static char *build_meta(const run *r, const char *dump_sha256)
{
    const tka_pipeline_options *o = r->o;
    json_t *m = json_object();
    /* ties the sidecar to the dump it describes (readers check it) */
    if (dump_sha256)
        json_object_set_new(m, "dump_sha256", json_string(dump_sha256));
    char sampler[512];
    tka_sampler_spec spec = o->sampler;
    spec.flavor = o->flavor;
    spec.n = (int64_t)r->result->rows;
    spec.batch_size = o->batch_size;
    if (o->order_path)
        snprintf(sampler, sizeof sampler, "the batches of %s (--order)", base_name(o->order_path));
    else if (tka_sampler_describe(&spec, sampler, sizeof sampler) != TKA_OK)
        snprintf(sampler, sizeof sampler, "?");
    json_object_set_new(m, "source_tsv", json_string(base_name(o->data_path)));
    json_object_set_new(m, "side", json_string(o->flavor == TKA_FLAVOR_PADDLE ? "paddle" : "torch"));
    json_object_set_new(m, "tokenizer", json_string(o->tokenizer));
    json_object_set_new(m, "sampler", json_string(sampler));
    if (o->order_path)
        json_object_set_new(m, "order", json_string(base_name(o->order_path)));
    json_object_set_new(m, "batch_size", json_integer(o->batch_size));
    if (o->padding == TKA_PAD_MAX_LENGTH) {
        json_object_set_new(m, "padding", json_string("max_length"));
        json_object_set_new(m, "max_length", json_integer(r->max_length));
    }
    int32_t pad = r->pad_id >= 0 ? r->pad_id
                  : tka_tokenizer_get_kind(r->tok) == TKA_TOKENIZER_WORDPIECE
                      ? tka_tokenizer_special_id(r->tok, TKA_SPECIAL_PAD)
                      : -1;
    if (pad >= 0) /* so diff can tell padding from content */
        json_object_set_new(m, "pad_id", json_integer(pad));
    json_t *keys = json_array();
    for (size_t f = 0; f < r->fields.count; f++)
        json_array_append_new(keys, json_string(r->fields.names[f]));
    json_object_set_new(m, "keys_per_item", keys);
    json_t *items = json_array();
    for (size_t i = 0; i < r->n_items; i++)
        json_array_append_new(items, json_integer(r->items[i]));
    json_object_set_new(m, "dataset_indices", items);
    json_object_set_new(m, "dataset_keys_name_rows", json_true());
    json_object_set_new(m, "batches", json_integer((json_int_t)r->batches.num_batches));
    json_object_set_new(m, "batches_logged", json_integer((json_int_t)r->logged));
    json_t *batches = json_array();
    int64_t *scratch = malloc(max_batch_len(&r->batches) * sizeof *scratch);
    for (size_t b = 0; scratch && b < r->logged; b++) {
        const int64_t *idx;
        size_t n = batch_rows(&r->batches, b, &idx, scratch);
        json_t *one = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(one, json_integer(idx[i]));
        json_array_append_new(batches, one);
    }
    free(scratch);
    json_object_set_new(m, "batch_indices", batches);
    /* the logged rows as read from the TSV, so a diff can show them */
    json_t *rows = json_object();
    for (size_t i = 0; i < r->store.count; i++) {
        const row_store_entry *e = &r->store.entries[i];
        if (!e->has_text)
            continue;
        json_t *one = json_object();
        char id[32];
        snprintf(id, sizeof id, "%llu", (unsigned long long)e->row);
        json_object_set_new(one, "line", json_integer((json_int_t)e->line));
        json_object_set_new(one, "text", json_stringn(r->store.texts.data + e->text_off, e->text_len));
        if (e->has_pair)
            json_object_set_new(one, "pair", json_stringn(r->store.texts.data + e->text_off + e->text_len,
                                                          e->pair_len));
        json_object_set_new(rows, id, one);
    }
    json_object_set_new(m, "source_rows", rows);
    char *text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(m);
    return text;
}

/* NAME.npy -> NAME.json (the goldens' mirror naming); NULL for a .json dump. */
static char *sidecar_path(const char *dump)
{
    if (ends_with(dump, ".json"))
        return NULL;
    size_t len = strlen(dump);
    size_t stem = ends_with(dump, ".npy") || ends_with(dump, ".npz") ? len - 4 : len;
    char *p = malloc(stem + 6);
    if (p) {
        memcpy(p, dump, stem);
        memcpy(p + stem, ".json", 6);
    }
    return p;
}

static tka_status write_dump(run *r, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    bool npy = !ends_with(o->dump_path, ".npz") && !ends_with(o->dump_path, ".json");
    bool need_dict = !npy || (o->write_sidecar && o->sidecar_entries);
    dump_sink sink = {0};
    tka_status st = TKA_OK;
    char *meta = build_meta(r, NULL);
    char hash[65] = "";
    if (!meta)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    if (need_dict && !(sink.dict = tka_dict_new()))
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    if (st == TKA_OK && npy)
        st = tka_reprod_writer_open(o->dump_path, &sink.writer, err);
    if (st == TKA_OK)
        st = emit(r, &sink, err);
    if (st == TKA_OK && sink.writer)
        st = tka_reprod_writer_close(sink.writer, err);
    if (st == TKA_OK && sink.writer)
        tka_reprod_writer_sha256(sink.writer, hash);
    if (st == TKA_OK && sink.dict)
        st = tka_dict_set_meta(sink.dict, meta, err);
    if (st == TKA_OK && !npy) {
        tka_buf bytes = {0};
        st = ends_with(o->dump_path, ".npz")
                 ? tka_npz_encode(sink.dict, &bytes, err)
                 : tka_json_encode(sink.dict, base_name(o->dump_path), &bytes, err);
        if (st == TKA_OK)
            tka_sha256_hex(bytes.data, bytes.len, hash);
        if (st == TKA_OK)
            st = tka_write_file(o->dump_path, bytes.data, bytes.len, err);
        tka_buf_free(&bytes);
    }
    /* The dump is in place; its sidecar follows and names the dump's
     * SHA-256, so a reader can tell a sidecar of another run (two runs on one
     * path, or a failure between the two renames) and ignore it. */
    char *side = o->write_sidecar ? sidecar_path(o->dump_path) : NULL;
    if (st == TKA_OK && side) {
        free(meta);
        meta = build_meta(r, hash);
        if (!meta)
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        else if (sink.dict)
            st = tka_dict_set_meta(sink.dict, meta, err);
    }
    if (st == TKA_OK && side) {
        tka_dict *meta_only = NULL;
        const tka_dict *mirror = sink.dict;
        if (!o->sidecar_entries) {
            meta_only = tka_dict_new();
            if (!meta_only)
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
            else
                st = tka_dict_set_meta(meta_only, meta, err);
            mirror = meta_only;
        }
        tka_buf json = {0};
        if (st == TKA_OK)
            st = tka_json_encode(mirror, base_name(o->dump_path), &json, err);
        if (st == TKA_OK)
            st = tka_write_file(side, json.data, json.len, err);
        tka_buf_free(&json);
        tka_dict_free(meta_only);
    }
    free(side);
    free(meta);
    r->result->keys = sink.keys;
    tka_reprod_writer_free(sink.writer);
    tka_dict_free(sink.dict);
    return st;
}

static tka_status open_stages(run *r, tka_buf *warnings, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    if (!o->data_path || !o->tokenizer || !o->dump_path)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "the pipeline needs data, a tokenizer and a dump path");
    if (o->batch_size < 1)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "batch size must be at least 1");
    tka_status st = tka_check_not_input(o->dump_path, o->data_path, err);
    char *side = o->write_sidecar ? sidecar_path(o->dump_path) : NULL;
    if (st == TKA_OK && side)
        st = tka_check_not_input(side, o->data_path, err);
    free(side);
    if (st != TKA_OK)
        return st;
    st = tka_tokenizer_open(o->tokenizer, &o->tokenizer_options, &r->tok, err);
    if (st != TKA_OK)
        return st;
    if (warnings)
        tka_buf_append_str(warnings, tka_tokenizer_warnings(r->tok));
    tka_tokenizer_kind kind = tka_tokenizer_get_kind(r->tok);
    r->pad_id = o->pad_id;
    if (o->pad_token) {
        r->pad_id = tka_tokenizer_token_to_id(r->tok, o->pad_token, strlen(o->pad_token));
        if (r->pad_id < 0)
            return tka_error_set(err, TKA_ERR_ARGUMENT, "pad token '%s' is not in the vocabulary of %s",
                                 o->pad_token, tka_tokenizer_source(r->tok));
    } else if (r->pad_id >= (int64_t)tka_tokenizer_vocab_size(r->tok)) {
        return tka_error_set(err, TKA_ERR_ARGUMENT, "pad id %d is outside the vocabulary (%zu ids)",
                             (int)r->pad_id, tka_tokenizer_vocab_size(r->tok));
    }

    /* The fields are options: checked before the file is read (a label
     * column is selected exactly when the dataset opens with label_field). */
    if ((st = plan_fields(o, kind, o->dataset.label_field != NULL, &r->fields, err)) != TKA_OK)
        return st;
    tka_dataset_options dopt = o->dataset;
    if (o->flavor == TKA_FLAVOR_TORCH) { /* HF datasets' csv builder reads 10000-row chunks */
        dopt.chunking = TKA_CHUNKS_ROWS;
        dopt.chunk_rows = 10000;
    }
    /* A sequential sampler needs neither the row count nor the dtypes before
     * the rows: one pass, decisions at its end (encode_rows_single). Random
     * and distributed samplers need the length first. */
    r->single = o->sampler.kind == TKA_SAMPLER_SEQUENTIAL && !o->two_pass && !o->order_path;
    if (o->order_path &&
        (st = tka_order_read(o->order_path, (size_t)o->batch_size, &r->order, err)) != TKA_OK)
        return st;
    dopt.single_pass = r->single;
    if ((st = tka_dataset_open(o->data_path, &dopt, &r->ds, err)) != TKA_OK)
        return st;
    struct stat sb;
    if (stat(o->data_path, &sb) == 0)
        r->result->bytes = (uint64_t)sb.st_size;

    tka_encode_options eopt;
    tka_encode_options_init(&eopt);
    /* test_data.py: tokenizer(sentence, max_length=128, truncation=True) for BERT;
     * the Reformer pipeline calls tokenizer(sentence) without truncation. */
    int64_t max_length = o->max_length != TKA_PIPELINE_DEFAULT ? o->max_length
                         : kind == TKA_TOKENIZER_WORDPIECE     ? 128
                                                               : -1;
    eopt.max_length = max_length;
    r->max_length = max_length;
    eopt.truncation = max_length >= 0 ? TKA_TRUNCATE_LONGEST_FIRST : TKA_TRUNCATE_NONE;
    /* tokenizer(s, padding="max_length", max_length=N, truncation=True) (HF) and
     * tokenizer(s, max_seq_len=N, pad_to_max_seq_len=True) (PaddleNLP 2.x) pad the
     * same way: input_ids with the pad id, token_type_ids with 0, attention_mask 0. */
    eopt.padding = o->padding;
    if (o->padding != TKA_PAD_NONE && r->pad_id >= 0)
        eopt.pad_id = r->pad_id;
    if (o->padding == TKA_PAD_MAX_LENGTH && max_length < 0)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "padding to max_length needs a max length (--max-length N)");
    if (r->single) {
        if ((st = choose_rows_ahead(r, err)) != TKA_OK)
            return st;
        /* An encoder the options cannot make is reported where the two-pass
         * run reports it: after the checks of the whole file. */
        if (encode_pool_new(r->tok, &eopt, o->threads, r->fields.present, &r->pool,
                            &r->encoder_error) != TKA_OK) {
            r->encoder_failed = true;
            r->pool = NULL;
        }
        return TKA_OK;
    }

    if (warnings)
        tka_buf_append_str(warnings, tka_dataset_warnings(r->ds));
    r->result->rows = tka_dataset_num_rows(r->ds);
    if ((st = plan_labels(o, r->ds, &r->labels, err)) != TKA_OK ||
        (st = plan_batches(o, r->result->rows, &r->order, &r->batches, err)) != TKA_OK ||
        (st = choose_items(r, r->result->rows, err)) != TKA_OK ||
        (st = choose_rows(r, err)) != TKA_OK)
        return st;
    r->result->batches = r->batches.num_batches;
    r->result->batches_logged = r->logged;
    return encode_pool_new(r->tok, &eopt, o->threads, r->fields.present, &r->pool, err);
}

tka_status tka_pipeline_run(const tka_pipeline_options *options, tka_pipeline_result *result,
                            tka_buf *warnings, tka_error *err)
{
    double start = now_seconds();
    tka_pipeline_result local;
    if (!result)
        result = &local;
    memset(result, 0, sizeof *result);
    run r;
    memset(&r, 0, sizeof r);
    r.o = options;
    r.result = result;
    tka_status st = open_stages(&r, warnings, err);
    if (st == TKA_OK)
        st = r.single ? encode_rows_single(&r, warnings, err) : encode_rows(&r, err);
    if (st == TKA_OK)
        st = write_dump(&r, err);
    encode_pool_free(r.pool);
    row_store_free(&r.store);
    free(r.items);
    free(r.saved);
    tka_buf_free(&r.saved_text);
    tka_batches_free(&r.batches.materialised);
    tka_order_free(&r.batches.order);
    tka_order_free(&r.order);
    tka_dataset_free(r.ds);
    tka_tokenizer_free(r.tok);
    result->seconds = now_seconds() - start;
    return st;
}
