/* Golden test: every golden/tsv case (pandas' columns, dtypes, index, every
 * cell or its error; the GLUE csv.reader rows) and demo.tsv as pandas read
 * it for the pipeline goldens (golden/pipeline/tokens.json). */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tokalign/dataset.h"
#include "core/io.h"

static const char *shared_dir;
static golden_tally t_pandas, t_errors, t_glue, t_bytes, t_demo;

static bool value_matches(const json_t *want, const tka_value *v)
{
    if (json_is_object(want))
        return json_is_true(json_object_get(want, "nan")) && v->kind == TKA_VALUE_NAN;
    if (json_is_string(want))
        return v->kind == TKA_VALUE_STR && v->len == json_string_length(want) &&
               memcmp(v->text, json_string_value(want), v->len) == 0;
    if (json_is_boolean(want))
        return v->kind == TKA_VALUE_BOOL && v->b == json_is_true(want);
    if (json_is_integer(want))
        return (v->kind == TKA_VALUE_INT && v->i == json_integer_value(want)) ||
               (v->kind == TKA_VALUE_UINT && json_integer_value(want) >= 0 &&
                v->u == (uint64_t)json_integer_value(want));
    if (json_is_real(want))
        return v->kind == TKA_VALUE_FLOAT && v->f == json_real_value(want);
    return false;
}

static void describe(const tka_value *v, char *buf, size_t size)
{
    switch (v->kind) {
    case TKA_VALUE_NAN: snprintf(buf, size, "NaN"); break;
    case TKA_VALUE_INT: snprintf(buf, size, "int %" PRId64, v->i); break;
    case TKA_VALUE_UINT: snprintf(buf, size, "uint %" PRIu64, v->u); break;
    case TKA_VALUE_FLOAT: snprintf(buf, size, "float %.17g", v->f); break;
    case TKA_VALUE_BOOL: snprintf(buf, size, "bool %d", v->b); break;
    case TKA_VALUE_STR: snprintf(buf, size, "str '%.*s'", (int)v->len, v->text); break;
    }
}

static void check_pandas(const char *file, const char *tsv, const json_t *want)
{
    tka_dataset_options o;
    tka_dataset_options_init(&o);
    o.text_field = "#0";
    o.label_field = NULL;
    tka_dataset *ds = NULL;
    tka_error err;
    tka_status st = tka_dataset_open(tsv, &o, &ds, &err);
    const char *etype = json_string_value(json_object_get(want, "error_type"));
    if (etype) {
        /* pandas raised: tokalign must fail with pandas' exact text in the message. */
        char expect[1024];
        snprintf(expect, sizeof expect, "%s: %s", etype,
                 json_string_value(json_object_get(want, "error")));
        size_t n = strlen(expect);
        while (n && expect[n - 1] == '\n')
            expect[--n] = '\0';
        bool ok = st != TKA_OK && strstr(err.message, expect) != NULL;
        char what[1400];
        snprintf(what, sizeof what, "expected an error containing \"%.300s\", got %.1000s", expect,
                 st == TKA_OK ? "success" : err.message);
        golden_record(&t_errors, ok, file, 0, what);
        tka_dataset_free(ds);
        return;
    }
    if (st != TKA_OK) {
        golden_record(&t_pandas, false, file, 0, err.message);
        return;
    }
    char what[512];
    const json_t *columns = json_object_get(want, "columns");
    bool ok = json_array_size(columns) == tka_dataset_num_columns(ds);
    for (size_t c = 0; ok && c < json_array_size(columns); c++)
        ok = strcmp(json_string_value(json_array_get(columns, c)),
                    tka_dataset_column_name(ds, c)) == 0;
    golden_record(&t_pandas, ok, file, 0, "column names");
    const json_t *dtypes = json_object_get(want, "dtypes");
    for (size_t c = 0; c < tka_dataset_num_columns(ds); c++) {
        const char *name = tka_dataset_column_name(ds, c);
        const char *wd = json_string_value(json_object_get(dtypes, name));
        const char *got = tka_column_dtype_name(tka_dataset_column_dtype(ds, c));
        snprintf(what, sizeof what, "dtype of '%s': want %s, got %s", name, wd ? wd : "?", got);
        golden_record(&t_pandas, wd && strcmp(wd, got) == 0, file, 0, what);
    }
    bool default_index = json_is_true(json_object_get(want, "index_is_default_range"));
    golden_record(&t_pandas, default_index == (tka_dataset_index_columns(ds) == 0), file, 0,
                  "implicit index");
    const json_t *rows = json_object_get(want, "rows");
    const json_t *index = json_object_get(want, "index");
    golden_record(&t_pandas, tka_dataset_num_rows(ds) == json_array_size(rows), file, 0,
                  "row count");
    tka_row row;
    size_t r = 0;
    while ((st = tka_dataset_next(ds, &row, &err)) == TKA_OK) {
        const json_t *wrow = json_array_get(rows, r);
        for (size_t c = 0; c < tka_dataset_num_columns(ds); c++) {
            tka_value v;
            tka_dataset_cell(ds, c, false, &v, NULL);
            char got[256];
            describe(&v, got, sizeof got);
            snprintf(what, sizeof what, "row %zu column %zu: got %s", r, c, got);
            golden_record(&t_pandas, value_matches(json_array_get(wrow, c), &v), file, r + 1, what);
        }
        if (tka_dataset_index_columns(ds) == 1) {
            tka_value v;
            tka_dataset_cell(ds, 0, true, &v, NULL);
            golden_record(&t_pandas, value_matches(json_array_get(index, r), &v), file, r + 1,
                          "index value");
        } else {
            golden_record(&t_pandas, json_integer_value(json_array_get(index, r)) == (json_int_t)r,
                          file, r + 1, "default index");
        }
        r++;
    }
    golden_record(&t_pandas, st == TKA_END && r == json_array_size(rows), file, 0,
                  "second pass reads every row");
    tka_dataset_free(ds);
}

static void check_glue(const char *file, const char *tsv, const json_t *want)
{
    tka_tsv_options o = {.mode = TKA_TSV_GLUE};
    tka_tsv_reader *rd;
    tka_error err;
    if (tka_tsv_open(tsv, &o, &rd, &err) != TKA_OK) {
        golden_record(&t_glue, false, file, 0, err.message);
        return;
    }
    tka_tsv_record rec;
    size_t i = 0;
    tka_status st;
    while ((st = tka_tsv_next(rd, &rec, &err)) == TKA_OK) {
        const json_t *w = json_array_get(want, i);
        bool ok = w && json_array_size(w) == rec.num_fields;
        for (size_t f = 0; ok && f < rec.num_fields; f++) {
            const json_t *s = json_array_get(w, f);
            ok = json_string_length(s) == rec.fields[f].len &&
                 memcmp(json_string_value(s), rec.fields[f].data, rec.fields[f].len) == 0;
        }
        golden_record(&t_glue, ok, file, i + 1, "GLUE row");
        i++;
    }
    golden_record(&t_glue, st == TKA_END && i == json_array_size(want), file, 0, "GLUE row count");
    tka_tsv_free(rd);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_demo(void)
{
    const char *file = "golden/pipeline/tokens.json";
    json_error_t jerr;
    json_t *root = json_load_file(golden_path(shared_dir, file), 0, &jerr);
    char tsv[4096];
    snprintf(tsv, sizeof tsv, "%s/data/demo_sst2_sentence/demo.tsv", shared_dir);
    const json_t *rows = json_object_get(root, "rows");
    for (int mode = 0; mode < 2; mode++) {
        tka_dataset_options o;
        tka_dataset_options_init(&o);
        o.tsv.mode = mode ? TKA_TSV_GLUE : TKA_TSV_PANDAS;
        tka_dataset *ds;
        tka_error err;
        if (!root || tka_dataset_open(tsv, &o, &ds, &err) != TKA_OK) {
            golden_record(&t_demo, false, file, 0, root ? err.message : jerr.text);
            continue;
        }
        golden_record(&t_demo, tka_dataset_num_rows(ds) == json_array_size(rows), file, 0,
                      "demo.tsv row count");
        /* both readers agree on demo.tsv: no divergence warning */
        golden_record(&t_demo, tka_dataset_warnings(ds)[0] == '\0', file, 0,
                      tka_dataset_warnings(ds));
        if (!mode)
            golden_record(&t_demo,
                          tka_dataset_column_dtype(ds, tka_dataset_label_column(ds)) ==
                              TKA_COLUMN_INT64,
                          file, 0, "label dtype int64");
        tka_row row;
        size_t i = 0;
        while (tka_dataset_next(ds, &row, &err) == TKA_OK) {
            const json_t *w = json_array_get(rows, i);
            const json_t *s = json_object_get(w, "sentence");
            golden_record(&t_demo,
                          row.text.kind == TKA_VALUE_STR && row.text.len == json_string_length(s) &&
                              memcmp(row.text.text, json_string_value(s), row.text.len) == 0,
                          file, i, "sentence");
            int64_t label;
            golden_record(&t_demo,
                          tka_value_to_int64(&row.label, tsv, &label, NULL) == TKA_OK &&
                              label == json_integer_value(json_object_get(w, "label")),
                          file, i, "label");
            i++;
        }
        tka_dataset_free(ds);
    }
    json_decref(root);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SHARED_DIR\n", argv[0]);
        return 2;
    }
    shared_dir = argv[1];
    const char *dir = golden_path(shared_dir, "golden/tsv");
    char dirbuf[4096];
    snprintf(dirbuf, sizeof dirbuf, "%s", dir);
    DIR *d = opendir(dirbuf);
    if (!d) {
        fprintf(stderr, "golden: cannot open %s\n", dirbuf);
        return 1;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "tricky_", 7) == 0 && len > 5 &&
            strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        char jpath[4200], tsv[4200], rel[300];
        snprintf(jpath, sizeof jpath, "%s/%s", dirbuf, names[i]);
        snprintf(rel, sizeof rel, "golden/tsv/%s", names[i]);
        json_error_t jerr;
        json_t *root = json_load_file(jpath, 0, &jerr);
        if (!root) {
            golden_record(&t_pandas, false, rel, 0, jerr.text);
            free(names[i]);
            continue;
        }
        snprintf(tsv, sizeof tsv, "%s/%s", dirbuf,
                 json_string_value(json_object_get(root, "file")));
        /* the .tsv holds exactly the bytes the JSON describes */
        tka_buf bytes = {0};
        tka_buf hex = {0};
        bool read_ok = tka_read_file(tsv, 0, &bytes, NULL) == TKA_OK;
        for (size_t k = 0; read_ok && k < bytes.len; k++)
            tka_buf_printf(&hex, "%02x", (unsigned char)bytes.data[k]);
        golden_record(&t_bytes,
                      read_ok && strcmp(hex.data ? hex.data : "",
                                        json_string_value(json_object_get(root, "bytes_hex"))) == 0,
                      rel, 0, "input bytes");
        tka_buf_free(&bytes);
        tka_buf_free(&hex);
        check_pandas(rel, tsv, json_object_get(root, "pandas"));
        check_glue(rel, tsv, json_object_get(root, "csv_quote_none"));
        json_decref(root);
        free(names[i]);
    }
    check_demo();
    bool ok = golden_report(&t_bytes, "tsv input bytes");
    ok &= golden_report(&t_pandas, "tsv pandas frames (names, dtypes, index, cells)");
    ok &= golden_report(&t_errors, "tsv pandas errors");
    ok &= golden_report(&t_glue, "tsv GLUE csv.reader rows");
    ok &= golden_report(&t_demo, "demo.tsv (pandas and GLUE) vs golden/pipeline/tokens.json");
    printf("tsv cases: %zu files\n", n);
    return ok && n == 30 ? 0 : 1;
}
