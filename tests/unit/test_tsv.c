/* Unit tests of the TSV reader: pandas quirks beyond the goldens (read-block
 * boundaries, CR handling, NUL, NaN sentinel), errors with positions, UTF-8
 * handling, GLUE limits. Expected values come from pandas 1.5.3 / Python 3.11
 * runs noted next to each test. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokalign/dataset.h"

static tka_dataset *open_ds(const char *data, size_t len, tka_tsv_mode mode, tka_error *err)
{
    tka_dataset_options o;
    tka_dataset_options_init(&o);
    o.tsv.mode = mode;
    o.text_field = "#0";
    o.label_field = NULL;
    tka_dataset *ds = NULL;
    tka_dataset_open_memory("mem.tsv", data, len, &o, &ds, err);
    return ds;
}

/* Reads every record; returns the status that ended the loop. */
static tka_status read_all(const char *data, size_t len, tka_tsv_mode mode, tka_error *err,
                           size_t *records)
{
    tka_tsv_options o = {.mode = mode};
    tka_tsv_reader *r;
    cr_assert_eq(tka_tsv_open_memory("mem.tsv", data, len, &o, &r, err), TKA_OK);
    tka_tsv_record rec;
    tka_status st;
    size_t n = 0;
    while ((st = tka_tsv_next(r, &rec, err)) == TKA_OK)
        n++;
    if (records)
        *records = n;
    tka_tsv_free(r);
    return st;
}

static void expect_text(const tka_value *v, const char *want)
{
    cr_expect_eq(v->kind, TKA_VALUE_STR, "kind %d for '%s'", v->kind, want);
    cr_expect(v->len == strlen(want) && memcmp(v->text, want, v->len) == 0, "got '%.*s', want '%s'",
              (int)v->len, v->text, want);
}

/* The last data row of a file whose final line "   x\t0" starts at character
 * `start` (ASCII filler), as pandas reads it. */
static void space_line_at(size_t start, const char *want)
{
    tka_buf b = {0};
    tka_buf_append_str(&b, "s\tlabel\n");
    while (b.len + 4 <= start - 4)
        tka_buf_append_str(&b, "a\t1\n");
    while (b.len < start - 3)
        tka_buf_append_char(&b, 'a');
    tka_buf_append_str(&b, "\t1\n");
    cr_assert_eq(b.len, start);
    tka_buf_append_str(&b, "   x\t0\n");
    tka_error err;
    tka_dataset *ds = open_ds(b.data, b.len, TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    tka_row row, last;
    while (tka_dataset_next(ds, &row, &err) == TKA_OK)
        last = row;
    expect_text(&last.text, want);
    tka_dataset_free(ds);
    tka_buf_free(&b);
}

Test(pandas, spaces_before_a_read_block_boundary_are_lost)
{
    /* pandas reads 262144 characters at a time and backtracks over a
     * space-led line only within the current block: pandas 1.5.3 gives
     * 'x', ' x', '  x' for lines starting 3, 2, 1 characters before it. */
    space_line_at(TKA_PANDAS_CHUNK_CHARS - 3, "x");
    space_line_at(TKA_PANDAS_CHUNK_CHARS - 2, " x");
    space_line_at(TKA_PANDAS_CHUNK_CHARS - 1, "  x");
    space_line_at(TKA_PANDAS_CHUNK_CHARS, "   x");
    space_line_at(TKA_PANDAS_CHUNK_CHARS + 1, "   x");
}

Test(pandas, bom_at_a_block_start_before_the_first_line_end)
{
    /* pandas strips a BOM at each block start while no line has ended:
     * header "a" * 262144 + BOM + "b" reads as "a" * 262144 + "b". */
    tka_buf b = {0};
    for (size_t i = 0; i < TKA_PANDAS_CHUNK_CHARS; i++)
        tka_buf_append_char(&b, 'a');
    tka_buf_append_str(&b, "\xef\xbb\xbf"
                           "b\tlabel\nx\t1\n");
    tka_error err;
    tka_dataset *ds = open_ds(b.data, b.len, TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    const char *name = tka_dataset_column_name(ds, 0);
    cr_expect_eq(strlen(name), TKA_PANDAS_CHUNK_CHARS + 1);
    cr_expect_str_eq(name + TKA_PANDAS_CHUNK_CHARS - 1, "ab");
    tka_dataset_free(ds);
    tka_buf_free(&b);
}

Test(pandas, carriage_return_quirks)
{
    /* "a\t1\r\t2": a TAB after a CR starts a record with an empty field
     * -> rows ['a', 1], [NaN, 2]; after a blank CR line pandas swallows the
     * TAB: "a\t1\n\r\t2" -> ['a', 1.0], ['2', NaN]. */
    tka_error err;
    const char *one = "s\tl\na\t1\r\t2\n";
    tka_dataset *ds = open_ds(one, strlen(one), TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    tka_row row;
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    cr_expect_eq(row.text.kind, TKA_VALUE_NAN);
    tka_value v;
    tka_dataset_cell(ds, 1, false, &v, NULL);
    cr_expect(v.kind == TKA_VALUE_INT && v.i == 2);
    tka_dataset_free(ds);
    const char *two = "s\tl\na\t1\n\r\t2\n";
    ds = open_ds(two, strlen(two), TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    expect_text(&row.text, "2");
    tka_dataset_cell(ds, 1, false, &v, NULL);
    cr_expect_eq(v.kind, TKA_VALUE_NAN);
    cr_expect_eq(tka_dataset_column_dtype(ds, 1), TKA_COLUMN_FLOAT64);
    tka_dataset_free(ds);
}

Test(pandas, space_line_after_a_lone_cr_is_refused)
{
    /* pandas 1.5.3 raises "Buffer overflow caught" on this file (it re-reads
     * earlier lines); tokalign refuses with the position. */
    const char *data = "s\tl\na\t1\rb\t2\r  x\t0\n";
    tka_error err;
    size_t n;
    cr_expect_eq(read_all(data, strlen(data), TKA_TSV_PANDAS, &err, &n), TKA_ERR_UNSUPPORTED);
    cr_expect(strstr(err.message, "mem.tsv: line 4, column 1") != NULL, "%s", err.message);
    /* right after the first data row pandas restarts its tokenizer at the
     * line start and reads it correctly: ['first', 1], ['  x', 0] */
    const char *ok = "s\tlabel\rfirst\t1\r  x\t0\r";
    tka_dataset *ds = open_ds(ok, strlen(ok), TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    tka_row row;
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    expect_text(&row.text, "  x");
    tka_dataset_free(ds);
}

Test(pandas, nul_bytes_end_the_value)
{
    /* 'a\x00b' reads as 'a'; 'NA\x00x' is NaN (pandas keeps C strings) */
    const char data[] = "s\tl\na\0b\t1\nNA\0x\t2\n";
    tka_error err;
    tka_dataset *ds = open_ds(data, sizeof data - 1, TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    tka_row row;
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    expect_text(&row.text, "a");
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    cr_expect_eq(row.text.kind, TKA_VALUE_NAN);
    cr_expect(strstr(tka_dataset_warnings(ds), "NUL byte") != NULL);
    tka_dataset_free(ds);
}

Test(pandas, nan_sentinel_swallows_int64_min)
{
    /* an int64 column with NaN is upcast with putmask(arr == INT64_MIN):
     * -9223372036854775807 rounds to -2^63 and becomes NaN as well */
    const char *data = "s\tl\na\t-9223372036854775807\nb\t\nc\t5\n";
    tka_error err;
    tka_dataset *ds = open_ds(data, strlen(data), TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    cr_expect_eq(tka_dataset_column_dtype(ds, 1), TKA_COLUMN_FLOAT64);
    tka_row row;
    tka_value v;
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    tka_dataset_cell(ds, 1, false, &v, NULL);
    cr_expect_eq(v.kind, TKA_VALUE_NAN);
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    tka_dataset_cell(ds, 1, false, &v, NULL);
    cr_expect(v.kind == TKA_VALUE_FLOAT && v.f == 5.0);
    tka_dataset_free(ds);
}

Test(pandas, dtype_paths)
{
    /* uint64, uint64 + NaN (object WITHOUT NA filtering: '' stays ''),
     * overflow beyond uint64 (object), bool + NaN (object of bools),
     * float with 17+ digits (precise_xstrtod), inf words. */
    struct {
        const char *column; /* values, one per line, in column 1 of "k\tx" */
        tka_column_dtype dtype;
    } cases[] = {
        {"18446744073709551615\n1\n", TKA_COLUMN_UINT64},
        {"18446744073709551615\n\n", TKA_COLUMN_OBJECT},
        {"18446744073709551616\n1\n", TKA_COLUMN_OBJECT},
        {"True\n\n", TKA_COLUMN_OBJECT},
        {"tRuE\nFALSE\n", TKA_COLUMN_BOOL},
        {"True\n1\n", TKA_COLUMN_OBJECT},
        {"inf\n-Infinity\n1\n", TKA_COLUMN_FLOAT64},
        {"1e400\n", TKA_COLUMN_OBJECT},
        {"0x10\n", TKA_COLUMN_OBJECT},
        {" 1\n+2\n03\n", TKA_COLUMN_INT64},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char data[256];
        size_t len = (size_t)snprintf(data, sizeof data, "k\tx\n");
        for (const char *p = cases[i].column; *p;) {
            const char *nl = strchr(p, '\n');
            len += (size_t)snprintf(data + len, sizeof data - len, "r\t%.*s\n", (int)(nl - p), p);
            p = nl + 1;
        }
        tka_error err;
        tka_dataset *ds = open_ds(data, len, TKA_TSV_PANDAS, &err);
        cr_assert_not_null(ds, "%s", err.message);
        cr_expect_eq(tka_dataset_column_dtype(ds, 1), cases[i].dtype, "case %zu: %s", i,
                     tka_column_dtype_name(tka_dataset_column_dtype(ds, 1)));
        tka_row row;
        tka_value v;
        if (i == 1) {
            tka_dataset_next(ds, &row, &err);
            tka_dataset_next(ds, &row, &err);
            tka_dataset_cell(ds, 1, false, &v, NULL);
            expect_text(&v, ""); /* not NaN */
        }
        if (i == 3) {
            tka_dataset_next(ds, &row, &err);
            tka_dataset_cell(ds, 1, false, &v, NULL);
            cr_expect(v.kind == TKA_VALUE_BOOL && v.b);
            tka_dataset_next(ds, &row, &err);
            tka_dataset_cell(ds, 1, false, &v, NULL);
            cr_expect_eq(v.kind, TKA_VALUE_NAN);
        }
        tka_dataset_free(ds);
    }
    /* precise_xstrtod keeps 17 digits: pandas reads 12345678901234567.5 as
     * 1.2345678901234568e16 and 0.1 as 0.1 */
    const char *f = "x\n12345678901234567.5\n0.1\n";
    tka_error err;
    tka_dataset *ds = open_ds(f, strlen(f), TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds);
    tka_row row;
    tka_dataset_next(ds, &row, &err);
    cr_expect(row.text.kind == TKA_VALUE_FLOAT && row.text.f == 1.2345678901234568e16);
    tka_dataset_next(ds, &row, &err);
    cr_expect(row.text.f == 0.1);
    tka_dataset_free(ds);
}

Test(pandas, float_exponent_wraps_like_compiled_pandas)
{
    /* pandas keeps the exponent in a C int that wraps (pandas 1.5.3 runs):
     * 1e4294967295 -> 0.1, 1e-2147483648 -> 0.0, 0.55e-2147483647 -> object,
     * 123456789012345678e2147483647 -> 0.0 (the digit count adds, then wraps) */
    struct {
        const char *text;
        bool is_float;
        double value;
    } cases[] = {
        {"1e4294967295", true, 0.1},  {"1e4294967296", true, 1.0},
        {"1e-2147483648", true, 0.0}, {"0.55e-2147483647", false, 0},
        {"1e-2147483649", false, 0},  {"123456789012345678e2147483647", true, 0.0},
        {"1e2147483647", false, 0},   {"3e12884901888", true, 3.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char data[96];
        int len = snprintf(data, sizeof data, "x\n%s\n", cases[i].text);
        tka_error err;
        tka_dataset *ds = open_ds(data, (size_t)len, TKA_TSV_PANDAS, &err);
        cr_assert_not_null(ds, "%s", err.message);
        tka_row row;
        cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
        if (cases[i].is_float)
            cr_expect(row.text.kind == TKA_VALUE_FLOAT && row.text.f == cases[i].value, "%s",
                      cases[i].text);
        else
            cr_expect_eq(row.text.kind, TKA_VALUE_STR, "%s", cases[i].text);
        tka_dataset_free(ds);
    }
}

Test(pandas, column_names)
{
    /* pandas 1.5.3: a, a, a, a.1 -> a, a.2, a.3, a.1; '' -> 'Unnamed: 0' */
    const char *data = "a\ta\ta\ta.1\t\n1\t2\t3\t4\t5\n";
    tka_error err;
    tka_dataset *ds = open_ds(data, strlen(data), TKA_TSV_PANDAS, &err);
    cr_assert_not_null(ds, "%s", err.message);
    const char *want[] = {"a", "a.2", "a.3", "a.1", "Unnamed: 4"};
    cr_assert_eq(tka_dataset_num_columns(ds), 5);
    for (size_t i = 0; i < 5; i++)
        cr_expect_str_eq(tka_dataset_column_name(ds, i), want[i]);
    tka_dataset_free(ds);
}

/* A frame of 262144 integer labels plus one last row `last`. */
static tka_dataset *chunked(const char *last, tka_chunking chunking, size_t chunk_rows)
{
    static tka_buf b;
    b.len = 0;
    tka_buf_append_str(&b, "sentence\tlabel\n");
    for (int i = 0; i < 262144; i++)
        tka_buf_printf(&b, "s%d\t%d\n", i, i % 2);
    tka_buf_printf(&b, "z\t%s\n", last);
    tka_dataset_options o;
    tka_dataset_options_init(&o);
    o.chunking = chunking;
    o.chunk_rows = chunk_rows;
    tka_dataset *ds;
    tka_error err;
    cr_assert_eq(tka_dataset_open_memory("big.tsv", b.data, b.len, &o, &ds, &err), TKA_OK, "%s",
                 err.message);
    return ds;
}

static tka_value label_of_row(tka_dataset *ds, uint64_t want_row)
{
    tka_row row;
    tka_error err;
    while (tka_dataset_next(ds, &row, &err) == TKA_OK)
        if (row.index == want_row)
            return row.label;
    cr_assert_fail("row %llu not found", (unsigned long long)want_row);
    return row.label;
}

Test(pandas, low_memory_blocks_are_concatenated, .timeout = 60)
{
    /* pandas 1.5.3 with the default low_memory=True reads 262144-row blocks:
     * last label 'x' -> object column holding Python ints, then 'x', and a
     * DtypeWarning; 'True' -> a bool block concatenated into int64 (1). */
    tka_dataset *ds = chunked("x", TKA_CHUNKS_PANDAS, 0);
    cr_expect_eq(tka_dataset_column_dtype(ds, 1), TKA_COLUMN_OBJECT);
    cr_expect(strstr(tka_dataset_warnings(ds), "DtypeWarning") != NULL);
    tka_value v = label_of_row(ds, 1);
    cr_expect(v.kind == TKA_VALUE_INT && v.i == 1);
    v = label_of_row(ds, 262144);
    expect_text(&v, "x");
    tka_dataset_free(ds);

    ds = chunked("True", TKA_CHUNKS_PANDAS, 0);
    cr_expect_eq(tka_dataset_column_dtype(ds, 1), TKA_COLUMN_INT64);
    v = label_of_row(ds, 262144);
    cr_expect(v.kind == TKA_VALUE_INT && v.i == 1);
    tka_dataset_free(ds);

    /* low_memory=False: one inference, every label a str */
    ds = chunked("x", TKA_CHUNKS_WHOLE, 0);
    cr_expect_eq(tka_dataset_column_dtype(ds, 1), TKA_COLUMN_OBJECT);
    v = label_of_row(ds, 1);
    expect_text(&v, "1");
    tka_dataset_free(ds);

    /* HF datasets: 10000-row chunks keep their own dtypes */
    ds = chunked("", TKA_CHUNKS_ROWS, 10000);
    cr_expect_eq(tka_dataset_num_chunks(ds), 27);
    cr_expect_eq(tka_dataset_chunk_dtype(ds, 1, 0), TKA_COLUMN_INT64);
    cr_expect_eq(tka_dataset_chunk_dtype(ds, 1, 26), TKA_COLUMN_FLOAT64);
    cr_expect_eq(tka_dataset_column_dtype(ds, 1), TKA_COLUMN_INT64);
    cr_expect(strstr(tka_dataset_warnings(ds), "HF datasets casts") != NULL);
    tka_dataset_free(ds);
}

Test(errors, positions_and_pandas_messages)
{
    tka_error err;
    size_t n;
    const char *extra = "s\tl\na\t1\n\n\"q\nq\"\t1\nb\t1\tx\n";
    cr_expect_eq(read_all(extra, strlen(extra), TKA_TSV_PANDAS, &err, &n), TKA_ERR_FORMAT);
    /* physical line 6; pandas counts the blank line but not the newline in quotes: line 5 */
    cr_expect(strstr(err.message, "mem.tsv: line 6, column 1 (byte 17)") != NULL, "%s",
              err.message);
    cr_expect(strstr(err.message, "Expected 2 fields in line 5, saw 3") != NULL, "%s", err.message);
    cr_expect_eq(n, 3);

    const char *eof = "s\tl\nok\t1\n\"open\t0\n";
    cr_expect_eq(read_all(eof, strlen(eof), TKA_TSV_PANDAS, &err, &n), TKA_ERR_FORMAT);
    cr_expect(strstr(err.message, "line 3, column 1") != NULL, "%s", err.message);
    cr_expect(strstr(err.message, "EOF inside string starting at row 2") != NULL);

    tka_dataset *ds = open_ds("", 0, TKA_TSV_PANDAS, &err);
    cr_expect_null(ds);
    cr_expect(strstr(err.message, "EmptyDataError: No columns to parse from file") != NULL);

    tka_dataset_options o;
    tka_dataset_options_init(&o);
    const char *spaces = "sentence \t label\nfirst\t1\n";
    cr_expect_eq(tka_dataset_open_memory("h.tsv", spaces, strlen(spaces), &o, &ds, &err),
                 TKA_ERR_NOT_FOUND);
    cr_expect(strstr(err.message, "no text column named 'sentence'") != NULL, "%s", err.message);
    cr_expect(strstr(err.message, "'sentence '") != NULL);
}

Test(stream, end_is_not_an_error)
{
    /* The end of the records and of the rows is TKA_END with err untouched,
     * again on every further call; a missing column still is TKA_ERR_NOT_FOUND
     * (above). */
    const char *data = "s\tl\na\t1\n";
    tka_error err = {.status = TKA_ERR_ARGUMENT, .message = "kept"};
    size_t n;
    cr_expect_eq(read_all(data, strlen(data), TKA_TSV_PANDAS, &err, &n), TKA_END);
    cr_expect_eq(n, 2);
    cr_expect_eq(err.status, TKA_ERR_ARGUMENT);
    cr_expect_str_eq(err.message, "kept");
    for (int mode = 0; mode < 2; mode++) {
        tka_dataset *ds = open_ds(data, strlen(data), mode ? TKA_TSV_GLUE : TKA_TSV_PANDAS, &err);
        cr_assert_not_null(ds, "%s", err.message);
        tka_row row;
        cr_expect_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
        err = (tka_error){.status = TKA_ERR_ARGUMENT, .message = "kept"};
        cr_expect_eq(tka_dataset_next(ds, &row, &err), TKA_END, "mode %d", mode);
        cr_expect_eq(tka_dataset_next(ds, &row, &err), TKA_END, "mode %d", mode);
        cr_expect_str_eq(err.message, "kept");
        tka_dataset_free(ds);
    }
}

Test(stream, a_file_that_lost_rows_is_an_error_not_the_end)
{
    /* The typing pass counted 3 rows; the file then loses two (or all, the
     * header too) before the second pass: the rows must not end early as if
     * the file were complete. */
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tka_lost_rows_XXXXXX", tmp && *tmp ? tmp : ".");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const char *data = "s\tl\na\t1\nb\t0\nc\t1\n";
    cr_assert_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
    for (int cut = 0; cut < 2; cut++) {
        tka_dataset_options o;
        tka_dataset_options_init(&o);
        o.text_field = "#0";
        o.label_field = NULL;
        tka_dataset *ds;
        tka_error err;
        cr_assert_eq(ftruncate(fd, 0), 0);
        cr_assert_eq(pwrite(fd, data, strlen(data), 0), (ssize_t)strlen(data));
        cr_assert_eq(tka_dataset_open(path, &o, &ds, &err), TKA_OK, "%s", err.message);
        cr_assert_eq(tka_dataset_num_rows(ds), 3);
        cr_assert_eq(ftruncate(fd, cut ? 0 : 8), 0); /* "s\tl\na\t1\n" or nothing */
        tka_row row;
        tka_status st;
        size_t rows = 0;
        while ((st = tka_dataset_next(ds, &row, &err)) == TKA_OK)
            rows++;
        cr_expect_eq(rows, cut ? 0 : 1);
        cr_expect_eq(st, TKA_ERR_FORMAT, "cut %d: %s", cut, tka_status_name(st));
        cr_expect(strstr(err.message, "the file changed between the two passes") != NULL, "%s",
                  err.message);
        cr_expect(strstr(err.message, cut ? "no header" : "fewer rows: 1 of 3") != NULL, "%s",
                  err.message);
        tka_dataset_free(ds);
    }
    close(fd);
    unlink(path);
}

Test(errors, sticky_after_failure)
{
    const char *data = "s\tl\na\t1\nb\t1\t2\nc\t1\n";
    tka_tsv_options o = {0};
    tka_tsv_reader *r;
    tka_error err;
    cr_assert_eq(tka_tsv_open_memory("m", data, strlen(data), &o, &r, &err), TKA_OK);
    tka_tsv_record rec;
    cr_assert_eq(tka_tsv_next(r, &rec, &err), TKA_OK);
    cr_assert_eq(tka_tsv_next(r, &rec, &err), TKA_OK);
    cr_assert_eq(tka_tsv_next(r, &rec, &err), TKA_ERR_FORMAT);
    cr_assert_eq(tka_tsv_next(r, &rec, &err), TKA_ERR_FORMAT);
    tka_tsv_free(r);
    tka_tsv_free(NULL);
}

Test(utf8, strict_replace_and_block_order)
{
    tka_error err;
    size_t n;
    const char *bad = "s\tl\nok\t1\nab\xff"
                      "c\t0\n";
    cr_expect_eq(read_all(bad, strlen(bad), TKA_TSV_GLUE, &err, &n), TKA_ERR_UTF8);
    cr_expect(strstr(err.message, "line 3, column 3 (byte 11)") != NULL, "%s", err.message);
    cr_expect(strstr(err.message, "UnicodeDecodeError") != NULL);

    /* pandas decodes its whole block first: the invalid byte at the end wins
     * over the parser error on line 3 (pandas 1.5.3: UnicodeDecodeError). */
    const char *both = "s\tl\na\t1\nb\t1\t2\nc\t1\n\xff";
    cr_expect_eq(read_all(both, strlen(both), TKA_TSV_PANDAS, &err, &n), TKA_ERR_UTF8);
    cr_expect_eq(n, 0, "nothing is handed out before the block is decoded");
    cr_expect(strstr(err.message, "line 5, column 1") != NULL, "%s", err.message);

    /* a truncated sequence at the end is invalid too */
    const char *cut = "s\tl\nx\t\xc3";
    cr_expect_eq(read_all(cut, strlen(cut), TKA_TSV_PANDAS, &err, &n), TKA_ERR_UTF8);

    /* errors="replace": one U+FFFD per maximal ill-formed subsequence */
    tka_dataset_options o;
    tka_dataset_options_init(&o);
    o.tsv.utf8_errors = TKA_UTF8_REPLACE;
    o.label_field = NULL;
    const char *rep = "sentence\nab\xff\xf0\x9f\x98"
                      "c\n";
    tka_dataset *ds;
    cr_assert_eq(tka_dataset_open_memory("r.tsv", rep, strlen(rep), &o, &ds, &err), TKA_OK, "%s",
                 err.message);
    tka_row row;
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    expect_text(&row.text, "ab\xef\xbf\xbd\xef\xbf\xbd"
                           "c");
    tka_dataset_free(ds);
}

/* A file whose byte `at` starts `piece`: "s\tl\n", lines "a\t1\n", then one
 * line "xxx..." of filler up to `at`, piece, "\t1\n". */
static void bytes_at(tka_buf *b, size_t at, const char *piece, size_t piece_len)
{
    b->len = 0;
    tka_buf_append_str(b, "s\tl\n");
    while (b->len + 4 + 8 <= at)
        tka_buf_append_str(b, "a\t1\n");
    while (b->len < at)
        tka_buf_append_char(b, 'x');
    tka_buf_append(b, piece, piece_len);
    tka_buf_append_str(b, "\t1\n");
}

Test(utf8, sequences_across_read_blocks)
{
    /* The reader takes the file 65536 bytes at a time and validates each
     * block where it lies: a sequence cut by a block end is completed by
     * the next block, and positions count characters across blocks. */
    const size_t block = 65536;
    tka_buf b = {0};
    tka_error err;
    for (size_t back = 1; back <= 3; back++) {
        bytes_at(&b, block - back, "\xf0\x9f\x98\x80z", 5); /* U+1F600 cut after `back` bytes */
        tka_tsv_options o = {.mode = TKA_TSV_PANDAS};
        tka_tsv_reader *r;
        cr_assert_eq(tka_tsv_open_memory("blocks.tsv", b.data, b.len, &o, &r, &err), TKA_OK);
        tka_tsv_record rec;
        tka_status st;
        size_t seen = 0;
        while ((st = tka_tsv_next(r, &rec, &err)) == TKA_OK) {
            if (rec.num_fields == 2 && rec.fields[0].len > 4) { /* the filler line */
                seen++;
                const tka_tsv_field *f = &rec.fields[0];
                cr_expect(f->len >= 5 && memcmp(f->data + f->len - 5, "\xf0\x9f\x98\x80z", 5) == 0,
                          "back %zu: the sequence survives the block end", back);
                /* the next field starts after the TAB: characters + 2 */
                cr_expect_eq(rec.fields[1].column, f->len - 3 + 2, "back %zu", back);
                cr_expect_eq(rec.fields[1].offset, block - back + 5 + 1, "back %zu", back);
            }
        }
        cr_expect_eq(st, TKA_END, "back %zu: %s", back, err.message);
        cr_expect_eq(seen, 1, "back %zu", back);
        tka_tsv_free(r);
    }
    /* an invalid byte just after the block end: its position in characters */
    bytes_at(&b, block + 2, "\xff", 1);
    size_t n;
    cr_expect_eq(read_all(b.data, b.len, TKA_TSV_PANDAS, &err, &n), TKA_ERR_UTF8);
    char want[64];
    snprintf(want, sizeof want, "(byte %zu): invalid UTF-8 (byte 0xff)", block + 2);
    cr_expect(strstr(err.message, want) != NULL, "%s", err.message);
    tka_buf_free(&b);
}

Test(glue, rows_limits_and_index_errors)
{
    /* csv.reader(quotechar=None): every TAB splits, quotes literal, empty
     * line -> [] (the processors then raise IndexError). */
    const char *data = "sentence\tlabel\n\"a\tb\"\t1\n\nc\t0\n";
    tka_error err;
    tka_dataset_options o;
    tka_dataset_options_init(&o);
    o.tsv.mode = TKA_TSV_GLUE;
    tka_dataset *ds;
    cr_assert_eq(tka_dataset_open_memory("g.tsv", data, strlen(data), &o, &ds, &err), TKA_OK);
    tka_row row;
    cr_assert_eq(tka_dataset_next(ds, &row, &err), TKA_OK);
    expect_text(&row.text, "\"a");
    expect_text(&row.label, "b\"");
    cr_expect_eq(tka_dataset_next(ds, &row, &err), TKA_ERR_REFERENCE);
    cr_expect(strstr(err.message, "g.tsv: line 3") != NULL, "%s", err.message);
    cr_expect(strstr(err.message, "IndexError") != NULL);
    tka_dataset_free(ds);

    /* _csv.Error: field larger than field limit (131072): 131072 characters
     * pass, 131073 do not (counted in characters, not bytes) */
    tka_buf b = {0};
    for (int i = 0; i < 131072; i++)
        tka_buf_append_str(&b, "\xc3\xa9");
    size_t n;
    cr_expect_eq(read_all(b.data, b.len, TKA_TSV_GLUE, &err, &n), TKA_END);
    tka_buf_append_char(&b, 'x');
    cr_expect_eq(read_all(b.data, b.len, TKA_TSV_GLUE, &err, &n), TKA_ERR_REFERENCE);
    cr_expect(strstr(err.message, "field larger than field limit (131072)") != NULL);
    tka_buf_free(&b);
}

Test(labels, numpy_int64_conversion)
{
    tka_error err;
    int64_t out;
    tka_value v = {
        .kind = TKA_VALUE_FLOAT, .f = -1.7, .text = "-1.7", .len = 4, .line = 2, .column = 5};
    cr_expect_eq(tka_value_to_int64(&v, "f.tsv", &out, &err), TKA_OK);
    cr_expect_eq(out, -1); /* np.array([-1.7], dtype="int64") -> [-1] */
    v.f = NAN;
    cr_expect_eq(tka_value_to_int64(&v, "f.tsv", &out, &err), TKA_ERR_REFERENCE);
    cr_expect(strstr(err.message, "f.tsv: line 2, column 5") != NULL, "%s", err.message);
    cr_expect(strstr(err.message, "cannot convert float NaN to integer") != NULL);
    v.f = 9.3e18;
    cr_expect_eq(tka_value_to_int64(&v, "f.tsv", &out, &err), TKA_ERR_REFERENCE);
    /* strings go through Python's int(): spaces, sign, '_' and Unicode digits */
    const char *ok[] = {" 1", "+1", "1_0", "\xd9\xa1", "\t7\n", "-9223372036854775808"};
    const int64_t want[] = {1, 1, 10, 1, 7, INT64_MIN};
    for (size_t i = 0; i < 6; i++) {
        tka_value s = {.kind = TKA_VALUE_STR, .text = ok[i], .len = strlen(ok[i]), .line = 1};
        cr_expect_eq(tka_value_to_int64(&s, "f.tsv", &out, &err), TKA_OK, "%s: %s", ok[i],
                     err.message);
        cr_expect_eq(out, want[i], "%s", ok[i]);
    }
    const char *bad[] = {"1.0", "", "abc", "1__0", "_1", "1_", "0x10", "9223372036854775808"};
    for (size_t i = 0; i < 8; i++) {
        tka_value s = {.kind = TKA_VALUE_STR, .text = bad[i], .len = strlen(bad[i]), .line = 1};
        cr_expect_neq(tka_value_to_int64(&s, "f.tsv", &out, &err), TKA_OK, "%s", bad[i]);
    }
    tka_value b = {.kind = TKA_VALUE_BOOL, .b = true};
    cr_expect_eq(tka_value_to_int64(&b, "f.tsv", &out, &err), TKA_OK);
    cr_expect_eq(out, 1);
}
