/* Python's repr(float): the shortest decimal that round-trips, laid out as
 * CPython's float_repr_style 'short' does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/dump.h"

/* Adds `delta` (+1/-1) to the last digit of a digit string, with carry.
 * Returns false when the carry runs off the front (999 + 1), which never
 * yields a shorter candidate. */
static bool bump(char *digits, size_t n, int delta)
{
    for (size_t i = n; i-- > 0;) {
        int d = digits[i] - '0' + delta;
        if (d >= 0 && d <= 9) {
            digits[i] = (char)('0' + d);
            return !(i == 0 && d == 0);
        }
        digits[i] = delta > 0 ? '0' : '9';
    }
    return false;
}

static bool round_trips(const char *digits, size_t n, int exp10, double v)
{
    if (n == 0) /* no digits: cannot happen after %e, which prints one first */
        return false;
    char s[48];
    snprintf(s, sizeof s, "%c.%.*se%d", digits[0], (int)(n - 1), digits + 1, exp10);
    return strtod(s, NULL) == v;
}

/* Shortest digits d1..dn and decimal exponent (value = d1.d2..dn * 10^exp)
 * of a finite, non-zero, positive v. glibc's printf is correctly rounded,
 * so %.{p-1}e gives the p-digit decimal nearest to v; when that one does
 * not round-trip, a p-digit neighbour still might (the rounding interval
 * is asymmetric at powers of two), and Python's dtoa would find it. */
static size_t shortest(double v, char *digits, int *exp10)
{
    char s[48];
    for (int p = 1; p <= 17; p++) {
        snprintf(s, sizeof s, "%.*e", p - 1, v);
        size_t n = 0;
        for (const char *c = s; *c && *c != 'e'; c++)
            if (*c >= '0' && *c <= '9')
                digits[n++] = *c;
        int e = (int)strtol(strchr(s, 'e') + 1, NULL, 10);
        if (round_trips(digits, n, e, v)) {
            *exp10 = e;
            return n;
        }
        if (p == 17)
            break;
        /* Only the neighbour on the far side of v can round-trip when the
         * nearest does not. */
        for (int delta = -1; delta <= 1; delta += 2) {
            char cand[20];
            memcpy(cand, digits, n);
            if (bump(cand, n, delta) && round_trips(cand, n, e, v)) {
                memcpy(digits, cand, n);
                *exp10 = e;
                return n;
            }
        }
    }
    /* 17 digits always round-trip */
    snprintf(s, sizeof s, "%.16e", v);
    size_t n = 0;
    for (const char *c = s; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            digits[n++] = *c;
    *exp10 = (int)strtol(strchr(s, 'e') + 1, NULL, 10);
    return n;
}

size_t tka_pyfloat_repr(double v, char *buf)
{
    if (isnan(v))
        return (size_t)snprintf(buf, TKA_PYFLOAT_MAX, "nan");
    if (isinf(v))
        return (size_t)snprintf(buf, TKA_PYFLOAT_MAX, v < 0 ? "-inf" : "inf");
    size_t o = 0;
    if (signbit(v)) {
        buf[o++] = '-';
        v = -v;
    }
    if (v == 0) {
        memcpy(buf + o, "0.0", 4);
        return o + 3;
    }
    char d[20];
    int e;
    size_t n = shortest(v, d, &e);
    while (n > 1 && d[n - 1] == '0') /* trailing zeros are not significant */
        n--;
    if (e >= -4 && e < 16) {
        if (e < 0) {
            buf[o++] = '0';
            buf[o++] = '.';
            for (int i = -1; i > e; i--)
                buf[o++] = '0';
            memcpy(buf + o, d, n);
            o += n;
        } else {
            size_t int_digits = (size_t)e + 1;
            for (size_t i = 0; i < int_digits; i++)
                buf[o++] = i < n ? d[i] : '0';
            buf[o++] = '.';
            if (n > int_digits) {
                memcpy(buf + o, d + int_digits, n - int_digits);
                o += n - int_digits;
            } else {
                buf[o++] = '0';
            }
        }
    } else {
        buf[o++] = d[0];
        if (n > 1) {
            buf[o++] = '.';
            memcpy(buf + o, d + 1, n - 1);
            o += n - 1;
        }
        o += (size_t)snprintf(buf + o, TKA_PYFLOAT_MAX - o, "e%c%02d", e < 0 ? '-' : '+',
                              e < 0 ? -e : e);
    }
    buf[o] = '\0';
    return o;
}
