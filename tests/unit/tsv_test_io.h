/* Shared by the TSV tests and the TSV fuzz target: a reading as comparable
 * text, and the golden tricky files + demo.tsv as inputs. */
#ifndef TKA_TEST_TSV_TEST_IO_H
#define TKA_TEST_TSV_TEST_IO_H

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dataset/tsv_internal.h"
#include "tokalign/dataset.h"
#include "core/io.h"

/* Every record (the record's lines, offset, pandas line count and NUL flag;
 * each field's position, quoted / padded flags and bytes) and how the reading
 * ended, one line each, appended to out. plain_via_libcsv: see
 * tsv_plain_lines_via_libcsv. Returns the number of records, or -1 when the
 * reader cannot be opened. */
static inline long tsv_records_as_text(const void *data, size_t len, const tka_tsv_options *o,
                                       bool plain_via_libcsv, tka_buf *out)
{
    tka_tsv_reader *r;
    if (tka_tsv_open_memory("case", data, len, o, &r, NULL) != TKA_OK)
        return -1;
    tsv_plain_lines_via_libcsv(r, plain_via_libcsv);
    long n = 0;
    tka_tsv_record rec;
    tka_error err;
    tka_status st;
    while ((st = tka_tsv_next(r, &rec, &err)) == TKA_OK) {
        n++;
        tka_buf_printf(
            out, "%" PRIu64 " %" PRIu64 "-%" PRIu64 " @%" PRIu64 " p%" PRIu64 " %d:", rec.index,
            rec.line, rec.end_line, rec.offset, rec.pandas_line, (int)rec.has_nul);
        for (size_t i = 0; i < rec.num_fields; i++) {
            const tka_tsv_field *f = &rec.fields[i];
            tka_buf_printf(out, " %" PRIu64 ":%" PRIu64 ":%" PRIu64 "%c%c[%zu]", f->line, f->column,
                           f->offset, f->quoted ? 'q' : '-', f->padded ? 'p' : '-', f->len);
            tka_buf_append(out, f->data, f->len);
        }
        tka_buf_append_char(out, '\n');
    }
    tka_buf_printf(out, "end %d %s\n", (int)st, st == TKA_END ? "" : err.message);
    tka_tsv_free(r);
    return n;
}

/* Calls fn on every golden/tsv/tricky_*.tsv under `shared`, then on
 * data/demo_sst2_sentence/demo.tsv. Returns the number of tricky files, or
 * -1 when a directory or file cannot be read (*failed names it). */
static inline long for_each_golden_tsv(const char *shared,
                                       void (*fn)(const char *name, const tka_buf *bytes,
                                                  void *ctx),
                                       void *ctx, char failed[4096])
{
    char dir[4096];
    snprintf(dir, 4096, "%s/golden/tsv", shared);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(failed, 4096, "%s", dir);
        return -1;
    }
    long files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "tricky_", 7) != 0 || n < 4 || strcmp(e->d_name + n - 4, ".tsv"))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        tka_buf b = {0};
        if (tka_read_file(path, 0, &b, NULL) != TKA_OK) {
            snprintf(failed, 4096, "%.4000s", path);
            closedir(d);
            return -1;
        }
        fn(e->d_name, &b, ctx);
        tka_buf_free(&b);
        files++;
    }
    closedir(d);
    char demo[4096];
    snprintf(demo, sizeof demo, "%s/data/demo_sst2_sentence/demo.tsv", shared);
    tka_buf b = {0};
    if (tka_read_file(demo, 0, &b, NULL) != TKA_OK) {
        snprintf(failed, 4096, "%s", demo);
        return -1;
    }
    fn("demo.tsv", &b, ctx);
    tka_buf_free(&b);
    return files;
}

#endif
