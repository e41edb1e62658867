/* What the pipeline's three stages share: the state of one run and the entry
 * points of plan (pipeline_plan.c), read (pipeline_read.c) and emit
 * (pipeline_emit.c); pipeline.c opens the stages and runs them in turn. */
#ifndef TKA_PIPELINE_INTERNAL_H
#define TKA_PIPELINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/encode_pool.h"
#include "pipeline/row_store.h"
#include "tokalign/collate.h"
#include "tokalign/pipeline.h"

/* Rows handed to the encoders at once. A tokenizer failure in chunk k is met
 * before a row error only from chunk k + 1 on (the read loop's error order). */
#define CHUNK_ROWS 8192

/* The per-item keys logged, in order. */
typedef struct field_plan {
    size_t count;
    const char *names[TKA_PIPELINE_MAX_FIELDS];
    int seq[TKA_PIPELINE_MAX_FIELDS]; /* tka_seq_field, or -1 for "labels" */
    bool present[TKA_FIELD_SEQ_COUNT];
    bool labels;
} field_plan;

/* The epoch's batches: sequential ones are computed, never materialised, so
 * a sequential run needs no memory proportional to the file. */
typedef struct batch_plan {
    bool sequential;
    uint64_t n;
    size_t batch_size; /* the longest batch */
    size_t num_batches;
    tka_batches materialised;
    tka_order order; /* with options.order_path, instead of a sampler */
} batch_plan;

typedef struct label_plan {
    tka_label_kind kind; /* what the collator sees */
    size_t column;
} label_plan;

/* Single pass: the raw label of a row that may be logged, converted once the
 * column's dtype is known. */
typedef struct saved_label {
    uint64_t row;
    tka_value raw; /* text: offset into run.saved_text */
    size_t text_off;
} saved_label;

typedef struct run {
    const tka_pipeline_options *o; /* the flavor is o->sampler.flavor, nowhere else */
    tka_tokenizer *tok;
    tka_dataset *ds;
    field_plan fields;
    label_plan labels;
    batch_plan batches;
    tka_order order; /* --order, read before the data so a bad file fails at once */
    size_t logged;   /* batches written to the dump */
    int64_t *items;  /* dataset items, deduplicated, in the requested order */
    size_t n_items;
    row_store store;
    encode_pool *pool;  /* NULL when the encoder could not be made (encoder_error) */
    int32_t pad_id;     /* resolved from pad_id / pad_token; -1: the tokenizer's */
    int64_t max_length; /* in effect (defaults applied); -1: none */
    tka_pipeline_result *result;
    /* Single pass (sequential sampler): the row count, label dtype and
     * refused rows are decided after the rows are read, not before. */
    bool single;
    saved_label *saved;
    size_t n_saved, saved_cap;
    tka_buf saved_text;
    /* An encoder the options cannot make: reported once the row count is
     * known (pipeline_plan_count), where the two-pass order has it. */
    bool encoder_failed;
    tka_error encoder_error;
    uint64_t progress_seen; /* rows read, for the progress callback */
} run;

/* ---- pipeline_plan.c: what the run reads, keeps and logs */

/* Checks options.fields (or the family's default) against the tokenizer. */
tka_status pipeline_plan_fields(const tka_pipeline_options *o, tka_tokenizer_kind kind,
                                bool have_label, field_plan *plan, tka_error *err);
/* Single pass: the row store of the rows a sequential run may log, before
 * the row count is known. */
tka_status pipeline_plan_rows_ahead(run *r, tka_error *err);
/* The decisions that need the row count (label kind, batches, dataset items,
 * logged rows), then the encoder's failure if any. Two-pass: before the rows
 * are read; single pass: after. */
tka_status pipeline_plan_count(run *r, tka_buf *warnings, tka_error *err);
/* The longest batch (buffers are sized by it). */
size_t pipeline_max_batch_len(const batch_plan *p);
/* Batch b's rows in *rows (`scratch` holds max_batch_len values); its length. */
size_t pipeline_batch_rows(const batch_plan *p, size_t b, const int64_t **rows, int64_t *scratch);

/* ---- pipeline_read.c: one pass over the rows, every one tokenized */

/* Reads and tokenizes every row, keeps the logged ones; errors come in the
 * order the two-pass run meets them, whichever mode reads. */
tka_status pipeline_read_rows(run *r, tka_buf *warnings, tka_error *err);

/* A row error, placed where the two-pass run meets it: at a row, and within
 * the row in check order. */
typedef struct row_failure {
    bool set;
    uint64_t row;
    int order; /* 0 GLUE IndexError (reading the row), 1 text, 2 pair, 3 label */
    tka_error error;
} row_failure;

/* The single pass's checks, made once the final column types are known: the
 * text and pair cells the reference refuses, then the labels of the logged
 * rows, each placed in *first where the two-pass run would have met it. A
 * failure to make the checks (the dataset cannot answer) is returned. */
tka_status pipeline_deferred_checks(run *r, row_failure *first, tka_error *err);

/* ---- pipeline_emit.c: the dump and its sidecar */

tka_status pipeline_write_dump(run *r, tka_error *err);
/* NAME.npy -> NAME.json (the goldens' mirror naming); NULL for a .json dump. */
char *pipeline_sidecar_path(const char *dump);

#endif
