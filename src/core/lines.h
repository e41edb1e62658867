/* Line reader splitting like Python text mode (a helper of the CLI, not public API). */
#ifndef TKA_CORE_LINES_H
#define TKA_CORE_LINES_H

#include <stdint.h>
#include <stdio.h>

#include "tokalign/status.h"

/* Reads lines as Python's text mode does with newline=None: "\n", "\r\n" and
 * a lone "\r" all end a line; the terminator is not part of the line; a last
 * line without terminator is still a line; an empty file has no lines. */
typedef struct tka_line_reader tka_line_reader;

/* Takes ownership of nothing: `file` stays the caller's to close. */
tka_line_reader *tka_line_reader_new(FILE *file);
void tka_line_reader_free(tka_line_reader *reader);

/* On success sets *line and *len (valid until the next call) and returns TKA_OK;
 * at end of input returns TKA_END (not an error) with err untouched; any
 * other status is a read error with err set. */
tka_status tka_line_reader_next(tka_line_reader *reader, const char **line, size_t *len,
                                tka_error *err);
/* 1-based number of the line last returned, and the byte offset in the
 * input where it starts. */
uint64_t tka_line_reader_line_number(const tka_line_reader *reader);
uint64_t tka_line_reader_line_offset(const tka_line_reader *reader);

#endif
