/* GPT-2's bytes_to_unicode map: each byte stands for one printable code point. */
#ifndef TKA_TOKENIZE_TJ_BYTELEVEL_H
#define TKA_TOKENIZE_TJ_BYTELEVEL_H

#include <stddef.h>
#include <stdint.h>

/* UTF-8 of the code point of each byte, NUL-padded (the table behind tj_bytelevel_char). */
extern const char tj_bytelevel_utf8[256][3];

/* UTF-8 of the code point that stands for byte b (GPT-2 bytes_to_unicode): at most 2 bytes.
 * Inline: the ByteLevel pre-tokenizer calls it on every byte. */
static inline const char *tj_bytelevel_char(uint8_t b, size_t *len)
{
    if (len)
        *len = tj_bytelevel_utf8[b][1] ? 2 : 1;
    return tj_bytelevel_utf8[b];
}
/* The byte a code point stands for, or -1 when it is not one of the 256. */
int tj_bytelevel_byte(uint32_t cp);

#endif
