/* Beyond reprod_log: every key compared on its own and, for a failing one,
 * where it first differs, the tokens and dataset rows behind it and the
 * likely cause (a different row, tokenization, truncation, padding, dtype). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json_write.h"
#include "core/sha256.h"
#include "dump/dump_internal.h"

struct tka_explanation {
    tka_key_explanation *keys;
    size_t count;
    bool passed;
    tka_arena *arena;
};

static const char *const cause_names[] = {"none",         "missing",    "other_row",
                                          "tokenization", "truncation", "padding",
                                          "dtype",        "shape",      "values"};

const char *tka_diff_cause_name(tka_diff_cause c)
{
    return (unsigned)c < sizeof cause_names / sizeof *cause_names ? cause_names[c] : "?";
}

static bool is_int(tka_dtype t)
{
    return t >= TKA_DTYPE_INT8 && t <= TKA_DTYPE_UINT64;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static double value_at(const tka_array *a, size_t i)
{
    tka_scalar s;
    dump_scalar_at(a, i, &s);
    return tka_scalar_to_double(&s);
}

static int64_t int_at(const tka_array *a, size_t i)
{
    tka_scalar s;
    dump_scalar_at(a, i, &s);
    return a->dtype >= TKA_DTYPE_INT8 && a->dtype <= TKA_DTYPE_INT64 ? s.v.i : (int64_t)s.v.u;
}

/* ------------------------------------------------------------ the first difference */

/* C-order position of `idx` in `a`, or SIZE_MAX when outside its shape. */
static size_t flat_in(const tka_array *a, const int64_t *idx)
{
    size_t flat = 0;
    for (unsigned r = 0; r < a->ndim; r++) {
        if (idx[r] >= a->shape[r])
            return SIZE_MAX;
        flat = flat * (size_t)a->shape[r] + (size_t)idx[r];
    }
    return flat;
}

/* Same-ndim arrays of different shapes: the first position of the union
 * shape where the values differ, a missing element counting as `pad`
 * (pad_ok) — else the first position one side lacks. */
static bool first_difference_union(const tka_array *a, const tka_array *b, bool pad_ok, int64_t pad,
                                   int64_t *out)
{
    unsigned nd = a->ndim;
    int64_t shape[TKA_NDIM_MAX], idx[TKA_NDIM_MAX] = {0};
    size_t total = 1;
    for (unsigned r = 0; r < nd; r++) {
        shape[r] = a->shape[r] > b->shape[r] ? a->shape[r] : b->shape[r];
        if (shape[r] == 0)
            return false;
        total = total > SIZE_MAX / (size_t)shape[r] ? SIZE_MAX : total * (size_t)shape[r];
    }
    /* A bound: shapes like (1, N) and (N, 1) have a union of N * N
     * positions; past the two arrays' own sizes only the literal first
     * one-sided position is looked for (found within the first row). */
    if (total / 4 > tka_array_count(a) + tka_array_count(b))
        pad_ok = false;
    bool lack_found = false;
    int64_t lack[TKA_NDIM_MAX] = {0};
    for (size_t k = 0; k < total; k++) {
        size_t fa = flat_in(a, idx), fb = flat_in(b, idx);
        bool differ;
        if (fa != SIZE_MAX && fb != SIZE_MAX) {
            differ = value_at(a, fa) != value_at(b, fb);
        } else {
            if (!lack_found) {
                lack_found = true;
                memcpy(lack, idx, sizeof lack);
            }
            double va = fa != SIZE_MAX ? value_at(a, fa) : (double)pad;
            double vb = fb != SIZE_MAX ? value_at(b, fb) : (double)pad;
            differ = !pad_ok || va != vb;
        }
        if (differ) {
            memcpy(out, idx, nd * sizeof *idx);
            return true;
        }
        for (unsigned r = nd; r-- > 0;) {
            if (++idx[r] < shape[r])
                break;
            idx[r] = 0;
        }
    }
    if (lack_found)
        memcpy(out, lack, nd * sizeof *lack);
    return lack_found;
}

/* ------------------------------------------------------------ metadata */

static const char *meta_string(json_t *m, const char *name)
{
    json_t *v = json_object_get(m, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The dataset row behind element row `row` of `key`: dataloader_B_* rows
 * are meta.batch_indices[B][row], dataset_I_* keys name row I (tokalign's
 * dumps) or meta.dataset_indices[I] (the goldens' mirrors). */
/* True when key is PREFIX N _..., N decimal digits that fit *n. */
static bool key_number(const char *key, const char *prefix, unsigned long *n)
{
    size_t len = strlen(prefix);
    if (strncmp(key, prefix, len) != 0 || !isdigit((unsigned char)key[len]))
        return false;
    char *end;
    errno = 0;
    *n = strtoul(key + len, &end, 10);
    return errno == 0 && *end == '_';
}

static void resolve_source(json_t *m, const char *key, int64_t row, tka_diff_side *s)
{
    s->row = s->line = s->batch_row = -1;
    unsigned long n;
    bool loader = key_number(key, "dataloader_", &n);
    if (loader)
        s->batch_row = row;
    if (!m)
        return;
    s->source = meta_string(m, "source_tsv");
    if (loader) {
        json_t *r =
            json_array_get(json_array_get(json_object_get(m, "batch_indices"), n), (size_t)row);
        if (json_is_integer(r))
            s->row = json_integer_value(r);
    } else if (key_number(key, "dataset_", &n)) {
        if (json_is_true(json_object_get(m, "dataset_keys_name_rows"))) {
            s->row = (int64_t)n;
        } else {
            json_t *r = json_array_get(json_object_get(m, "dataset_indices"), n);
            if (json_is_integer(r))
                s->row = json_integer_value(r);
        }
    }
    if (s->row < 0)
        return;
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, s->row);
    json_t *r = json_object_get(json_object_get(m, "source_rows"), id);
    json_t *line = json_object_get(r, "line");
    if (json_is_integer(line))
        s->line = json_integer_value(line);
    s->text = meta_string(r, "text");
    s->pair = meta_string(r, "pair");
}

/* ------------------------------------------------------------ one side's row */

/* The row of a 1-D/2-D integer array holding the first difference: a
 * window of at most `max` ids around column `mark`, tokens when asked,
 * and the row's length without trailing pads. */
static tka_status take_row(tka_arena *arena, const tka_array *a, int64_t row, int64_t mark,
                           size_t max, int64_t pad, tka_id_to_token_fn to_token, void *ctx,
                           tka_diff_side *s)
{
    int64_t width = a->ndim == 2 ? a->shape[1] : a->shape[0];
    if (a->ndim == 2 && row >= a->shape[0])
        return TKA_OK; /* this side has no such row */
    size_t base = a->ndim == 2 ? (size_t)row * (size_t)width : 0;
    size_t len = (size_t)width;
    while (len > 0 && int_at(a, base + len - 1) == pad)
        len--;
    s->content_len = len;
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
    size_t n = (size_t)(to - from);
    int64_t *ids = tka_arena_calloc(arena, n ? n : 1, sizeof *ids);
    const char **tokens = to_token ? tka_arena_calloc(arena, n ? n : 1, sizeof *tokens) : NULL;
    if (!ids || (to_token && !tokens))
        return TKA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        ids[i] = int_at(a, base + (size_t)from + i);
        if (tokens) {
            size_t tl = 0;
            const char *t = to_token(ctx, ids[i], &tl);
            if (t && !(tokens[i] = tka_arena_strndup(arena, t, tl)))
                return TKA_ERR_NOMEM;
        }
    }
    s->ids = ids;
    s->n_ids = n;
    s->ids_from = from;
    s->width = width;
    s->tokens = tokens;
    return TKA_OK;
}

/* ------------------------------------------------------------ the cause */

static char *arena_printf(tka_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *arena_printf(tka_arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[1];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = tka_arena_alloc(arena, (size_t)n + 1, 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static bool same_str(const char *x, const char *y)
{
    return x && y && strcmp(x, y) == 0;
}

/* The ids of both rows agree up to the shorter content, except perhaps its
 * last id, which ends both (a [SEP] / </s> after a cut). */
static bool is_truncation(const tka_array *a, const tka_array *b, int64_t row, size_t la, size_t lb)
{
    if (la == lb || !la || !lb)
        return false;
    size_t m = la < lb ? la : lb;
    size_t ba = a->ndim == 2 ? (size_t)row * (size_t)a->shape[1] : 0;
    size_t bb = b->ndim == 2 ? (size_t)row * (size_t)b->shape[1] : 0;
    for (size_t i = 0; i + 1 < m; i++)
        if (int_at(a, ba + i) != int_at(b, bb + i))
            return false;
    return int_at(a, ba + m - 1) == int_at(b, bb + m - 1) ||
           int_at(a, ba + la - 1) == int_at(b, bb + lb - 1);
}

static bool same_content(const tka_array *a, const tka_array *b, int64_t row, size_t la, size_t lb)
{
    if (la != lb)
        return false;
    size_t ba = a->ndim == 2 ? (size_t)row * (size_t)a->shape[1] : 0;
    size_t bb = b->ndim == 2 ? (size_t)row * (size_t)b->shape[1] : 0;
    for (size_t i = 0; i < la; i++)
        if (int_at(a, ba + i) != int_at(b, bb + i))
            return false;
    return true;
}

/* Both windows show the same token texts (each side with its own
 * tokenizer) although the ids differ. */
static bool same_tokens(const tka_diff_side *a, const tka_diff_side *b)
{
    if (!a->tokens || !b->tokens || a->content_len != b->content_len || a->ids_from != b->ids_from)
        return false;
    size_t n = a->n_ids < b->n_ids ? a->n_ids : b->n_ids;
    for (size_t i = 0; i < n && (int64_t)i + a->ids_from < (int64_t)a->content_len; i++)
        if (!a->tokens[i] || !b->tokens[i] || strcmp(a->tokens[i], b->tokens[i]) != 0)
            return false;
    return true;
}

static const char *where(const tka_diff_side *s, char *buf, size_t cap)
{
    if (s->line >= 0)
        snprintf(buf, cap, "dataset row %" PRId64 " (line %" PRId64 ")", s->row, s->line);
    else
        snprintf(buf, cap, "dataset row %" PRId64, s->row);
    return buf;
}

/* Judges a failing key that both dumps hold. */
static void judge(tka_arena *ar, json_t *ma, json_t *mb, const tka_array *a, const tka_array *b,
                  tka_key_explanation *k)
{
    const tka_diff_side *sa = &k->a, *sb = &k->b;
    char wa[96], wb[96];
    const char *tok_a = meta_string(ma, "tokenizer"), *tok_b = meta_string(mb, "tokenizer");
    const char *smp_a = meta_string(ma, "sampler"), *smp_b = meta_string(mb, "sampler");
    const char *src_a = meta_string(ma, "source_tsv"), *src_b = meta_string(mb, "source_tsv");
    bool shapes_equal = a->ndim == b->ndim;
    for (unsigned i = 0; shapes_equal && i < a->ndim; i++)
        shapes_equal = a->shape[i] == b->shape[i];
    char dtypes[96] = "";
    if (a->dtype != b->dtype)
        snprintf(dtypes, sizeof dtypes, " (the dtypes differ too: %s (first), %s (second))",
                 tka_dtype_name(a->dtype), tka_dtype_name(b->dtype));

    if (!k->compared && k->error && strncmp(k->error, "TypeError", 9) == 0) {
        k->cause = TKA_CAUSE_DTYPE;
        k->explanation =
            arena_printf(ar,
                         "dtype: numpy cannot subtract %s from %s, so reprod_log cannot "
                         "compare this key; store it as an integer type",
                         tka_dtype_name(b->dtype), tka_dtype_name(a->dtype));
        return;
    }
    if (!k->compared && k->error && strstr(k->error, "zero-size")) {
        k->cause = TKA_CAUSE_SHAPE;
        k->explanation =
            "shape: the arrays are empty, numpy has no maximum of nothing, so reprod_log "
            "raises; an empty batch or an empty row?";
        return;
    }
    /* 0-d "length": the dataset sizes */
    if (a->ndim == 0 && b->ndim == 0 && strcmp(k->key, "length") == 0 && is_int(a->dtype) &&
        is_int(b->dtype)) {
        k->cause = TKA_CAUSE_OTHER_ROW;
        k->explanation = arena_printf(
            ar,
            "a different dataset: %" PRId64 " rows (first) vs %" PRId64
            " (second); the data files differ (rows dropped or added?)%s",
            int_at(a, 0), int_at(b, 0),
            src_a && src_b && strcmp(src_a, src_b) != 0 ? " and have different names" : "");
        return;
    }
    /* different rows, by index or by text */
    if (sa->row >= 0 && sb->row >= 0 &&
        (sa->row != sb->row || (sa->text && sb->text && strcmp(sa->text, sb->text) != 0))) {
        k->cause = TKA_CAUSE_OTHER_ROW;
        if (sa->row != sb->row) {
            const char *pos = sa->batch_row >= 0 ? "batch row" : "it";
            char br[48] = "";
            if (sa->batch_row >= 0)
                snprintf(br, sizeof br, " %" PRId64, sa->batch_row);
            k->explanation = arena_printf(
                ar,
                "a different row: %s%s holds %s (first) but %s (second), so the rows come in a "
                "different order: %s%s%s%s%s",
                pos, br, where(sa, wa, sizeof wa), where(sb, wb, sizeof wb),
                same_str(smp_a, smp_b) || !smp_a || !smp_b
                    ? "check the sampler, its seed and the data files"
                    : "the samplers differ, ",
                same_str(smp_a, smp_b) || !smp_a || !smp_b ? "" : smp_a,
                same_str(smp_a, smp_b) || !smp_a || !smp_b ? "" : " (first) vs ",
                same_str(smp_a, smp_b) || !smp_a || !smp_b ? "" : smp_b,
                same_str(smp_a, smp_b) || !smp_a || !smp_b ? "" : " (second)");
        } else {
            k->explanation =
                arena_printf(ar,
                             "a different row: %s holds different text on the two sides, so "
                             "the data files differ (a row dropped, inserted or edited "
                             "before it?)",
                             where(sa, wa, sizeof wa));
        }
        return;
    }
    bool ids = a->ndim == b->ndim && (a->ndim == 1 || a->ndim == 2) && is_int(a->dtype) &&
               is_int(b->dtype) && ends_with(k->key, "input_ids") && sa->ids && sb->ids;
    int64_t row = a->ndim == 2 && k->has_first ? k->first_index[0] : 0;
    bool rows_known = sa->row >= 0 && sb->row >= 0;
    if (ids) {
        size_t la = sa->content_len, lb = sb->content_len;
        if (same_content(a, b, row, la, lb)) {
            k->cause = TKA_CAUSE_PADDING;
            k->explanation = arena_printf(
                ar,
                "padding: the same %zu tokens, padded to %" PRId64 " (first) and %" PRId64
                " (second) ids; the padding differs (max_length / pad_to_multiple_of / longest), or "
                "another row of the batch is longer on one side",
                la, sa->width, sb->width);
            return;
        }
        if (is_truncation(a, b, row, la, lb)) {
            k->cause = TKA_CAUSE_TRUNCATION;
            k->explanation = arena_printf(
                ar,
                "truncation: the same tokens, but the %s side stops after %zu and the %s after %zu; "
                "the max length or truncation differs%s",
                la < lb ? "first" : "second", la < lb ? la : lb, la < lb ? "second" : "first",
                la < lb ? lb : la, dtypes);
            return;
        }
        k->cause = TKA_CAUSE_TOKENIZATION;
        bool named_apart = tok_a && tok_b && strcmp(tok_a, tok_b) != 0;
        if (same_tokens(sa, sb)) {
            k->explanation = arena_printf(ar,
                                          "vocabulary: the same tokens, numbered differently by "
                                          "the two vocabularies%s%s%s%s%s",
                                          named_apart ? " (" : "", named_apart ? tok_a : "",
                                          named_apart ? " (first), " : "", named_apart ? tok_b : "",
                                          named_apart ? " (second))" : "");
            return;
        }
        char names[400] = "";
        if (named_apart)
            snprintf(names, sizeof names,
                     "; the dumps name different tokenizers: %s (first), %s (second)", tok_a,
                     tok_b);
        k->explanation = arena_printf(
            ar,
            "%s tokenized differently: vocabulary, casing (do_lower_case) or "
            "normalization%s%s%s",
            rows_known ? "the same row"
                       : "the same row (as far as can be told: no metadata names the rows)",
            names, dtypes,
            rows_known ? "" : "; keep the pipeline's .json sidecars beside the dumps to know");
        return;
    }
    if (!shapes_equal) {
        k->cause = TKA_CAUSE_SHAPE;
        k->explanation = arena_printf(ar, "shape: the arrays have different shapes%s", dtypes);
        return;
    }
    if (a->dtype != b->dtype && k->compared && !k->diff.n_differ) {
        k->cause = TKA_CAUSE_DTYPE;
        k->explanation = arena_printf(ar,
                                      "dtype: the values are equal, the dtypes are not: %s "
                                      "(first), %s (second)",
                                      tka_dtype_name(a->dtype), tka_dtype_name(b->dtype));
        return;
    }
    k->cause = TKA_CAUSE_VALUES;
    k->explanation = arena_printf(ar, "values: %zu element%s differ%s%s", k->diff.n_differ,
                                  k->diff.n_differ == 1 ? "" : "s",
                                  rows_known ? " for the same dataset row" : "", dtypes);
}

/* "KEY_input_ids" of the same item as `key` (prefix up to the last field). */
static ptrdiff_t sibling_ids(const tka_explanation *e, const char *key)
{
    static const char *const fields[] = {"token_type_ids", "attention_mask", "special_tokens_mask",
                                         "position_ids"};
    for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
        if (!ends_with(key, fields[f]))
            continue;
        size_t prefix = strlen(key) - strlen(fields[f]);
        for (size_t i = 0; i < e->count; i++) {
            const char *k = e->keys[i].key;
            if (strlen(k) == prefix + 9 && strncmp(k, key, prefix) == 0 &&
                ends_with(k, "input_ids"))
                return (ptrdiff_t)i;
        }
    }
    return -1;
}

/* ------------------------------------------------------------ all keys */

static tka_status explain_key(tka_explanation *e, const char *key, const tka_array *a,
                              const tka_array *b, json_t *ma, json_t *mb,
                              const tka_report_options *ro, const tka_explain_options *o,
                              const tka_key_diff *done, tka_key_explanation *k, tka_error *err)
{
    memset(k, 0, sizeof *k);
    k->key = tka_arena_strndup(e->arena, key, strlen(key));
    if (!k->key)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    k->a.row = k->b.row = k->a.line = k->b.line = k->a.batch_row = k->b.batch_row = -1;
    k->explanation = "";
    k->a.present = a != NULL;
    k->b.present = b != NULL;
    const tka_array *arr[2] = {a, b};
    tka_diff_side *side[2] = {&k->a, &k->b};
    for (int s = 0; s < 2; s++)
        if (arr[s]) {
            side[s]->dtype = arr[s]->dtype;
            side[s]->ndim = arr[s]->ndim;
            memcpy(side[s]->shape, arr[s]->shape, sizeof side[s]->shape);
        }
    if (!a || !b) {
        k->cause = TKA_CAUSE_MISSING;
        k->explanation =
            a ? "missing: the key is only in the first dump (fewer rows, batches or fields "
                "logged on the second side?)"
              : "missing: the key is only in the second dump (fewer rows, batches or fields "
                "logged on the first side?)";
        return TKA_OK;
    }
    json_t *pad = json_object_get(ma ? ma : mb, "pad_id");
    k->pad_id = json_is_integer(pad) ? json_integer_value(pad) : 0;
    tka_error e2;
    tka_error_clear(&e2);
    tka_status st = TKA_OK;
    if (done) { /* compare_info already did the arithmetic */
        k->diff = *done;
        k->diff.key = k->key;
    } else {
        st = dump_compare_key(k->key, a, b, &k->diff, NULL, &e2);
    }
    if (st == TKA_OK) {
        k->compared = true;
        k->passed = tka_key_diff_passed(&k->diff, ro);
    } else if (st == TKA_ERR_REFERENCE) {
        k->error = tka_arena_strndup(e->arena, e2.message, strlen(e2.message));
        if (!k->error)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    } else {
        *err = e2;
        return st;
    }
    if (k->passed)
        return TKA_OK;
    bool id_key = ends_with(key, "input_ids");
    /* the first difference */
    if (k->compared && k->diff.n_differ) {
        k->has_first = true;
        k->first_ndim = k->diff.ndim;
        memcpy(k->first_index, k->diff.first_index, sizeof k->first_index);
        k->a.has_value = k->b.has_value = true;
        k->a.value = k->diff.first_a;
        k->b.value = k->diff.first_b;
    } else if (!k->compared && a->ndim == b->ndim && a->ndim > 0 &&
               first_difference_union(a, b, id_key && is_int(a->dtype) && is_int(b->dtype),
                                      k->pad_id, k->first_index)) {
        k->has_first = true;
        k->first_ndim = a->ndim;
        for (int s = 0; s < 2; s++) {
            size_t f = flat_in(arr[s], k->first_index);
            if (f != SIZE_MAX) {
                side[s]->has_value = true;
                dump_scalar_at(arr[s], f, &side[s]->value);
            }
        }
    }
    /* the row behind it, and its tokens */
    int64_t row = k->has_first && k->first_ndim >= 1 ? k->first_index[0] : 0;
    resolve_source(ma, key, row, &k->a);
    resolve_source(mb, key, row, &k->b);
    bool transposed = k->compared && k->diff.transposed;
    if (a->ndim == b->ndim && (a->ndim == 1 || a->ndim == 2) && is_int(a->dtype) &&
        is_int(b->dtype) && !transposed && k->has_first) {
        int64_t col = k->first_index[a->ndim - 1];
        size_t max = o && o->max_ids ? o->max_ids : 512;
        tka_id_to_token_fn fn[2] = {NULL, NULL};
        void *ctx[2] = {NULL, NULL};
        if (id_key && o && o->id_to_token) {
            fn[0] = fn[1] = o->id_to_token;
            ctx[0] = ctx[1] = o->token_ctx;
            if (o->id_to_token_b) {
                fn[1] = o->id_to_token_b;
                ctx[1] = o->token_ctx_b;
            }
        }
        for (int s = 0; s < 2; s++)
            if (take_row(e->arena, arr[s], row, col, max, id_key ? k->pad_id : INT64_MIN, fn[s],
                         ctx[s], side[s]) != TKA_OK)
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    judge(e->arena, ma, mb, a, b, k);
    if (!k->explanation)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    return TKA_OK;
}

tka_status tka_diff_explain_all(const tka_dict *a, const tka_dict *b, const tka_report_options *ro,
                                const tka_explain_options *o, tka_explanation **out, tka_error *err)
{
    *out = NULL;
    tka_report_options defaults;
    if (!ro) {
        tka_report_options_init(&defaults);
        ro = &defaults;
    }
    size_t na = tka_dict_size(a), nb = tka_dict_size(b);
    tka_explanation *e = calloc(1, sizeof *e);
    if (e) {
        e->keys = calloc(na + nb + 1, sizeof *e->keys);
        e->arena = tka_arena_new(0);
    }
    if (!e || !e->keys || !e->arena) {
        tka_explanation_free(e);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    const char *meta_a = o && o->meta_a ? o->meta_a : tka_dict_meta(a);
    const char *meta_b = o && o->meta_b ? o->meta_b : tka_dict_meta(b);
    json_t *ma = meta_a ? json_loads(meta_a, 0, NULL) : NULL;
    json_t *mb = meta_b ? json_loads(meta_b, 0, NULL) : NULL;
    tka_status st = TKA_OK;
    e->passed = true;
    for (size_t i = 0; i < na + nb && st == TKA_OK; i++) {
        bool first = i < na;
        const char *key = first ? tka_dict_key(a, i) : tka_dict_key(b, i - na);
        if (!first && tka_dict_find(a, key) >= 0)
            continue;
        tka_key_explanation *k = &e->keys[e->count];
        const tka_key_diff *done = first && o && o->diff ? tka_diff_at(o->diff, i) : NULL;
        if (done && strcmp(done->key, key) != 0)
            done = NULL;
        st = explain_key(e, key, first ? tka_dict_at(a, i) : NULL, tka_dict_get(b, key), ma, mb, ro,
                         o, done, k, err);
        if (st == TKA_OK) {
            e->count++;
            e->passed = e->passed && k->passed;
        }
    }
    /* token_type_ids / attention_mask follow their item's input_ids */
    for (size_t i = 0; i < e->count && st == TKA_OK; i++) {
        tka_key_explanation *k = &e->keys[i];
        if (k->passed || k->cause == TKA_CAUSE_MISSING || k->cause == TKA_CAUSE_OTHER_ROW)
            continue;
        ptrdiff_t s = sibling_ids(e, k->key);
        if (s < 0 || e->keys[s].passed || e->keys[s].cause == TKA_CAUSE_MISSING)
            continue;
        k->cause = e->keys[s].cause;
        k->explanation =
            arena_printf(e->arena, "follows %s: %s", e->keys[s].key, e->keys[s].explanation);
        if (!k->explanation)
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    /* the tokenizer and sampler strings live in the meta objects: copy them */
    for (size_t i = 0; i < e->count && st == TKA_OK; i++)
        for (int s = 0; s < 2; s++) {
            tka_diff_side *side = s ? &e->keys[i].b : &e->keys[i].a;
            const char **str[3] = {&side->source, &side->text, &side->pair};
            for (int j = 0; j < 3; j++)
                if (*str[j] && !(*str[j] = tka_arena_strndup(e->arena, *str[j], strlen(*str[j]))))
                    st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        }
    json_decref(ma);
    json_decref(mb);
    if (st != TKA_OK) {
        tka_explanation_free(e);
        return st;
    }
    *out = e;
    return TKA_OK;
}

size_t tka_explanation_count(const tka_explanation *e)
{
    return e->count;
}

const tka_key_explanation *tka_explanation_at(const tka_explanation *e, size_t i)
{
    return i < e->count ? &e->keys[i] : NULL;
}

bool tka_explanation_passed(const tka_explanation *e)
{
    return e->passed;
}

void tka_explanation_free(tka_explanation *e)
{
    if (!e)
        return;
    free(e->keys);
    tka_arena_free(e->arena);
    free(e);
}

/* ------------------------------------------------------------ text */

static tka_status append_shape(tka_buf *out, const tka_diff_side *s)
{
    tka_status st = tka_buf_append_char(out, '(');
    for (unsigned i = 0; i < s->ndim && st == TKA_OK; i++)
        st = tka_buf_printf(out, i ? ", %" PRId64 : "%" PRId64, s->shape[i]);
    if (st == TKA_OK)
        st = tka_buf_append_str(out, s->ndim == 1 ? ",)" : ")");
    return st;
}

static tka_status append_index(tka_buf *out, const tka_key_explanation *k)
{
    tka_status st = tka_buf_append_char(out, '[');
    for (unsigned i = 0; i < k->first_ndim && st == TKA_OK; i++)
        st = tka_buf_printf(out, i ? ", %" PRId64 : "%" PRId64, k->first_index[i]);
    return st == TKA_OK ? tka_buf_append_char(out, ']') : st;
}

static tka_status append_value(tka_buf *out, const tka_diff_side *s)
{
    if (!s->has_value)
        return tka_buf_append_str(out, "nothing");
    char v[TKA_PYFLOAT_MAX];
    tka_scalar_format(&s->value, v);
    return tka_buf_append_str(out, v);
}

/* A window of at most `max` tokens of the side's row around `mark`. */
static tka_status append_tokens(tka_buf *out, const tka_diff_side *s, int64_t mark, size_t max)
{
    int64_t from = s->ids_from, to = s->ids_from + (int64_t)s->n_ids;
    if ((size_t)(to - from) > max) {
        int64_t f = mark - (int64_t)max / 2;
        f = f < from ? from : f;
        int64_t t = f + (int64_t)max;
        if (t > to) {
            t = to;
            f = t - (int64_t)max;
        }
        from = f;
        to = t;
    }
    tka_status st = from > 0 ? tka_buf_append_str(out, "... ") : TKA_OK;
    for (int64_t c = from; c < to && st == TKA_OK; c++) {
        size_t i = (size_t)(c - s->ids_from);
        const char *tok = s->tokens[i];
        if (c > from)
            st = tka_buf_append_char(out, ' ');
        if (st == TKA_OK && c == mark)
            st = tka_buf_append_str(out, ">>");
        if (st == TKA_OK)
            st = tok ? tka_buf_append_str(out, tok)
                     : tka_buf_printf(out, "<id %" PRId64 "?>", s->ids[i]);
        if (st == TKA_OK && c == mark)
            st = tka_buf_append_str(out, "<<");
    }
    if (st == TKA_OK && to < s->width)
        st = tka_buf_append_str(out, " ...");
    return st;
}

static tka_status append_source_text(tka_buf *out, const char *key, const char *label,
                                     const tka_diff_side *s)
{
    if (!s->text)
        return TKA_OK;
    tka_status st = tka_buf_printf(out, "%s: %sdataset row %" PRId64, key, label, s->row);
    if (st == TKA_OK && s->line >= 0)
        st = tka_buf_printf(out, " (line %" PRId64 ")", s->line);
    if (st == TKA_OK)
        st = tka_buf_append_str(out, ": ");
    if (st == TKA_OK)
        st = tka_json_append_string(out, s->text, strlen(s->text));
    if (st == TKA_OK && s->pair) {
        st = tka_buf_append_str(out, " / ");
        if (st == TKA_OK)
            st = tka_json_append_string(out, s->pair, strlen(s->pair));
    }
    return st == TKA_OK ? tka_buf_append_char(out, '\n') : st;
}

tka_status tka_key_explanation_format(const tka_key_explanation *k, size_t max_tokens, tka_buf *out)
{
    if (k->passed)
        return TKA_OK;
    const char *key = k->key;
    const tka_diff_side *a = &k->a, *b = &k->b;
    tka_status st = TKA_OK;
    if (k->cause == TKA_CAUSE_MISSING)
        return tka_buf_printf(out, "%s: likely cause: %s\n", key, k->explanation);
    if (k->compared) {
        size_t count = 1;
        for (unsigned i = 0; i < k->diff.ndim; i++)
            count *= (size_t)k->diff.shape[i];
        st = tka_buf_printf(out, "%s: %zu of %zu elements differ", key, k->diff.n_differ, count);
        if (st == TKA_OK && k->has_first) {
            st = tka_buf_append_str(out, "; first at ");
            if (st == TKA_OK)
                st = append_index(out, k);
        }
    } else {
        st = tka_buf_printf(out, "%s: shapes ", key);
        if (st == TKA_OK)
            st = append_shape(out, a);
        if (st == TKA_OK)
            st = tka_buf_append_str(out, " (first) and ");
        if (st == TKA_OK)
            st = append_shape(out, b);
        if (st == TKA_OK)
            st = tka_buf_append_str(out, " (second)");
        if (st == TKA_OK && k->has_first) {
            st = tka_buf_append_str(out, "; first difference at ");
            if (st == TKA_OK)
                st = append_index(out, k);
        }
    }
    if (st == TKA_OK && k->has_first) {
        st = tka_buf_append_str(out, ": ");
        if (st == TKA_OK)
            st = append_value(out, a);
        if (st == TKA_OK)
            st = tka_buf_append_str(out, " (first) vs ");
        if (st == TKA_OK)
            st = append_value(out, b);
        if (st == TKA_OK)
            st = tka_buf_append_str(out, " (second)");
    }
    if (st == TKA_OK && k->compared && k->diff.transposed)
        st = tka_buf_append_str(out, ", after transposing the first");
    if (st == TKA_OK)
        st = tka_buf_append_char(out, '\n');
    /* tokens */
    if (st == TKA_OK && a->tokens && b->tokens && k->has_first) {
        int64_t mark = k->first_index[k->first_ndim - 1];
        size_t max = max_tokens ? max_tokens : 48;
        for (int s = 0; s < 2 && st == TKA_OK; s++) {
            const tka_diff_side *side = s ? b : a;
            if (a->ndim == 2)
                st = tka_buf_printf(out, "%s: row %" PRId64 " tokens, %s: ", key, k->first_index[0],
                                    s ? "second" : "first");
            else
                st = tka_buf_printf(out, "%s: tokens, %s: ", key, s ? "second" : "first");
            if (st == TKA_OK)
                st = append_tokens(out, side, mark, max);
            if (st == TKA_OK)
                st = tka_buf_append_char(out, '\n');
        }
    }
    /* the dataset rows */
    if (st == TKA_OK && (a->row >= 0 || b->row >= 0)) {
        st = tka_buf_printf(out, "%s: ", key);
        if (st == TKA_OK && a->batch_row >= 0)
            st = tka_buf_printf(out, "batch row %" PRId64 " ", a->batch_row);
        const char *ta = a->source ? a->source : "", *tb = b->source ? b->source : "";
        if (st == TKA_OK && a->row == b->row && strcmp(ta, tb) == 0)
            st = tka_buf_printf(out, "comes from dataset row %" PRId64 "%s%s on both sides\n",
                                a->row, *ta ? " of " : "", ta);
        else if (st == TKA_OK && b->row < 0)
            st = tka_buf_printf(
                out, "comes from dataset row %" PRId64 "%s%s (first; unknown for the second)\n",
                a->row, *ta ? " of " : "", ta);
        else if (st == TKA_OK && a->row < 0)
            st = tka_buf_printf(
                out, "comes from dataset row %" PRId64 "%s%s (second; unknown for the first)\n",
                b->row, *tb ? " of " : "", tb);
        else if (st == TKA_OK)
            st = tka_buf_printf(out,
                                "comes from dataset row %" PRId64 "%s%s (first) and %" PRId64
                                "%s%s (second)\n",
                                a->row, *ta ? " of " : "", ta, b->row, *tb ? " of " : "", tb);
        bool same_text =
            a->text && b->text && a->row == b->row && strcmp(a->text, b->text) == 0 &&
            ((!a->pair && !b->pair) || (a->pair && b->pair && strcmp(a->pair, b->pair) == 0));
        if (st == TKA_OK && (same_text || !b->text))
            st = append_source_text(out, key, "", a);
        else if (st == TKA_OK && !a->text)
            st = append_source_text(out, key, "", b);
        else if (st == TKA_OK) {
            st = append_source_text(out, key, "first: ", a);
            if (st == TKA_OK)
                st = append_source_text(out, key, "second: ", b);
        }
    }
    if (st == TKA_OK)
        st = tka_buf_printf(out, "%s: likely cause: %s\n", key, k->explanation);
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
    for (size_t i = 0; i < 32; i++)
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
