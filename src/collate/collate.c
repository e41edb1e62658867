/* HF DataCollatorWithPadding and PaddleNLP Dict/Pad/Stack over plain item arrays. */
#include "tokalign/collate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ref_messages.h"
#include "core/try.h"

static const char *const field_names[TKA_FIELD_SEQ_COUNT] = {
    "input_ids", "token_type_ids", "special_tokens_mask", "attention_mask"};

const char *tka_seq_field_name(tka_seq_field field)
{
    return (int)field >= 0 && field < TKA_FIELD_SEQ_COUNT ? field_names[field] : "?";
}

void tka_collate_options_init(tka_collate_options *o, tka_flavor flavor)
{
    memset(o, 0, sizeof *o);
    o->flavor = flavor;
    o->strategy = TKA_PAD_LONGEST;
    o->max_length = 0;
    o->model_max_length = 512;
    o->pad_to_multiple_of = 0;
    o->padding_side = TKA_PAD_RIGHT;
    o->pad_token_id = 0;
    o->pad_token_type_id = 0;
    o->return_attention_mask = true;
}

const tka_batch_array *tka_batch_find(const tka_batch *batch, const char *name)
{
    for (size_t i = 0; i < batch->count; i++)
        if (strcmp(batch->arrays[i].name, name) == 0)
            return &batch->arrays[i];
    return NULL;
}

static tka_batch_array *add_array(tka_batch *out, const char *name, tka_dtype dtype, int ndim,
                                  size_t rows, size_t cols, tka_arena *arena)
{
    if (out->count == TKA_BATCH_MAX_ARRAYS)
        return NULL;
    size_t elem = tka_dtype_size(dtype);
    size_t n = rows * (ndim == 2 ? cols : 1);
    if (cols && n / cols != rows && ndim == 2)
        return NULL;
    void *data = tka_arena_alloc(arena, n * elem, 8);
    if (!data)
        return NULL;
    tka_batch_array *a = &out->arrays[out->count++];
    a->name = name;
    a->dtype = dtype;
    a->ndim = ndim;
    a->rows = rows;
    a->cols = ndim == 2 ? cols : 0;
    a->data = data;
    return a;
}

/* One padded row: `len` values from src (or `fill_value` everywhere when
 * src is NULL, for a created attention mask), then pad up to `width`. */
static void write_row(int64_t *row, size_t width, const int32_t *src, size_t len,
                      int64_t fill_value, int64_t pad_value, bool pad_left)
{
    size_t pad = width - len;
    int64_t *values = pad_left ? row + pad : row;
    int64_t *padding = pad_left ? row : row + len;
    for (size_t i = 0; i < len; i++)
        values[i] = src ? src[i] : fill_value;
    for (size_t i = 0; i < pad; i++)
        padding[i] = pad_value;
}

/* COMPAT: numpy's float64 -> int64 cast (np.array([label], dtype="int64")) truncates toward
 * zero; NaN and out-of-range values become INT64_MIN on x86-64, as numpy does there. */
static int64_t float_label_to_int64(double v)
{
    if (isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)v;
}

static tka_status add_labels(const tka_batch_items *items, tka_flavor flavor, tka_arena *arena,
                             tka_batch *out, tka_error *err)
{
    if (items->label_kind == TKA_LABEL_NONE)
        return TKA_OK;
    size_t n = items->count;
    /* Each item stores its label as a one-element list, so both flavours
     * stack to shape (B, 1). HF turns Python floats into float32 tensors and
     * bools into bool tensors; Paddle's Stack(dtype="int64") gives int64. */
    tka_dtype dtype = TKA_DTYPE_INT64;
    if (flavor == TKA_FLAVOR_TORCH && items->label_kind == TKA_LABEL_FLOAT)
        dtype = TKA_DTYPE_FLOAT32;
    if (flavor == TKA_FLAVOR_TORCH && items->label_kind == TKA_LABEL_BOOL)
        dtype = TKA_DTYPE_BOOL;
    tka_batch_array *a = add_array(out, "labels", dtype, 2, n, 1, arena);
    if (!a)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory collating labels");
    for (size_t i = 0; i < n; i++) {
        switch (dtype) {
        case TKA_DTYPE_FLOAT32: ((float *)a->data)[i] = (float)items->label_float[i]; break;
        case TKA_DTYPE_BOOL: ((uint8_t *)a->data)[i] = items->label_int[i] != 0; break;
        case TKA_DTYPE_INT64:
            ((int64_t *)a->data)[i] = items->label_kind == TKA_LABEL_FLOAT
                                          ? float_label_to_int64(items->label_float[i])
                                          : items->label_int[i];
            break;
        default: /* add_labels makes no other dtype */ break;
        }
    }
    return TKA_OK;
}

static size_t longest(const tka_batch_items *items)
{
    size_t m = 0;
    for (size_t i = 0; i < items->count; i++)
        if (items->lengths[i] > m)
            m = items->lengths[i];
    return m;
}

/* transformers 4.9.1 PreTrainedTokenizerBase.pad + _pad, then BatchEncoding's
 * conversion to torch tensors. */
static tka_status collate_hf(const tka_batch_items *items, const tka_collate_options *o,
                             tka_arena *arena, tka_batch *out, tka_error *err)
{
    tka_padding strategy = o->strategy;
    int64_t target = 0;
    /* COMPAT: the missing-pad-token check comes first, before any length is
     * looked at, so even a batch of one or of equal lengths is refused. */
    if (strategy != TKA_PAD_NONE && o->pad_token_id < 0)
        return tka_error_set_ref(err, TKA_REF_NO_PAD_TOKEN, "");
    if (strategy == TKA_PAD_MAX_LENGTH) {
        target = o->max_length > 0 ? o->max_length : o->model_max_length;
        if (target <= 0) /* COMPAT: an unbounded model_max_length only warns and pads nothing */
            strategy = TKA_PAD_NONE;
    } else if (strategy == TKA_PAD_LONGEST) {
        target = (int64_t)longest(items);
    }
    if (strategy != TKA_PAD_NONE && o->pad_to_multiple_of > 0 &&
        target % o->pad_to_multiple_of != 0)
        target = (target / o->pad_to_multiple_of + 1) * o->pad_to_multiple_of;

    /* COMPAT: longer items are never truncated (a negative padding amount
     * leaves them as they are), so the batch can stay ragged and then fails
     * at tensor conversion, like torch.tensor on ragged lists. */
    size_t width = items->lengths[0];
    bool ragged = false;
    for (size_t i = 0; i < items->count; i++) {
        size_t len = items->lengths[i];
        size_t padded = strategy != TKA_PAD_NONE && (int64_t)len < target ? (size_t)target : len;
        if (i == 0)
            width = padded;
        else if (padded != width)
            ragged = true;
    }
    /* Without return_attention_mask, _pad leaves an existing mask unpadded. */
    if (!ragged && !o->return_attention_mask && items->fields[TKA_FIELD_ATTENTION_MASK])
        for (size_t i = 0; i < items->count; i++)
            ragged |= items->lengths[i] != width;
    if (ragged)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "Unable to create tensor, you should probably activate truncation "
                             "and/or padding with 'padding=True' 'truncation=True' to have batched "
                             "tensors with the same length.");

    bool have_mask = items->fields[TKA_FIELD_ATTENTION_MASK] != NULL;
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++) {
        const int32_t *const *src = items->fields[f];
        if (!src)
            continue;
        tka_batch_array *a =
            add_array(out, field_names[f], TKA_DTYPE_INT64, 2, items->count, width, arena);
        if (!a)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory collating %s", field_names[f]);
        for (size_t i = 0; i < items->count; i++) {
            int64_t *row = (int64_t *)a->data + i * width;
            size_t len = items->lengths[i];
            switch (f) {
            case TKA_FIELD_INPUT_IDS:
                write_row(row, width, src[i], len, 0, o->pad_token_id,
                          o->padding_side == TKA_PAD_LEFT);
                break;
            case TKA_FIELD_TOKEN_TYPE_IDS:
                write_row(row, width, src[i], len, 0, o->pad_token_type_id,
                          o->padding_side == TKA_PAD_LEFT);
                break;
            case TKA_FIELD_SPECIAL_TOKENS_MASK:
                write_row(row, width, src[i], len, 0, 1, o->padding_side == TKA_PAD_LEFT);
                break;
            case TKA_FIELD_ATTENTION_MASK:
                /* COMPAT: when _pad pads an item it rewrites the mask as ones
                 * over the item, whatever the item's mask held; an item that
                 * needs no padding keeps its own mask. */
                write_row(row, width, len == width ? src[i] : NULL, len, 1, 0,
                          o->padding_side == TKA_PAD_LEFT);
                break;
            }
        }
    }
    TKA_TRY(add_labels(items, TKA_FLAVOR_TORCH, arena, out, err));
    if (!have_mask && o->return_attention_mask) {
        tka_batch_array *a =
            add_array(out, "attention_mask", TKA_DTYPE_INT64, 2, items->count, width, arena);
        if (!a)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory collating attention_mask");
        for (size_t i = 0; i < items->count; i++)
            write_row((int64_t *)a->data + i * width, width, NULL, items->lengths[i], 1, 0,
                      o->padding_side == TKA_PAD_LEFT);
    }
    return TKA_OK;
}

/* paddlenlp.data.Dict({key: Pad(axis=0, pad_val=...), "labels": Stack(dtype="int64")}). */
static tka_status collate_paddle(const tka_batch_items *items, const tka_collate_options *o,
                                 tka_arena *arena, tka_batch *out, tka_error *err)
{
    size_t width = longest(items); /* Pad always pads to the longest item */
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++) {
        const int32_t *const *src = items->fields[f];
        if (!src)
            continue;
        int64_t pad_value = 0;
        switch (f) {
        case TKA_FIELD_INPUT_IDS:
            if (o->pad_token_id < 0)
                return tka_error_set(err, TKA_ERR_ARGUMENT,
                                     "Pad(pad_val=tokenizer.pad_token_id) needs a pad id, and this "
                                     "tokenizer has no pad token: give one explicitly (--pad-id)");
            pad_value = o->pad_token_id;
            break;
        case TKA_FIELD_TOKEN_TYPE_IDS: pad_value = o->pad_token_type_id; break;
        case TKA_FIELD_SPECIAL_TOKENS_MASK: pad_value = 1; break;
        case TKA_FIELD_ATTENTION_MASK: pad_value = 0; break;
        }
        tka_batch_array *a =
            add_array(out, field_names[f], TKA_DTYPE_INT64, 2, items->count, width, arena);
        if (!a)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory collating %s", field_names[f]);
        for (size_t i = 0; i < items->count; i++)
            write_row((int64_t *)a->data + i * width, width, src[i], items->lengths[i], 0,
                      pad_value, o->padding_side == TKA_PAD_LEFT);
    }
    return add_labels(items, TKA_FLAVOR_PADDLE, arena, out, err);
}

tka_status tka_collate(const tka_batch_items *items, const tka_collate_options *options,
                       tka_arena *arena, tka_batch *out, tka_error *err)
{
    memset(out, 0, sizeof *out);
    if (!items || !options || !arena || items->count == 0)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "collate needs a non-empty batch");
    if (!items->fields[TKA_FIELD_INPUT_IDS]) {
        /* The reference names the keys the features did have. */
        char keys[256] = "";
        size_t used = 0;
        for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
            if (items->fields[f] && used < sizeof keys)
                used += (size_t)snprintf(keys + used, sizeof keys - used, "%s'%s'",
                                         used ? ", " : "", field_names[f]);
        if (items->label_kind != TKA_LABEL_NONE && used < sizeof keys)
            snprintf(keys + used, sizeof keys - used, "%s'labels'", used ? ", " : "");
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "You should supply an encoding or a list of encodings to this method "
                             "that includes input_ids, but you provided [%s]",
                             keys);
    }
    if ((items->label_kind == TKA_LABEL_FLOAT && !items->label_float) ||
        ((items->label_kind == TKA_LABEL_INT || items->label_kind == TKA_LABEL_BOOL) &&
         !items->label_int))
        return tka_error_set(err, TKA_ERR_ARGUMENT, "collate: label values missing");
    if (options->flavor == TKA_FLAVOR_PADDLE)
        return collate_paddle(items, options, arena, out, err);
    return collate_hf(items, options, arena, out, err);
}
