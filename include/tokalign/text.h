/* Text plumbing: growable byte buffers, UTF-8 validation and Python-style
 * replacement decoding. */
#ifndef TOKALIGN_TEXT_H
#define TOKALIGN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tokalign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growable byte buffer. Zero-initialise (`tka_buf b = {0};`) before use.
 * Ownership and threads: the caller's, freed with tka_buf_free; one thread
 * at a time. Functions that append to a tka_buf never free it. */
typedef struct tka_buf {
    char *data;
    size_t len;
    size_t cap;
} tka_buf;

TKA_API void tka_buf_free(tka_buf *buf);
/* Ensures room for `extra` more bytes plus a terminating NUL. */
TKA_API tka_status tka_buf_reserve(tka_buf *buf, size_t extra);
TKA_API tka_status tka_buf_append(tka_buf *buf, const void *data, size_t len);
TKA_API tka_status tka_buf_append_str(tka_buf *buf, const char *s);
TKA_API tka_status tka_buf_append_char(tka_buf *buf, char c);
TKA_API tka_status tka_buf_printf(tka_buf *buf, const char *fmt, ...) TKA_PRINTF(2, 3);
/* The buffer stays NUL-terminated after every successful append. */

/* True when s[0..len) is well-formed UTF-8 (no surrogates, no overlongs,
 * nothing above U+10FFFF) — the same set Python's strict decoder accepts.
 * On false, *bad_offset (if non-NULL) is the offset of the first byte of the
 * first ill-formed sequence. */
TKA_API bool tka_utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* The same, also counting the code points of the valid prefix (all of s, or
 * up to *bad_offset) in *chars: one pass where validating and counting
 * would take two. */
TKA_API bool tka_utf8_valid_count(const char *s, size_t len, size_t *bad_offset, size_t *chars);

/* Appends s decoded as Python's bytes.decode("utf-8", "replace") would and
 * re-encoded: every maximal ill-formed subsequence becomes one U+FFFD. */
TKA_API tka_status tka_utf8_append_replacing(tka_buf *out, const char *s, size_t len);

/* Number of code points in valid UTF-8. */
TKA_API size_t tka_utf8_count(const char *s, size_t len);

/* How a record with invalid UTF-8 is handled. */
typedef enum tka_utf8_errors {
    TKA_UTF8_STRICT = 0, /* error naming the record and byte offset */
    TKA_UTF8_REPLACE     /* U+FFFD, as Python's errors="replace" */
} tka_utf8_errors;

#ifdef __cplusplus
}
#endif
#endif
