/* dtypes, half-precision conversions and the conversions between an
 * array's in-file layout (byte order, Fortran order) and native C order. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dump/dump_internal.h"

static const struct {
    const char *name;
    const char *typestr;
    size_t size;
} dtypes[TKA_DTYPE_COUNT] = {
    [TKA_DTYPE_BOOL] = {"bool", "b1", 1},       [TKA_DTYPE_INT8] = {"int8", "i1", 1},
    [TKA_DTYPE_INT16] = {"int16", "i2", 2},     [TKA_DTYPE_INT32] = {"int32", "i4", 4},
    [TKA_DTYPE_INT64] = {"int64", "i8", 8},     [TKA_DTYPE_UINT8] = {"uint8", "u1", 1},
    [TKA_DTYPE_UINT16] = {"uint16", "u2", 2},   [TKA_DTYPE_UINT32] = {"uint32", "u4", 4},
    [TKA_DTYPE_UINT64] = {"uint64", "u8", 8},   [TKA_DTYPE_FLOAT16] = {"float16", "f2", 2},
    [TKA_DTYPE_FLOAT32] = {"float32", "f4", 4}, [TKA_DTYPE_FLOAT64] = {"float64", "f8", 8},
};

const char *tka_dtype_name(tka_dtype dtype)
{
    return (unsigned)dtype < TKA_DTYPE_COUNT ? dtypes[dtype].name : "?";
}

size_t tka_dtype_size(tka_dtype dtype)
{
    return (unsigned)dtype < TKA_DTYPE_COUNT ? dtypes[dtype].size : 0;
}

bool tka_dtype_from_name(const char *name, tka_dtype *out)
{
    for (int i = 0; i < TKA_DTYPE_COUNT; i++)
        if (strcmp(name, dtypes[i].name) == 0) {
            *out = (tka_dtype)i;
            return true;
        }
    return false;
}

const char *dump_typestr(tka_dtype dtype)
{
    return dtypes[dtype].typestr;
}

bool dump_dtype_from_typestr(const char *s, size_t len, tka_dtype *out)
{
    for (int i = 0; i < TKA_DTYPE_COUNT; i++)
        if (len == 2 && memcmp(s, dtypes[i].typestr, 2) == 0) {
            *out = (tka_dtype)i;
            return true;
        }
    return false;
}

char dump_order_char(const tka_array *array)
{
    if (dtypes[array->dtype].size == 1)
        return '|';
    return (array->layout & TKA_ARRAY_BIG_ENDIAN) ? '>' : '<';
}

size_t tka_array_count(const tka_array *array)
{
    size_t n = 1;
    for (unsigned i = 0; i < array->ndim; i++)
        n *= (size_t)array->shape[i];
    return n;
}

bool dump_checked_count(const int64_t *shape, unsigned ndim, size_t itemsize, size_t *count)
{
    size_t n = 1;
    bool zero = false;
    for (unsigned i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return false;
        if (shape[i] == 0)
            zero = true;
    }
    /* COMPAT: numpy's PyArray_NewFromDescr (which np.load reaches through
     * reshape) multiplies itemsize by every axis but those of 0 and refuses
     * an intp overflow, so (2**60, 0) of 8-byte items is refused while an
     * axis of 0 still makes the element count 0. */
    size_t limit = (size_t)PTRDIFF_MAX < SIZE_MAX ? (size_t)PTRDIFF_MAX : SIZE_MAX;
    for (unsigned i = 0; i < ndim; i++) {
        uint64_t d = (uint64_t)shape[i];
        if (d && n > (limit / itemsize) / d)
            return false;
        if (d)
            n *= (size_t)d;
    }
    *count = zero ? 0 : n;
    return true;
}

bool dump_is_fortran(const tka_array *array)
{
    if (!(array->layout & TKA_ARRAY_FORTRAN))
        return false;
    unsigned big = 0;
    for (unsigned i = 0; i < array->ndim; i++) {
        if (array->shape[i] == 0)
            return false; /* empty arrays are both C- and F-contiguous */
        if (array->shape[i] > 1)
            big++;
    }
    return big >= 2;
}

bool dump_layout_is_native(const tka_array *array)
{
    bool swap = (array->layout & TKA_ARRAY_BIG_ENDIAN) && dtypes[array->dtype].size > 1;
    return !swap && !dump_is_fortran(array);
}

static void swap_bytes(unsigned char *p, size_t size)
{
    for (size_t i = 0; i < size / 2; i++) {
        unsigned char t = p[i];
        p[i] = p[size - 1 - i];
        p[size - 1 - i] = t;
    }
}

/* Walks the elements in C order and yields, for each, its Fortran-order
 * position: the odometer runs over the C index, the F offset follows. */
static void permute(unsigned char *dst, const unsigned char *src, size_t size, unsigned ndim,
                    const int64_t *shape, bool to_fortran)
{
    size_t count = 1;
    for (unsigned i = 0; i < ndim; i++)
        count *= (size_t)shape[i];
    if (count == 0)
        return;
    size_t fstride[TKA_NDIM_MAX];
    int64_t idx[TKA_NDIM_MAX] = {0};
    size_t s = 1;
    for (unsigned i = 0; i < ndim; i++) {
        fstride[i] = s;
        s *= (size_t)shape[i];
    }
    size_t f = 0;
    for (size_t c = 0; c < count; c++) {
        if (to_fortran)
            memcpy(dst + f * size, src + c * size, size);
        else
            memcpy(dst + c * size, src + f * size, size);
        for (unsigned ax = ndim; ax-- > 0;) {
            if (++idx[ax] < shape[ax]) {
                f += fstride[ax];
                break;
            }
            f -= fstride[ax] * (size_t)(shape[ax] - 1);
            idx[ax] = 0;
        }
    }
}

void dump_to_native(void *dst, const void *src, tka_dtype dtype, unsigned ndim,
                    const int64_t *shape, bool big_endian, bool fortran)
{
    size_t size = dtypes[dtype].size, count = 1;
    for (unsigned i = 0; i < ndim; i++)
        count *= (size_t)shape[i];
    if (fortran && ndim >= 2)
        permute(dst, src, size, ndim, shape, false);
    else if (count)
        memcpy(dst, src, count * size);
    if (big_endian && size > 1)
        for (size_t i = 0; i < count; i++)
            swap_bytes((unsigned char *)dst + i * size, size);
}

void dump_from_native(void *dst, const tka_array *array)
{
    size_t size = dtypes[array->dtype].size, count = tka_array_count(array);
    if (dump_is_fortran(array))
        permute(dst, array->data, size, array->ndim, array->shape, true);
    else if (count)
        memcpy(dst, array->data, count * size);
    if ((array->layout & TKA_ARRAY_BIG_ENDIAN) && size > 1)
        for (size_t i = 0; i < count; i++)
            swap_bytes((unsigned char *)dst + i * size, size);
}

/* ------------------------------------------------------------ half floats */

float tka_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
    float v;
    if (exp == 0)
        v = ldexpf((float)mant, -24); /* zero or subnormal: exact */
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexpf((float)(mant | 0x400u), (int)exp - 25);
    if (sign)
        v = -v;
    if (exp == 31 && mant) {
        /* keep the payload like numpy's bit-level conversion */
        uint32_t bits = sign | 0x7f800000u | (mant << 13);
        memcpy(&v, &bits, sizeof v);
    }
    return v;
}

/* Rounds |v| (finite, double) to the nearest half, ties to even, by
 * scaling so the half's last mantissa bit has weight 1 and using rint in
 * the default rounding mode. Every half value and every halfway point is
 * exact in double, so the single rounding step is correct. */
uint16_t tka_double_to_half(double v)
{
    uint16_t sign = signbit(v) ? 0x8000u : 0;
    double a = fabs(v);
    if (isnan(v)) {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        uint16_t m = (uint16_t)((bits >> 42) & 0x3ffu);
        return (uint16_t)(sign | 0x7c00u | (m ? m : 0x200u));
    }
    if (a >= 65520.0) /* 65504 + half an ulp rounds to infinity */
        return (uint16_t)(sign | 0x7c00u);
    int e;
    frexp(a, &e);   /* a = f * 2^e, f in [0.5, 1) */
    int q = e - 11; /* weight of the last mantissa bit for normal halves */
    if (q < -24)
        q = -24; /* subnormals: fixed weight 2^-24 */
    double m = rint(ldexp(a, -q));
    /* m may have rounded up to 2^11, which is still representable below */
    uint64_t mi = (uint64_t)m;
    if (mi == 0)
        return sign;
    int exp = q + 25; /* biased exponent if mi in [2^10, 2^11) */
    if (mi >= 2048) {
        mi >>= 1;
        exp++;
    }
    if (mi < 1024) /* subnormal */
        return (uint16_t)(sign | mi);
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00u);
    return (uint16_t)(sign | ((unsigned)exp << 10) | (mi & 0x3ffu));
}

uint16_t tka_float_to_half(float v)
{
    /* float -> double is exact, so rounding the double once is the same as
     * rounding the float. */
    return tka_double_to_half((double)v);
}
