/* GPT-2's bytes_to_unicode map in both directions, in closed form. */
#include "tokenize/tj_bytelevel.h"

/* COMPAT: GPT-2 (and the Rust tokenizers' bytes_char) keep the printable bytes '!'..'~',
 * U+00A1..U+00AC and U+00AE..U+00FF as themselves and give the 68 others, in byte order,
 * the code points 256, 257, ...: 0x00..0x20 -> 256..288, 0x7F..0xA0 -> 289..322,
 * 0xAD -> 323. */
#define TJ_BL_CP(b)                                    \
    ((b) <= 0x20                    ? 256 + (b)        \
     : ((b) >= 0x7F && (b) <= 0xA0) ? 289 + ((b)-0x7F) \
     : (b) == 0xAD                  ? 323              \
                                    : (b))
/* Every code point is below 0x800, so its UTF-8 has one or two bytes (+ NUL). */
#define TJ_BL_U8(b)                                                           \
    {                                                                         \
        (char)(TJ_BL_CP(b) < 0x80 ? TJ_BL_CP(b) : 0xC0 | (TJ_BL_CP(b) >> 6)), \
            (char)(TJ_BL_CP(b) < 0x80 ? 0 : 0x80 | (TJ_BL_CP(b) & 0x3F)), 0   \
    }
#define TJ_BL_4(b) TJ_BL_U8(b), TJ_BL_U8((b) + 1), TJ_BL_U8((b) + 2), TJ_BL_U8((b) + 3)
#define TJ_BL_16(b) TJ_BL_4(b), TJ_BL_4((b) + 4), TJ_BL_4((b) + 8), TJ_BL_4((b) + 12)
#define TJ_BL_64(b) TJ_BL_16(b), TJ_BL_16((b) + 16), TJ_BL_16((b) + 32), TJ_BL_16((b) + 48)

const char tj_bytelevel_utf8[256][3] = {TJ_BL_64(0), TJ_BL_64(64), TJ_BL_64(128), TJ_BL_64(192)};

int tj_bytelevel_byte(uint32_t cp)
{
    if (cp < 256) {
        if (cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD)
            return -1;
        return (int)cp;
    }
    if (cp <= 288)
        return (int)(cp - 256);
    if (cp <= 322)
        return (int)(cp - 289 + 0x7F);
    if (cp == 323)
        return 0xAD;
    return -1;
}
