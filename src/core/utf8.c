/* UTF-8 validation and replacement decoding with Python's exact rules. */
#include "core/utf8.h"

#include <string.h>
#include <utf8proc.h>

#include "tokalign/text.h"
#include "core/try.h"

bool tka_py_isspace(int32_t cp)
{
    if (cp < 128)
        return cp == ' ' || (cp >= '\t' && cp <= '\r') || (cp >= 0x1c && cp <= 0x1f);
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    return p->category == UTF8PROC_CATEGORY_ZS || p->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
           p->bidi_class == UTF8PROC_BIDI_CLASS_B || p->bidi_class == UTF8PROC_BIDI_CLASS_S;
}

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

/* The reference rule, sequence by sequence from s[i], counting code points
 * into *n. The fast loop below hands over to it where its checks reject a
 * sequence, so the verdict and the offset of the first ill-formed sequence
 * are always this rule's. */
static bool valid_from(const uint8_t *s, size_t len, size_t i, size_t *bad_offset, size_t *n)
{
    while (i < len) {
        size_t maximal;
        size_t k = utf8_sequence(s, len, i, &maximal);
        if (k == 0) {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        i += k;
        (*n)++;
    }
    if (bad_offset)
        *bad_offset = len;
    return true;
}

/* Validation, counting code points when `chars` is not NULL. Inlined into
 * both entry points: the tokenizer validates every short text it gets, so
 * the plain check must not pay for the count. */
static inline bool utf8_scan(const char *text, size_t len, size_t *bad_offset, size_t *chars)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t i = 0, n = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            /* ASCII run: 16 bytes at a time (memcpy: no unaligned or
             * aliasing access), then byte by byte up to its end; one code
             * point per byte. */
            size_t from = i;
            while (len - i >= 16) {
                uint64_t a, b;
                memcpy(&a, s + i, 8);
                memcpy(&b, s + i + 8, 8);
                if ((a | b) & UINT64_C(0x8080808080808080))
                    break;
                i += 16;
            }
            while (i < len && s[i] < 0x80)
                i++;
            n += i - from;
            continue;
        }
        /* Non-ASCII run (CJK text is mostly 3-byte sequences back to back):
         * stay in this loop instead of retrying the ASCII path per
         * character. Each branch accepts exactly the well-formed sequences
         * utf8_sequence accepts for its lead byte: the lead fixes the length
         * and the range of the second byte (E0: no overlongs, ED: no
         * surrogates, F0: no overlongs, F4: nothing above U+10FFFF); later
         * bytes are plain continuation bytes. Anything else goes to the
         * reference rule. */
        do {
            uint8_t b = s[i];
            size_t left = len - i;
            if (b >= 0xE0) {
                if (b <= 0xEF && left >= 3) {
                    uint8_t lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
                    if (s[i + 1] >= lo && s[i + 1] <= hi && (s[i + 2] & 0xC0) == 0x80) {
                        i += 3;
                        n++;
                        continue;
                    }
                } else if (b >= 0xF0 && b <= 0xF4 && left >= 4) {
                    uint8_t lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
                    if (s[i + 1] >= lo && s[i + 1] <= hi && (s[i + 2] & 0xC0) == 0x80 &&
                        (s[i + 3] & 0xC0) == 0x80) {
                        i += 4;
                        n++;
                        continue;
                    }
                }
            } else if (b >= 0xC2 && left >= 2 && (s[i + 1] & 0xC0) == 0x80) {
                i += 2;
                n++;
                continue;
            }
            bool ok = valid_from(s, len, i, bad_offset, &n);
            if (chars)
                *chars = n;
            return ok;
        } while (i < len && s[i] >= 0x80);
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
        TKA_TRY(tka_buf_append(out, text + run, i - run));
        TKA_TRY(tka_buf_append(out, replacement, sizeof replacement));
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
