/* Reading a batch order from a file: `tokalign order`'s JSON or .npy, or a JSON list of index lists. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/dump.h"
#include "core/io.h"
#include "core/json_error.h"
#include "tokalign/pipeline.h"

void tka_order_free(tka_order *order)
{
    if (!order)
        return;
    free(order->rows);
    free(order->starts);
    memset(order, 0, sizeof *order);
}

static tka_status alloc_order(tka_order *o, size_t rows, size_t batches, const char *name,
                              tka_error *err)
{
    o->rows = malloc((rows ? rows : 1) * sizeof *o->rows);
    o->starts = malloc((batches + 1) * sizeof *o->starts);
    if (!o->rows || !o->starts) {
        tka_order_free(o);
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory reading the order", name);
    }
    o->num_batches = batches;
    o->starts[0] = 0;
    return TKA_OK;
}

/* [[i, ...], ...]: every element a list of non-negative integers. */
static tka_status from_json_lists(const json_t *batches, const char *name, tka_order *out,
                                  tka_error *err)
{
    size_t nb = json_array_size(batches), total = 0;
    if (nb == 0)
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: the order holds no batches", name);
    for (size_t b = 0; b < nb; b++) {
        const json_t *batch = json_array_get(batches, b);
        if (!json_is_array(batch))
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: batch %zu: expected a list of row indices, got %s", name, b,
                                 json_is_object(batch) ? "an object" : "a scalar");
        if (json_array_size(batch) == 0)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: batch %zu is empty (a data loader never yields an empty "
                                 "batch)",
                                 name, b);
        total += json_array_size(batch);
    }
    tka_status st = alloc_order(out, total, nb, name, err);
    if (st != TKA_OK)
        return st;
    size_t k = 0;
    for (size_t b = 0; b < nb; b++) {
        const json_t *batch = json_array_get(batches, b);
        for (size_t i = 0; i < json_array_size(batch); i++) {
            const json_t *v = json_array_get(batch, i);
            if (!json_is_integer(v) || json_integer_value(v) < 0) {
                tka_order_free(out);
                return tka_error_set(err, TKA_ERR_FORMAT,
                                     "%s: batch %zu, position %zu: expected a row index (an "
                                     "integer >= 0), got %s",
                                     name, b, i,
                                     json_is_integer(v)  ? "a negative integer"
                                     : json_is_real(v)   ? "a real number"
                                     : json_is_string(v) ? "a string"
                                                         : "another JSON value");
            }
            out->rows[k++] = (int64_t)json_integer_value(v);
        }
        out->starts[b + 1] = k;
        if (k - out->starts[b] > out->max_batch)
            out->max_batch = k - out->starts[b];
    }
    return TKA_OK;
}

static tka_status parse_json(const void *data, size_t len, const char *name, tka_order *out,
                             tka_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    if (!root) {
        char detail[sizeof je.text + 96];
        snprintf(detail, sizeof detail,
                 "%s (an order is the JSON or .npy `tokalign order` writes, or a JSON list of "
                 "index lists)",
                 je.text);
        return tka_json_error(err, name, &je, detail);
    }
    const json_t *batches = root;
    tka_status st;
    if (json_is_object(root)) {
        batches = json_object_get(root, "batches");
        if (!json_is_array(batches)) {
            json_decref(root);
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: the JSON object has no \"batches\" list (the index lists "
                                 "`tokalign order` writes)",
                                 name);
        }
    }
    st = from_json_lists(batches, name, out, err);
    json_decref(root);
    return st;
}

static bool element(const tka_array *a, size_t i, int64_t *v)
{
    switch (a->dtype) {
    case TKA_DTYPE_INT8: *v = (int64_t)((const int8_t *)a->data)[i]; return true;
    case TKA_DTYPE_INT16: *v = ((const int16_t *)a->data)[i]; return true;
    case TKA_DTYPE_INT32: *v = ((const int32_t *)a->data)[i]; return true;
    case TKA_DTYPE_INT64: *v = ((const int64_t *)a->data)[i]; return true;
    case TKA_DTYPE_UINT8: *v = ((const uint8_t *)a->data)[i]; return true;
    case TKA_DTYPE_UINT16: *v = ((const uint16_t *)a->data)[i]; return true;
    case TKA_DTYPE_UINT32: *v = ((const uint32_t *)a->data)[i]; return true;
    case TKA_DTYPE_UINT64: {
        uint64_t u = ((const uint64_t *)a->data)[i];
        *v = u > INT64_MAX ? -1 : (int64_t)u;
        return true;
    }
    default: return false;
    }
}

/* `tokalign order --out FILE.npy`: a 1-D integer array of the indices in
 * loader order, batch b being [b*B, (b+1)*B) (B = the pipeline's batch
 * size); a 2-D array is one batch per row. */
static tka_status parse_npy(const void *data, size_t len, const char *name, size_t batch_size,
                            tka_order *out, tka_error *err)
{
    tka_dict *dict = NULL;
    tka_dump_kind kind;
    tka_status st = tka_dump_parse(data, len, name, TKA_FORMAT_NPY, &dict, &kind, err);
    if (st != TKA_OK)
        return st;
    const tka_array *a =
        kind == TKA_DUMP_ARRAY && tka_dict_size(dict) == 1 ? tka_dict_at(dict, 0) : NULL;
    int64_t probe;
    if (!a || (a->ndim != 1 && a->ndim != 2) || (tka_array_count(a) && !element(a, 0, &probe)))
        st = tka_error_set(err, TKA_ERR_FORMAT,
                           "%s: expected a 1-D (or 2-D: one batch per row) integer array of row "
                           "indices, as `tokalign order --out FILE.npy` writes",
                           name);
    size_t count = a && st == TKA_OK ? tka_array_count(a) : 0;
    if (st == TKA_OK && count == 0)
        st = tka_error_set(err, TKA_ERR_FORMAT, "%s: the order holds no batches", name);
    size_t per = 0;
    if (st == TKA_OK) {
        if (a->ndim == 2)
            per = (size_t)a->shape[1];
        else if (batch_size == 0)
            st = tka_error_set(err, TKA_ERR_ARGUMENT,
                               "%s: a 1-D order needs the batch size to cut it into batches", name);
        else
            per = batch_size;
    }
    if (st == TKA_OK)
        st = alloc_order(out, count, (count + per - 1) / per, name, err);
    for (size_t i = 0; st == TKA_OK && i < count; i++) {
        /* element() succeeds: the dtype passed the probe above */
        if (!element(a, i, &out->rows[i]) || out->rows[i] < 0) {
            st = tka_error_set(err, TKA_ERR_FORMAT,
                               "%s: batch %zu, position %zu: expected a row index (an integer "
                               ">= 0), got a %s",
                               name, i / per, i % per,
                               a->dtype == TKA_DTYPE_UINT64 ? "value beyond int64"
                                                            : "negative integer");
            tka_order_free(out);
        }
    }
    if (st == TKA_OK) {
        for (size_t b = 0; b < out->num_batches; b++)
            out->starts[b + 1] = (b + 1) * per < count ? (b + 1) * per : count;
        out->max_batch = per < count ? per : count;
    }
    tka_dict_free(dict);
    return st;
}

tka_status tka_order_parse(const void *data, size_t len, const char *name, size_t batch_size,
                           tka_order *out, tka_error *err)
{
    memset(out, 0, sizeof *out);
    static const char magic[] = "\x93NUMPY";
    if (len >= 6 && memcmp(data, magic, 6) == 0)
        return parse_npy(data, len, name, batch_size, out, err);
    return parse_json(data, len, name, out, err);
}

tka_status tka_order_read(const char *path, size_t batch_size, tka_order *out, tka_error *err)
{
    memset(out, 0, sizeof *out);
    tka_buf data = {0};
    tka_status st = tka_read_file(path, 0, &data, err);
    if (st == TKA_OK)
        st = tka_order_parse(data.data ? data.data : "", data.len, path, batch_size, out, err);
    tka_buf_free(&data);
    return st;
}

tka_status tka_order_check_rows(const tka_order *order, uint64_t n, const char *name,
                                tka_error *err)
{
    for (size_t b = 0; b < order->num_batches; b++)
        for (size_t k = order->starts[b]; k < order->starts[b + 1]; k++)
            if ((uint64_t)order->rows[k] >= n)
                return tka_error_set(err, TKA_ERR_ARGUMENT,
                                     "%s: batch %zu, position %zu: row %lld is out of range (the "
                                     "dataset has %llu rows: 0..%lld)",
                                     name, b, k - order->starts[b], (long long)order->rows[k],
                                     (unsigned long long)n, (long long)n - 1);
    return TKA_OK;
}
