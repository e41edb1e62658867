/* TSV input: reads the file in blocks, decodes it to well-formed UTF-8 (strict or replacing) and tracks positions. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "dataset/tsv_internal.h"

#define READ_BLOCK ((size_t)1 << 16)

tka_status tsv_fail(tka_tsv_reader *r, tka_status status, const tsv_pos *at, const char *fmt, ...)
{
    char msg[TKA_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at)
        tka_error_set(&r->failure, status, "%s: line %llu, column %llu (byte %llu): %s", r->name,
                      (unsigned long long)at->line, (unsigned long long)at->column,
                      (unsigned long long)at->offset, msg);
    else
        tka_error_set(&r->failure, status, "%s: %s", r->name, msg);
    r->failed = true;
    return status;
}

/* The position after the rest of the window, without consuming it. */
static tsv_pos window_end(const tka_tsv_reader *r)
{
    tsv_pos p = r->pos;
    bool after_cr = r->after_cr;
    const unsigned char *s = (const unsigned char *)r->win.data;
    for (size_t i = r->win_pos; i < r->win.len; i++) {
        unsigned char c = s[i];
        if (c == '\n' || c == '\r') {
            if (c == '\r' || !after_cr) {
                p.line++;
                p.column = 1;
            }
            after_cr = c == '\r';
            p.chars++;
        } else {
            after_cr = false;
            if ((c & 0xC0) != 0x80) {
                p.column++;
                p.chars++;
            }
        }
        p.offset++;
    }
    return p;
}

bool tsv_utf8_error_in_block(const tka_tsv_reader *r)
{
    uint64_t block_end = (r->pos.chars / TKA_PANDAS_CHUNK_CHARS + 1) * TKA_PANDAS_CHUNK_CHARS;
    return r->utf8_bad && r->win_end_chars < block_end;
}

tka_status tsv_fail_utf8(tka_tsv_reader *r)
{
    tsv_pos at = window_end(r);
    return tsv_fail(r, TKA_ERR_UTF8, &at,
                    "invalid UTF-8 (byte 0x%02x); pandas and Python raise UnicodeDecodeError "
                    "('utf-8' codec can't decode byte 0x%02x); --errors replace reads it as "
                    "encoding_errors=\"replace\" does (U+FFFD)",
                    r->utf8_bad_byte, r->utf8_bad_byte);
}

/* Length of a trailing sequence that is a well-formed but incomplete UTF-8
 * prefix (it may complete with the next block), else 0. */
static size_t incomplete_tail(const unsigned char *s, size_t len)
{
    for (size_t back = 1; back <= 3 && back <= len; back++) {
        size_t p = len - back;
        unsigned char b = s[p];
        if (b < 0x80)
            return 0;
        if (b < 0xC0)
            continue; /* a continuation byte: look further back for the lead */
        size_t need = b >= 0xC2 && b <= 0xDF   ? 2
                      : b >= 0xE0 && b <= 0xEF ? 3
                      : b >= 0xF0 && b <= 0xF4 ? 4
                                               : 0;
        if (need == 0 || back >= need)
            return 0; /* invalid lead, or a complete sequence */
        unsigned char lo = 0x80, hi = 0xBF;
        if (b == 0xE0)
            lo = 0xA0;
        if (b == 0xED)
            hi = 0x9F;
        if (b == 0xF0)
            lo = 0x90;
        if (b == 0xF4)
            hi = 0x8F;
        for (size_t k = 1; k < back; k++) {
            unsigned char c = s[p + k];
            if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF))
                return 0; /* ill-formed already: the decoder handles it now */
        }
        return back;
    }
    return 0;
}

/* The window grew from `before` by valid UTF-8 holding `chars` characters:
 * the stream's character count and where the window's ASCII tail starts. */
static void window_grew(tka_tsv_reader *r, size_t before, size_t chars)
{
    r->win_end_chars += chars;
    if (chars != r->win.len - before) {
        /* not ASCII: the ASCII tail starts after its last non-ASCII byte */
        size_t i = r->win.len;
        while (i > before && (unsigned char)r->win.data[i - 1] < 0x80)
            i--;
        r->win_ascii_from = i;
    }
}

/* Strict mode: the window's next `len` bytes (already in place past
 * win.len) are validated where they lie, with no copy, up to the first
 * invalid byte. */
static void accept_in_place(tka_tsv_reader *r, size_t len)
{
    const char *s = r->win.data + r->win.len;
    size_t bad, chars;
    if (!tka_utf8_valid_count(s, len, &bad, &chars)) {
        r->utf8_bad = true;
        r->utf8_bad_byte = (unsigned char)s[bad];
    }
    size_t before = r->win.len;
    r->win.len += bad;
    r->win.data[r->win.len] = '\0';
    window_grew(r, before, chars);
}

/* Appends decoded bytes; in strict mode stops at the first invalid byte. */
static bool decode_append(tka_tsv_reader *r, const unsigned char *s, size_t len)
{
    size_t before = r->win.len, chars = 0;
    tka_status st;
    if (r->options.utf8_errors == TKA_UTF8_REPLACE) {
        st = tka_utf8_append_replacing(&r->win, (const char *)s, len);
        chars = tka_utf8_count(r->win.data + before, r->win.len - before);
    } else {
        /* validated and counted in one pass, once per read block */
        size_t bad;
        bool ok = tka_utf8_valid_count((const char *)s, len, &bad, &chars);
        st = tka_buf_append(&r->win, s, bad);
        if (!ok) {
            r->utf8_bad = true;
            r->utf8_bad_byte = s[bad];
        }
    }
    if (st != TKA_OK) {
        tsv_fail(r, TKA_ERR_NOMEM, NULL, "out of memory reading the file");
        return false;
    }
    window_grew(r, before, chars);
    return true;
}

static size_t read_source(tka_tsv_reader *r, unsigned char *dst, size_t n)
{
    if (r->mem) {
        size_t take = r->mem_len - r->mem_pos < n ? r->mem_len - r->mem_pos : n;
        memcpy(dst, r->mem + r->mem_pos, take);
        r->mem_pos += take;
        if (take == 0)
            r->src_eof = true;
        return take;
    }
    size_t got = fread(dst, 1, n, r->file);
    if (got == 0) {
        if (ferror(r->file))
            tsv_fail(r, TKA_ERR_IO, NULL, "read error: %s", strerror(errno));
        r->src_eof = true;
    }
    return got;
}

/* Reads and decodes one more block (or the held tail at the end). */
static void read_more(tka_tsv_reader *r)
{
    if (r->win_pos > 0) {
        /* keep only the unread part: the window stays about one read block
         * (plus, for pandas, the rest of its 262144-character block) */
        memmove(r->win.data, r->win.data + r->win_pos, r->win.len - r->win_pos);
        r->win.len -= r->win_pos;
        r->win_ascii_from = r->win_ascii_from > r->win_pos ? r->win_ascii_from - r->win_pos : 0;
        r->win_pos = 0;
    }
    if (r->src_eof) {
        /* A sequence cut by the end of the file is invalid. */
        size_t n = r->hold_len;
        r->hold_len = 0;
        decode_append(r, r->hold, n);
        return;
    }
    if (r->options.utf8_errors == TKA_UTF8_STRICT) {
        /* Read straight into the window and validate there: the bytes are
         * kept as they are, so there is nothing to copy. */
        if (tka_buf_reserve(&r->win, READ_BLOCK + sizeof r->hold) != TKA_OK) {
            tsv_fail(r, TKA_ERR_NOMEM, NULL, "out of memory reading the file");
            return;
        }
        unsigned char *dst = (unsigned char *)r->win.data + r->win.len;
        memcpy(dst, r->hold, r->hold_len);
        size_t total = r->hold_len + read_source(r, dst + r->hold_len, READ_BLOCK);
        if (r->failed)
            return;
        size_t keep = incomplete_tail(dst, total);
        r->hold_len = keep;
        memcpy(r->hold, dst + total - keep, keep);
        accept_in_place(r, total - keep);
        return;
    }
    if (!r->raw && !(r->raw = malloc(READ_BLOCK + sizeof r->hold))) {
        tsv_fail(r, TKA_ERR_NOMEM, NULL, "out of memory reading the file");
        return;
    }
    memcpy(r->raw, r->hold, r->hold_len);
    size_t total = r->hold_len + read_source(r, r->raw + r->hold_len, READ_BLOCK);
    if (r->failed)
        return;
    size_t keep = incomplete_tail(r->raw, total);
    r->hold_len = keep;
    memcpy(r->hold, r->raw + total - keep, keep);
    decode_append(r, r->raw, total - keep);
}

static bool more_input(const tka_tsv_reader *r)
{
    return !r->failed && !r->utf8_bad && !(r->src_eof && r->hold_len == 0);
}

bool tsv_fill(tka_tsv_reader *r)
{
    if (r->chunk_lookahead) {
        uint64_t block_end = (r->pos.chars / TKA_PANDAS_CHUNK_CHARS + 1) * TKA_PANDAS_CHUNK_CHARS;
        while (more_input(r) && r->win_end_chars < block_end)
            read_more(r);
    }
    while (r->win_pos == r->win.len && more_input(r))
        read_more(r);
    return r->win_pos < r->win.len;
}

void tsv_advance_inline(tka_tsv_reader *r, size_t n)
{
    const unsigned char *s = (const unsigned char *)r->win.data + r->win_pos;
    uint64_t chars = 0;
    if (r->win_pos >= r->win_ascii_from)
        chars = n; /* ASCII: one character per byte */
    else
        for (size_t i = 0; i < n; i++) /* no branches: the compiler vectorises this */
            chars += (s[i] & 0xC0) != 0x80;
    r->pos.column += chars;
    r->pos.chars += chars;
    r->pos.offset += n;
    r->win_pos += n;
    if (n)
        r->after_cr = false;
}

void tsv_advance(tka_tsv_reader *r, size_t n)
{
    const unsigned char *s = (const unsigned char *)r->win.data + r->win_pos;
    tsv_pos *p = &r->pos;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '\n') {
            if (!r->after_cr) {
                p->line++;
                p->column = 1;
            }
            r->after_cr = false;
            p->chars++;
        } else if (c == '\r') {
            p->line++;
            p->column = 1;
            r->after_cr = true;
            p->chars++;
        } else {
            r->after_cr = false;
            if ((c & 0xC0) != 0x80) {
                p->column++;
                p->chars++;
            }
        }
    }
    p->offset += n;
    r->win_pos += n;
}

bool tsv_source_rewind(tka_tsv_reader *r)
{
    if (r->mem) {
        r->mem_pos = 0;
    } else {
        if (!r->file || fseek(r->file, 0, SEEK_SET) != 0)
            return false;
        clearerr(r->file);
    }
    r->src_eof = false;
    r->hold_len = 0;
    r->win.len = 0;
    r->win_pos = 0;
    r->win_end_chars = 0;
    r->win_ascii_from = 0;
    r->utf8_bad = false;
    r->pos = (tsv_pos){.offset = 0, .line = 1, .column = 1, .chars = 0};
    r->after_cr = false;
    return true;
}

void tsv_source_close(tka_tsv_reader *r)
{
    if (r->own_file && r->file)
        fclose(r->file);
    r->file = NULL;
    free(r->raw);
    r->raw = NULL;
    tka_buf_free(&r->win);
}

void tsv_clear_record(tka_tsv_reader *r)
{
    r->rec_bytes.len = 0;
    r->num_meta = 0;
    r->rec_ready = false;
}

bool tsv_add_field(tka_tsv_reader *r, const void *data, size_t len, const tsv_pos *start,
                   bool quoted, bool padded)
{
    if (!tka_grow_array((void **)&r->meta, &r->meta_cap, r->num_meta + 1, sizeof *r->meta, 16)) {
        tsv_fail(r, TKA_ERR_NOMEM, NULL, "out of memory (record with %zu fields)", r->num_meta);
        return false;
    }
    tsv_field_meta *m = &r->meta[r->num_meta++];
    m->off = r->rec_bytes.len;
    m->len = len;
    m->line = start ? start->line : 0;
    m->column = start ? start->column : 0;
    m->offset = start ? start->offset : 0;
    m->quoted = quoted;
    m->padded = padded;
    if (len && tka_buf_append(&r->rec_bytes, data, len) != TKA_OK) {
        tsv_fail(r, TKA_ERR_NOMEM, NULL, "out of memory (record of %zu bytes)", r->rec_bytes.len);
        return false;
    }
    return true;
}
