/* Plain lines split at their TABs directly against the same lines fed to
 * libcsv: every record (each field's bytes, position, quoted / padded flags;
 * the record's lines, offset, pandas line count, NUL flag) and how the
 * reading ends must be the same, on every golden/tsv tricky file, demo.tsv,
 * and generated tricky files in both UTF-8 error modes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsv_cases.h"
#include "tsv_test_io.h"

/* The reading as text (tsv_records_as_text); returns the number of records. */
static size_t read_records(const char *data, size_t len, tka_utf8_errors errors, bool via_libcsv,
                           tka_buf *out)
{
    tka_tsv_options o = {.mode = TKA_TSV_PANDAS, .utf8_errors = errors};
    out->len = 0;
    long n = tsv_records_as_text(data, len, &o, via_libcsv, out);
    cr_assert_geq(n, 0, "cannot open a reader");
    return (size_t)n;
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
        cr_assert_eq(direct.len, libcsv.len,
                     "%s (%s): the readings differ:\n--- direct\n%s\n--- libcsv\n%s", name,
                     replace ? "replace" : "strict", direct.data, libcsv.data);
        cr_assert(direct.len == 0 || memcmp(direct.data, libcsv.data, direct.len) == 0,
                  "%s (%s): the readings differ:\n--- direct\n%s\n--- libcsv\n%s", name,
                  replace ? "replace" : "strict", direct.data, libcsv.data);
    }
    tka_buf_free(&direct);
    tka_buf_free(&libcsv);
    return records;
}

typedef struct golden_tally {
    size_t files, records;
} golden_tally;

static void compare_golden(const char *name, const tka_buf *bytes, void *ctx)
{
    golden_tally *t = ctx;
    t->records += compare(name, bytes->data, bytes->len);
    t->files++;
}

Test(plain_lines, golden_tricky_files_and_demo)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED is not set");
    golden_tally t = {0};
    char failed[4096];
    long tricky = for_each_golden_tsv(shared, compare_golden, &t, failed);
    cr_assert_geq(tricky, 0, "cannot read %s", failed);
    cr_expect_geq(tricky, 30, "only %ld tricky files found", tricky);
    cr_expect_gt(t.records, 200, "only %zu records", t.records);
    printf("plain lines, direct = libcsv: %ld golden tricky files + demo.tsv, %zu records\n",
           tricky, t.records);
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
