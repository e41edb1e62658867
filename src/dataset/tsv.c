/* TSV records: pandas' C tokenizer (sep="\t", defaults) reproduced over libcsv, and the reader API.
 *
 * libcsv does the RFC-4180 work: splitting on TAB, quoted fields that hold
 * TABs and line ends, "" for a quote, record ends on CR or LF. It is set up
 * deliberately: delimiter TAB, quote '"', a space function that treats no
 * byte as space (its default trims spaces and TABs around fields), no
 * strict mode. A thin adapter in front of it feeds it the bytes and handles
 * the pandas rules libcsv has no option for:
 *   - text after a closing quote: pandas appends it as unquoted text (quotes
 *     literal again, TAB ends the field); libcsv keeps the closing quote and
 *     stays inside the quotes. The adapter holds each quote inside a quoted
 *     field back until it sees the next byte, drops it when ordinary text
 *     follows and then feeds libcsv that continuation with quotes doubled
 *     and a closing quote before the TAB / line end;
 *   - blank and space-only lines (pandas' skip_blank_lines) are never fed;
 *     libcsv would emit them as rows (with CSV_REPALL_NL) or drop only the
 *     empty ones (without it), and knows nothing of pandas' 262144-character
 *     read blocks that decide which leading spaces survive;
 *   - CR LF: libcsv ends the record at CR and would see the LF as an empty
 *     row; the adapter swallows it, and reproduces the TAB that pandas eats
 *     after a blank CR-terminated line;
 *   - positions (line, column, byte) for every field and error, pandas' own
 *     line count for its messages, and its field-count rules.
 * Bytes reach libcsv in runs; every byte that can end a field or record is
 * fed alone, so each libcsv callback happens at a known position. Plain
 * lines (plain_line: no quote opening a field, no CR) are the exception:
 * they are split at their TABs directly, which is all libcsv would do with
 * them. */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/tsv_internal.h"
#include "core/grow.h"
#include "core/io.h"
#include "core/try.h"

/* COMPAT: the prefix of pandas' C tokenizer errors (pandas.errors.ParserError). */
#define PANDAS_PARSER_ERROR "pandas raises ParserError: Error tokenizing data. C error: "

enum pandas_state {
    P_RECORD_START,  /* at the start of a line, nothing of a record seen */
    P_WS_LINE,       /* only spaces so far (pandas' WHITESPACE_LINE); held, not fed */
    P_FIELD_START,   /* at the start of a field inside a record */
    P_UNQUOTED,      /* inside an unquoted field */
    P_QUOTED,        /* inside a quoted field */
    P_QUOTE_PENDING, /* a quote inside a quoted field, held until the next byte */
    P_CONTINUATION,  /* text after a closing quote (libcsv still sees a quoted field) */
    P_AFTER_CR,      /* a CR ended a record (pandas' EAT_CRNL) */
    P_AFTER_BLANK_CR /* a CR ended a blank line (pandas' EAT_CRNL_NOP) */
};

#define CSV(r) ((struct csv_parser *)(r)->csv)

static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
    tka_tsv_reader *r = ctx;
    if (r->failed)
        return;
    const tsv_pos *at = &r->field_start;
    if (r->line_active && r->line_next < r->line_fields)
        at = &r->line_starts[r->line_next++];
    tsv_add_field(r, data, len, at, r->field_quoted, false);
}

static void on_record(int c, void *ctx)
{
    (void)c;
    tka_tsv_reader *r = ctx;
    r->rec_ready = true;
}

static bool feed(tka_tsv_reader *r, const void *bytes, size_t n)
{
    if (csv_parse(CSV(r), bytes, n, on_field, on_record, r) != n) {
        tsv_fail(r, TKA_ERR_NOMEM, &r->pos, "out of memory in a field (libcsv: %s)",
                 csv_strerror(csv_error(CSV(r))));
        return false;
    }
    return !r->failed;
}

static void begin_record(tka_tsv_reader *r, const tsv_pos *at)
{
    r->rec_start = *at;
    r->field_start = *at;
    r->field_quoted = false;
}

/* pandas' end_line(): field-count rules on the record libcsv just completed.
 * at_newline: the record ended with a line end just consumed. */
static void end_record(tka_tsv_reader *r, bool at_newline)
{
    r->rec_end_line = at_newline ? r->pos.line - 1 : r->pos.line;
    size_t fields = r->num_meta;
    uint64_t lines = r->records; /* records before this one; 0 = the header */
    r->file_lines++;
    if (lines >= 2 && fields > r->expected_fields) {
        /* The header and the first data row may be longer (the latter gives
         * pandas' implicit index); later rows may not. */
        tsv_fail(r, TKA_ERR_FORMAT, &r->rec_start,
                 "the record has %zu fields where %zu are expected; " PANDAS_PARSER_ERROR
                 "Expected %zu fields in line %llu, saw %zu",
                 fields, r->expected_fields, r->expected_fields, (unsigned long long)r->file_lines,
                 fields);
        return;
    }
    if (lines >= 1) {
        /* Missing trailing fields become empty fields, i.e. NaN. */
        while (r->num_meta < r->expected_fields)
            if (!tsv_add_field(r, NULL, 0, NULL, false, true))
                return;
    }
    r->expected_fields = r->num_meta;
    r->records++;
    if (r->records == 2)
        r->restart_chars = r->pos.chars; /* pandas' header read stops here */
}

/* A line that held only spaces turned out to hold more: pandas backtracks to
 * the line start, but never before the start of its current read block. */
static bool resolve_space_line(tka_tsv_reader *r)
{
    uint64_t here = r->pos.chars;
    uint64_t block = here / TKA_PANDAS_CHUNK_CHARS * TKA_PANDAS_CHUNK_CHARS;
    uint64_t datapos = block;
    if (r->restart_chars <= here && r->restart_chars > datapos)
        datapos = r->restart_chars;
    if (r->start_after_lone_cr && datapos < r->ws_start.chars) {
        /* pandas looks back for a LF only; after a lone CR it re-reads earlier
         * lines, which ends in "Buffer overflow caught" or a garbled frame
         * depending on its internal block and row-batch boundaries. */
        tsv_fail(r, TKA_ERR_UNSUPPORTED, &r->ws_start,
                 "a line starting with spaces follows a line ended by a lone CR: pandas' "
                 "tokenizer re-reads earlier input here (it raises 'Buffer overflow caught' or "
                 "misreads the file, depending on where its internal read blocks fall); "
                 "tokalign refuses instead of guessing. Convert the line ends to LF");
        return false;
    }
    /* COMPAT: spaces that lie in an earlier 262144-character read block than
     * the first non-space are lost (pandas backtracks only within its block). */
    size_t dropped = 0;
    if (datapos > r->ws_start.chars) {
        uint64_t d = datapos - r->ws_start.chars;
        dropped = d < r->ws_count ? (size_t)d : r->ws_count;
    }
    size_t kept = r->ws_count - dropped;
    tsv_pos start = r->ws_start;
    start.offset += dropped;
    start.column += dropped;
    start.chars += dropped;
    begin_record(r, kept ? &start : &r->pos);
    static const char spaces[64] =
        "                                                                ";
    for (size_t left = kept; left;) {
        size_t n = left < sizeof spaces ? left : sizeof spaces;
        if (!feed(r, spaces, n))
            return false;
        left -= n;
    }
    r->state = kept ? P_UNQUOTED : P_FIELD_START;
    return true;
}

/* Feeds a closing quote when `quote`, then the terminator byte c, and moves
 * past it. */
static bool feed_terminator(tka_tsv_reader *r, bool quote, unsigned char c)
{
    const char buf[2] = {'"', (char)c};
    if (!feed(r, quote ? buf : buf + 1, quote ? 2 : 1))
        return false;
    tsv_advance(r, 1);
    if (c == '\t') {
        r->field_start = r->pos;
        r->field_quoted = false;
        r->state = P_FIELD_START;
    } else {
        r->state = c == '\n' ? P_RECORD_START : P_AFTER_CR;
        r->start_after_lone_cr = false;
        end_record(r, true);
    }
    return !r->failed;
}

/* True when s[0..n) is ASCII: known for the tail of the window, else
 * checked eight bytes at a time. */
static bool all_ascii(const tka_tsv_reader *r, const unsigned char *s, size_t n)
{
    if (r->win_pos >= r->win_ascii_from)
        return true;
    uint64_t any = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        any |= w;
    }
    for (; i < n; i++)
        any |= s[i];
    return (any & UINT64_C(0x8080808080808080)) == 0;
}

/* The common case in one step: a whole line in the window that the state
 * machine below would read as plain unquoted fields. It starts a record (not
 * with a space, quote or line end), holds no CR and no field opening with a
 * quote, and ends with LF; it is not in the header (BOM handling) and no
 * invalid UTF-8 lies ahead (pandas' per-block decoding order). libcsv gets
 * the line in one call, exactly the bytes the state machine would feed it
 * piece by piece; the field positions are worked out first (columns by
 * counting characters only when the line is not ASCII). Unless told to
 * feed such lines to libcsv (tsv_plain_lines_via_libcsv), the fields go
 * straight into the record. Returns false,
 * having changed nothing, when the line is not plain. */
static bool plain_line(tka_tsv_reader *r)
{
    if (r->file_lines == 0 || r->utf8_bad)
        return false;
    const unsigned char *s = (const unsigned char *)r->win.data + r->win_pos;
    size_t avail = r->win.len - r->win_pos;
    const unsigned char *nl = memchr(s, '\n', avail);
    if (!nl || nl == s || s[0] == ' ' || s[0] == '"' || s[0] == '\r')
        return false;
    size_t n = (size_t)(nl - s);
    if (memchr(s, '\r', n))
        return false;
    bool ascii = all_ascii(r, s, n);
    r->line_fields = 0;
    size_t start = 0, counted = 0;
    uint64_t chars = 0; /* characters of s[0..start) */
    for (;;) {
        if (start < n && s[start] == '"')
            return false; /* a quoted field: the state machine's business */
        if (!tka_grow_array((void **)&r->line_starts, &r->line_cap, r->line_fields + 1,
                            sizeof *r->line_starts, 16))
            return false; /* the state machine reports the shortage */
        if (ascii) {
            chars = start;
        } else {
            chars += tka_utf8_count((const char *)s + counted, start - counted);
            counted = start;
        }
        r->line_starts[r->line_fields++] = (tsv_pos){.offset = r->pos.offset + start,
                                                     .line = r->pos.line,
                                                     .column = r->pos.column + chars,
                                                     .chars = r->pos.chars + chars};
        const unsigned char *tab = start < n ? memchr(s + start, '\t', n - start) : NULL;
        if (!tab)
            break;
        start = (size_t)(tab - s) + 1;
    }
    uint64_t line_chars =
        ascii ? n : chars + tka_utf8_count((const char *)s + counted, n - counted);
    begin_record(r, &r->pos);
    if (r->plain_lines_via_libcsv) {
        r->line_next = 0;
        r->line_active = true;
        bool fed = feed(r, s, n + 1);
        r->line_active = false;
        if (!fed)
            return true; /* failed: the sticky error is set */
    } else {
        /* PERF: libcsv reads such a line byte by byte through a callback and
         * returns exactly the bytes between the TABs; handing those over
         * directly took the 1-thread pipeline on 1M rows from 0.74 s to
         * 0.57 s. A unit test and the fuzz target compare both ways. */
        for (size_t i = 0; i < r->line_fields; i++) {
            size_t from = (size_t)(r->line_starts[i].offset - r->pos.offset);
            size_t to = i + 1 < r->line_fields
                            ? (size_t)(r->line_starts[i + 1].offset - r->pos.offset) - 1
                            : n;
            if (!tsv_add_field(r, s + from, to - from, &r->line_starts[i], false, false))
                return true; /* failed: the sticky error is set */
        }
        r->rec_ready = true;
    }
    r->pos.offset += n + 1;
    r->pos.chars += line_chars + 1;
    r->pos.line++;
    r->pos.column = 1;
    r->win_pos += n + 1;
    r->after_cr = false;
    r->state = P_RECORD_START;
    r->start_after_lone_cr = false;
    end_record(r, true);
    return true;
}

static void pandas_eof(tka_tsv_reader *r)
{
    switch (r->state) {
    case P_QUOTED:
        tsv_fail(
            r, TKA_ERR_FORMAT, &r->rec_start,
            "a quoted field is never closed (runs to the end of the file); " PANDAS_PARSER_ERROR
            "EOF inside string starting at row %llu",
            (unsigned long long)r->file_lines);
        return;
    case P_QUOTE_PENDING:
    case P_CONTINUATION:
        if (!feed(r, "\"", 1))
            return;
        /* fall through */
    case P_FIELD_START:
    case P_UNQUOTED:
        csv_fini(CSV(r), on_field, on_record, r);
        if (r->rec_ready && !r->failed)
            end_record(r, false);
        return;
    default: return; /* blank or space-only tail: nothing */
    }
}

static bool is_bom(const tka_tsv_reader *r)
{
    const unsigned char *s = (const unsigned char *)r->win.data + r->win_pos;
    /* The window holds whole UTF-8 sequences, so EF is followed by two bytes. */
    return s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF;
}

/* Runs the adapter until libcsv completes a record or the input ends. */
static void pandas_pump(tka_tsv_reader *r)
{
    while (!r->rec_ready && !r->failed) {
        bool have = tsv_fill(r);
        if (!r->failed && tsv_utf8_error_in_block(r)) {
            /* COMPAT: pandas decodes each 262144-character block before it
             * tokenizes any of it, so invalid UTF-8 in the block wins over a
             * parser error earlier in the same block. */
            tsv_fail_utf8(r);
            return;
        }
        if (!have) {
            if (r->failed)
                return;
            if (!r->finished) {
                r->finished = true;
                pandas_eof(r);
            }
            return;
        }
        /* COMPAT: pandas strips a BOM at the start of each read block as long
         * as no line has ended (normally just the file's first bytes). */
        if (r->file_lines == 0 && r->pos.chars % TKA_PANDAS_CHUNK_CHARS == 0 && is_bom(r)) {
            tsv_advance(r, 3);
            continue;
        }
        const unsigned char *s = (const unsigned char *)r->win.data + r->win_pos;
        size_t avail = r->win.len - r->win_pos, k = 0;
        unsigned char c = s[0];
        switch (r->state) {
        case P_RECORD_START:
            if (plain_line(r)) {
                break;
            } else if (c == '\n' || c == '\r') {
                r->file_lines++; /* a blank line: counted, skipped */
                tsv_advance(r, 1);
                r->state = c == '\r' ? P_AFTER_BLANK_CR : P_RECORD_START;
                if (c == '\n')
                    r->start_after_lone_cr = false;
            } else if (c == ' ') {
                r->ws_start = r->pos;
                r->ws_count = 0;
                r->state = P_WS_LINE;
            } else {
                begin_record(r, &r->pos);
                r->state = P_FIELD_START;
            }
            break;
        case P_WS_LINE:
            while (k < avail && s[k] == ' ')
                k++;
            if (k) {
                r->ws_count += k;
                tsv_advance(r, k);
            } else if (c == '\n' || c == '\r') {
                r->file_lines++; /* a space-only line is blank too */
                tsv_advance(r, 1);
                r->state = c == '\r' ? P_AFTER_BLANK_CR : P_RECORD_START;
                if (c == '\n')
                    r->start_after_lone_cr = false;
            } else {
                resolve_space_line(r);
            }
            break;
        case P_FIELD_START:
            if (c == '"') {
                r->field_quoted = true;
                if (feed(r, "\"", 1)) {
                    tsv_advance(r, 1);
                    r->state = P_QUOTED;
                }
            } else if (c == '\t' || c == '\n' || c == '\r') {
                feed_terminator(r, false, c); /* an empty field */
            } else {
                r->state = P_UNQUOTED;
            }
            break;
        case P_UNQUOTED:
            while (k < avail && s[k] != '\t' && s[k] != '\n' && s[k] != '\r')
                k++;
            if (k) {
                if (feed(r, s, k))
                    tsv_advance_inline(r, k);
            } else {
                feed_terminator(r, false, c);
            }
            break;
        case P_QUOTED:
            while (k < avail && s[k] != '"')
                k++;
            if (k) {
                if (feed(r, s, k))
                    tsv_advance(r, k);
            } else {
                tsv_advance(r, 1); /* held back: closing quote or half of "" */
                r->state = P_QUOTE_PENDING;
            }
            break;
        case P_QUOTE_PENDING:
            if (c == '"') {
                if (feed(r, "\"\"", 2)) {
                    tsv_advance(r, 1);
                    r->state = P_QUOTED;
                }
            } else if (c == '\t' || c == '\n' || c == '\r') {
                feed_terminator(r, true, c);
            } else {
                /* COMPAT: pandas appends text after the closing quote as
                 * unquoted text ("a"b"c" -> ab"c"); the held quote is dropped. */
                r->state = P_CONTINUATION;
            }
            break;
        case P_CONTINUATION:
            while (k < avail && s[k] != '\t' && s[k] != '\n' && s[k] != '\r' && s[k] != '"')
                k++;
            if (k) {
                if (feed(r, s, k))
                    tsv_advance_inline(r, k);
            } else if (c == '"') {
                if (feed(r, "\"\"", 2)) /* a literal quote, doubled for libcsv */
                    tsv_advance(r, 1);
            } else {
                feed_terminator(r, true, c);
            }
            break;
        case P_AFTER_CR:
            if (c == '\n') {
                tsv_advance(r, 1); /* CR LF */
                r->state = P_RECORD_START;
            } else if (c == '\t') {
                /* pandas ends the line and starts the next record with an
                 * empty field; libcsv does the same with a TAB at row start. */
                r->start_after_lone_cr = true;
                begin_record(r, &r->pos);
                feed_terminator(r, false, c);
            } else {
                r->start_after_lone_cr = true;
                r->state = P_RECORD_START;
            }
            break;
        case P_AFTER_BLANK_CR:
            if (c == '\n') {
                tsv_advance(r, 1);
                r->state = P_RECORD_START;
            } else {
                /* COMPAT: after a blank line ended by CR, pandas swallows a TAB
                 * that follows (its EAT_CRNL_NOP state): "\r\t2" reads as "2". */
                if (c == '\t')
                    tsv_advance(r, 1);
                r->start_after_lone_cr = true;
                r->state = P_RECORD_START;
            }
            break;
        }
    }
}

static void reset_state(tka_tsv_reader *r)
{
    r->pos = (tsv_pos){.offset = 0, .line = 1, .column = 1, .chars = 0};
    r->state = P_RECORD_START;
    r->file_lines = 0;
    r->records = 0;
    r->expected_fields = 0;
    r->start_after_lone_cr = false;
    r->restart_chars = UINT64_MAX;
    r->finished = false;
    r->failed = false;
    tka_error_clear(&r->failure);
    r->glue_in_record = false;
    r->glue_skip_lf = false;
    r->glue_field.len = 0;
    tsv_clear_record(r);
    if (r->csv) {
        csv_free(CSV(r));
        csv_init(CSV(r), 0);
        csv_set_delim(CSV(r), '\t');
        csv_set_quote(CSV(r), '"');
        csv_set_space_func(CSV(r), never_space);
        csv_set_blk_size(CSV(r), (size_t)1 << 16); /* fewer reallocs for long fields */
    }
}

static tka_status reader_new(const char *name, const tka_tsv_options *options, tka_tsv_reader **out,
                             tka_error *err)
{
    *out = NULL;
    tka_tsv_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->name = strdup(name ? name : "<memory>"))) {
        free(r);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening %s", name);
    }
    if (options)
        r->options = *options;
    if (r->options.mode != TKA_TSV_PANDAS && r->options.mode != TKA_TSV_GLUE) {
        free(r->name);
        free(r);
        return tka_error_set(err, TKA_ERR_ARGUMENT, "unknown TSV mode %d", (int)options->mode);
    }
    if (r->options.mode == TKA_TSV_PANDAS) {
        r->csv = calloc(1, sizeof(struct csv_parser));
        if (!r->csv) {
            free(r->name);
            free(r);
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory opening %s", name);
        }
        csv_init(CSV(r), 0);
        r->chunk_lookahead = true;
    }
    reset_state(r);
    *out = r;
    return TKA_OK;
}

tka_status tka_tsv_open(const char *path, const tka_tsv_options *options, tka_tsv_reader **out,
                        tka_error *err)
{
    FILE *f;
    bool own = true;
    if (strcmp(path, "-") == 0) {
        f = stdin;
        own = false;
    } else if (tka_is_dir(path)) {
        *out = NULL;
        return tka_error_is_directory(err, path, "a TSV file");
    } else if (!(f = fopen(path, "rb"))) {
        *out = NULL;
        return tka_error_set(err, TKA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    tka_status st = reader_new(path, options, out, err);
    if (st != TKA_OK) {
        if (own)
            fclose(f);
        return st;
    }
    (*out)->file = f;
    (*out)->own_file = own;
    return TKA_OK;
}

tka_status tka_tsv_open_memory(const char *name, const void *data, size_t len,
                               const tka_tsv_options *options, tka_tsv_reader **out, tka_error *err)
{
    TKA_TRY(reader_new(name, options, out, err));
    static const unsigned char empty[1] = {0};
    (*out)->mem = data ? data : empty;
    (*out)->mem_len = data ? len : 0;
    return TKA_OK;
}

void tka_tsv_free(tka_tsv_reader *r)
{
    if (!r)
        return;
    tsv_source_close(r);
    if (r->csv) {
        csv_free(CSV(r));
        free(r->csv);
    }
    tka_buf_free(&r->rec_bytes);
    tka_buf_free(&r->glue_field);
    free(r->meta);
    free(r->out_fields);
    free(r->line_starts);
    free(r->name);
    free(r);
}

void tsv_plain_lines_via_libcsv(tka_tsv_reader *r, bool on)
{
    r->plain_lines_via_libcsv = on;
}

const char *tka_tsv_name(const tka_tsv_reader *r)
{
    return r->name;
}

tka_status tka_tsv_rewind(tka_tsv_reader *r, tka_error *err)
{
    if (!tsv_source_rewind(r))
        return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: cannot rewind (not a regular file)",
                             r->name);
    reset_state(r);
    return TKA_OK;
}

tka_status tka_tsv_next(tka_tsv_reader *r, tka_tsv_record *rec, tka_error *err)
{
    if (r->failed) {
        if (err)
            *err = r->failure;
        return r->failure.status;
    }
    tsv_clear_record(r);
    if (r->options.mode == TKA_TSV_PANDAS)
        pandas_pump(r);
    else
        tsv_glue_next(r);
    if (r->failed) {
        if (err)
            *err = r->failure;
        return r->failure.status;
    }
    if (!r->rec_ready)
        return TKA_END;
    if (r->num_meta > r->out_cap) {
        size_t cap = r->num_meta * 2;
        tka_tsv_field *f = realloc(r->out_fields, cap * sizeof *f);
        if (!f) {
            tsv_fail(r, TKA_ERR_NOMEM, NULL, "out of memory (record with %zu fields)", r->num_meta);
            if (err)
                *err = r->failure;
            return r->failure.status;
        }
        r->out_fields = f;
        r->out_cap = cap;
    }
    for (size_t i = 0; i < r->num_meta; i++) {
        const tsv_field_meta *m = &r->meta[i];
        r->out_fields[i] = (tka_tsv_field){
            .data = m->len ? r->rec_bytes.data + m->off : "",
            .len = m->len,
            .line = m->line,
            .column = m->column,
            .offset = m->offset,
            .quoted = m->quoted,
            .padded = m->padded,
        };
    }
    *rec = (tka_tsv_record){
        .fields = r->out_fields,
        .num_fields = r->num_meta,
        .index = r->records - 1,
        .line = r->rec_start.line,
        .end_line = r->rec_end_line,
        .offset = r->rec_start.offset,
        .pandas_line = r->file_lines,
        /* one scan of the record's bytes instead of one per field downstream */
        .has_nul = r->rec_bytes.len && memchr(r->rec_bytes.data, '\0', r->rec_bytes.len),
    };
    return TKA_OK;
}
