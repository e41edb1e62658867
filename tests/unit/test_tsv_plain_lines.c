/* Plain lines split at their TABs directly against the same lines fed to
 * libcsv: every record (each field's bytes, position, quoted / padded flags;
 * the record's lines, offset, pandas line count, NUL flag) and how the
 * reading ends must be the same, on every golden/tsv tricky file, demo.tsv,
 * and generated tricky files in both UTF-8 error modes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/tsv_internal.h"
#include "tokalign/dataset.h"
#include "tokalign/io.h"
#include "tsv_cases.h"

/* The reading as text: one line per record, then how it ended. Returns the
 * number of records. */
static size_t read_records(const char *data, size_t len, tka_utf8_errors errors, bool via_libcsv,
                           tka_buf *out)
{
    tka_tsv_options o = {.mode = TKA_TSV_PANDAS, .utf8_errors = errors};
    tka_tsv_reader *r;
    cr_assert_eq(tka_tsv_open_memory("case", data, len, &o, &r, NULL), TKA_OK);
    tsv_plain_lines_via_libcsv(r, via_libcsv);
    out->len = 0;
    size_t n = 0;
    tka_tsv_record rec;
    tka_error err;
    tka_status st;
    while ((st = tka_tsv_next(r, &rec, &err)) == TKA_OK) {
        n++;
        tka_buf_printf(out, "%" PRIu64 " %" PRIu64 "-%" PRIu64 " @%" PRIu64 " p%" PRIu64 " %d:",
                       rec.index, rec.line, rec.end_line, rec.offset, rec.pandas_line,
                       (int)rec.has_nul);
        for (size_t i = 0; i < rec.num_fields; i++) {
            const tka_tsv_field *f = &rec.fields[i];
            tka_buf_printf(out, " %" PRIu64 ":%" PRIu64 ":%" PRIu64 "%c%c[%zu]", f->line, f->column,
                           f->offset, f->quoted ? 'q' : '-', f->padded ? 'p' : '-', f->len);
            tka_buf_append(out, f->data, f->len);
        }
        tka_buf_append_char(out, '\n');
    }
    tka_buf_printf(out, "end %d %s\n", (int)st, st == TKA_ERR_NOT_FOUND ? "" : err.message);
    tka_tsv_free(r);
    return n;
}

/* Both ways, both UTF-8 modes; returns the records compared. */
static size_t compare(const char *name, const char *data, size_t len)
{
    size_t records = 0;
    tka_buf direct = {0}, libcsv = {0};
    for (int replace = 0; replace < 2; replace++) {
        tka_utf8_errors e = replace ? TKA_UTF8_REPLACE : TKA_UTF8_STRICT;
        records += read_records(data, len, e, false, &direct);
        read_records(data, len, e, true, &libcsv);
        cr_assert_eq(direct.len, libcsv.len, "%s (%s): the readings differ:\n--- direct\n%s\n--- libcsv\n%s",
                     name, replace ? "replace" : "strict", direct.data, libcsv.data);
        cr_assert(direct.len == 0 || memcmp(direct.data, libcsv.data, direct.len) == 0,
                  "%s (%s): the readings differ:\n--- direct\n%s\n--- libcsv\n%s", name,
                  replace ? "replace" : "strict", direct.data, libcsv.data);
    }
    tka_buf_free(&direct);
    tka_buf_free(&libcsv);
    return records;
}

static const char *shared(void)
{
    const char *s = getenv("TKA_SHARED");
    cr_assert_not_null(s, "TKA_SHARED is not set");
    return s;
}

Test(plain_lines, golden_tricky_files_and_demo)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/golden/tsv", shared());
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    size_t files = 0, records = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "tricky_", 7) != 0 || n < 4 || strcmp(e->d_name + n - 4, ".tsv"))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        tka_buf b = {0};
        cr_assert_eq(tka_read_file(path, 0, &b, NULL), TKA_OK);
        records += compare(e->d_name, b.data, b.len);
        files++;
        tka_buf_free(&b);
    }
    closedir(d);
    cr_expect_geq(files, 30, "only %zu tricky files found", files);
    char demo[4096];
    snprintf(demo, sizeof demo, "%s/data/demo_sst2_sentence/demo.tsv", shared());
    tka_buf b = {0};
    cr_assert_eq(tka_read_file(demo, 0, &b, NULL), TKA_OK);
    size_t demo_records = compare("demo.tsv", b.data, b.len);
    cr_expect_gt(demo_records, 2 * 10, "demo.tsv gave only %zu records", demo_records);
    tka_buf_free(&b);
    printf("plain lines, direct = libcsv: %zu golden tricky files + demo.tsv, %zu records\n", files,
           records + demo_records);
}

Test(plain_lines, generated_tricky_files)
{
    uint64_t state = 20261122;
    tka_buf b = {0};
    size_t records = 0;
    const size_t cases = 5000;
    for (size_t i = 0; i < cases; i++) {
        random_case(&state, &b);
        char name[64];
        snprintf(name, sizeof name, "generated case %zu", i);
        records += compare(name, b.data, b.len);
    }
    tka_buf_free(&b);
    cr_expect_gt(records, cases, "only %zu records in %zu cases", records, cases);
    printf("plain lines, direct = libcsv: %zu generated files, %zu records\n", cases, records);
}
