/* The single-pass dataset against the two-pass one: for every input and set
 * of options, the frame read in one pass (rows typed with what is known so
 * far, every cell saved raw and finalised with tka_dataset_convert once the
 * pass is complete) must be the two-pass frame: header, row count, dtypes,
 * chunk dtypes, warnings, every cell of every row (kind, value bits, text,
 * position), the first non-string text / pair cell, and the same error with
 * the same message. Inputs: every golden/tsv tricky file, demo.tsv, generated
 * tricky files (the token mix of interop/test_tsv_pandas.py) and generated
 * files whose columns change type across pandas' low_memory blocks and HF's
 * 10000-row chunks. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/dataset.h"
#include "core/io.h"
#include "tokalign/status.h"
#include "tsv_cases.h"
#include "tsv_test_io.h"

/* ------------------------------------------------------------ frames */

typedef struct tally {
    size_t files, runs, rows, cells, errors;
    size_t pass_errors; /* errors the single pass met in the rows (parser, UTF-8, IndexError) */
} tally;

/* What a reading produced: the summary (header, row count, dtypes, chunks,
 * warnings, first non-string cells) as text, every row's cells (index
 * columns, data columns, then row.text, row.pair, row.label), and how it
 * ended. Compared field by field, not printed: the block files have a
 * million cells. */
typedef struct cell {
    tka_value v;
    size_t text_off;
} cell;

typedef struct frame {
    tka_buf summary;
    tka_row *rows;
    cell *cells;
    size_t count, cap, per_row;
    tka_buf texts;
    tka_status end;
    char end_message[TKA_ERROR_MESSAGE_MAX];
    bool pass_error; /* the single pass failed after open */
} frame;

static void frame_free(frame *f)
{
    tka_buf_free(&f->summary);
    tka_buf_free(&f->texts);
    free(f->rows);
    free(f->cells);
}

static cell *frame_add_row(frame *f, const tka_row *row, size_t per_row)
{
    f->per_row = per_row;
    if (f->count == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->rows = realloc(f->rows, f->cap * sizeof *f->rows);
        f->cells = realloc(f->cells, f->cap * per_row * sizeof *f->cells);
        cr_assert(f->rows && f->cells);
    }
    f->rows[f->count] = *row;
    return f->cells + f->count++ * per_row;
}

static void save_value(frame *f, cell *dst, const tka_value *v)
{
    dst->v = *v;
    dst->text_off = f->texts.len;
    tka_buf_append(&f->texts, v->text, v->len);
}

static const char *cell_text(const frame *f, const cell *c)
{
    return f->texts.data ? f->texts.data + c->text_off : "";
}

static void set_end(frame *f, tka_status st, const tka_error *err)
{
    f->end = st;
    snprintf(f->end_message, sizeof f->end_message, "%s", st == TKA_END ? "" : err->message);
}

/* Everything known about the frame once its types are final. */
static void put_summary(tka_buf *b, const tka_dataset *ds)
{
    size_t ncols = tka_dataset_num_columns(ds);
    tka_buf_printf(b, "cols %zu index %zu sel %zu %zu %zu rows %" PRIu64 "\n", ncols,
                   tka_dataset_index_columns(ds), tka_dataset_text_column(ds),
                   tka_dataset_pair_column(ds), tka_dataset_label_column(ds),
                   tka_dataset_num_rows(ds));
    for (size_t c = 0; c < ncols; c++)
        tka_buf_printf(b, "col '%s' %s\n", tka_dataset_column_name(ds, c),
                       tka_column_dtype_name(tka_dataset_column_dtype(ds, c)));
    size_t chunks = tka_dataset_num_chunks(ds);
    tka_buf_printf(b, "chunks %zu:", chunks);
    for (size_t k = 0; k < chunks; k++)
        for (size_t c = 0; c < ncols; c++)
            tka_buf_printf(b, " %d", (int)tka_dataset_chunk_dtype(ds, c, k));
    tka_buf_printf(b, "\nwarnings {%s}\n", tka_dataset_warnings(ds));
    size_t watched[2] = {tka_dataset_text_column(ds), tka_dataset_pair_column(ds)};
    for (int k = 0; k < 2; k++) {
        if (watched[k] == SIZE_MAX)
            continue;
        uint64_t row = 0, line = 0;
        tka_value_kind kind = TKA_VALUE_STR;
        tka_status st = tka_dataset_first_non_string(ds, watched[k], &row, &line, &kind, NULL);
        tka_buf_printf(b, "first non-str %d: %d %" PRIu64 " %" PRIu64 " %d\n", k, (int)st,
                       st == TKA_OK ? row : 0, st == TKA_OK ? line : 0, (int)kind);
    }
}

/* The same file in one pass: cells saved as delivered, then finalised. */
static void single_pass(const char *name, const void *data, size_t len,
                        const tka_dataset_options *opt, frame *f)
{
    tka_dataset_options o = *opt;
    o.single_pass = true;
    tka_dataset *ds;
    tka_error err;
    tka_status st = tka_dataset_open_memory(name, data, len, &o, &ds, &err);
    if (st != TKA_OK) {
        set_end(f, st, &err);
        return;
    }
    cr_assert(!tka_dataset_complete(ds));
    size_t ncols = tka_dataset_num_columns(ds);
    tka_row row;
    while ((st = tka_dataset_next(ds, &row, &err)) == TKA_OK) {
        cr_assert(!tka_dataset_complete(ds));
        size_t nidx = tka_dataset_index_columns(ds);
        cell *cells = frame_add_row(f, &row, nidx + ncols + 3);
        for (size_t c = 0; c < nidx + ncols; c++) {
            tka_value v;
            cr_assert_eq(tka_dataset_cell(ds, c < nidx ? c : c - nidx, c < nidx, &v, NULL), TKA_OK);
            save_value(f, &cells[c], &v);
        }
        save_value(f, &cells[nidx + ncols], &row.text);
        save_value(f, &cells[nidx + ncols + 1], &row.pair);
        save_value(f, &cells[nidx + ncols + 2], &row.label);
    }
    set_end(f, st, &err);
    if (st != TKA_END && !tka_dataset_complete(ds)) {
        /* a parser error: the two-pass mode reports it at open, before any row */
        f->count = 0;
        f->pass_error = true;
        tka_dataset_free(ds);
        return;
    }
    cr_assert(tka_dataset_complete(ds));
    put_summary(&f->summary, ds);
    size_t nidx = tka_dataset_index_columns(ds);
    size_t selected[3] = {tka_dataset_text_column(ds), tka_dataset_pair_column(ds),
                          tka_dataset_label_column(ds)};
    for (size_t r = 0; r < f->count; r++) {
        for (size_t c = 0; c < f->per_row; c++) {
            cell *x = &f->cells[r * f->per_row + c];
            size_t col = c < nidx ? c : c < nidx + ncols ? c - nidx : selected[c - nidx - ncols];
            if (col == SIZE_MAX)
                continue; /* not selected: NaN as delivered */
            tka_value raw = x->v;
            raw.text = cell_text(f, x);
            cr_assert_eq(
                tka_dataset_convert(ds, col, c < nidx, f->rows[r].index, &raw, &x->v, &err), TKA_OK,
                "%s", err.message);
        }
    }
    tka_dataset_free(ds);
}

/* ------------------------------------------------------------ comparison */

static bool same_value(const frame *a, const cell *x, const frame *b, const cell *y)
{
    const tka_value *v = &x->v, *w = &y->v;
    if (v->kind != w->kind || v->len != w->len || v->line != w->line || v->column != w->column ||
        v->offset != w->offset || v->padded != w->padded ||
        memcmp(cell_text(a, x), cell_text(b, y), v->len) != 0)
        return false;
    switch (v->kind) {
    case TKA_VALUE_INT: return v->i == w->i;
    case TKA_VALUE_UINT: return v->u == w->u;
    case TKA_VALUE_FLOAT: return memcmp(&v->f, &w->f, sizeof v->f) == 0; /* bit for bit */
    case TKA_VALUE_BOOL: return v->b == w->b;
    default: return true;
    }
}

static void describe(const frame *f, const cell *c, char *buf, size_t size)
{
    const tka_value *v = &c->v;
    snprintf(buf, size,
             "kind %d i %" PRId64 " u %" PRIu64 " f %.17g b %d '%.*s' at %" PRIu64 ":%" PRIu64
             " byte %" PRIu64 "%s",
             (int)v->kind, v->i, v->u, v->f, (int)v->b, (int)(v->len > 60 ? 60 : v->len),
             cell_text(f, c), v->line, v->column, v->offset, v->padded ? " padded" : "");
}

static bool same_end(const char *name, tka_status st, const tka_error *err, const frame *b)
{
    const char *msg = st == TKA_END ? "" : err->message;
    if (st == b->end && strcmp(msg, b->end_message) == 0)
        return true;
    cr_log_error("%s: ends differ:\n  two-pass:    %d %s\n  single pass: %d %s", name, (int)st, msg,
                 (int)b->end, b->end_message);
    return false;
}

/* The two-pass reading, row by row against the finalised single pass `b`
 * (streamed: the block files have a million cells). Also checks
 * tka_dataset_first_non_string against the rows it describes. */
static bool two_pass_matches(const char *name, const void *data, size_t len,
                             const tka_dataset_options *o, const frame *b, tally *t)
{
    tka_dataset *ds;
    tka_error err;
    tka_status st = tka_dataset_open_memory(name, data, len, o, &ds, &err);
    t->runs++;
    if (st != TKA_OK) {
        t->errors++;
        if (b->count || b->summary.len) {
            cr_log_error("%s: two-pass open fails (%s), the single pass read rows", name,
                         err.message);
            return false;
        }
        return same_end(name, st, &err, b);
    }
    tka_buf summary = {0};
    put_summary(&summary, ds);
    bool ok =
        summary.len == b->summary.len && memcmp(summary.data, b->summary.data, summary.len) == 0;
    if (!ok)
        cr_log_error("%s: summaries differ:\ntwo-pass:\n%s\nsingle pass:\n%.*s", name, summary.data,
                     (int)b->summary.len, b->summary.data ? b->summary.data : "");
    tka_buf_free(&summary);
    size_t ncols = tka_dataset_num_columns(ds), nidx = tka_dataset_index_columns(ds);
    size_t per_row = nidx + ncols + 3, r = 0;
    bool found[2] = {false, false};
    uint64_t first_row[2] = {0, 0}, first_line[2] = {0, 0};
    tka_value_kind first_kind[2] = {TKA_VALUE_STR, TKA_VALUE_STR};
    frame a = {0}; /* one row at a time */
    tka_row row;
    while (ok && (st = tka_dataset_next(ds, &row, &err)) == TKA_OK) {
        a.count = 0;
        a.texts.len = 0;
        cell *cells = frame_add_row(&a, &row, per_row);
        for (size_t c = 0; c < nidx + ncols; c++) {
            tka_value v;
            cr_assert_eq(tka_dataset_cell(ds, c < nidx ? c : c - nidx, c < nidx, &v, NULL), TKA_OK);
            save_value(&a, &cells[c], &v);
        }
        save_value(&a, &cells[nidx + ncols], &row.text);
        save_value(&a, &cells[nidx + ncols + 1], &row.pair);
        save_value(&a, &cells[nidx + ncols + 2], &row.label);
        const tka_value *watched[2] = {&row.text, &row.pair};
        for (int k = 0; k < 2; k++)
            if (!found[k] && watched[k]->kind != TKA_VALUE_STR) {
                found[k] = true;
                first_row[k] = row.index;
                first_line[k] = row.line;
                first_kind[k] = watched[k]->kind;
            }
        if (r >= b->count || b->per_row != per_row) {
            cr_log_error("%s: the two-pass reading has more rows (%zu) or cells", name, r + 1);
            ok = false;
            break;
        }
        const tka_row *y = &b->rows[r];
        if (row.index != y->index || row.line != y->line || row.has_pair != y->has_pair ||
            row.has_label != y->has_label) {
            cr_log_error("%s: row %zu: index/line %" PRIu64 "/%" PRIu64 " vs %" PRIu64 "/%" PRIu64,
                         name, r, row.index, row.line, y->index, y->line);
            ok = false;
        }
        for (size_t c = 0; ok && c < per_row; c++) {
            const cell *q = &b->cells[r * per_row + c];
            if (!same_value(&a, &cells[c], b, q)) {
                char da[256], db[256];
                describe(&a, &cells[c], da, sizeof da);
                describe(b, q, db, sizeof db);
                cr_log_error("%s: row %zu, cell %zu:\n  two-pass:    %s\n  single pass: %s", name,
                             r, c, da, db);
                ok = false;
            }
        }
        r++;
        t->rows++;
        t->cells += per_row;
    }
    frame_free(&a);
    if (ok && r != b->count) {
        cr_log_error("%s: %zu rows (two-pass) vs %zu (single pass)", name, r, b->count);
        ok = false;
    }
    ok = ok && same_end(name, st, &err, b);
    t->errors += st != TKA_END;
    if (ok && st == TKA_END && o->tsv.mode == TKA_TSV_PANDAS) {
        size_t cols[2] = {tka_dataset_text_column(ds), tka_dataset_pair_column(ds)};
        for (int k = 0; k < 2; k++) {
            if (cols[k] == SIZE_MAX)
                continue;
            uint64_t fr = 0, fl = 0;
            tka_value_kind kind = TKA_VALUE_STR;
            tka_status fs = tka_dataset_first_non_string(ds, cols[k], &fr, &fl, &kind, NULL);
            bool same =
                (fs == TKA_OK) == found[k] &&
                (!found[k] || (fr == first_row[k] && fl == first_line[k] && kind == first_kind[k]));
            if (!same)
                cr_log_error("%s: first non-str cell %d: API %d row %" PRIu64 " kind %d; the rows: "
                             "%d row %" PRIu64 " kind %d",
                             name, k, (int)fs, fr, (int)kind, (int)found[k], first_row[k],
                             (int)first_kind[k]);
            ok &= same;
        }
    }
    tka_dataset_free(ds);
    return ok;
}

/* The single pass's frame, its memory kept from one reading to the next
 * (the block files need 100 MB; fresh pages each time cost more than the
 * readings). Freed at the end of each test. */
static frame reused;

static bool compare(const char *name, const void *data, size_t len, const tka_dataset_options *o,
                    tally *t)
{
    frame *b = &reused;
    size_t before = t->errors;
    b->count = 0;
    b->summary.len = 0;
    b->texts.len = 0;
    b->end = TKA_OK;
    b->end_message[0] = '\0';
    b->pass_error = false;
    single_pass(name, data, len, o, b);
    bool opened = b->summary.len || b->count;
    bool same = two_pass_matches(name, data, len, o, b, t);
    /* errors that the single pass found while reading rows, not at open */
    t->pass_errors += t->errors > before && (opened || b->pass_error);
    return same;
}

/* Every option set a small file is read with. */
static bool compare_all_options(const char *name, const void *data, size_t len, tally *t)
{
    static const char *const selections[][3] = {
        {"#0", NULL, "#1"}, {"#1", "#0", "#2"}, {"#0", NULL, NULL}, {"sentence", NULL, "label"}};
    static const struct {
        tka_chunking chunking;
        size_t rows;
    } chunkings[] = {{TKA_CHUNKS_PANDAS, 0},
                     {TKA_CHUNKS_WHOLE, 0},
                     {TKA_CHUNKS_ROWS, 1},
                     {TKA_CHUNKS_ROWS, 2},
                     {TKA_CHUNKS_ROWS, 3}};
    bool ok = true;
    t->files++;
    for (int mode = 0; mode < 2; mode++)
        for (int replace = 0; replace < 2; replace++)
            for (size_t s = 0; s < sizeof selections / sizeof *selections; s++)
                for (size_t c = 0; c < (mode ? 1 : sizeof chunkings / sizeof *chunkings); c++) {
                    tka_dataset_options o;
                    tka_dataset_options_init(&o);
                    o.tsv.mode = mode ? TKA_TSV_GLUE : TKA_TSV_PANDAS;
                    o.tsv.utf8_errors = replace ? TKA_UTF8_REPLACE : TKA_UTF8_STRICT;
                    o.text_field = selections[s][0];
                    o.pair_field = selections[s][1];
                    o.label_field = selections[s][2];
                    o.chunking = chunkings[c].chunking;
                    o.chunk_rows = chunkings[c].rows;
                    ok &= compare(name, data, len, &o, t);
                }
    return ok;
}

static void report(const char *what, const tally *t)
{
    /* shown by ctest -V: the counts of the equivalence check */
    frame_free(&reused);
    memset(&reused, 0, sizeof reused);
    fprintf(stderr,
            "single pass = two passes, %s: %zu files, %zu readings, %zu rows, %zu cells, %zu "
            "ending in an error (%zu of them met by the single pass after open)\n",
            what, t->files, t->runs, t->rows, t->cells, t->errors, t->pass_errors);
}

/* ------------------------------------------------------------ inputs */

static const char *shared(void)
{
    const char *s = getenv("TKA_SHARED");
    cr_assert_not_null(s, "TKA_SHARED is not set");
    return s;
}

static void compare_golden(const char *name, const tka_buf *bytes, void *ctx)
{
    cr_expect(compare_all_options(name, bytes->data, bytes->len, ctx), "%s", name);
}

Test(single_pass, golden_tricky_files_and_demo)
{
    tally t = {0};
    char failed[4096];
    long tricky = for_each_golden_tsv(shared(), compare_golden, &t, failed);
    cr_assert_geq(tricky, 0, "cannot read %s", failed);
    cr_expect_geq(tricky, 30, "only %ld tricky files found", tricky);
    report("golden tricky files + demo.tsv", &t);
}

Test(single_pass, generated_tricky_files)
{
    const size_t cases = 2500;
    uint64_t state = 20240601;
    tka_buf b = {0};
    tally t = {0};
    size_t failed = 0;
    for (size_t i = 0; i < cases && failed < 5; i++) {
        random_case(&state, &b);
        char name[64];
        snprintf(name, sizeof name, "generated case %zu", i);
        if (!compare_all_options(name, b.data ? b.data : "", b.len, &t))
            failed++;
    }
    cr_expect_eq(failed, 0);
    tka_buf_free(&b);
    report("generated tricky files", &t);
}

/* ------------------------------------------------------------ low_memory blocks */

/* A two-column file (sentence, label) of `rows` rows: row r holds
 * cell(r, 0) and cell(r, 1), which put a change of type at chosen rows. */
typedef void (*cell_fn)(uint64_t row, int col, tka_buf *b);

static void build(tka_buf *b, uint64_t rows, cell_fn make_cell)
{
    b->len = 0;
    tka_buf_append_str(b, "sentence\tlabel\n");
    for (uint64_t r = 0; r < rows; r++) {
        make_cell(r, 0, b);
        tka_buf_append_char(b, '\t');
        make_cell(r, 1, b);
        tka_buf_append_char(b, '\n');
    }
}

#define BLOCK 262144 /* pandas' low_memory block for two columns */

/* Words, but the first block is all numbers: an object column whose first
 * block keeps Python ints (DtypeWarning); labels turn float at row 50000. */
static void numbers_then_words(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_printf(b, r < BLOCK ? "%" PRIu64 : "w%" PRIu64, r);
    else
        tka_buf_append_str(b, r == 50000 ? "1.5" : r % 2 ? "1" : "0");
}

/* A sentence column of numbers only (float64 because of one NaN late) and
 * an int label column with "1 " and "+1" forms. */
static void numeric_sentences(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_printf(b, r == BLOCK + 5 ? "" : "%" PRIu64 ".5", r);
    else
        tka_buf_append_str(b, r == 7 ? "1 " : r == 8 ? "+1" : r % 3 ? "1" : "0");
}

/* Text with an NA string late in the second block; a bool label column whose
 * second block has a NaN (object True / False / NaN there: bool + object). */
static void late_nan(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_printf(b, r == BLOCK + 9 ? "NA" : "a%" PRIu64, r);
    else
        tka_buf_append_str(b, r == BLOCK + 3 ? "" : r % 2 ? "True" : "false");
}

/* int64 then uint64 beyond it then a negative number and a NaN in the same
 * block (pandas' object-without-NA-filtering path: '' stays ''), and int
 * labels where the -2^63 sentinel meets a NaN in the first block. */
static void uint_conflicts(uint64_t r, int col, tka_buf *b)
{
    if (col == 0) {
        if (r == BLOCK + 1)
            tka_buf_append_str(b, "18446744073709551615");
        else if (r == BLOCK + 2)
            tka_buf_append_str(b, "-1");
        else if (r == BLOCK + 4)
            tka_buf_append_str(b, "");
        else
            tka_buf_printf(b, "%" PRIu64, r);
    } else {
        tka_buf_append_str(b, r == 3 ? "-9223372036854775808" : r == 60000 ? "" : "1");
    }
}

/* Words with NaN only in the last HF chunk, bools that become ints in the
 * second block (bool + int64 -> int64). */
static void bool_then_int(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_printf(b, r == BLOCK + 20005 ? "null" : "s %" PRIu64, r);
    else
        tka_buf_append_str(b, r < BLOCK ? (r % 2 ? "true" : "False") : r % 2 ? "1" : "0");
}

Test(single_pass, types_across_blocks_and_chunks, .timeout = 600)
{
    enum { PANDAS = 1, WHOLE = 2, HF = 4, TWO_BLOCK_CHUNK = 8 };
    static const struct {
        tka_chunking chunking;
        size_t rows;
    } chunkings[] = {{TKA_CHUNKS_PANDAS, 0},
                     {TKA_CHUNKS_WHOLE, 0},
                     {TKA_CHUNKS_ROWS, 10000},      /* HF datasets */
                     {TKA_CHUNKS_ROWS, BLOCK + 6}}; /* two blocks in the first chunk */
    /* Each file with the chunkings where its changes of type matter. */
    static const struct {
        const char *name;
        cell_fn cell;
        uint64_t rows;
        int chunkings;
    } files[] = {
        {"numbers_then_words", numbers_then_words, BLOCK + 30,
         PANDAS | WHOLE | HF | TWO_BLOCK_CHUNK},
        {"numeric_sentences", numeric_sentences, BLOCK + 30, PANDAS | HF},
        {"late_nan", late_nan, BLOCK + 30, PANDAS | HF | TWO_BLOCK_CHUNK},
        {"uint_conflicts", uint_conflicts, BLOCK + 30, PANDAS | HF | TWO_BLOCK_CHUNK},
        {"bool_then_int", bool_then_int, BLOCK + 20010, PANDAS | HF},
        {"one_block_numbers", numbers_then_words, 60000, PANDAS | WHOLE | HF},
    };
    tka_buf b = {0};
    tally t = {0};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        build(&b, files[f].rows, files[f].cell);
        t.files++;
        for (size_t c = 0; c < sizeof chunkings / sizeof *chunkings; c++) {
            if (!(files[f].chunkings & (1 << c)))
                continue;
            tka_dataset_options o;
            tka_dataset_options_init(&o);
            o.chunking = chunkings[c].chunking;
            o.chunk_rows = chunkings[c].rows;
            char name[128];
            snprintf(name, sizeof name, "%s (chunking %d/%zu)", files[f].name, (int)o.chunking,
                     o.chunk_rows);
            cr_expect(compare(name, b.data, b.len, &o, &t), "%s", name);
        }
    }
    tka_buf_free(&b);
    report("files typed across low_memory blocks and HF chunks", &t);
}
