/* The .npy container header: writing numpy's exact bytes, and a strict
 * parser of the Python-literal dict numpy (and other writers) put there. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dump/dump_internal.h"
#include "core/try.h"

#define NPY_ALIGN 64
/* numpy >= 1.23 leaves room to grow the last (first for Fortran) axis in
 * place: the header gets 21 - len(repr(axis)) extra spaces. */
#define GROWTH_AXIS_MAX_DIGITS 21

static tka_status append_shape(tka_buf *out, unsigned ndim, const int64_t *shape)
{
    tka_status st = tka_buf_append_char(out, '(');
    for (unsigned i = 0; i < ndim && st == TKA_OK; i++)
        st = tka_buf_printf(out, i ? ", %" PRId64 : "%" PRId64, shape[i]);
    if (st == TKA_OK && ndim == 1)
        st = tka_buf_append_char(out, ',');
    if (st == TKA_OK)
        st = tka_buf_append_char(out, ')');
    return st;
}

tka_status dump_npy_header(const tka_array *a, tka_buf *out)
{
    tka_buf h = {0};
    bool fortran = dump_is_fortran(a);
    tka_status st =
        tka_buf_printf(&h, "{'descr': '%c%s', 'fortran_order': %s, 'shape': ", dump_order_char(a),
                       dump_typestr(a->dtype), fortran ? "True" : "False");
    if (st == TKA_OK)
        st = append_shape(&h, a->ndim, a->shape);
    if (st == TKA_OK)
        st = tka_buf_append_str(&h, ", }");
    if (st == TKA_OK && a->ndim > 0) {
        char digits[24];
        int n = snprintf(digits, sizeof digits, "%" PRId64, a->shape[fortran ? 0 : a->ndim - 1]);
        for (int i = n; i < GROWTH_AXIS_MAX_DIGITS && st == TKA_OK; i++)
            st = tka_buf_append_char(&h, ' ');
    }
    if (st != TKA_OK) {
        tka_buf_free(&h);
        return st;
    }
    size_t hlen = h.len + 1; /* the final newline */
    bool v2 = false;
    size_t pad = NPY_ALIGN - ((10 + hlen) % NPY_ALIGN); /* COMPAT: 64, not 0, when aligned */
    if (hlen + pad > 0xffff) {
        v2 = true;
        pad = NPY_ALIGN - ((12 + hlen) % NPY_ALIGN);
    }
    size_t total = hlen + pad;
    unsigned char pre[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', v2 ? 2 : 1, 0};
    for (int i = 0; i < (v2 ? 4 : 2); i++)
        pre[8 + i] = (unsigned char)(total >> (8 * i));
    st = tka_buf_append(out, pre, v2 ? 12 : 10);
    if (st == TKA_OK)
        st = tka_buf_append(out, h.data, h.len);
    for (size_t i = 0; i < pad && st == TKA_OK; i++)
        st = tka_buf_append_char(out, ' ');
    if (st == TKA_OK)
        st = tka_buf_append_char(out, '\n');
    tka_buf_free(&h);
    return st;
}

/* ------------------------------------------------------------- parsing */

typedef struct hparser {
    const char *s;
    size_t pos, len, base; /* base: file offset of s[0] */
    const char *name;
    tka_error *err;
} hparser;

static tka_status herr(hparser *p, const char *what)
{
    return tka_error_set(p->err, TKA_ERR_FORMAT, "%s: byte %zu: .npy header: %s", p->name,
                         p->base + p->pos, what);
}

static void skip_ws(hparser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static bool eat(hparser *p, char c)
{
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == c) {
        p->pos++;
        return true;
    }
    return false;
}

static tka_status parse_string(hparser *p, char *out, size_t cap)
{
    skip_ws(p);
    if (p->pos >= p->len || (p->s[p->pos] != '\'' && p->s[p->pos] != '"'))
        return herr(p, "expected a quoted string");
    char q = p->s[p->pos++];
    size_t n = 0;
    while (p->pos < p->len && p->s[p->pos] != q) {
        if (p->s[p->pos] == '\\')
            return herr(p, "escapes in strings are not supported");
        if (n + 1 >= cap)
            return herr(p, "string too long");
        out[n++] = p->s[p->pos++];
    }
    if (p->pos >= p->len)
        return herr(p, "unterminated string");
    p->pos++;
    out[n] = '\0';
    return TKA_OK;
}

static tka_status parse_shape(hparser *p, npy_header *h)
{
    if (!eat(p, '('))
        return herr(p, "'shape' must be a tuple");
    h->ndim = 0;
    bool need_comma = false;
    for (;;) {
        if (eat(p, ')'))
            break;
        if (need_comma && !eat(p, ','))
            return herr(p, "expected ',' or ')' in 'shape'");
        if (need_comma && eat(p, ')'))
            break;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
            return herr(p, "'shape' must hold non-negative integers");
        if (h->ndim == TKA_NDIM_MAX)
            return herr(p, "more than 32 dimensions");
        uint64_t v = 0;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
            if (v > (uint64_t)INT64_MAX / 10)
                return herr(p, "dimension too large");
            v = v * 10 + (uint64_t)(p->s[p->pos++] - '0');
            if (v > (uint64_t)INT64_MAX)
                return herr(p, "dimension too large");
        }
        if (p->pos < p->len && p->s[p->pos] == 'L') /* Python 2 long literal */
            p->pos++;
        h->shape[h->ndim++] = (int64_t)v;
        need_comma = true;
    }
    return TKA_OK;
}

tka_status dump_npy_parse_header(const unsigned char *buf, size_t len, const char *name,
                                 npy_header *h, tka_error *err)
{
    memset(h, 0, sizeof *h);
    if (len < 6 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte 0: not a .npy file (no \\x93NUMPY magic)", name);
    if (len < 10)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %zu: truncated after the \\x93NUMPY magic (the version and "
                             "header length need bytes 6 to 9)",
                             name, len);
    unsigned major = buf[6], minor = buf[7];
    size_t hlen, start;
    if (major == 1) {
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return tka_error_set(err, TKA_ERR_FORMAT, "%s: byte %zu: truncated .npy header", name,
                                 len);
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        start = 12;
    } else {
        return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: byte 6: unsupported .npy version %u.%u",
                             name, major, minor);
    }
    if (minor != 0)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: byte 7: unsupported .npy version %u.%u",
                             name, major, minor);
    if (hlen > len - start)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %zu: truncated: the header announces %zu bytes, %zu remain",
                             name, start, hlen, len - start);
    hparser p = {(const char *)buf + start, 0, hlen, start, name, err};
    for (size_t i = 0; i < hlen; i++) {
        unsigned char c = buf[start + i];
        if (c == 0 || (c >= 0x80 && major < 3)) {
            p.pos = i;
            return herr(&p, "non-ASCII byte");
        }
    }
    if (!eat(&p, '{'))
        return herr(&p, "expected '{'");
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    for (;;) {
        if (eat(&p, '}'))
            break;
        char key[32];
        TKA_TRY(parse_string(&p, key, sizeof key));
        if (!eat(&p, ':'))
            return herr(&p, "expected ':'");
        if (strcmp(key, "descr") == 0 && !seen_descr) {
            skip_ws(&p);
            if (p.pos < p.len && p.s[p.pos] == '[')
                return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                                     "%s: byte %zu: structured dtypes are not supported", name,
                                     start + p.pos);
            TKA_TRY(parse_string(&p, h->descr, sizeof h->descr));
            seen_descr = true;
        } else if (strcmp(key, "fortran_order") == 0 && !seen_fortran) {
            skip_ws(&p);
            if (p.len - p.pos >= 4 && memcmp(p.s + p.pos, "True", 4) == 0) {
                h->fortran = true;
                p.pos += 4;
            } else if (p.len - p.pos >= 5 && memcmp(p.s + p.pos, "False", 5) == 0) {
                h->fortran = false;
                p.pos += 5;
            } else {
                return herr(&p, "'fortran_order' must be True or False");
            }
            seen_fortran = true;
        } else if (strcmp(key, "shape") == 0 && !seen_shape) {
            skip_ws(&p);
            h->shape_offset = start + p.pos;
            TKA_TRY(parse_shape(&p, h));
            seen_shape = true;
        } else {
            return herr(&p, "unexpected or repeated key (numpy expects exactly 'descr', "
                            "'fortran_order' and 'shape')");
        }
        if (eat(&p, '}'))
            break;
        if (!eat(&p, ','))
            return herr(&p, "expected ',' or '}'");
    }
    skip_ws(&p);
    if (p.pos != p.len)
        return herr(&p, "unexpected text after the header dict");
    if (!seen_descr || !seen_fortran || !seen_shape)
        return herr(&p, "missing key (numpy expects 'descr', 'fortran_order' and 'shape')");
    h->data_offset = start + hlen;
    return TKA_OK;
}

/* Resolves a descr such as "<i8", "|b1", ">f4", "=u2" or "i8". */
static tka_status descr_dtype(const npy_header *h, const char *name, tka_dtype *dtype,
                              bool *big_endian, tka_error *err)
{
    const char *d = h->descr;
    char order = '=';
    if (*d == '<' || *d == '>' || *d == '|' || *d == '=') /* '=' is native: little here */
        order = *d++;
    if (strcmp(d, "?") == 0)
        d = "b1";
    if (!dump_dtype_from_typestr(d, strlen(d), dtype)) {
        char shown[96];
        dump_shown(h->descr, strlen(h->descr), shown, sizeof shown);
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: .npy header: dtype '%s' is not supported (only bool, int8..64, "
                             "uint8..64, float16/32/64)",
                             name, shown);
    }
    *big_endian = order == '>' && tka_dtype_size(*dtype) > 1;
    return TKA_OK;
}

tka_status dump_npy_read_array(const unsigned char *buf, size_t len, const char *name,
                               tka_dict *dict, const char *key, size_t key_len, tka_error *err)
{
    npy_header h;
    TKA_TRY(dump_npy_parse_header(buf, len, name, &h, err));
    tka_dtype dtype = TKA_DTYPE_BOOL;
    bool big = false;
    TKA_TRY(descr_dtype(&h, name, &dtype, &big, err));
    size_t count, size = tka_dtype_size(dtype);
    if (!dump_checked_count(h.shape, h.ndim, size, &count))
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %zu: .npy header: shape too large: %zu-byte items times "
                             "the non-zero axes exceed the largest array size (numpy: \"array is "
                             "too big\")",
                             name, h.shape_offset, size);
    size_t avail = len - h.data_offset;
    if (avail < count * size)
        return tka_error_set(
            err, TKA_ERR_FORMAT,
            "%s: byte %zu: truncated: %zu bytes of array data expected, %zu present", name,
            h.data_offset, count * size, avail);
    if (avail > count * size)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %zu: %zu unexpected bytes after the array data", name,
                             h.data_offset + count * size, avail - count * size);
    tka_array a = {.dtype = dtype, .ndim = h.ndim};
    memcpy(a.shape, h.shape, sizeof a.shape);
    a.layout = (big ? TKA_ARRAY_BIG_ENDIAN : 0) | (h.fortran ? TKA_ARRAY_FORTRAN : 0);
    a.data = tka_arena_alloc(dump_dict_arena(dict), count ? count * size : 1, 8);
    if (!a.data)
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", name);
    dump_to_native(a.data, buf + h.data_offset, dtype, h.ndim, h.shape, big, h.fortran);
    tka_status st = dump_dict_insert(dict, key, key_len, &a, err);
    if (st != TKA_OK)
        tka_error_prefix(err, "%s: ", name);
    return st;
}
