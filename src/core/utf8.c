/* UTF-8 validation and replacement decoding with Python's exact rules. */
#include "core/utf8.h"

#include <string.h>

#include "tokalign/text.h"

/* Length of the well-formed sequence at s[i], or 0 if ill-formed. When
 * ill-formed, *maximal is the length of the maximal subpart (>= 1) that
 * Python's decoder replaces with a single U+FFFD (Unicode §3.9, "substitution
 * of maximal subparts"). */
static size_t utf8_sequence(const uint8_t *s, size_t len, size_t i, size_t *maximal)
{
    uint8_t b = s[i];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF) {
        need = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        if (b == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        if (b == 0xF0)
            lo = 0x90; /* overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        *maximal = 1;
        return 0;
    }
    size_t k = 1;
    for (; k < need; k++) {
        if (i + k >= len) {
            *maximal = k;
            return 0;
        }
        uint8_t c = s[i + k];
        uint8_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (c < l || c > h) {
            *maximal = k;
            return 0;
        }
    }
    return need;
}

/* Validation, counting code points when `chars` is not NULL. Inlined into
 * both entry points: the tokenizer validates every short text it gets, so
 * the plain check must not pay for the count. */
static inline bool utf8_scan(const char *text, size_t len, size_t *bad_offset, size_t *chars)
{
    const uint8_t *s = (const uint8_t *)text;
    const uint64_t high = UINT64_C(0x8080808080808080);
    size_t i = 0, n = 0;
    while (i < len) {
        /* ASCII fast path: 32 bytes at a time, then eight (one character
         * per byte). */
        size_t ascii_from = i;
        while (i + 32 <= len) {
            uint64_t w0, w1, w2, w3;
            memcpy(&w0, s + i, 8);
            memcpy(&w1, s + i + 8, 8);
            memcpy(&w2, s + i + 16, 8);
            memcpy(&w3, s + i + 24, 8);
            if ((w0 | w1 | w2 | w3) & high)
                break;
            i += 32;
        }
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & high)
                break;
            i += 8;
        }
        n += i - ascii_from;
        if (i >= len)
            break;
        if (s[i] < 0x80) {
            i++;
            n++;
            continue;
        }
        size_t maximal;
        size_t k = utf8_sequence(s, len, i, &maximal);
        if (k == 0) {
            if (bad_offset)
                *bad_offset = i;
            if (chars)
                *chars = n;
            return false;
        }
        i += k;
        n++;
    }
    if (bad_offset)
        *bad_offset = len;
    if (chars)
        *chars = n;
    return true;
}

bool tka_utf8_valid_count(const char *text, size_t len, size_t *bad_offset, size_t *chars)
{
    return utf8_scan(text, len, bad_offset, chars);
}

bool tka_utf8_valid(const char *text, size_t len, size_t *bad_offset)
{
    return utf8_scan(text, len, bad_offset, NULL);
}

tka_status tka_utf8_append_replacing(tka_buf *out, const char *text, size_t len)
{
    static const char replacement[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
    const uint8_t *s = (const uint8_t *)text;
    size_t i = 0, run = 0; /* s[run..i) is well-formed and not yet copied */
    while (i < len) {
        size_t maximal;
        size_t n = utf8_sequence(s, len, i, &maximal);
        if (n) {
            i += n;
            continue;
        }
        tka_status st = tka_buf_append(out, text + run, i - run);
        if (st == TKA_OK)
            st = tka_buf_append(out, replacement, sizeof replacement);
        if (st != TKA_OK)
            return st;
        i += maximal;
        run = i;
    }
    return tka_buf_append(out, text + run, len - run);
}

size_t tka_utf8_count(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((uint8_t)text[i] & 0xC0) != 0x80;
    return n;
}
