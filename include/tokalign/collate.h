/* Collators: turn a batch of tokenized items into padded 2-D arrays exactly as
 * HuggingFace's DataCollatorWithPadding (transformers 4.9.1) or PaddleNLP's
 * Dict/Pad/Stack do. Outputs live in a caller-provided arena.
 * Ownership and threads: no handles; a batch lives in the arena passed to
 * tka_collate, and calls on different arenas may run in parallel. */
#ifndef TOKALIGN_COLLATE_H
#define TOKALIGN_COLLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/arena.h"
#include "tokalign/status.h"
#include "tokalign/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The per-item sequences a tokenizer produces, in the order HF's
 * prepare_for_model returns them (attention_mask is added last, by padding). */
typedef enum tka_seq_field {
    TKA_FIELD_INPUT_IDS = 0,
    TKA_FIELD_TOKEN_TYPE_IDS,
    TKA_FIELD_SPECIAL_TOKENS_MASK,
    TKA_FIELD_ATTENTION_MASK,
    TKA_FIELD_SEQ_COUNT
} tka_seq_field;

/* Name of a sequence field ("input_ids", ...). */
TKA_API const char *tka_seq_field_name(tka_seq_field field);

/* How a label was typed by the dataset stage (pandas' column dtype). */
typedef enum tka_label_kind {
    TKA_LABEL_NONE = 0, /* no label column */
    TKA_LABEL_INT,      /* int64 column: Python int */
    TKA_LABEL_FLOAT,    /* float64 column (e.g. a NaN somewhere): Python float */
    TKA_LABEL_BOOL      /* bool column */
} tka_label_kind;

/* One batch worth of items, as plain arrays: item i has lengths[i] tokens in
 * each present field (fields[f] == NULL means the key is absent). */
typedef struct tka_batch_items {
    size_t count;
    const size_t *lengths;
    const int32_t *const *fields[TKA_FIELD_SEQ_COUNT];
    tka_label_kind label_kind;
    const int64_t *label_int;  /* TKA_LABEL_INT / TKA_LABEL_BOOL (0/1) */
    const double *label_float; /* TKA_LABEL_FLOAT */
} tka_batch_items;

typedef struct tka_collate_options {
    tka_flavor flavor;          /* torch: DataCollatorWithPadding; paddle: Dict/Pad/Stack */
    tka_padding strategy;       /* HF only (init: longest); Paddle's Pad always pads to the
                                    longest */
    int64_t max_length;         /* HF max_length strategy; <= 0: model_max_length */
    int64_t model_max_length;   /* HF tokenizer.model_max_length (512 for BERT); <= 0: unbounded */
    int64_t pad_to_multiple_of; /* HF only; 0 = off */
    tka_padding_side padding_side; /* HF padding_side / Paddle Pad(pad_right=) (init: right) */
    int64_t pad_token_id;          /* < 0: the tokenizer has no pad token (HF refuses to pad) */
    int64_t pad_token_type_id;     /* 0 for BERT */
    bool return_attention_mask;    /* HF: "attention_mask" in model_input_names */
} tka_collate_options;

/* Options as test_data.py uses them: HF, longest, right, BERT's 512 limit,
 * pad id 0, attention mask returned. */
TKA_API void tka_collate_options_init(tka_collate_options *options, tka_flavor flavor);

/* One named output array: rows x cols (ndim 2) or rows (ndim 1). */
typedef struct tka_batch_array {
    const char *name;
    tka_dtype dtype;
    int ndim;
    size_t rows, cols;
    void *data; /* C order, in the arena */
} tka_batch_array;

#define TKA_BATCH_MAX_ARRAYS 8

/* The collated batch, keys in the order the reference yields them:
 * HF: the present item fields in field order, then labels, then
 * attention_mask when the collator created it; Paddle (the Dict's order in
 * test_data.py): the present fields in field order, then labels. */
typedef struct tka_batch {
    size_t count;
    tka_batch_array arrays[TKA_BATCH_MAX_ARRAYS];
} tka_batch;

/* Collates `items` into `out` (arrays allocated in `arena`). Errors repeat
 * the reference's exception text (e.g. HF's "Asking to pad but the tokenizer
 * does not have a padding token..." or "Unable to create tensor...") with
 * status TKA_ERR_REFERENCE. */
TKA_API tka_status tka_collate(const tka_batch_items *items, const tka_collate_options *options,
                               tka_arena *arena, tka_batch *out, tka_error *err);

/* Looks up an array by name; NULL when absent. */
TKA_API const tka_batch_array *tka_batch_find(const tka_batch *batch, const char *name);

#ifdef __cplusplus
}
#endif
#endif
