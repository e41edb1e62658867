/* The vocabulary every stage shares: the element type of an array (tka_dtype),
 * the side a pipeline reproduces (tka_flavor) and how a batch is padded
 * (tka_padding, tka_padding_side). One enum each, used by every header that
 * needs one. Three enums elsewhere look alike but say something else:
 * tka_column_dtype (dataset.h) is the dtype pandas infers for a column, with
 * object and in pandas' cast order; tka_value_kind (dataset.h) is the Python
 * value of one cell (NaN and str included); tka_label_kind (collate.h) is the
 * Python type of a label, which each collator turns into a dtype of its own
 * (a float label is a float32 tensor in HF, int64 in Paddle). */
#ifndef TOKALIGN_TYPES_H
#define TOKALIGN_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "tokalign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The numeric numpy dtypes an array may hold: collated batches (int64,
 * float32, bool) and dumps (object, complex, string and structured dtypes are
 * refused when read). */
typedef enum tka_dtype {
    TKA_DTYPE_BOOL = 0,
    TKA_DTYPE_INT8,
    TKA_DTYPE_INT16,
    TKA_DTYPE_INT32,
    TKA_DTYPE_INT64,
    TKA_DTYPE_UINT8,
    TKA_DTYPE_UINT16,
    TKA_DTYPE_UINT32,
    TKA_DTYPE_UINT64,
    TKA_DTYPE_FLOAT16,
    TKA_DTYPE_FLOAT32,
    TKA_DTYPE_FLOAT64,
    TKA_DTYPE_COUNT
} tka_dtype;

/* numpy's str(dtype): "bool", "int64", "float16", ... */
TKA_API const char *tka_dtype_name(tka_dtype dtype);
/* Bytes per element. */
TKA_API size_t tka_dtype_size(tka_dtype dtype);
/* Parses a name as tka_dtype_name prints it; false when unknown. */
TKA_API bool tka_dtype_from_name(const char *name, tka_dtype *out);

/* The framework side reproduced: its sampler, label typing and collator. */
typedef enum tka_flavor {
    TKA_FLAVOR_TORCH = 0, /* torch samplers; HF datasets + DataCollatorWithPadding -> tensors */
    TKA_FLAVOR_PADDLE = 1 /* paddle.io samplers; pandas + paddlenlp.data Dict/Pad/Stack */
} tka_flavor;

/* HF's padding strategy (tokenizer(..., padding=) and
 * DataCollatorWithPadding(padding=)). The zero value is no padding. */
typedef enum tka_padding {
    TKA_PAD_NONE = 0, /* padding=False / "do_not_pad" */
    TKA_PAD_LONGEST, /* padding=True / "longest": the longest of the batch (a single text: itself) */
    TKA_PAD_MAX_LENGTH /* padding="max_length": options.max_length */
} tka_padding;

/* Where padding goes: HF padding_side, PaddleNLP Pad(pad_right=). */
typedef enum tka_padding_side { TKA_PAD_RIGHT = 0, TKA_PAD_LEFT } tka_padding_side;

#ifdef __cplusplus
}
#endif
#endif
