/* Labels to int64 the way np.array([label], dtype="int64") converts a pandas cell (Python int(), float truncation). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "core/utf8.h"
#include "tokalign/dataset.h"

/* COMPAT: numpy's and Python's messages for the labels it refuses. */
#define NP_INT64 "np.array([label], dtype=\"int64\") raises "
#define NP_TOO_LARGE NP_INT64 "OverflowError: Python int too large to convert to C long"
#define NP_NAN "NaN: " NP_INT64 "ValueError: cannot convert float NaN to integer"

static tka_status refuse(const tka_value *v, const char *name, tka_error *err, const char *what)
{
    if (v->padded || v->line == 0)
        return tka_error_set(err, TKA_ERR_REFERENCE, "%s: a missing label: %s", name, what);
    return tka_error_set(err, TKA_ERR_REFERENCE,
                         "%s: line %" PRIu64 ", column %" PRIu64 ": label '%.*s': %s", name,
                         v->line, v->column, (int)(v->len > 60 ? 60 : v->len), v->text, what);
}

/* The value of a decimal digit (category Nd), or -1. Unicode encodes every
 * Nd run as ten contiguous code points 0..9, so the value is the distance
 * from the start of the contiguous Nd block, modulo 10. */
static int py_decimal(int32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return cp - '0';
    if (cp < 128 || utf8proc_category(cp) != UTF8PROC_CATEGORY_ND)
        return -1;
    int32_t start = cp;
    while (start > 0 && utf8proc_category(start - 1) == UTF8PROC_CATEGORY_ND)
        start--;
    return (int)((cp - start) % 10);
}

/* Python's int(s) (base 10) into int64: surrounding whitespace, a sign,
 * Unicode decimal digits, single underscores between digits. */
static tka_status python_int(const tka_value *v, const char *name, int64_t *out, tka_error *err)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)v->text;
    utf8proc_ssize_t len = (utf8proc_ssize_t)v->len, i = 0;
    int32_t cp;
    enum { LEAD, SIGN, DIGITS, UNDERSCORE, TRAIL } state = LEAD;
    bool neg = false, overflow = false;
    uint64_t mag = 0;
    while (i < len) {
        utf8proc_ssize_t n = utf8proc_iterate(s + i, len - i, &cp);
        if (n <= 0)
            return refuse(v, name, err, "not valid UTF-8");
        i += n;
        int d = py_decimal(cp);
        if (tka_py_isspace(cp)) {
            if (state == LEAD)
                continue;
            if (state == DIGITS || state == TRAIL) {
                state = TRAIL;
                continue;
            }
            goto invalid;
        }
        if ((cp == '+' || cp == '-') && state == LEAD) {
            neg = cp == '-';
            state = SIGN;
        } else if (d >= 0 && state != TRAIL) {
            if (mag > (UINT64_MAX - (uint64_t)d) / 10)
                overflow = true;
            else
                mag = mag * 10 + (uint64_t)d;
            state = DIGITS;
        } else if (cp == '_' && state == DIGITS) {
            state = UNDERSCORE;
        } else {
            goto invalid;
        }
    }
    if (state != DIGITS && state != TRAIL)
        goto invalid;
    if (overflow || (!neg && mag > (uint64_t)INT64_MAX) || (neg && mag > (uint64_t)INT64_MAX + 1))
        return refuse(v, name, err, NP_TOO_LARGE);
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return TKA_OK;
invalid:
    return refuse(v, name, err,
                  "not an integer: " NP_INT64 "ValueError: invalid literal for int() with base 10");
}

tka_status tka_value_to_int64(const tka_value *v, const char *name, int64_t *out, tka_error *err)
{
    switch (v->kind) {
    case TKA_VALUE_INT: *out = v->i; return TKA_OK;
    case TKA_VALUE_UINT:
        if (v->u > (uint64_t)INT64_MAX)
            return refuse(v, name, err, NP_TOO_LARGE);
        *out = (int64_t)v->u;
        return TKA_OK;
    case TKA_VALUE_BOOL: *out = v->b; return TKA_OK;
    case TKA_VALUE_NAN: return refuse(v, name, err, NP_NAN);
    case TKA_VALUE_FLOAT:
        if (isnan(v->f))
            return refuse(v, name, err, NP_NAN);
        if (isinf(v->f))
            return refuse(v, name, err,
                          NP_INT64 "OverflowError: cannot convert float infinity to integer");
        /* COMPAT: numpy truncates a Python float toward zero (1.7 -> 1). */
        if (v->f >= 9223372036854775808.0 || v->f < -9223372036854775808.0)
            return refuse(v, name, err, NP_TOO_LARGE);
        *out = (int64_t)v->f;
        return TKA_OK;
    case TKA_VALUE_STR: return python_int(v, name, out, err);
    }
    return refuse(v, name, err, "unknown value kind");
}
