/* Line reader with Python text-mode (universal newline) splitting. */
#include "core/lines.h"
#include "core/grow.h"
#include "core/try.h"
#include "tokalign/text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK ((size_t)1 << 16)

struct tka_line_reader {
    FILE *file;
    char *buf; /* bytes read but not yet consumed start at buf[pos] */
    size_t pos, len, cap;
    bool eof;
    bool skip_lf; /* previous line ended with '\r': a following '\n' belongs to it */
    uint64_t line_number;
    uint64_t consumed; /* file offset of buf[0] */
    uint64_t line_offset;
};

tka_line_reader *tka_line_reader_new(FILE *file)
{
    tka_line_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->file = file;
    return r;
}

void tka_line_reader_free(tka_line_reader *reader)
{
    if (!reader)
        return;
    free(reader->buf);
    free(reader);
}

/* Reads more input, keeping buf[pos..len); sets eof when there is none. */
static tka_status fill(tka_line_reader *r, tka_error *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->consumed += r->pos;
        r->pos = 0;
    }
    if (r->cap - r->len < READ_CHUNK &&
        !tka_grow_array((void **)&r->buf, &r->cap, r->len + READ_CHUNK, 1, READ_CHUNK * 2))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading a line");
    size_t n = fread(r->buf + r->len, 1, r->cap - r->len, r->file);
    r->len += n;
    if (n == 0) {
        if (ferror(r->file))
            return tka_error_set(err, TKA_ERR_IO, "read error: %s", strerror(errno));
        r->eof = true;
    }
    return TKA_OK;
}

tka_status tka_line_reader_next(tka_line_reader *r, const char **line, size_t *len, tka_error *err)
{
    size_t scan = r->pos;
    for (;;) {
        if (r->skip_lf) {
            if (r->pos == r->len && !r->eof) {
                TKA_TRY(fill(r, err));
                scan = r->pos;
                continue;
            }
            if (r->pos < r->len && r->buf[r->pos] == '\n') {
                r->pos++;
                scan = r->pos;
            }
            r->skip_lf = false;
        }
        for (; scan < r->len; scan++) {
            char c = r->buf[scan];
            if (c == '\n' || c == '\r') {
                *line = r->buf + r->pos;
                *len = scan - r->pos;
                r->line_offset = r->consumed + r->pos;
                r->line_number++;
                r->pos = scan + 1;
                r->skip_lf = c == '\r';
                return TKA_OK;
            }
        }
        if (r->eof) {
            if (r->pos == r->len)
                return TKA_END;
            *line = r->buf + r->pos;
            *len = r->len - r->pos;
            r->line_offset = r->consumed + r->pos;
            r->line_number++;
            r->pos = r->len;
            return TKA_OK;
        }
        size_t scanned = scan - r->pos;
        TKA_TRY(fill(r, err));
        scan = r->pos + scanned;
    }
}

uint64_t tka_line_reader_line_number(const tka_line_reader *reader)
{
    return reader->line_number;
}

uint64_t tka_line_reader_line_offset(const tka_line_reader *reader)
{
    return reader->line_offset;
}
