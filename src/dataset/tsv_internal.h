/* Shared state of the TSV reader: input + UTF-8 window (tsv_source.c), the
 * pandas tokenizer over libcsv (tsv.c) and the GLUE splitter (tsv_glue.c). */
#ifndef TKA_DATASET_TSV_INTERNAL_H
#define TKA_DATASET_TSV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tokalign/dataset.h"
#include "tokalign/text.h"

/* Where one field of the record being assembled lives in rec_bytes. */
typedef struct tsv_field_meta {
    size_t off, len;
    uint64_t line, column, offset;
    bool quoted, padded;
} tsv_field_meta;

/* A position in the decoded stream. */
typedef struct tsv_pos {
    uint64_t offset; /* byte offset */
    uint64_t line;   /* 1-based physical line */
    uint64_t column; /* 1-based character column */
    uint64_t chars;  /* characters before this position (pandas counts these) */
} tsv_pos;

struct tka_tsv_reader {
    char *name;
    tka_tsv_options options;

    /* ---- source (tsv_source.c) */
    FILE *file;
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    size_t hold_len;
    unsigned char *raw; /* read buffer */
    /* Decoded, well-formed UTF-8 not yet tokenized: win.data[win_pos..win.len). */
    tka_buf win;
    size_t win_pos;
    uint64_t win_end_chars; /* characters in the stream up to win.len */
    size_t win_ascii_from;  /* win.data[win_ascii_from..win.len) is all ASCII (characters
                               = bytes there) */
    uint64_t utf8_bad_at;   /* stream offset of the first invalid byte */
    unsigned char hold[4];  /* an incomplete UTF-8 sequence at the end of the last read */
    unsigned char utf8_bad_byte;
    bool own_file;
    bool src_eof;
    bool chunk_lookahead; /* pandas: decode each 262144-character block before reading it */
    bool utf8_bad;        /* strict mode: the window ends where invalid input starts */

    /* ---- position of win[win_pos] */
    bool after_cr; /* physical line counting: the previous byte was a CR */
    tsv_pos pos;

    /* ---- the record being assembled and the one handed out */
    tka_buf rec_bytes;
    tsv_field_meta *meta;
    size_t num_meta, meta_cap;
    tka_tsv_field *out_fields;
    size_t out_cap;
    uint64_t records;  /* records completed */
    tsv_pos rec_start; /* where the current record started */
    uint64_t rec_end_line;
    tsv_pos field_start;
    tka_error failure; /* sticky error */
    bool failed;
    bool rec_ready; /* a complete record waits in rec_bytes/meta */
    bool finished;  /* end of input handled */

    /* ---- pandas tokenizer state (tsv.c) */
    void *csv;              /* struct csv_parser, kept opaque outside tsv.c */
    uint64_t file_lines;    /* pandas' file_lines */
    size_t expected_fields; /* pandas' ex_fields: fields of the previous record */
    uint64_t restart_chars; /* pandas restarts tokenizing here (after its header read) */
    size_t ws_count;        /* spaces held at the start of a line */
    tsv_pos ws_start;
    /* A plain line fed to libcsv in one piece (plain_line): where each of its
     * fields starts, handed to the field callbacks in order. */
    tsv_pos *line_starts;
    size_t line_fields, line_next, line_cap;
    int state;
    bool line_active;
    bool plain_lines_via_libcsv; /* see plain_line() in tsv.c; for tests */
    bool field_quoted;
    bool start_after_lone_cr; /* the current line follows a lone-CR line end */

    /* ---- GLUE state (tsv_glue.c) */
    tka_buf glue_field; /* the field being read */
    size_t glue_field_chars;
    bool glue_in_record;
    bool glue_skip_lf; /* the last line ended with CR: a following LF belongs to it */
};

/* tsv_source.c: makes at least one byte available in the window, or returns
 * false at the end of input (or at the first invalid byte in strict mode:
 * check utf8_bad). Sets the sticky failure on read errors. */
bool tsv_fill(tka_tsv_reader *r);
/* Advances the position over win[win_pos..win_pos+n) (n bytes already
 * consumed by the caller), tracking lines, columns and characters. */
void tsv_advance(tka_tsv_reader *r, size_t n);
/* The same for bytes known to hold no CR or LF (the common run). */
void tsv_advance_inline(tka_tsv_reader *r, size_t n);
/* Rewinds the source; false for pipes. */
bool tsv_source_rewind(tka_tsv_reader *r);
void tsv_source_close(tka_tsv_reader *r);
/* Fails the reader at pos with a message; returns the status. */
tka_status tsv_fail(tka_tsv_reader *r, tka_status status, const tsv_pos *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The strict-mode UTF-8 error where the window ends (the invalid byte). */
tka_status tsv_fail_utf8(tka_tsv_reader *r);
/* pandas decodes a whole 262144-character block before it tokenizes any of
 * it: true when the invalid byte lies in the block being read. */
bool tsv_utf8_error_in_block(const tka_tsv_reader *r);

/* Record assembly shared by both modes. */
bool tsv_add_field(tka_tsv_reader *r, const void *data, size_t len, const tsv_pos *start,
                   bool quoted, bool padded);
void tsv_clear_record(tka_tsv_reader *r);

/* tsv_glue.c: reads the next GLUE record into rec_bytes/meta; false at the end
 * or on failure. */
bool tsv_glue_next(tka_tsv_reader *r);

/* pandas mode: feed plain lines (see plain_line() in tsv.c) to libcsv too
 * instead of splitting them at their TABs directly. The results are the
 * same; tests and the fuzz target compare the two. */
void tsv_plain_lines_via_libcsv(tka_tsv_reader *r, bool on);

#endif
