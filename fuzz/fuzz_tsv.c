/* libFuzzer target: the TSV reader in both modes (records, then typed rows and every cell) on
 * arbitrary bytes; the single-pass dataset checked against the two-pass one, and plain lines
 * split directly checked against plain lines fed to libcsv (abort on any difference). */
#include <inttypes.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/tsv_test_io.h"
#include "tokalign/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every byte handed out so ASan sees any out-of-bounds pointer. */
static unsigned touch(const char *p, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31 + (unsigned char)p[i];
    return h;
}

static volatile unsigned sink;

static void put_value(tka_buf *b, const tka_value *v)
{
    uint64_t bits;
    memcpy(&bits, &v->f, sizeof bits);
    tka_buf_printf(
        b,
        " %d/%" PRId64 "/%" PRIu64 "/%016" PRIx64 "/%d@%" PRIu64 ":%" PRIu64 ":%" PRIu64 "%c[%zu]",
        (int)v->kind, v->kind == TKA_VALUE_INT ? v->i : 0, v->kind == TKA_VALUE_UINT ? v->u : 0,
        v->kind == TKA_VALUE_FLOAT ? bits : 0, v->kind == TKA_VALUE_BOOL ? (int)v->b : 0, v->line,
        v->column, v->offset, v->padded ? 'p' : '-', v->len);
    tka_buf_append(b, v->text, v->len);
}

static void put_summary(tka_buf *b, const tka_dataset *ds)
{
    size_t ncols = tka_dataset_num_columns(ds);
    tka_buf_printf(b, "%zu %zu %" PRIu64 " %zu\n", ncols, tka_dataset_index_columns(ds),
                   tka_dataset_num_rows(ds), tka_dataset_num_chunks(ds));
    for (size_t c = 0; c < ncols; c++) {
        tka_buf_printf(b, "%s %d:", tka_dataset_column_name(ds, c),
                       (int)tka_dataset_column_dtype(ds, c));
        for (size_t k = 0; k < tka_dataset_num_chunks(ds); k++)
            tka_buf_printf(b, " %d", (int)tka_dataset_chunk_dtype(ds, c, k));
        tka_buf_append_char(b, '\n');
    }
    tka_buf_append_str(b, tka_dataset_warnings(ds));
    uint64_t row = 0, line = 0;
    tka_value_kind kind = TKA_VALUE_STR;
    tka_status st =
        tka_dataset_first_non_string(ds, tka_dataset_text_column(ds), &row, &line, &kind, NULL);
    tka_buf_printf(b, "first %d %" PRIu64 " %" PRIu64 " %d\n", (int)st, row, line, (int)kind);
}

/* The frame as text: summary, every cell of every row, how it ended. The
 * single pass saves raw cells and finalises them once complete. */
static void frame(const uint8_t *data, size_t size, const tka_dataset_options *o, tka_buf *out)
{
    tka_dataset *ds;
    tka_error err;
    tka_status st = tka_dataset_open_memory("fuzz", data, size, o, &ds, &err);
    if (st != TKA_OK) {
        tka_buf_printf(out, "error %d %s\n", (int)st, err.message);
        return;
    }
    size_t ncols = tka_dataset_num_columns(ds);
    tka_buf texts = {0};
    size_t nvals = 0, cap = 0;
    struct saved {
        tka_value v;
        size_t off, col;
        uint64_t row;
        bool index;
    } *vals = NULL;
    tka_row row;
    while ((st = tka_dataset_next(ds, &row, &err)) == TKA_OK) {
        size_t nidx = tka_dataset_index_columns(ds);
        for (size_t c = 0; c < nidx + ncols; c++) {
            tka_value v;
            if (tka_dataset_cell(ds, c < nidx ? c : c - nidx, c < nidx, &v, NULL) != TKA_OK)
                abort();
            if (nvals == cap) {
                cap = cap ? 2 * cap : 64;
                if (!(vals = realloc(vals, cap * sizeof *vals)))
                    abort();
            }
            vals[nvals++] =
                (struct saved){v, texts.len, c < nidx ? c : c - nidx, row.index, c < nidx};
            tka_buf_append(&texts, v.text, v.len);
        }
    }
    if (st != TKA_END && !tka_dataset_complete(ds)) {
        tka_buf_printf(out, "error %d %s\n", (int)st, err.message); /* a parser error */
    } else {
        put_summary(out, ds);
        for (size_t i = 0; i < nvals; i++) {
            tka_value v = vals[i].v, fin;
            v.text = texts.data + vals[i].off;
            if (o->single_pass) {
                if (tka_dataset_convert(ds, vals[i].col, vals[i].index, vals[i].row, &v, &fin,
                                        NULL) != TKA_OK)
                    abort();
                v = fin;
            }
            put_value(out, &v);
        }
        tka_buf_printf(out, "\nend %d %s\n", (int)st, st == TKA_END ? "" : err.message);
    }
    free(vals);
    tka_buf_free(&texts);
    tka_dataset_free(ds);
}

/* Single pass = two passes, or abort. */
static void check_single_pass(const uint8_t *data, size_t size, const tka_dataset_options *o)
{
    tka_dataset_options one = *o, two = *o;
    one.single_pass = true;
    two.single_pass = false;
    tka_buf a = {0}, b = {0};
    frame(data, size, &two, &a);
    frame(data, size, &one, &b);
    if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
        fprintf(stderr,
                "single pass differs from two passes:\n--- two passes\n%s\n--- single pass\n%s\n",
                a.data, b.data);
        abort();
    }
    tka_buf_free(&a);
    tka_buf_free(&b);
}

/* Plain lines split at their TABs = plain lines fed to libcsv, or abort. */
static void check_plain_lines(const uint8_t *data, size_t size, const tka_tsv_options *o)
{
    tka_buf a = {0}, b = {0};
    if (tsv_records_as_text(data, size, o, true, &a) < 0 ||
        tsv_records_as_text(data, size, o, false, &b) < 0)
        abort();
    if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
        fprintf(stderr,
                "plain lines split directly differ from libcsv's split:\n--- libcsv\n%s\n"
                "--- direct\n%s\n",
                a.data, b.data);
        abort();
    }
    tka_buf_free(&a);
    tka_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mode = 0; mode < 2; mode++) {
        for (int replace = 0; replace < 2; replace++) {
            tka_tsv_options o = {.mode = mode ? TKA_TSV_GLUE : TKA_TSV_PANDAS,
                                 .utf8_errors = replace ? TKA_UTF8_REPLACE : TKA_UTF8_STRICT};
            tka_tsv_reader *r;
            if (tka_tsv_open_memory("fuzz", data, size, &o, &r, NULL) != TKA_OK)
                return 0;
            tka_tsv_record rec;
            tka_error err;
            tka_status st;
            while ((st = tka_tsv_next(r, &rec, &err)) == TKA_OK)
                for (size_t i = 0; i < rec.num_fields; i++)
                    sink += touch(rec.fields[i].data, rec.fields[i].len);
            if (st != TKA_END)
                sink += touch(err.message, strlen(err.message));
            tka_tsv_free(r);
            if (!mode)
                check_plain_lines(data, size, &o);

            tka_dataset_options d;
            tka_dataset_options_init(&d);
            d.tsv = o;
            d.text_field = "#0";
            d.label_field = mode ? NULL : "#1";
            d.chunking = replace ? TKA_CHUNKS_ROWS : TKA_CHUNKS_PANDAS;
            d.chunk_rows = 2; /* many inference chunks on small inputs */
            check_single_pass(data, size, &d);
            tka_dataset *ds;
            if (tka_dataset_open_memory("fuzz", data, size, &d, &ds, &err) != TKA_OK) {
                sink += touch(err.message, strlen(err.message));
                continue;
            }
            sink += touch(tka_dataset_warnings(ds), strlen(tka_dataset_warnings(ds)));
            tka_row row;
            while (tka_dataset_next(ds, &row, &err) == TKA_OK) {
                sink += touch(row.text.text, row.text.len);
                int64_t label;
                if (row.has_label && tka_value_to_int64(&row.label, "fuzz", &label, &err) == TKA_OK)
                    sink += (unsigned)label;
                for (size_t c = 0; c < tka_dataset_num_columns(ds); c++) {
                    tka_value v;
                    if (tka_dataset_cell(ds, c, false, &v, NULL) == TKA_OK)
                        sink += touch(v.text, v.len);
                }
                for (size_t c = 0; c < tka_dataset_index_columns(ds); c++) {
                    tka_value v;
                    if (tka_dataset_cell(ds, c, true, &v, NULL) == TKA_OK)
                        sink += touch(v.text, v.len);
                }
            }
            tka_dataset_free(ds);
        }
    }
    return 0;
}
