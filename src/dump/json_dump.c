/* The JSON mirror of a dump: written exactly as Python's
 * json.dump(..., ensure_ascii=False, separators=(",", ":")) writes the
 * goldens' mirrors, read back through jansson. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dump/dump_internal.h"
#include "core/json_error.h"
#include "core/json_write.h"
#include "core/try.h"

/* ------------------------------------------------------------- writing */

/* COMPAT: Python's json module writes floats with repr() and the
 * non-standard NaN / Infinity / -Infinity tokens. */
static tka_status append_float(tka_buf *out, double v)
{
    if (isnan(v))
        return tka_buf_append_str(out, "NaN");
    if (isinf(v))
        return tka_buf_append_str(out, v < 0 ? "-Infinity" : "Infinity");
    char b[TKA_PYFLOAT_MAX];
    size_t n = tka_pyfloat_repr(v, b);
    return tka_buf_append(out, b, n);
}

static tka_status append_element(tka_buf *out, const tka_array *a, size_t i)
{
    const void *p = a->data;
    switch (a->dtype) {
    case TKA_DTYPE_BOOL: return tka_buf_append_str(out, ((const uint8_t *)p)[i] ? "true" : "false");
    case TKA_DTYPE_INT8: return tka_json_append_int(out, ((const int8_t *)p)[i]);
    case TKA_DTYPE_INT16: return tka_json_append_int(out, ((const int16_t *)p)[i]);
    case TKA_DTYPE_INT32: return tka_json_append_int(out, ((const int32_t *)p)[i]);
    case TKA_DTYPE_INT64: return tka_json_append_int(out, ((const int64_t *)p)[i]);
    case TKA_DTYPE_UINT8: return tka_json_append_int(out, ((const uint8_t *)p)[i]);
    case TKA_DTYPE_UINT16: return tka_json_append_int(out, ((const uint16_t *)p)[i]);
    case TKA_DTYPE_UINT32: return tka_json_append_int(out, ((const uint32_t *)p)[i]);
    case TKA_DTYPE_UINT64: return tka_buf_printf(out, "%" PRIu64, ((const uint64_t *)p)[i]);
    case TKA_DTYPE_FLOAT16: return append_float(out, tka_half_to_float(((const uint16_t *)p)[i]));
    case TKA_DTYPE_FLOAT32: return append_float(out, ((const float *)p)[i]);
    case TKA_DTYPE_FLOAT64: return append_float(out, ((const double *)p)[i]);
    default: return TKA_ERR_ARGUMENT;
    }
}

/* Output of the encoder: a buffer, flushed to `write` (when set) whenever
 * it passes FLUSH_AT bytes. */
#define FLUSH_AT (64u << 10)
typedef struct jsink {
    tka_buf *out;
    tka_write_fn write;
    void *ctx;
    tka_error *err;
    bool failed; /* `write` failed: err is set */
} jsink;

static tka_status flush(jsink *k, bool all)
{
    if (!k->write || (!all && k->out->len < FLUSH_AT) || !k->out->len)
        return TKA_OK;
    tka_status st = k->write(k->ctx, k->out->data, k->out->len, k->err);
    k->out->len = 0;
    if (st != TKA_OK)
        k->failed = true;
    return st;
}

/* ndarray.tolist(): nested lists following the shape, a bare value for 0-d.
 * Iterative (an odometer over the axes) so that nothing grows with the
 * shape: (10**9, 1, 0) is a billion "[[]]" written in constant memory. */
static tka_status append_data(jsink *k, const tka_array *a)
{
    tka_buf *out = k->out;
    if (a->ndim == 0)
        return append_element(out, a, 0);
    int64_t idx[TKA_NDIM_MAX];
    size_t flat = 0;
    unsigned axis = 0; /* open lists: axes [0, axis) are inside their list */
    tka_status st = TKA_OK;
    for (;;) {
        /* descend: open lists down to the last axis or an empty one */
        while (st == TKA_OK && axis < a->ndim) {
            st = tka_buf_append_char(out, '[');
            idx[axis] = 0;
            if (a->shape[axis] == 0)
                break;
            axis++;
        }
        if (st != TKA_OK)
            return st;
        if (axis == a->ndim) { /* write one element */
            st = append_element(out, a, flat++);
            axis--;
        }
        /* ascend: close finished lists, step to the next index */
        for (;;) {
            if (st == TKA_OK)
                st = flush(k, false);
            if (st != TKA_OK)
                return st;
            if (++idx[axis] < a->shape[axis]) {
                st = tka_buf_append_char(out, ',');
                if (axis + 1 == a->ndim && st == TKA_OK) {
                    st = append_element(out, a, flat++);
                    continue;
                }
                axis++;
                break;
            }
            st = tka_buf_append_char(out, ']');
            if (axis == 0)
                return st == TKA_OK ? flush(k, false) : st;
            axis--;
        }
    }
}

static tka_status encode(const tka_dict *dict, const char *file_name, jsink *k)
{
    tka_buf *out = k->out;
    tka_status st = tka_buf_append_char(out, '{');
    if (st == TKA_OK && file_name) {
        st = tka_buf_append_str(out, "\"file\":");
        if (st == TKA_OK)
            st = tka_json_append_string(out, file_name, strlen(file_name));
        if (st == TKA_OK)
            st = tka_buf_append_char(out, ',');
    }
    if (st == TKA_OK && tka_dict_meta(dict)) {
        st = tka_buf_printf(out, "\"meta\":%s,", tka_dict_meta(dict));
    }
    if (st == TKA_OK)
        st = tka_buf_append_str(out, "\"entries\":[");
    for (size_t i = 0; i < tka_dict_size(dict) && st == TKA_OK; i++) {
        const char *key = tka_dict_key(dict, i);
        const tka_array *a = tka_dict_at(dict, i);
        st = tka_buf_append_str(out, i ? ",{\"key\":" : "{\"key\":");
        if (st == TKA_OK)
            st = tka_json_append_string(out, key, strlen(key));
        if (st == TKA_OK)
            st = tka_buf_printf(out, ",\"dtype\":\"%s\",\"shape\":[", tka_dtype_name(a->dtype));
        for (unsigned d = 0; d < a->ndim && st == TKA_OK; d++) {
            if (d)
                st = tka_buf_append_char(out, ',');
            if (st == TKA_OK)
                st = tka_json_append_int(out, a->shape[d]);
        }
        if (st == TKA_OK)
            st = tka_buf_append_str(out, "],\"data\":");
        if (st == TKA_OK)
            st = append_data(k, a);
        if (st == TKA_OK)
            st = tka_buf_append_char(out, '}');
    }
    if (st == TKA_OK)
        st = tka_buf_append_str(out, "]}\n");
    if (st == TKA_OK)
        st = flush(k, true);
    if (st != TKA_OK && !k->failed)
        return tka_error_set(k->err, TKA_ERR_NOMEM, "out of memory writing JSON");
    return st;
}

tka_status tka_json_encode(const tka_dict *dict, const char *file_name, tka_buf *out,
                           tka_error *err)
{
    jsink k = {out, NULL, NULL, err, false};
    return encode(dict, file_name, &k);
}

tka_status tka_json_encode_stream(const tka_dict *dict, const char *file_name, tka_write_fn write,
                                  void *ctx, tka_error *err)
{
    tka_buf buf = {0};
    jsink k = {&buf, write, ctx, err, false};
    tka_status st = encode(dict, file_name, &k);
    tka_buf_free(&buf);
    return st;
}

/* Python-style compact JSON of any jansson value (for the "meta" object). */
static tka_status append_json_value(tka_buf *out, const json_t *v, int depth)
{
    if (depth > 64)
        return TKA_ERR_LIMIT;
    tka_status st = TKA_OK;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        bool first = true;
        st = tka_buf_append_char(out, '{');
        json_object_foreach((json_t *)v, k, x)
        {
            if (st == TKA_OK && !first)
                st = tka_buf_append_char(out, ',');
            first = false;
            if (st == TKA_OK)
                st = tka_json_append_string(out, k, strlen(k));
            if (st == TKA_OK)
                st = tka_buf_append_char(out, ':');
            if (st == TKA_OK)
                st = append_json_value(out, x, depth + 1);
        }
        return st == TKA_OK ? tka_buf_append_char(out, '}') : st;
    }
    case JSON_ARRAY:
        st = tka_buf_append_char(out, '[');
        for (size_t i = 0; i < json_array_size(v) && st == TKA_OK; i++) {
            if (i)
                st = tka_buf_append_char(out, ',');
            if (st == TKA_OK)
                st = append_json_value(out, json_array_get(v, i), depth + 1);
        }
        return st == TKA_OK ? tka_buf_append_char(out, ']') : st;
    case JSON_STRING:
        return tka_json_append_string(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: return tka_json_append_int(out, json_integer_value(v));
    case JSON_REAL: return append_float(out, json_real_value(v));
    case JSON_TRUE: return tka_buf_append_str(out, "true");
    case JSON_FALSE: return tka_buf_append_str(out, "false");
    default: return tka_buf_append_str(out, "null");
    }
}

tka_status dump_json_compact(const json_t *v, tka_buf *out)
{
    return append_json_value(out, v, 0);
}

/* ------------------------------------------------------------- reading */

/* jansson knows neither Python's NaN / Infinity tokens nor integers beyond
 * int64 (uint64 data): outside strings, such tokens become strings that the
 * element parser accepts for the matching dtypes. */
static tka_status quote_specials(const char *s, size_t len, tka_buf *out, bool *changed)
{
    *changed = false;
    tka_status st = TKA_OK;
    size_t i = 0, run = 0;
    while (i < len && st == TKA_OK) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
            continue;
        }
        size_t tok = 0;
        if (c == 'N' && len - i >= 3 && memcmp(s + i, "NaN", 3) == 0)
            tok = 3;
        else if (c == 'I' && len - i >= 8 && memcmp(s + i, "Infinity", 8) == 0)
            tok = 8;
        else if (c == '-' && len - i >= 9 && memcmp(s + i, "-Infinity", 9) == 0)
            tok = 9;
        else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t j = i + (c == '-'), digits = 0;
            while (j < len && s[j] >= '0' && s[j] <= '9')
                j++, digits++;
            bool integer = !(j < len && (s[j] == '.' || s[j] == 'e' || s[j] == 'E'));
            if (integer && digits >= 19) {
                /* does the literal fit int64? (the input is not NUL-terminated,
                 * so no strtoll here) */
                uint64_t v = 0, limit = c == '-' ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
                bool over = false;
                for (size_t k = i + (c == '-'); k < j && !over; k++) {
                    unsigned dgt = (unsigned)(s[k] - '0');
                    if (v > (limit - dgt) / 10)
                        over = true;
                    else
                        v = v * 10 + dgt;
                }
                if (over)
                    tok = j - i;
            }
            if (!tok) {
                while (j < len && (s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' ||
                                   s[j] == '-' || (s[j] >= '0' && s[j] <= '9')))
                    j++;
                i = j;
                continue;
            }
        }
        if (tok) {
            st = tka_buf_append(out, s + run, i - run);
            if (st == TKA_OK)
                st = tka_buf_append_char(out, '"');
            if (st == TKA_OK)
                st = tka_buf_append(out, s + i, tok);
            if (st == TKA_OK)
                st = tka_buf_append_char(out, '"');
            i += tok;
            run = i;
            *changed = true;
            continue;
        }
        i++;
    }
    if (st == TKA_OK && *changed)
        st = tka_buf_append(out, s + run, len - run);
    return st;
}

typedef struct jctx {
    const char *name;
    tka_error *err;
    size_t entry;
    const char *key;
    char path[256]; /* data[1][2] */
} jctx;

static tka_status jerr(jctx *c, const char *fmt, const char *detail)
{
    char what[300];
    snprintf(what, sizeof what, "%s%s", fmt, detail);
    if (c->key) {
        char shown[256];
        dump_shown(c->key, strlen(c->key), shown, sizeof shown);
        return tka_error_set(c->err, TKA_ERR_FORMAT, "%s: entry %zu ('%s'): %s%s", c->name,
                             c->entry, shown, c->path, what);
    }
    return tka_error_set(c->err, TKA_ERR_FORMAT, "%s: entry %zu: %s", c->name, c->entry, what);
}

static bool special_float(const json_t *v, double *out)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    if (strcmp(s, "NaN") == 0)
        *out = NAN;
    else if (strcmp(s, "Infinity") == 0)
        *out = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
        *out = -INFINITY;
    else
        return false;
    return true;
}

static tka_status parse_element(jctx *c, const json_t *v, tka_array *a, size_t i)
{
    void *p = a->data;
    tka_dtype t = a->dtype;
    if (t == TKA_DTYPE_BOOL) {
        if (!json_is_boolean(v))
            return jerr(c, ": expected true or false", "");
        ((uint8_t *)p)[i] = json_is_true(v);
        return TKA_OK;
    }
    if (t >= TKA_DTYPE_FLOAT16) {
        double d;
        if (json_is_number(v))
            d = json_number_value(v);
        else if (!special_float(v, &d))
            return jerr(c, ": expected a number", "");
        if (t == TKA_DTYPE_FLOAT64)
            ((double *)p)[i] = d;
        else if (t == TKA_DTYPE_FLOAT32)
            ((float *)p)[i] = (float)d;
        else
            ((uint16_t *)p)[i] = tka_double_to_half(d);
        return TKA_OK;
    }
    /* integers */
    bool neg;
    uint64_t mag;
    if (json_is_integer(v)) {
        int64_t x = json_integer_value(v);
        neg = x < 0;
        mag = neg ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    } else if (json_is_string(v) && json_string_value(v)[0] >= '0' &&
               json_string_value(v)[0] <= '9') {
        errno = 0;
        char *end;
        mag = strtoull(json_string_value(v), &end, 10);
        neg = false;
        if (errno || *end)
            return jerr(c, ": integer out of range for ", tka_dtype_name(t));
    } else if (json_is_string(v) && json_string_value(v)[0] == '-') {
        return jerr(c, ": integer out of range for ", tka_dtype_name(t));
    } else {
        return jerr(c, ": expected an integer for ", tka_dtype_name(t));
    }
    size_t bits = tka_dtype_size(t) * 8;
    bool sgn = t <= TKA_DTYPE_INT64;
    uint64_t max = sgn          ? ((uint64_t)1 << (bits - 1)) - 1
                   : bits == 64 ? UINT64_MAX
                                : ((uint64_t)1 << bits) - 1;
    if ((neg && (!sgn || mag > max + 1)) || (!neg && mag > max))
        return jerr(c, ": integer out of range for ", tka_dtype_name(t));
    uint64_t u = neg ? (uint64_t)0 - mag : mag;
    switch (tka_dtype_size(t)) {
    case 1: ((uint8_t *)p)[i] = (uint8_t)u; break;
    case 2: ((uint16_t *)p)[i] = (uint16_t)u; break;
    case 4: ((uint32_t *)p)[i] = (uint32_t)u; break;
    default: ((uint64_t *)p)[i] = u; break;
    }
    return TKA_OK;
}

static tka_status parse_data(jctx *c, const json_t *v, tka_array *a, unsigned axis, size_t *flat)
{
    if (axis == a->ndim)
        return parse_element(c, v, a, (*flat)++);
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, a->shape[axis]);
    if (!json_is_array(v) || (int64_t)json_array_size(v) != a->shape[axis])
        return jerr(c, ": expected a list of length ", num);
    size_t plen = strlen(c->path);
    for (size_t i = 0; i < json_array_size(v); i++) {
        snprintf(c->path + plen, sizeof c->path - plen, "[%zu]", i);
        TKA_TRY(parse_data(c, json_array_get(v, i), a, axis + 1, flat));
    }
    c->path[plen] = '\0';
    return TKA_OK;
}

tka_status dump_json_read(const char *text, size_t len, const char *name, tka_dict *dict,
                          tka_error *err)
{
    tka_buf fixed = {0};
    bool changed;
    if (quote_specials(text, len, &fixed, &changed) != TKA_OK) {
        tka_buf_free(&fixed);
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", name);
    }
    json_error_t je;
    json_t *root =
        changed ? json_loadb(fixed.data, fixed.len, 0, &je) : json_loadb(text, len, 0, &je);
    tka_buf_free(&fixed);
    if (!root) { /* jansson quotes the offending input: escape it */
        char shown[sizeof je.text * 4];
        dump_shown(je.text, strlen(je.text), shown, sizeof shown);
        return tka_json_error(err, name, &je, shown);
    }
    jctx c = {name, err, 0, NULL, "data"};
    tka_status st = TKA_OK;
    json_t *entries = json_object_get(root, "entries");
    json_t *meta = json_object_get(root, "meta");
    if (!json_is_array(entries))
        st =
            tka_error_set(err, TKA_ERR_FORMAT, "%s: not a dump mirror (no \"entries\" list)", name);
    if (st == TKA_OK && meta) {
        tka_buf m = {0};
        if (!json_is_object(meta))
            st = tka_error_set(err, TKA_ERR_FORMAT, "%s: \"meta\" is not an object", name);
        else if (dump_json_compact(meta, &m) != TKA_OK)
            st = tka_error_set(err, TKA_ERR_LIMIT, "%s: \"meta\" is nested too deeply", name);
        else
            st = dump_dict_set_meta_text(dict, m.data, err);
        tka_buf_free(&m);
    }
    for (size_t i = 0; st == TKA_OK && i < json_array_size(entries); i++) {
        json_t *e = json_array_get(entries, i);
        c.entry = i;
        c.key = NULL;
        json_t *key = json_object_get(e, "key"), *dt = json_object_get(e, "dtype"),
               *shape = json_object_get(e, "shape"), *data = json_object_get(e, "data");
        if (!json_is_object(e) || !json_is_string(key) || !json_is_string(dt) ||
            !json_is_array(shape) || !data) {
            st = jerr(&c, "expected {\"key\", \"dtype\", \"shape\", \"data\"}", "");
            break;
        }
        c.key = json_string_value(key);
        c.path[0] = '\0';
        tka_array a = {0};
        if (!tka_dtype_from_name(json_string_value(dt), &a.dtype)) {
            st = jerr(&c, "unknown dtype ", json_string_value(dt));
            break;
        }
        if (json_array_size(shape) > TKA_NDIM_MAX) {
            st = jerr(&c, "more than 32 dimensions", "");
            break;
        }
        a.ndim = (unsigned)json_array_size(shape);
        for (unsigned k = 0; k < a.ndim && st == TKA_OK; k++) {
            json_t *d = json_array_get(shape, k);
            if (!json_is_integer(d) || json_integer_value(d) < 0)
                st = jerr(&c, "shape must hold non-negative integers", "");
            else
                a.shape[k] = json_integer_value(d);
        }
        size_t count;
        if (st == TKA_OK && !dump_checked_count(a.shape, a.ndim, tka_dtype_size(a.dtype), &count))
            st = jerr(&c, "shape too large", "");
        /* every element takes at least one byte of text: check before allocating */
        if (st == TKA_OK && count > len)
            st = jerr(&c, "the shape holds more elements than the data can", "");
        if (st != TKA_OK)
            break;
        a.data =
            tka_arena_calloc(dump_dict_arena(dict), count ? count : 1, tka_dtype_size(a.dtype));
        if (!a.data) {
            st = tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", name);
            break;
        }
        size_t flat = 0;
        snprintf(c.path, sizeof c.path, "data");
        st = parse_data(&c, data, &a, 0, &flat);
        if (st == TKA_OK) {
            st = dump_dict_insert(dict, c.key, json_string_length(key), &a, err);
            if (st != TKA_OK)
                tka_error_prefix(err, "%s: entry %zu: ", name, i);
        }
    }
    json_decref(root);
    return st;
}
