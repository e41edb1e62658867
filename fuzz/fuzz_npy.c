/* libFuzzer target for the dump readers (.npy header + pickle interpreter,
 * .npz, JSON mirror): any input is either refused with a message naming the
 * input, free of control characters, or read; what is read must take memory
 * proportional to the input (an .npz's members at most the input's size,
 * pickled arrays sharing one bytes object one copy per layout) and must
 * re-encode and read back identically, through the streamed JSON as well. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/diff.h"
#include "tokalign/dump.h"

static void same_or_abort(const tka_dict *a, const tka_dict *b)
{
    if (tka_dict_size(a) != tka_dict_size(b))
        abort();
    for (size_t i = 0; i < tka_dict_size(a); i++) {
        const tka_array *x = tka_dict_at(a, i), *y = tka_dict_at(b, i);
        if (strcmp(tka_dict_key(a, i), tka_dict_key(b, i)) != 0 || x->dtype != y->dtype ||
            x->ndim != y->ndim || memcmp(x->shape, y->shape, x->ndim * sizeof *x->shape) != 0 ||
            memcmp(x->data, y->data, tka_array_count(x) * tka_dtype_size(x->dtype)) != 0)
            abort();
    }
}

/* Compares streamed JSON pieces with the buffered text. */
typedef struct sink {
    const char *want;
    size_t len, at;
    bool mismatch;
} sink;

static tka_status compare_piece(void *ctx, const void *data, size_t len, tka_error *err)
{
    (void)err;
    sink *k = ctx;
    if (len > k->len - k->at || memcmp(k->want + k->at, data, len) != 0)
        k->mismatch = true;
    else
        k->at += len;
    return TKA_OK;
}

static const char *fake_token(void *ctx, int64_t id, size_t *len)
{
    (void)ctx;
    *len = 3;
    return id % 3 ? "tok" : NULL;
}

/* The explanation of every key against a copy whose first axis lost its
 * last element (shape mismatches): exercises the first-difference scan,
 * the rows, the causes and the dump's own meta. */
static void explain_against_shorter(const tka_dict *d)
{
    tka_dict *shorter = tka_dict_new();
    tka_error err;
    for (size_t i = 0; shorter && i < tka_dict_size(d); i++) {
        const tka_array *a = tka_dict_at(d, i);
        tka_array s = *a;
        if (s.ndim > 0 && s.shape[0] > 0)
            s.shape[0]--;
        if (tka_dict_add(shorter, tka_dict_key(d, i), &s, &err) != TKA_OK)
            break;
    }
    tka_explanation *ex = NULL;
    const char *meta = tka_dict_meta(d);
    tka_explain_options o = {meta, meta, fake_token, NULL, 8, NULL, NULL, NULL};
    if (shorter && tka_diff_explain_all(d, shorter, NULL, &o, &ex, &err) == TKA_OK) {
        tka_buf text = {0};
        for (size_t i = 0; i < tka_explanation_count(ex); i++)
            tka_key_explanation_format(tka_explanation_at(ex, i), 4, &text);
        tka_buf_free(&text);
    }
    tka_explanation_free(ex);
    tka_dict_free(shorter);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tka_dict *d = NULL;
    tka_error err;
    tka_dump_kind kind;
    if (tka_dump_parse(data, size, "fuzz", TKA_FORMAT_AUTO, &d, &kind, &err) != TKA_OK) {
        if (strncmp(err.message, "fuzz", 4) != 0 && err.status != TKA_ERR_NOMEM)
            abort(); /* every refusal names the input */
        for (const char *m = err.message; *m; m++)
            if ((unsigned char)*m < 0x20 || *m == 0x7f)
                abort(); /* bytes of the input are escaped, never echoed */
        return 0;
    }
    /* Memory proportional to the input: distinct data buffers (arrays
     * sharing one count once) stay within what the reader allows. */
    size_t distinct = 0;
    for (size_t i = 0; i < tka_dict_size(d) && i < 4096; i++) { /* a prefix: never overcounts */
        const tka_array *a = tka_dict_at(d, i);
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = tka_dict_at(d, j)->data == a->data;
        if (!seen)
            distinct += tka_array_count(a) * tka_dtype_size(a->dtype);
    }
    if (kind == TKA_DUMP_NPZ && distinct > size)
        abort(); /* stored, non-overlapping members: never more than the file */
    if (kind == TKA_DUMP_REPROD && distinct > 2 * size + (1u << 20))
        abort();
    /* Re-encoding what was read and reading it back must give the same dict;
     * keep the work bounded. The JSON form has a list per index of every
     * axis but the last as well as the elements (tolist()), so a zero-size
     * array shaped (7075343, 1, 0) has no element and 7 million lists:
     * 28 MB of JSON that jansson reads back into 1.2 GB. Count both. */
    size_t total = 0;
    for (size_t i = 0; i < tka_dict_size(d) && total < (1u << 20); i++) {
        const tka_array *a = tka_dict_at(d, i);
        total += tka_array_count(a);
        uint64_t lists = 1; /* at most 2^20 here, so the product cannot overflow */
        for (unsigned k = 0; k + 1 < a->ndim && total < (1u << 20); k++) {
            uint64_t dim = (uint64_t)a->shape[k];
            lists = dim < (1u << 20) ? lists * dim : (1u << 20);
            if (lists > (1u << 20))
                lists = 1u << 20;
            total += (size_t)lists;
        }
    }
    if (total < (1u << 20)) {
        tka_buf buf = {0};
        tka_dict *back = NULL;
        if (tka_reprod_encode(d, &buf, &err) == TKA_OK &&
            tka_dump_parse(buf.data, buf.len, "again", TKA_FORMAT_NPY, &back, NULL, &err) == TKA_OK)
            same_or_abort(d, back);
        tka_dict_free(back);
        back = NULL;
        buf.len = 0;
        if (tka_json_encode(d, "f", &buf, &err) == TKA_OK &&
            tka_dump_parse(buf.data, buf.len, "again", TKA_FORMAT_JSON, &back, NULL, &err) ==
                TKA_OK)
            tka_dict_free(back);
        /* the streamed JSON is the same text, piece by piece */
        sink k = {buf.data, buf.len, 0, false};
        if (buf.len && (tka_json_encode_stream(d, "f", compare_piece, &k, &err) != TKA_OK ||
                        k.mismatch || k.at != buf.len))
            abort();
        tka_buf_free(&buf);
        tka_diff *diff = NULL;
        if (tka_diff_compare(d, d, &diff, NULL, &err) == TKA_OK) {
            tka_report_options o;
            tka_report_options_init(&o);
            tka_report_parse_methods("all", &o, &err);
            tka_buf log = {0};
            bool passed;
            tka_diff_report(diff, &o, &log, &passed, &err);
            tka_buf_free(&log);
        }
        tka_diff_free(diff);
        explain_against_shorter(d);
    }
    tka_dict_free(d);
    return 0;
}
