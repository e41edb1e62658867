/* The step-2 data pipeline of a model port, end to end: TSV -> tokenize ->
 * sample -> collate -> reprod_log dump, as test_data.py builds it on the
 * torch side (HF datasets + DataLoader + DataCollatorWithPadding) or on the
 * Paddle side (pandas + paddle.io samplers + PaddleNLP Pad/Stack). */
#ifndef TOKALIGN_PIPELINE_H
#define TOKALIGN_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/dataset.h"
#include "tokalign/encode.h"
#include "tokalign/sampler.h"
#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokalign/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks "use the default of the tokenizer family" in integer options. */
#define TKA_PIPELINE_DEFAULT INT64_MIN

#define TKA_PIPELINE_MAX_FIELDS 5

typedef struct tka_pipeline_options {
    const char *data_path;       /* the TSV */
    tka_dataset_options dataset; /* text / pair / label columns, pandas or GLUE mode */
    const char *tokenizer;       /* file, directory or name (resolve.h) */
    tka_tokenizer_options tokenizer_options;
    tka_sampler_spec sampler;     /* kind, seed, ranks, epoch ... (n and batch_size are set
                                       by the pipeline). sampler.flavor is the run's one
                                       flavor: torch = HF datasets + DataLoader +
                                       DataCollatorWithPadding; paddle = pandas + paddle.io +
                                       Pad/Stack */
    const char *order_path;       /* NULL, or a file of index batches (tka_order_read) that
                                       replaces the sampler: the dataloader keys follow it
                                       exactly (e.g. torch's order on the Paddle side) */
    int64_t batch_size;           /* default 4, as test_data.py */
    int64_t max_length;           /* truncation length; default: 128 with truncation for
                                       WordPiece (test_data.py), none for SentencePiece (the
                                       Reformer pipeline); -1 = none */
    tka_padding padding;          /* at tokenization time: TKA_PAD_NONE (default; the collator
                                       pads each batch) or TKA_PAD_MAX_LENGTH: every item padded
                                       to max_length (HF padding="max_length", PaddleNLP
                                       pad_to_max_seq_len=True; see docs/padding.md) */
    int64_t pad_to_multiple_of;   /* HF collator only; 0 = off */
    int32_t pad_id;               /* -1: the tokenizer's pad token (WordPiece [PAD];
                                       SentencePiece has none: torch refuses to pad as HF does,
                                       paddle needs it for Pad(pad_val=...)) */
    const char *pad_token;        /* alternatively, the pad token by its text */
    int64_t num_batches;          /* batches logged; default 5; 0 = every batch of the epoch */
    const int64_t *dataset_items; /* rows logged as dataset_{row}_{field}; NULL: 0..4 */
    size_t num_dataset_items;
    const char *fields[TKA_PIPELINE_MAX_FIELDS]; /* logged per-item keys, in order; NULL-
                                       terminated; fields[0] == NULL: input_ids, token_type_ids,
                                       labels (WordPiece) or input_ids, attention_mask, labels */
    int threads;                                 /* tokenization threads; 0 or 1: one */
    bool two_pass;         /* read the TSV twice (typing pass, then rows) even for a
                                       sequential sampler, which otherwise reads it once and
                                       decides the row count, label type and refused rows at
                                       the end; same output either way */
    const char *dump_path; /* .npy (reprod_log), .npz or .json, by extension */
    bool write_sidecar;    /* NAME.json beside a .npy/.npz: {"file", "meta"} */
    bool sidecar_entries;  /* ... with the arrays too (the goldens' JSON mirror) */
    /* Called now and then while the rows are read (rows so far, byte offset
     * reached in the TSV), and once at the end; NULL: never. */
    void (*progress)(void *ctx, uint64_t rows, uint64_t bytes);
    void *progress_ctx;
} tka_pipeline_options;

/* A batch order read from a file: the JSON or .npy `tokalign order`
 * writes, or a JSON list of lists of row indices.
 * Ownership and threads: the caller's (filled by tka_order_parse /
 * tka_order_read), freed with tka_order_free; one thread at a time. */
typedef struct tka_order {
    int64_t *rows;  /* every batch's rows, batch after batch */
    size_t *starts; /* batch b is rows[starts[b], starts[b + 1]) */
    size_t num_batches;
    size_t max_batch; /* the longest batch */
} tka_order;

/* Parses an order: by content, a .npy (a 1-D integer array cut into batches
 * of `batch_size`, the last one shorter, as `tokalign order --out FILE.npy`
 * writes; a 2-D array is one batch per row) or JSON (an object with
 * "batches", as `tokalign order` writes, or a bare list of lists). Batches
 * must be non-empty lists of integers >= 0. Errors (TKA_ERR_FORMAT) name
 * `name` and the JSON line and column, or the batch and position. */
TKA_API tka_status tka_order_parse(const void *data, size_t len, const char *name,
                                   size_t batch_size, tka_order *out, tka_error *err);
TKA_API tka_status tka_order_read(const char *path, size_t batch_size, tka_order *out,
                                  tka_error *err);
/* TKA_ERR_ARGUMENT naming `name`, the batch and the position of the first
 * row >= n. */
TKA_API tka_status tka_order_check_rows(const tka_order *order, uint64_t n, const char *name,
                                        tka_error *err);
/* Accepts NULL and zeroed orders. */
TKA_API void tka_order_free(tka_order *order);

/* test_data.py's defaults for the given flavor: sequential sampler, batch
 * size 4, 5 batches, rows 0..4, default fields and lengths, sidecar on. The
 * one source of the pipeline's defaults: callers (the CLI, the Python
 * package) start from it and set only what their user gave. */
TKA_API void tka_pipeline_options_init(tka_pipeline_options *options, tka_flavor flavor);

/* Ownership and threads: the caller's; plain numbers, nothing to free. */
typedef struct tka_pipeline_result {
    uint64_t rows;         /* data rows read (the `length` key) */
    uint64_t rows_encoded; /* every row is tokenized, as dataset.map does */
    uint64_t bytes;        /* size of the TSV */
    uint64_t tokens;       /* tokens of all encoded rows, specials included */
    size_t batches;        /* batches of the epoch */
    size_t batches_logged;
    size_t keys;    /* keys in the dump */
    double seconds; /* wall time of the whole run */
} tka_pipeline_result;

/* Runs the pipeline and writes the dump. Warnings (dataset typing, tokenizer
 * hash mismatches) are appended to `warnings` (may be NULL), one per line.
 * Errors name the file and row at fault; where the reference raises (a NaN
 * sentence, a missing pad token, ragged batches) the message repeats its
 * text and the status is TKA_ERR_REFERENCE.
 * Threads: separate runs may go on in parallel (no global state); a run uses
 * options.threads threads of its own and returns after joining them. */
TKA_API tka_status tka_pipeline_run(const tka_pipeline_options *options,
                                    tka_pipeline_result *result, tka_buf *warnings, tka_error *err);

#ifdef __cplusplus
}
#endif
#endif
