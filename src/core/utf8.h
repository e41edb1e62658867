/* Internal inline UTF-8 decoding for text already known to be well-formed. */
#ifndef TKA_CORE_UTF8_H
#define TKA_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Python's str.isspace() for one code point: category Zs or bidirectional
 * class B, S or WS (what str.strip(), str.split() and int() skip). */
bool tka_py_isspace(int32_t cp);

/* Decodes the code point at s[*i] and advances *i. The input must be valid
 * UTF-8 (checked once at the API boundary), so no checks happen here. */
static inline int32_t tka_utf8_decode(const uint8_t *s, size_t *i)
{
    uint8_t b = s[*i];
    if (b < 0x80) {
        *i += 1;
        return b;
    }
    if (b < 0xE0) {
        int32_t cp = ((int32_t)(b & 0x1F) << 6) | (s[*i + 1] & 0x3F);
        *i += 2;
        return cp;
    }
    if (b < 0xF0) {
        int32_t cp =
            ((int32_t)(b & 0x0F) << 12) | ((int32_t)(s[*i + 1] & 0x3F) << 6) | (s[*i + 2] & 0x3F);
        *i += 3;
        return cp;
    }
    int32_t cp = ((int32_t)(b & 0x07) << 18) | ((int32_t)(s[*i + 1] & 0x3F) << 12) |
                 ((int32_t)(s[*i + 2] & 0x3F) << 6) | (s[*i + 3] & 0x3F);
    *i += 4;
    return cp;
}

/* Byte length of the sequence starting with lead byte b (valid UTF-8 only). */
static inline size_t tka_utf8_seq_len(uint8_t b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* Encodes cp (0..0x10FFFF) into out; returns the byte count (1..4). */
static inline size_t tka_utf8_encode(int32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

#endif
