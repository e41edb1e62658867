/* compare_info: |a - b| per key with numpy 1.x semantics (value-based type
 * promotion, broadcasting, integer wrap-around) and numpy's min/max/mean. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump_internal.h"
#include "tokalign/diff.h"

/* COMPAT: the line reprod_log's compare_info prints before comparing a.T. */
#define REPROD_TRANSPOSE_LINE "transpose sub_data1\n"

struct tka_diff {
    tka_key_diff *keys;
    size_t count;
};

/* ---------------------------------------------------------- promotion */

static bool is_signed(tka_dtype t)
{
    return t >= TKA_DTYPE_INT8 && t <= TKA_DTYPE_INT64;
}

static bool is_unsigned(tka_dtype t)
{
    return t >= TKA_DTYPE_UINT8 && t <= TKA_DTYPE_UINT64;
}

static bool is_float(tka_dtype t)
{
    return t >= TKA_DTYPE_FLOAT16;
}

/* numpy's simplified kind ordering: bool < integers < floats */
static int kind_rank(tka_dtype t)
{
    return t == TKA_DTYPE_BOOL ? 0 : is_float(t) ? 2 : 1;
}

static tka_dtype signed_of_size(size_t size)
{
    return size == 1   ? TKA_DTYPE_INT8
           : size == 2 ? TKA_DTYPE_INT16
           : size == 4 ? TKA_DTYPE_INT32
                       : TKA_DTYPE_INT64;
}

static tka_dtype float_of_size(size_t size)
{
    return size <= 2 ? TKA_DTYPE_FLOAT16 : size == 4 ? TKA_DTYPE_FLOAT32 : TKA_DTYPE_FLOAT64;
}

/* numpy.promote_types for the numeric dtypes. */
static tka_dtype promote_types(tka_dtype x, tka_dtype y)
{
    if (x == y)
        return x;
    if (x == TKA_DTYPE_BOOL)
        return y;
    if (y == TKA_DTYPE_BOOL)
        return x;
    size_t sx = tka_dtype_size(x), sy = tka_dtype_size(y);
    if (is_float(x) || is_float(y)) {
        /* the smallest float holding the integer: 1 byte -> f2, 2 -> f4, 4/8 -> f8 */
        size_t fx = is_float(x) ? sx : sx == 1 ? 2 : sx == 2 ? 4 : 8;
        size_t fy = is_float(y) ? sy : sy == 1 ? 2 : sy == 2 ? 4 : 8;
        return float_of_size(fx > fy ? fx : fy);
    }
    if (is_signed(x) == is_signed(y))
        return sx > sy ? x : y;
    size_t ss = is_signed(x) ? sx : sy, us = is_signed(x) ? sy : sx;
    if (ss > us)
        return signed_of_size(ss);
    return us == 8 ? TKA_DTYPE_FLOAT64
                   : signed_of_size(2 * us); /* COMPAT: uint64 & int -> float64 */
}

/* numpy 1.x's min_scalar_type of a 0-d array's value, with the "small
 * unsigned" flag: a non-negative value that also fits the signed type of
 * the same size. */
static tka_dtype min_scalar_type(const tka_array *a, bool *small_unsigned)
{
    *small_unsigned = false;
    const void *p = a->data;
    if (a->dtype == TKA_DTYPE_BOOL)
        return TKA_DTYPE_BOOL;
    if (is_float(a->dtype)) {
        double v = a->dtype == TKA_DTYPE_FLOAT16   ? tka_half_to_float(*(const uint16_t *)p)
                   : a->dtype == TKA_DTYPE_FLOAT32 ? *(const float *)p
                                                   : *(const double *)p;
        if (a->dtype == TKA_DTYPE_FLOAT16)
            return TKA_DTYPE_FLOAT16;
        if (!isfinite(v) || (v > -65000 && v < 65000))
            return TKA_DTYPE_FLOAT16;
        if (a->dtype == TKA_DTYPE_FLOAT64 && v > -3.4e38 && v < 3.4e38)
            return TKA_DTYPE_FLOAT32;
        return a->dtype;
    }
    uint64_t u;
    int64_t s;
    bool neg = false;
    switch (a->dtype) {
    case TKA_DTYPE_INT8: s = (int64_t)(*(const int8_t *)p); break; /* sign-extended */
    case TKA_DTYPE_INT16: s = *(const int16_t *)p; break;
    case TKA_DTYPE_INT32: s = *(const int32_t *)p; break;
    case TKA_DTYPE_INT64: s = *(const int64_t *)p; break;
    case TKA_DTYPE_UINT8: u = *(const uint8_t *)p; goto unsigned_value;
    case TKA_DTYPE_UINT16: u = *(const uint16_t *)p; goto unsigned_value;
    case TKA_DTYPE_UINT32: u = *(const uint32_t *)p; goto unsigned_value;
    default: u = *(const uint64_t *)p; goto unsigned_value;
    }
    neg = s < 0;
    if (neg) {
        if (s >= INT8_MIN)
            return TKA_DTYPE_INT8;
        if (s >= INT16_MIN)
            return TKA_DTYPE_INT16;
        if (s >= INT32_MIN)
            return TKA_DTYPE_INT32;
        return TKA_DTYPE_INT64;
    }
    u = (uint64_t)s;
unsigned_value:
    if (u <= UINT8_MAX) {
        *small_unsigned = u <= INT8_MAX;
        return TKA_DTYPE_UINT8;
    }
    if (u <= UINT16_MAX) {
        *small_unsigned = u <= INT16_MAX;
        return TKA_DTYPE_UINT16;
    }
    if (u <= UINT32_MAX) {
        *small_unsigned = u <= INT32_MAX;
        return TKA_DTYPE_UINT32;
    }
    *small_unsigned = u <= INT64_MAX;
    return TKA_DTYPE_UINT64;
}

/* COMPAT: numpy 1.x (before NEP 50) result_type of `a - b`: when exactly
 * one operand is 0-d and its kind does not exceed the other's, the 0-d
 * operand takes part through the smallest type holding its value. */
static tka_dtype result_type(const tka_array *a, const tka_array *b)
{
    if ((a->ndim == 0) == (b->ndim == 0))
        return promote_types(a->dtype, b->dtype);
    const tka_array *scalar = a->ndim == 0 ? a : b, *array = a->ndim == 0 ? b : a;
    if (kind_rank(scalar->dtype) > kind_rank(array->dtype))
        return promote_types(a->dtype, b->dtype);
    bool small;
    tka_dtype m = min_scalar_type(scalar, &small);
    if (small && (is_signed(array->dtype) || is_float(array->dtype)))
        m = signed_of_size(tka_dtype_size(m));
    return promote_types(array->dtype, m);
}

/* ---------------------------------------------------------- elements */

static int64_t load_int(const void *base, size_t i, tka_dtype t)
{
    switch (t) {
    case TKA_DTYPE_BOOL: return ((const uint8_t *)base)[i] != 0;
    case TKA_DTYPE_INT8: return ((const int8_t *)base)[i];
    case TKA_DTYPE_INT16: return ((const int16_t *)base)[i];
    case TKA_DTYPE_INT32: return ((const int32_t *)base)[i];
    case TKA_DTYPE_INT64: return ((const int64_t *)base)[i];
    case TKA_DTYPE_UINT8: return ((const uint8_t *)base)[i];
    case TKA_DTYPE_UINT16: return ((const uint16_t *)base)[i];
    case TKA_DTYPE_UINT32: return ((const uint32_t *)base)[i];
    case TKA_DTYPE_UINT64: return (int64_t)((const uint64_t *)base)[i];
    default: return 0;
    }
}

static double load_double(const void *base, size_t i, tka_dtype t)
{
    switch (t) {
    case TKA_DTYPE_FLOAT16: return tka_half_to_float(((const uint16_t *)base)[i]);
    case TKA_DTYPE_FLOAT32: return ((const float *)base)[i];
    case TKA_DTYPE_FLOAT64: return ((const double *)base)[i];
    case TKA_DTYPE_UINT64: return (double)((const uint64_t *)base)[i];
    default: return (double)load_int(base, i, t);
    }
}

/* Element i cast to float32 as numpy's casts do it (C conversions: each
 * source type converts directly, never through double). With value-based
 * promotion a float64 or 64-bit integer 0-d operand can meet a float32 array. */
static float load_float(const void *base, size_t i, tka_dtype t)
{
    switch (t) {
    case TKA_DTYPE_FLOAT16: return tka_half_to_float(((const uint16_t *)base)[i]);
    case TKA_DTYPE_FLOAT32: return ((const float *)base)[i];
    case TKA_DTYPE_FLOAT64: return (float)((const double *)base)[i];
    case TKA_DTYPE_UINT64: return (float)((const uint64_t *)base)[i];
    default: return (float)load_int(base, i, t);
    }
}

/* Element i cast to float16: numpy converts double and float directly to
 * half, integers through float. */
static uint16_t load_half(const void *base, size_t i, tka_dtype t)
{
    switch (t) {
    case TKA_DTYPE_FLOAT16: return ((const uint16_t *)base)[i];
    case TKA_DTYPE_FLOAT64: return tka_double_to_half(((const double *)base)[i]);
    default: return tka_float_to_half(load_float(base, i, t));
    }
}

static tka_scalar scalar_at(const tka_array *a, size_t i)
{
    tka_scalar s = {.dtype = a->dtype};
    if (is_float(a->dtype))
        s.v.f = load_double(a->data, i, a->dtype);
    else if (is_signed(a->dtype))
        s.v.i = load_int(a->data, i, a->dtype);
    else
        s.v.u = (uint64_t)load_int(a->data, i, a->dtype);
    return s;
}

void dump_scalar_at(const tka_array *a, size_t i, tka_scalar *out)
{
    *out = scalar_at(a, i);
}

double tka_scalar_to_double(const tka_scalar *s)
{
    if (is_float(s->dtype))
        return s->v.f;
    if (is_signed(s->dtype))
        return (double)s->v.i;
    return (double)s->v.u;
}

size_t tka_scalar_format(const tka_scalar *s, char *buf)
{
    if (is_float(s->dtype))
        return tka_pyfloat_repr(s->v.f, buf);
    if (is_signed(s->dtype))
        return (size_t)snprintf(buf, TKA_PYFLOAT_MAX, "%lld", (long long)s->v.i);
    if (s->dtype == TKA_DTYPE_BOOL)
        return (size_t)snprintf(buf, TKA_PYFLOAT_MAX, "%s", s->v.u ? "True" : "False");
    return (size_t)snprintf(buf, TKA_PYFLOAT_MAX, "%llu", (unsigned long long)s->v.u);
}

/* ---------------------------------------------------------- numpy's sums */

/* COMPAT: numpy's pairwise summation (umath loops, PW_BLOCKSIZE 128) —
 * the order of additions decides the rounding of the mean. */
#define PAIRWISE(NAME, T)                                                              \
    static T NAME(const T *a, size_t n)                                                \
    {                                                                                  \
        if (n < 8) {                                                                   \
            T res = (T)-0.0;                                                           \
            for (size_t i = 0; i < n; i++)                                             \
                res += a[i];                                                           \
            return res;                                                                \
        }                                                                              \
        if (n <= 128) {                                                                \
            T r[8];                                                                    \
            for (int j = 0; j < 8; j++)                                                \
                r[j] = a[j];                                                           \
            size_t i;                                                                  \
            for (i = 8; i < n - (n % 8); i += 8)                                       \
                for (int j = 0; j < 8; j++)                                            \
                    r[j] += a[i + j];                                                  \
            T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])); \
            for (; i < n; i++)                                                         \
                res += a[i];                                                           \
            return res;                                                                \
        }                                                                              \
        size_t n2 = n / 2;                                                             \
        n2 -= n2 % 8;                                                                  \
        return NAME(a, n2) + NAME(a + n2, n - n2);                                     \
    }

PAIRWISE(pairwise_double, double)
PAIRWISE(pairwise_float, float)

/* COMPAT: numpy's reduction hands the inner loop buffers of 8192 elements
 * (NPY_BUFSIZE); each is summed pairwise and added to the accumulator. */
#define NPY_BUFSIZE 8192

/* Mean of `n` diff values held as `dt`-typed storage in `d` (int64 for
 * signed, uint64 for unsigned, float/double/uint16 for floats). */
static tka_scalar mean_of(const void *d, size_t n, tka_dtype dt)
{
    tka_scalar s = {.dtype = TKA_DTYPE_FLOAT64};
    if (dt == TKA_DTYPE_FLOAT32 || dt == TKA_DTYPE_FLOAT16) {
        float chunk[NPY_BUFSIZE];
        float acc = 0.0f;
        for (size_t at = 0; at < n; at += NPY_BUFSIZE) {
            size_t k = n - at < NPY_BUFSIZE ? n - at : NPY_BUFSIZE;
            const float *src;
            if (dt == TKA_DTYPE_FLOAT16) {
                for (size_t i = 0; i < k; i++)
                    chunk[i] = tka_half_to_float(((const uint16_t *)d)[at + i]);
                src = chunk;
            } else {
                src = (const float *)d + at;
            }
            acc += pairwise_float(src, k);
        }
        /* COMPAT: _mean divides the float32 sum by an intp count in
         * double, then casts back to the array's type. */
        double m = (double)acc / (double)n;
        s.dtype = dt;
        s.v.f = dt == TKA_DTYPE_FLOAT32 ? (double)(float)m
                                        : (double)tka_half_to_float(tka_double_to_half(m));
        return s;
    }
    double chunk[NPY_BUFSIZE];
    double acc = 0.0;
    for (size_t at = 0; at < n; at += NPY_BUFSIZE) {
        size_t k = n - at < NPY_BUFSIZE ? n - at : NPY_BUFSIZE;
        const double *src;
        if (dt == TKA_DTYPE_FLOAT64) {
            src = (const double *)d + at;
        } else {
            for (size_t i = 0; i < k; i++)
                chunk[i] = is_signed(dt) ? (double)((const int64_t *)d)[at + i]
                                         : (double)((const uint64_t *)d)[at + i];
            src = chunk;
        }
        acc += pairwise_double(src, k);
    }
    s.v.f = acc / (double)n;
    return s;
}

/* numpy's maximum/minimum reductions: NaN propagates. */
static void min_max(const void *d, size_t n, tka_dtype dt, tka_scalar *mn, tka_scalar *mx)
{
    mn->dtype = mx->dtype = dt;
    if (is_signed(dt)) {
        const int64_t *v = d;
        int64_t lo = v[0], hi = v[0];
        for (size_t i = 1; i < n; i++) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
        mn->v.i = lo;
        mx->v.i = hi;
    } else if (is_unsigned(dt)) {
        const uint64_t *v = d;
        uint64_t lo = v[0], hi = v[0];
        for (size_t i = 1; i < n; i++) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
        mn->v.u = lo;
        mx->v.u = hi;
    } else {
        double lo = 0, hi = 0;
        bool nan = false;
        for (size_t i = 0; i < n; i++) {
            double x = dt == TKA_DTYPE_FLOAT64   ? ((const double *)d)[i]
                       : dt == TKA_DTYPE_FLOAT32 ? ((const float *)d)[i]
                                                 : tka_half_to_float(((const uint16_t *)d)[i]);
            if (isnan(x))
                nan = true;
            if (i == 0 || x < lo)
                lo = x;
            if (i == 0 || x > hi)
                hi = x;
        }
        mn->v.f = nan ? NAN : lo;
        mx->v.f = nan ? NAN : hi;
    }
}

/* ---------------------------------------------------------- one key */

static size_t shape_text(char *buf, size_t cap, unsigned ndim, const int64_t *shape)
{
    /* numpy prints shapes in this message without spaces: (4,28) (4,) () */
    size_t o = (size_t)snprintf(buf, cap, "(");
    for (unsigned i = 0; i < ndim && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%lld", i ? "," : "", (long long)shape[i]);
    if (o < cap)
        o += (size_t)snprintf(buf + o, cap - o, ndim == 1 ? ",)" : ")");
    return o;
}

static int64_t sign_extend(uint64_t u, size_t bits)
{
    if (bits >= 64)
        return (int64_t)u;
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    u &= mask;
    return (u >> (bits - 1)) & 1 ? (int64_t)(u | ~mask) : (int64_t)u;
}

/* numpy's abs of a wrapped difference: abs(INT_MIN) stays INT_MIN. */
static inline int64_t wrap_abs64(uint64_t w)
{
    return (int64_t)(w >> 63 ? (uint64_t)0 - w : w);
}

static inline int64_t wrap_abs32(uint32_t w)
{
    return (int32_t)(w >> 31 ? 0u - w : w);
}

/* |a - b| for same-shaped, same-dtype operands of the common dtypes, in
 * flat order; fills d and the first-difference fields. False when the
 * dtype has no fast path (the generic loop then runs). */
static bool fast_same_type(const tka_array *a, const tka_array *b, tka_dtype rt, size_t count,
                           void *d, tka_key_diff *kd)
{
    size_t first = SIZE_MAX, n_differ = 0;
#define FAST_LOOP(T, STORE_T, DIFF)          \
    {                                        \
        const T *x = a->data, *y = b->data;  \
        for (size_t k = 0; k < count; k++) { \
            STORE_T v = DIFF;                \
            ((STORE_T *)d)[k] = v;           \
            if (!(v == 0)) {                 \
                if (first == SIZE_MAX)       \
                    first = k;               \
                n_differ++;                  \
            }                                \
        }                                    \
    }
    switch (rt) {
    case TKA_DTYPE_INT64:
        /* COMPAT: wraps like numpy (computed unsigned, abs of INT64_MIN stays) */
        FAST_LOOP(int64_t, int64_t, wrap_abs64((uint64_t)x[k] - (uint64_t)y[k]))
        break;
    case TKA_DTYPE_INT32:
        FAST_LOOP(int32_t, int64_t, wrap_abs32((uint32_t)x[k] - (uint32_t)y[k]))
        break;
    case TKA_DTYPE_FLOAT32: FAST_LOOP(float, float, fabsf(x[k] - y[k])) break;
    case TKA_DTYPE_FLOAT64: FAST_LOOP(double, double, fabs(x[k] - y[k])) break;
    default: return false;
    }
#undef FAST_LOOP
    kd->n_differ = n_differ;
    if (first != SIZE_MAX) {
        kd->first_flat = first;
        size_t rest = first;
        for (unsigned r = a->ndim; r-- > 0;) {
            kd->first_index[r] = (int64_t)(rest % (size_t)a->shape[r]);
            rest /= (size_t)a->shape[r];
        }
        kd->first_a = scalar_at(a, first);
        kd->first_b = scalar_at(b, first);
    }
    return true;
}

typedef struct operand {
    const tka_array *arr;
    int64_t shape[TKA_NDIM_MAX];  /* effective (transposed) shape */
    size_t stride[TKA_NDIM_MAX];  /* element strides of the effective shape */
    size_t bstride[TKA_NDIM_MAX]; /* strides along the broadcast result's axes */
} operand;

static void setup_operand(operand *op, const tka_array *a, bool transpose)
{
    op->arr = a;
    size_t c_stride[TKA_NDIM_MAX], s = 1;
    for (unsigned i = a->ndim; i-- > 0;) {
        c_stride[i] = s;
        s *= (size_t)a->shape[i];
    }
    for (unsigned i = 0; i < a->ndim; i++) {
        unsigned src = transpose ? a->ndim - 1 - i : i;
        op->shape[i] = a->shape[src];
        op->stride[i] = c_stride[src];
    }
}

tka_status dump_compare_key(const char *key, const tka_array *a, const tka_array *b,
                            tka_key_diff *kd, tka_buf *stdout_lines, tka_error *err)
{
    memset(kd, 0, sizeof *kd);
    kd->key = key;
    bool same = a->ndim == b->ndim;
    for (unsigned i = 0; same && i < a->ndim; i++)
        same = a->shape[i] == b->shape[i];
    bool transposed = !same && a->ndim == b->ndim;
    for (unsigned i = 0; transposed && i < a->ndim; i++)
        transposed = a->shape[a->ndim - 1 - i] == b->shape[i];
    if (transposed) { /* COMPAT: compare_info prints this and compares a.T */
        kd->transposed = true;
        if (stdout_lines && tka_buf_append_str(stdout_lines, REPROD_TRANSPOSE_LINE) != TKA_OK)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    tka_dtype rt = result_type(a, b);
    if (rt == TKA_DTYPE_BOOL)
        return tka_error_set(
            err, TKA_ERR_REFERENCE,
            "TypeError: numpy boolean subtract, the `-` operator, is not supported, "
            "use the bitwise_xor, the `^` operator, or the logical_xor function "
            "instead.");
    operand oa, ob;
    setup_operand(&oa, a, transposed);
    setup_operand(&ob, b, false);
    unsigned nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (unsigned r = 0; r < nd; r++) {
        int64_t da = r + a->ndim >= nd ? oa.shape[r + a->ndim - nd] : 1;
        int64_t db = r + b->ndim >= nd ? ob.shape[r + b->ndim - nd] : 1;
        if (da != db && da != 1 && db != 1) {
            char sa[400], sb[400];
            shape_text(sa, sizeof sa, a->ndim, a->shape);
            shape_text(sb, sizeof sb, b->ndim, b->shape);
            return tka_error_set(
                err, TKA_ERR_REFERENCE,
                "ValueError: operands could not be broadcast together with shapes %s %s ", sa, sb);
        }
        kd->shape[r] = da == 1 ? db : da;
        oa.bstride[r] = (r + a->ndim >= nd && da != 1) ? oa.stride[r + a->ndim - nd] : 0;
        ob.bstride[r] = (r + b->ndim >= nd && db != 1) ? ob.stride[r + b->ndim - nd] : 0;
    }
    kd->ndim = nd;
    kd->dtype = rt;
    size_t count = 1;
    for (unsigned r = 0; r < nd; r++) {
        if (kd->shape[r] && count > SIZE_MAX / 8 / (size_t)kd->shape[r])
            return tka_error_set(err, TKA_ERR_LIMIT, "'%s': broadcast result too large", key);
        count *= (size_t)kd->shape[r];
    }
    if (count == 0) /* mean would be nan with a RuntimeWarning; max raises */
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "ValueError: zero-size array to reduction operation maximum which has "
                             "no identity");
    size_t esize = rt == TKA_DTYPE_FLOAT16 ? 2 : rt == TKA_DTYPE_FLOAT32 ? 4 : 8;
    void *d = malloc(count * esize);
    if (!d)
        return tka_error_set(err, TKA_ERR_NOMEM, "'%s': out of memory for the diff", key);
    int64_t idx[TKA_NDIM_MAX] = {0};
    size_t ia = 0, ib = 0;
    size_t loop_n = count;
    if (same && a->dtype == b->dtype && fast_same_type(a, b, rt, count, d, kd))
        loop_n = 0; /* identical shapes and dtypes: the common case, done without the
                       per-element dtype dispatch and index bookkeeping below */
    size_t bits = tka_dtype_size(rt) * 8;
    const void *pa = a->data, *pb = b->data;
    bool first = true;
    for (size_t k = 0; k < loop_n; k++) {
        bool nz;
        switch (rt) {
        case TKA_DTYPE_FLOAT64: {
            double v = fabs(load_double(pa, ia, a->dtype) - load_double(pb, ib, b->dtype));
            ((double *)d)[k] = v;
            nz = !(v == 0); /* NaN counts as a difference */
            break;
        }
        case TKA_DTYPE_FLOAT32: {
            float v = fabsf(load_float(pa, ia, a->dtype) - load_float(pb, ib, b->dtype));
            ((float *)d)[k] = v;
            nz = !(v == 0); /* NaN counts as a difference */
            break;
        }
        case TKA_DTYPE_FLOAT16: {
            /* COMPAT: both operands are cast to half first, then numpy's half
             * subtraction computes in float and rounds back */
            uint16_t h = tka_float_to_half(tka_half_to_float(load_half(pa, ia, a->dtype)) -
                                           tka_half_to_float(load_half(pb, ib, b->dtype)));
            h &= 0x7fffu;
            ((uint16_t *)d)[k] = h;
            nz = h != 0;
            break;
        }
        default: {
            /* COMPAT: integer subtraction wraps in the result type, and so
             * does abs (abs(int8 -128) is -128). */
            uint64_t u =
                (uint64_t)load_int(pa, ia, a->dtype) - (uint64_t)load_int(pb, ib, b->dtype);
            if (bits < 64)
                u &= ((uint64_t)1 << bits) - 1;
            if (is_signed(rt)) {
                int64_t s = sign_extend(u, bits);
                if (s < 0)
                    s = sign_extend((uint64_t)0 - (uint64_t)s, bits);
                ((int64_t *)d)[k] = s;
                nz = s != 0;
            } else {
                ((uint64_t *)d)[k] = u;
                nz = u != 0;
            }
        }
        }
        if (nz) {
            if (first) {
                first = false;
                kd->first_flat = k;
                memcpy(kd->first_index, idx, sizeof idx);
                kd->first_a = scalar_at(a, ia);
                kd->first_b = scalar_at(b, ib);
            }
            kd->n_differ++;
        }
        for (unsigned r = nd; r-- > 0;) {
            if (++idx[r] < kd->shape[r]) {
                ia += oa.bstride[r];
                ib += ob.bstride[r];
                break;
            }
            ia -= oa.bstride[r] * (size_t)(kd->shape[r] - 1);
            ib -= ob.bstride[r] * (size_t)(kd->shape[r] - 1);
            idx[r] = 0;
        }
    }
    kd->stat[TKA_STAT_MEAN] = mean_of(d, count, rt);
    if (!is_float(rt))
        kd->stat[TKA_STAT_MEAN].dtype = TKA_DTYPE_FLOAT64;
    min_max(d, count, rt, &kd->stat[TKA_STAT_MIN], &kd->stat[TKA_STAT_MAX]);
    free(d);
    return TKA_OK;
}

static bool same_array(const tka_array *x, const tka_array *y)
{
    return x->data == y->data && x->dtype == y->dtype && x->ndim == y->ndim &&
           memcmp(x->shape, y->shape, x->ndim * sizeof *x->shape) == 0;
}

/* Keys whose arrays share their data on both sides (one memoised bytes
 * object under thousands of keys) have the same |a - b|: computed once,
 * found again through a table of (data a, data b) -> first key. Without
 * this, time would grow with the logical size of a crafted file rather
 * than with its size. */
typedef struct seen_pairs {
    size_t *slot; /* key index + 1, 0 = empty */
    size_t cap;   /* power of two */
} seen_pairs;

static size_t pair_hash(const void *x, const void *y)
{
    uint64_t h = (uint64_t)(uintptr_t)x * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)y;
    return (size_t)(h ^ h >> 29);
}

/* The earlier key with the same arrays, or SIZE_MAX (then key i is recorded). */
static size_t seen_find_or_add(seen_pairs *t, const tka_dict *a, const tka_dict *b, size_t i)
{
    const tka_array *x = tka_dict_at(a, i), *y = tka_dict_get(b, tka_dict_key(a, i));
    if (!t->slot || !x->data)
        return SIZE_MAX;
    for (size_t s = pair_hash(x->data, y->data) & (t->cap - 1);; s = (s + 1) & (t->cap - 1)) {
        if (!t->slot[s]) {
            t->slot[s] = i + 1;
            return SIZE_MAX;
        }
        size_t j = t->slot[s] - 1;
        const tka_array *xj = tka_dict_at(a, j), *yj = tka_dict_get(b, tka_dict_key(a, j));
        if (xj->data == x->data && yj->data == y->data)
            return same_array(xj, x) && same_array(yj, y) ? j : SIZE_MAX;
    }
}

tka_status tka_diff_compare(const tka_dict *a, const tka_dict *b, tka_diff **out,
                            tka_buf *stdout_lines, tka_error *err)
{
    *out = NULL;
    /* COMPAT: reprod_log checks the keys both ways before any arithmetic;
     * its messages do not name the key. */
    for (size_t i = 0; i < tka_dict_size(a); i++)
        if (tka_dict_find(b, tka_dict_key(a, i)) < 0)
            return tka_error_set(err, TKA_ERR_REFERENCE,
                                 "AssertionError: k in data1 but not found in data2");
    for (size_t i = 0; i < tka_dict_size(b); i++)
        if (tka_dict_find(a, tka_dict_key(b, i)) < 0)
            return tka_error_set(err, TKA_ERR_REFERENCE,
                                 "AssertionError: k in data2 but not found in data1");
    tka_diff *diff = calloc(1, sizeof *diff);
    size_t n = tka_dict_size(a);
    if (diff)
        diff->keys = calloc(n ? n : 1, sizeof *diff->keys);
    if (!diff || !diff->keys) {
        tka_diff_free(diff);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    seen_pairs seen = {NULL, 16};
    while (seen.cap < 2 * n)
        seen.cap *= 2;
    seen.slot = calloc(seen.cap, sizeof *seen.slot); /* NULL: no reuse, still correct */
    for (size_t i = 0; i < n; i++) {
        const char *key = tka_dict_key(a, i);
        size_t j = seen_find_or_add(&seen, a, b, i);
        tka_status st = TKA_OK;
        if (j != SIZE_MAX) {
            diff->keys[i] = diff->keys[j];
            diff->keys[i].key = key;
            if (diff->keys[i].transposed && stdout_lines &&
                tka_buf_append_str(stdout_lines, REPROD_TRANSPOSE_LINE) != TKA_OK)
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        } else {
            st = dump_compare_key(key, tka_dict_at(a, i), tka_dict_get(b, key), &diff->keys[i],
                                  stdout_lines, err);
        }
        if (st != TKA_OK) {
            free(seen.slot);
            tka_diff_free(diff);
            return st;
        }
        diff->count++;
    }
    free(seen.slot);
    *out = diff;
    return TKA_OK;
}

size_t tka_diff_count(const tka_diff *diff)
{
    return diff->count;
}

const tka_key_diff *tka_diff_at(const tka_diff *diff, size_t i)
{
    return i < diff->count ? &diff->keys[i] : NULL;
}

void tka_diff_free(tka_diff *diff)
{
    if (!diff)
        return;
    free(diff->keys);
    free(diff);
}
