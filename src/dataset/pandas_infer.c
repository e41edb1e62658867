/* pandas' cell conversions and dtype inference (int64, uint64, float64, bool, object), bit for bit. */
#include "dataset/pandas_infer.h"

#include <math.h>
#include <string.h>

size_t pandas_cstr_len(const char *s, size_t len)
{
    /* COMPAT: pandas' tokenizer stores fields as C strings; a NUL byte ends
     * the value everywhere (NA test, number parsing, the str it returns). */
    const char *nul = memchr(s, '\0', len);
    return nul ? (size_t)(nul - s) : len;
}

bool pandas_is_na(const char *s, size_t len)
{
    /* pandas 1.5 STR_NA_VALUES ("None" joined the list only in pandas 2.0).
     * Lengths are stored: this runs for every cell. */
    static const struct {
        unsigned char len;
        char text[9];
    } na[] = {{4, "#N/A"}, {8, "#N/A N/A"}, {3, "#NA"},    {7, "-1.#IND"}, {8, "-1.#QNAN"},
              {4, "-NaN"}, {4, "-nan"},     {6, "1.#IND"}, {7, "1.#QNAN"}, {4, "<NA>"},
              {3, "N/A"},  {2, "NA"},       {4, "NULL"},   {3, "NaN"},     {3, "n/a"},
              {3, "nan"},  {4, "null"}};
    if (len == 0)
        return true;
    if (len > 8)
        return false;
    switch (s[0]) { /* every NA string starts with one of these */
    case '#':
    case '-':
    case '1':
    case '<':
    case 'N':
    case 'n': break;
    default: return false;
    }
    for (size_t i = 0; i < sizeof na / sizeof *na; i++)
        if (na[i].len == len && memcmp(na[i].text, s, len) == 0)
            return true;
    return false;
}

/* pandas' isspace_ascii: space, \t, \n, \v, \f, \r. */
static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int pandas_parse_int64(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    while (i < len && is_space(s[i]))
        i++;
    bool neg = i < len && s[i] == '-';
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    if (i >= len || !is_digit(s[i]))
        return PANDAS_NUM_INVALID;
    /* Accumulate toward the sign so INT64_MIN is reachable. */
    int64_t n = 0;
    for (; i < len && is_digit(s[i]); i++) {
        int d = s[i] - '0';
        if (neg) {
            if (n < (INT64_MIN + d) / 10)
                return PANDAS_NUM_OVERFLOW;
            n = n * 10 - d;
        } else {
            if (n > (INT64_MAX - d) / 10)
                return PANDAS_NUM_OVERFLOW;
            n = n * 10 + d;
        }
    }
    while (i < len && is_space(s[i]))
        i++;
    if (i < len)
        return PANDAS_NUM_INVALID;
    *out = n;
    return PANDAS_NUM_OK;
}

int pandas_parse_uint64(const char *s, size_t len, uint64_t *out, bool *negative)
{
    size_t i = 0;
    *negative = false;
    while (i < len && is_space(s[i]))
        i++;
    if (i < len && s[i] == '-') {
        /* COMPAT: str_to_uint64 stops at a '-' without checking the rest. */
        *negative = true;
        *out = 0;
        return PANDAS_NUM_OK;
    }
    if (i < len && s[i] == '+')
        i++;
    if (i >= len || !is_digit(s[i]))
        return PANDAS_NUM_INVALID;
    uint64_t n = 0;
    for (; i < len && is_digit(s[i]); i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (n > (UINT64_MAX - d) / 10)
            return PANDAS_NUM_OVERFLOW;
        n = n * 10 + d;
    }
    while (i < len && is_space(s[i]))
        i++;
    if (i < len)
        return PANDAS_NUM_INVALID;
    *out = n;
    return PANDAS_NUM_OK;
}

/* Powers of ten as C literals (correctly rounded by the compiler), as in
 * pandas' precise_xstrtod table. */
static const double pow10_table[309] = {
    1e0,   1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,   1e8,   1e9,   1e10,  1e11,  1e12,
    1e13,  1e14,  1e15,  1e16,  1e17,  1e18,  1e19,  1e20,  1e21,  1e22,  1e23,  1e24,  1e25,
    1e26,  1e27,  1e28,  1e29,  1e30,  1e31,  1e32,  1e33,  1e34,  1e35,  1e36,  1e37,  1e38,
    1e39,  1e40,  1e41,  1e42,  1e43,  1e44,  1e45,  1e46,  1e47,  1e48,  1e49,  1e50,  1e51,
    1e52,  1e53,  1e54,  1e55,  1e56,  1e57,  1e58,  1e59,  1e60,  1e61,  1e62,  1e63,  1e64,
    1e65,  1e66,  1e67,  1e68,  1e69,  1e70,  1e71,  1e72,  1e73,  1e74,  1e75,  1e76,  1e77,
    1e78,  1e79,  1e80,  1e81,  1e82,  1e83,  1e84,  1e85,  1e86,  1e87,  1e88,  1e89,  1e90,
    1e91,  1e92,  1e93,  1e94,  1e95,  1e96,  1e97,  1e98,  1e99,  1e100, 1e101, 1e102, 1e103,
    1e104, 1e105, 1e106, 1e107, 1e108, 1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116,
    1e117, 1e118, 1e119, 1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129,
    1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142,
    1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155,
    1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168,
    1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179, 1e180, 1e181,
    1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191, 1e192, 1e193, 1e194,
    1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207,
    1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219, 1e220,
    1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228, 1e229, 1e230, 1e231, 1e232, 1e233,
    1e234, 1e235, 1e236, 1e237, 1e238, 1e239, 1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246,
    1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259,
    1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272,
    1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285,
    1e286, 1e287, 1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298,
    1e299, 1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308};

/* pandas' precise_xstrtod (decimal '.', sci 'E', no thousands separator,
 * skip_trailing): at most 17 significant digits are accumulated in a double,
 * then scaled by one table power. Returns false unless the whole field is a
 * number; the same sequence of double operations as pandas, so the same
 * rounding. */
static bool precise_xstrtod(const char *s, size_t len, double *out)
{
    const int max_digits = 17;
    size_t i = 0;
    while (i < len && is_space(s[i]))
        i++;
    bool negative = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        negative = s[i] == '-';
        i++;
    }
    /* COMPAT: pandas keeps the exponent in a C int and lets it overflow;
     * compiled pandas wraps modulo 2^32 (checked: "1e4294967295" reads 0.1,
     * "0.55e-2147483647" is not a number), so the exponent arithmetic is done
     * in uint32_t here and read back as a signed 32-bit value. */
    uint32_t exponent = 0;
    double number = 0.;
    int num_digits = 0, num_decimals = 0;
    for (; i < len && is_digit(s[i]); i++) {
        if (num_digits < max_digits) {
            number = number * 10. + (s[i] - '0');
            num_digits++;
        } else {
            exponent++;
        }
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; num_digits < max_digits && i < len && is_digit(s[i]); i++) {
            number = number * 10. + (s[i] - '0');
            num_digits++;
            num_decimals++;
        }
        if (num_digits >= max_digits)
            while (i < len && is_digit(s[i]))
                i++;
        exponent -= (uint32_t)num_decimals;
    }
    if (num_digits == 0)
        return false;
    if (negative)
        number = -number;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t save = i;
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '-' || s[i] == '+')) {
            eneg = s[i] == '-';
            i++;
        }
        uint32_t n = 0;
        int edigits = 0;
        for (; edigits < max_digits && i < len && is_digit(s[i]); i++) {
            n = n * 10u + (uint32_t)(s[i] - '0');
            edigits++;
        }
        exponent = eneg ? exponent - n : exponent + n;
        if (edigits == 0)
            i = save; /* no digits after 'e': the field is not a number */
    }
    int32_t e = (int32_t)exponent;
    if (e > 308)
        return false; /* ERANGE */
    if (e > 0)
        number *= pow10_table[e];
    else if (e < -308)
        number = e < -616 ? 0. : number / pow10_table[-308 - e] / pow10_table[308];
    else
        number /= pow10_table[-e];
    if (number == HUGE_VAL || number == -HUGE_VAL)
        return false; /* ERANGE */
    while (i < len && is_space(s[i]))
        i++;
    if (i < len)
        return false;
    *out = number;
    return true;
}

static bool equals_nocase(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (n != len)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = word[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

bool pandas_parse_double(const char *s, size_t len, double *out)
{
    if (precise_xstrtod(s, len, out))
        return true;
    if (equals_nocase(s, len, "inf") || equals_nocase(s, len, "+inf") ||
        equals_nocase(s, len, "infinity") || equals_nocase(s, len, "+infinity")) {
        *out = HUGE_VAL;
        return true;
    }
    if (equals_nocase(s, len, "-inf") || equals_nocase(s, len, "-infinity")) {
        *out = -HUGE_VAL;
        return true;
    }
    return false;
}

int pandas_parse_bool(const char *s, size_t len)
{
    if (equals_nocase(s, len, "true"))
        return 1;
    if (equals_nocase(s, len, "false"))
        return 0;
    return -1;
}

void pandas_infer_add(pandas_infer *st, const char *s, size_t len, bool na)
{
    st->rows++;
    st->na += na;
    /* int64 attempt: stops at its first error, whose kind decides the path. */
    if (!na && st->int_err == PANDAS_NUM_OK) {
        int64_t v;
        st->int_err = (uint8_t)pandas_parse_int64(s, len, &v);
    }
    /* uint64 attempt (only used after an int64 overflow): runs over every row
     * up to its own first error. */
    if (st->uint_err == PANDAS_NUM_OK) {
        if (na) {
            st->seen_null = true;
        } else {
            uint64_t u;
            bool neg;
            st->uint_err = (uint8_t)pandas_parse_uint64(s, len, &u, &neg);
            if (st->uint_err == PANDAS_NUM_OK) {
                st->seen_sint |= neg;
                st->seen_uint |= u > (uint64_t)INT64_MAX;
            }
        }
    }
    /* float64 attempt: only consulted once the int64 attempt has failed, and
     * every cell str_to_int64 accepts (spaces, sign, digits) precise_xstrtod
     * accepts too, so cells before the int64 failure cannot fail it: they
     * are not parsed twice. */
    if (!na && !st->float_fail && st->int_err != PANDAS_NUM_OK) {
        double d;
        st->float_fail = !pandas_parse_double(s, len, &d);
    }
    if (!na && !st->bool_fail)
        st->bool_fail = pandas_parse_bool(s, len) < 0;
}

pandas_type pandas_infer_result(const pandas_infer *st)
{
    if (st->rows == 0)
        return (pandas_type){TKA_COLUMN_OBJECT, PF_OBJ_STR};
    if (st->int_err == PANDAS_NUM_OK)
        /* NaN in an int column upcasts it to float64 */
        return st->na ? (pandas_type){TKA_COLUMN_FLOAT64, PF_FLOAT_FROM_INT}
                      : (pandas_type){TKA_COLUMN_INT64, PF_PLAIN};
    if (st->int_err == PANDAS_NUM_OVERFLOW) {
        if (st->uint_err == PANDAS_NUM_OVERFLOW)
            return (pandas_type){TKA_COLUMN_OBJECT, PF_OBJ_STR}; /* OverflowError */
        if (st->uint_err == PANDAS_NUM_OK) {
            /* COMPAT: uint64 values with a negative number or a NaN raise
             * ValueError, and pandas then reads the column as object WITHOUT
             * NA filtering: '' and 'NA' stay strings. */
            if (st->seen_uint && (st->seen_sint || st->seen_null))
                return (pandas_type){TKA_COLUMN_OBJECT, PF_OBJ_RAW};
            if (st->seen_sint)
                return (pandas_type){TKA_COLUMN_OBJECT, PF_OBJ_STR};
            return (pandas_type){TKA_COLUMN_UINT64, PF_PLAIN};
        }
        /* invalid text for uint64: on to float64 */
    }
    if (!st->float_fail)
        return (pandas_type){TKA_COLUMN_FLOAT64, PF_PLAIN};
    if (!st->bool_fail)
        /* NaN in a bool column upcasts it to object (True / False / NaN) */
        return st->na ? (pandas_type){TKA_COLUMN_OBJECT, PF_OBJ_BOOL}
                      : (pandas_type){TKA_COLUMN_BOOL, PF_PLAIN};
    return (pandas_type){TKA_COLUMN_OBJECT, PF_OBJ_STR};
}

tka_column_dtype pandas_merge_dtype(tka_column_dtype a, tka_column_dtype b)
{
    if (a == b)
        return a;
    if (a == TKA_COLUMN_OBJECT || b == TKA_COLUMN_OBJECT)
        return TKA_COLUMN_OBJECT;
    if (a == TKA_COLUMN_BOOL)
        return b;
    if (b == TKA_COLUMN_BOOL)
        return a;
    /* int64 + uint64, or either with float64 */
    return TKA_COLUMN_FLOAT64;
}

void pandas_convert(pandas_type t, const char *s, size_t len, tka_value *v)
{
    pandas_convert_na(t, s, len, pandas_is_na(s, len), v);
}

void pandas_convert_na(pandas_type t, const char *s, size_t len, bool is_na, tka_value *v)
{
    bool na = t.flavor != PF_OBJ_RAW && is_na;
    if (na) {
        v->kind = TKA_VALUE_NAN;
        v->f = NAN;
        return;
    }
    bool neg;
    switch (t.dtype) {
    case TKA_COLUMN_INT64:
        v->kind = TKA_VALUE_INT;
        pandas_parse_int64(s, len, &v->i);
        return;
    case TKA_COLUMN_UINT64:
        v->kind = TKA_VALUE_UINT;
        pandas_parse_uint64(s, len, &v->u, &neg);
        return;
    case TKA_COLUMN_FLOAT64:
        v->kind = TKA_VALUE_FLOAT;
        if (t.flavor == PF_FLOAT_FROM_INT) {
            int64_t i = 0;
            pandas_parse_int64(s, len, &i);
            v->f = (double)i;
            /* COMPAT: pandas marks NaN in its int64 buffer with INT64_MIN and
             * upcasts with astype(float) then putmask(arr == INT64_MIN, nan):
             * every value that rounds to -2^63 as a double (-9223372036854775808
             * up to about -9223372036854775296) becomes NaN too. */
            if (v->f == (double)INT64_MIN) {
                v->kind = TKA_VALUE_NAN;
                v->f = NAN;
            }
        } else {
            pandas_parse_double(s, len, &v->f);
        }
        return;
    case TKA_COLUMN_BOOL:
        v->kind = TKA_VALUE_BOOL;
        v->b = pandas_parse_bool(s, len) == 1;
        return;
    case TKA_COLUMN_OBJECT:
        if (t.flavor == PF_OBJ_BOOL) {
            v->kind = TKA_VALUE_BOOL;
            v->b = pandas_parse_bool(s, len) == 1;
        } else {
            v->kind = TKA_VALUE_STR;
        }
        return;
    }
}

void pandas_promote(tka_column_dtype column, tka_value *v)
{
    switch (column) {
    case TKA_COLUMN_FLOAT64:
        if (v->kind == TKA_VALUE_INT)
            v->f = (double)v->i;
        else if (v->kind == TKA_VALUE_UINT)
            v->f = (double)v->u;
        else if (v->kind == TKA_VALUE_BOOL)
            v->f = v->b ? 1. : 0.;
        else
            return;
        v->kind = TKA_VALUE_FLOAT;
        return;
    case TKA_COLUMN_INT64:
        if (v->kind == TKA_VALUE_BOOL) {
            v->kind = TKA_VALUE_INT;
            v->i = v->b;
        }
        return;
    case TKA_COLUMN_UINT64:
        if (v->kind == TKA_VALUE_BOOL) {
            v->kind = TKA_VALUE_UINT;
            v->u = v->b;
        }
        return;
    default: return; /* object keeps each chunk's Python objects; bool stays bool */
    }
}
