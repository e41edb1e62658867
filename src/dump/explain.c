/* Beyond reprod_log: for a failing key, where it first differs, the tokens
 * of that row on both sides and the dataset row it came from. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/sha256.h"
#include "tokalign/diff.h"
#include "core/json_write.h"
#include "tokalign/dump.h"

static bool is_int(tka_dtype t)
{
    return t >= TKA_DTYPE_INT8 && t <= TKA_DTYPE_UINT64;
}

static int64_t int_at(const tka_array *a, size_t i)
{
    const void *p = a->data;
    switch (a->dtype) {
    case TKA_DTYPE_INT8: return ((const int8_t *)p)[i];
    case TKA_DTYPE_INT16: return ((const int16_t *)p)[i];
    case TKA_DTYPE_INT32: return ((const int32_t *)p)[i];
    case TKA_DTYPE_INT64: return ((const int64_t *)p)[i];
    case TKA_DTYPE_UINT8: return ((const uint8_t *)p)[i];
    case TKA_DTYPE_UINT16: return ((const uint16_t *)p)[i];
    case TKA_DTYPE_UINT32: return ((const uint32_t *)p)[i];
    default: return (int64_t)((const uint64_t *)p)[i];
    }
}

/* Tokens of `row` (a 1-D array: the whole array), a window of at most
 * `max` around column `mark`, which is shown as >>token<<. */
static tka_status append_tokens(tka_buf *out, const tka_array *a, int64_t row, int64_t mark,
                                const tka_explain_options *o, size_t max)
{
    int64_t width = a->ndim == 2 ? a->shape[1] : a->shape[0];
    size_t base = a->ndim == 2 ? (size_t)row * (size_t)width : 0;
    int64_t from = 0, to = width;
    if ((size_t)width > max) {
        from = mark - (int64_t)max / 2;
        if (from < 0)
            from = 0;
        to = from + (int64_t)max;
        if (to > width) {
            to = width;
            from = to - (int64_t)max;
        }
    }
    tka_status st = from > 0 ? tka_buf_append_str(out, "... ") : TKA_OK;
    for (int64_t c = from; c < to && st == TKA_OK; c++) {
        int64_t id = int_at(a, base + (size_t)c);
        size_t len = 0;
        const char *tok = o->id_to_token(o->token_ctx, id, &len);
        bool m = c == mark;
        if (c > from)
            st = tka_buf_append_char(out, ' ');
        if (st == TKA_OK && m)
            st = tka_buf_append_str(out, ">>");
        if (st == TKA_OK)
            st = tok ? tka_buf_append(out, tok, len) : tka_buf_printf(out, "<id %" PRId64 "?>", id);
        if (st == TKA_OK && m)
            st = tka_buf_append_str(out, "<<");
    }
    if (st == TKA_OK && to < width)
        st = tka_buf_append_str(out, " ...");
    return st;
}

/* The dataset row behind element row `row` of `key`, from the meta of a
 * pipeline dump: dataloader_B_* rows are meta.batch_indices[B][row],
 * dataset_I_* keys are meta.dataset_indices[I]. -1 when unknown. */
static int64_t source_row(const char *meta, const char *key, int64_t row, char *tsv, size_t cap)
{
    tsv[0] = '\0';
    if (!meta)
        return -1;
    json_t *m = json_loads(meta, 0, NULL);
    if (!m)
        return -1;
    int64_t result = -1;
    unsigned long n;
    int used = 0;
    json_t *src = json_object_get(m, "source_tsv");
    if (json_is_string(src))
        snprintf(tsv, cap, "%s", json_string_value(src));
    if (sscanf(key, "dataloader_%lu_%n", &n, &used) == 1 && used > 0) {
        json_t *b = json_array_get(json_object_get(m, "batch_indices"), n);
        json_t *r = json_array_get(b, (size_t)row);
        if (json_is_integer(r))
            result = json_integer_value(r);
    } else if (sscanf(key, "dataset_%lu_%n", &n, &used) == 1 && used > 0) {
        /* tokalign's pipeline names dataset keys by row, as test_data.py
         * does; the goldens' mirrors by position in dataset_indices */
        if (json_is_true(json_object_get(m, "dataset_keys_name_rows"))) {
            result = (int64_t)n;
        } else {
            json_t *r = json_array_get(json_object_get(m, "dataset_indices"), n);
            if (json_is_integer(r))
                result = json_integer_value(r);
        }
    }
    json_decref(m);
    return result;
}

/* "KEY: row R, line L: "text"" from meta.source_rows (written by the
 * pipeline for the rows it logged), when the row is there. */
static tka_status append_source_text(tka_buf *out, const char *key, const char *meta, int64_t row)
{
    if (!meta || row < 0)
        return TKA_OK;
    json_t *m = json_loads(meta, 0, NULL);
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, row);
    json_t *r = json_object_get(json_object_get(m, "source_rows"), id);
    json_t *text = json_object_get(r, "text"), *line = json_object_get(r, "line");
    json_t *pair = json_object_get(r, "pair");
    tka_status st = TKA_OK;
    if (json_is_string(text)) {
        st = tka_buf_printf(out, "%s: dataset row %" PRId64, key, row);
        if (st == TKA_OK && json_is_integer(line))
            st = tka_buf_printf(out, " (line %" PRId64 ")", (int64_t)json_integer_value(line));
        if (st == TKA_OK)
            st = tka_buf_append_str(out, ": ");
        if (st == TKA_OK)
            st = tka_json_append_string(out, json_string_value(text), json_string_length(text));
        if (st == TKA_OK && json_is_string(pair)) {
            st = tka_buf_append_str(out, " / ");
            if (st == TKA_OK)
                st = tka_json_append_string(out, json_string_value(pair), json_string_length(pair));
        }
        if (st == TKA_OK)
            st = tka_buf_append_char(out, '\n');
    }
    json_decref(m);
    return st;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

tka_status tka_diff_explain(const tka_key_diff *kd, const tka_array *a, const tka_array *b,
                            const tka_explain_options *o, tka_buf *out)
{
    if (!kd->n_differ)
        return TKA_OK;
    size_t count = 1;
    for (unsigned i = 0; i < kd->ndim; i++)
        count *= (size_t)kd->shape[i];
    char va[TKA_PYFLOAT_MAX], vb[TKA_PYFLOAT_MAX];
    tka_scalar_format(&kd->first_a, va);
    tka_scalar_format(&kd->first_b, vb);
    tka_status st = tka_buf_printf(out, "%s: %zu of %zu elements differ; first at [", kd->key,
                                   kd->n_differ, count);
    for (unsigned i = 0; i < kd->ndim && st == TKA_OK; i++)
        st = tka_buf_printf(out, i ? ", %" PRId64 : "%" PRId64, kd->first_index[i]);
    if (st == TKA_OK)
        st = tka_buf_printf(out, "]: %s (first) vs %s (second)%s\n", va, vb,
                            kd->transposed ? ", after transposing the first" : "");
    /* tokens: same-shaped 1-D or 2-D id arrays */
    bool same = a->ndim == b->ndim && !kd->transposed && (a->ndim == 1 || a->ndim == 2);
    for (unsigned i = 0; same && i < a->ndim; i++)
        same = a->shape[i] == b->shape[i];
    int64_t row = a->ndim == 2 ? kd->first_index[0] : 0;
    int64_t col = kd->first_index[kd->ndim ? kd->ndim - 1 : 0];
    if (st == TKA_OK && o && o->id_to_token && same && is_int(a->dtype) && is_int(b->dtype) &&
        ends_with(kd->key, "input_ids")) {
        size_t max = o->max_tokens ? o->max_tokens : 48;
        const char *what = a->ndim == 2 ? "row" : "tokens";
        for (int side = 0; side < 2 && st == TKA_OK; side++) {
            if (a->ndim == 2)
                st = tka_buf_printf(out, "%s: %s %" PRId64 " tokens, %s: ", kd->key, what, row,
                                    side ? "second" : "first");
            else
                st = tka_buf_printf(out, "%s: tokens, %s: ", kd->key, side ? "second" : "first");
            if (st == TKA_OK)
                st = append_tokens(out, side ? b : a, row, col, o, max);
            if (st == TKA_OK)
                st = tka_buf_append_char(out, '\n');
        }
    }
    if (st == TKA_OK && o && (o->meta_a || o->meta_b)) {
        char tsv_a[256], tsv_b[256];
        int64_t ra = source_row(o->meta_a, kd->key, row, tsv_a, sizeof tsv_a);
        int64_t rb = source_row(o->meta_b, kd->key, row, tsv_b, sizeof tsv_b);
        if (ra >= 0 || rb >= 0) {
            st = tka_buf_printf(out, "%s: ", kd->key);
            if (st == TKA_OK && a->ndim == 2 && strncmp(kd->key, "dataloader_", 11) == 0)
                st = tka_buf_printf(out, "batch row %" PRId64 " ", row);
            if (st == TKA_OK && ra == rb && strcmp(tsv_a, tsv_b) == 0)
                st = tka_buf_printf(out, "comes from dataset row %" PRId64 "%s%s on both sides\n",
                                    ra, tsv_a[0] ? " of " : "", tsv_a);
            else if (st == TKA_OK && rb < 0)
                st = tka_buf_printf(out, "comes from dataset row %" PRId64 "%s%s (first; unknown "
                                         "for the second)\n", ra, tsv_a[0] ? " of " : "", tsv_a);
            else if (st == TKA_OK && ra < 0)
                st = tka_buf_printf(out, "comes from dataset row %" PRId64 "%s%s (second; unknown "
                                         "for the first)\n", rb, tsv_b[0] ? " of " : "", tsv_b);
            else if (st == TKA_OK)
                st = tka_buf_printf(out, "comes from dataset row %" PRId64 "%s%s (first) and %" PRId64
                                         "%s%s (second)\n",
                                    ra, tsv_a[0] ? " of " : "", tsv_a, rb, tsv_b[0] ? " of " : "",
                                    tsv_b);
            /* the row's text: from the first dump's metadata, else the second's */
            size_t before = out->len;
            if (st == TKA_OK)
                st = append_source_text(out, kd->key, o->meta_a, ra);
            if (st == TKA_OK && out->len == before)
                st = append_source_text(out, kd->key, o->meta_b, rb);
        }
    }
    return st;
}

/* SHA-256 of a file, streamed; false when it cannot be read. */
static bool file_sha256(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    tka_sha256 ctx;
    tka_sha256_init(&ctx);
    unsigned char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        tka_sha256_update(&ctx, chunk, n);
    bool ok = !ferror(f);
    fclose(f);
    uint8_t d[32];
    tka_sha256_final(&ctx, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return ok;
}

tka_status tka_dump_sidecar_meta(const char *dump_path, char **meta, tka_error *err)
{
    *meta = NULL;
    size_t n = strlen(dump_path);
    if (n < 4 || (strcmp(dump_path + n - 4, ".npy") != 0 && strcmp(dump_path + n - 4, ".npz") != 0))
        return TKA_OK;
    char *side = malloc(n + 2);
    if (!side)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    memcpy(side, dump_path, n - 4);
    strcpy(side + n - 4, ".json");
    json_t *j = json_load_file(side, 0, NULL);
    const char *slash = strrchr(dump_path, '/');
    const char *base = slash ? slash + 1 : dump_path;
    json_t *file = json_object_get(j, "file"), *m = json_object_get(j, "meta");
    tka_status st = TKA_OK;
    if (json_is_string(file) && strcmp(json_string_value(file), base) == 0 && json_is_object(m)) {
        json_t *want = json_object_get(m, "dump_sha256");
        char have[65];
        if (want && (!json_is_string(want) || !file_sha256(dump_path, have) ||
                     strcmp(have, json_string_value(want)) != 0))
            st = tka_error_set(err, TKA_ERR_FORMAT,
                               "%s: records dump_sha256 %.64s but %s has another content "
                               "(the pair comes from different runs)",
                               side, json_is_string(want) ? json_string_value(want) : "?",
                               dump_path);
        else if (!(*meta = json_dumps(m, JSON_COMPACT)))
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    json_decref(j);
    free(side);
    return st;
}
