/* The pipeline's plan: which fields are logged, the epoch's batches, how
 * labels are typed, and which rows the dump needs. */
#include <stdlib.h>
#include <string.h>

#include "core/try.h"
#include "pipeline/pipeline_internal.h"

/* test_data.py logs 5 sampled rows; the default is rows 0..4 (as the goldens
 * fix them). */
static const int64_t default_items[] = {0, 1, 2, 3, 4};
#define N_DEFAULT_ITEMS (sizeof default_items / sizeof *default_items)

tka_status pipeline_plan_fields(const tka_pipeline_options *o, tka_tokenizer_kind kind,
                                bool have_label, field_plan *plan, tka_error *err)
{
    static const char *wordpiece_default[] = {"input_ids", "token_type_ids", "labels", NULL};
    static const char *sentencepiece_default[] = {"input_ids", "attention_mask", "labels", NULL};
    const char *const *names = o->fields[0]                      ? o->fields
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

/* The longest batch: the batch size, or fewer when the run has fewer
 * indices (a batch size larger than the dataset is one short batch, as in
 * torch and Paddle; buffers are sized by this, not by the option). */
size_t pipeline_max_batch_len(const batch_plan *p)
{
    if (p->order.starts) /* --order: batch_size is the order's longest batch */
        return p->batch_size ? p->batch_size : 1;
    uint64_t total = p->sequential ? p->n : p->materialised.count;
    size_t len = total < p->batch_size ? (size_t)total : p->batch_size;
    return len ? len : 1;
}

size_t pipeline_batch_rows(const batch_plan *p, size_t b, const int64_t **rows, int64_t *scratch)
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
        TKA_TRY(tka_order_check_rows(&p->order, n, o->order_path, err));
        p->num_batches = p->order.num_batches;
        p->batch_size = p->order.max_batch;
        return TKA_OK;
    }
    tka_sampler_spec spec = o->sampler;
    spec.n = (int64_t)n;
    spec.batch_size = o->batch_size;
    if (spec.kind == TKA_SAMPLER_SEQUENTIAL) {
        p->sequential = true;
        p->num_batches = tka_batch_count((size_t)n, p->batch_size, spec.drop_last);
        return TKA_OK;
    }
    TKA_TRY(tka_sampler_batches(&spec, &p->materialised, err));
    p->num_batches = p->materialised.num_batches;
    return TKA_OK;
}

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
    if (o->sampler.flavor == TKA_FLAVOR_PADDLE) {
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

/* The dataset items (range-checked against n, deduplicated) and the number
 * of logged batches. */
static tka_status choose_items(run *r, uint64_t n, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    /* fewer default items when the file has fewer rows */
    const int64_t *items = o->dataset_items ? o->dataset_items : default_items;
    size_t n_items = o->dataset_items      ? o->num_dataset_items
                     : n < N_DEFAULT_ITEMS ? (size_t)n
                                           : N_DEFAULT_ITEMS;
    r->items = malloc((n_items ? n_items : 1) * sizeof *r->items);
    if (!r->items)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    r->n_items = 0;
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
    size_t cap = r->n_items + r->logged * pipeline_max_batch_len(&r->batches);
    uint64_t *rows = malloc((cap ? cap : 1) * sizeof *rows);
    int64_t *scratch = malloc(pipeline_max_batch_len(&r->batches) * sizeof *scratch);
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
        size_t len = pipeline_batch_rows(&r->batches, b, &idx, scratch);
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
tka_status pipeline_plan_rows_ahead(run *r, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    uint64_t k = o->num_batches > 0 ? (uint64_t)o->num_batches : 0;
    uint64_t b = (uint64_t)o->batch_size;
    uint64_t prefix = k == 0 || k > UINT64_MAX / b ? UINT64_MAX : k * b;
    const int64_t *items = o->dataset_items ? o->dataset_items : default_items;
    size_t n_items = o->dataset_items ? o->num_dataset_items : N_DEFAULT_ITEMS, used = 0;
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

tka_status pipeline_plan_count(run *r, tka_buf *warnings, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    if (warnings)
        tka_buf_append_str(warnings, tka_dataset_warnings(r->ds));
    uint64_t n = tka_dataset_num_rows(r->ds);
    r->result->rows = n;
    TKA_TRY(plan_labels(o, r->ds, &r->labels, err));
    TKA_TRY(plan_batches(o, n, &r->order, &r->batches, err));
    TKA_TRY(choose_items(r, n, err));
    if (!r->single) /* the single pass kept its rows while reading (pipeline_plan_rows_ahead) */
        TKA_TRY(choose_rows(r, err));
    r->result->batches = r->batches.num_batches;
    r->result->batches_logged = r->logged;
    if (r->encoder_failed) {
        *err = r->encoder_error;
        return err->status;
    }
    return TKA_OK;
}
