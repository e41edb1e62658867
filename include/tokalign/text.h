/* Text plumbing: growable byte buffers, UTF-8 validation and Python-style
 * replacement decoding, and a line reader that splits like Python text mode. */
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

/* A growable byte buffer. Zero-initialise (`tka_buf b = {0};`) before use. */
typedef struct tka_buf {
    char *data;
    size_t len;
    size_t cap;
} tka_buf;

void tka_buf_free(tka_buf *buf);
/* Ensures room for `extra` more bytes plus a terminating NUL. */
tka_status tka_buf_reserve(tka_buf *buf, size_t extra);
tka_status tka_buf_append(tka_buf *buf, const void *data, size_t len);
tka_status tka_buf_append_str(tka_buf *buf, const char *s);
tka_status tka_buf_append_char(tka_buf *buf, char c);
tka_status tka_buf_printf(tka_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The buffer stays NUL-terminated after every successful append. */

/* True when s[0..len) is well-formed UTF-8 (no surrogates, no overlongs,
 * nothing above U+10FFFF) — the same set Python's strict decoder accepts.
 * On false, *bad_offset (if non-NULL) is the offset of the first byte of the
 * first ill-formed sequence. */
bool tka_utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* The same, also counting the code points of the valid prefix (all of s, or
 * up to *bad_offset) in *chars: one pass where validating and counting
 * would take two. */
bool tka_utf8_valid_count(const char *s, size_t len, size_t *bad_offset, size_t *chars);

/* Appends s decoded as Python's bytes.decode("utf-8", "replace") would and
 * re-encoded: every maximal ill-formed subsequence becomes one U+FFFD. */
tka_status tka_utf8_append_replacing(tka_buf *out, const char *s, size_t len);

/* Number of code points in valid UTF-8. */
size_t tka_utf8_count(const char *s, size_t len);

/* How a record with invalid UTF-8 is handled. */
typedef enum tka_utf8_errors {
    TKA_UTF8_STRICT = 0, /* error naming the record and byte offset */
    TKA_UTF8_REPLACE     /* U+FFFD, as Python's errors="replace" */
} tka_utf8_errors;

/* Reads lines as Python's text mode does with newline=None: "\n", "\r\n" and
 * a lone "\r" all end a line; the terminator is not part of the line; a last
 * line without terminator is still a line; an empty file has no lines. */
typedef struct tka_line_reader tka_line_reader;

/* Takes ownership of nothing: `file` stays the caller's to close. */
tka_line_reader *tka_line_reader_new(FILE *file);
void tka_line_reader_free(tka_line_reader *reader);

/* On success sets *line and *len (valid until the next call) and returns TKA_OK;
 * at end of input returns TKA_ERR_NOT_FOUND with err untouched. */
tka_status tka_line_reader_next(tka_line_reader *reader, const char **line, size_t *len,
                                tka_error *err);
/* 1-based number of the line last returned, and the byte offset in the
 * input where it starts. */
uint64_t tka_line_reader_line_number(const tka_line_reader *reader);
uint64_t tka_line_reader_line_offset(const tka_line_reader *reader);

#ifdef __cplusplus
}
#endif
#endif
