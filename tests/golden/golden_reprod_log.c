/* Golden test of the dump stage: every .npy under shared/golden/reprod_log,
 * shared/golden/pipeline and shared/data/reprod_log_samples is read, checked
 * against its JSON mirror where one exists, and re-written byte for byte;
 * every diff/report case of diff_cases.json is reproduced. */
#include <dirent.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tokalign/diff.h"
#include "tokalign/dump.h"
#include "core/io.h"

static const char *shared;

/* Sorted list of the files in dir ending in `suffix`. */
static size_t list_files(const char *dir, const char *suffix, char names[][256], size_t cap)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 0;
    }
    struct dirent *e;
    size_t sl = strlen(suffix);
    while ((e = readdir(d)) && n < cap) {
        size_t l = strlen(e->d_name);
        if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0)
            snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
    return n;
}

static char *join(const char *a, const char *b)
{
    static char buf[4][8300];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", a, b);
    return buf[k];
}

/* Reads `path`, re-encodes it as a reprod_log dict and compares the bytes. */
static bool roundtrip(const char *path, tka_dict **out)
{
    tka_error err;
    tka_buf orig = {0}, again = {0};
    tka_dict *d = NULL;
    tka_dump_kind kind;
    bool ok = tka_read_file(path, 0, &orig, &err) == TKA_OK &&
              tka_dump_read(path, TKA_FORMAT_AUTO, &d, &kind, &err) == TKA_OK &&
              kind == TKA_DUMP_REPROD && tka_reprod_encode(d, &again, &err) == TKA_OK;
    if (!ok)
        fprintf(stderr, "%s: %s\n", path, err.message);
    else if (again.len != orig.len || memcmp(again.data, orig.data, orig.len) != 0) {
        size_t i = 0;
        while (i < again.len && i < orig.len && again.data[i] == orig.data[i])
            i++;
        fprintf(stderr, "%s: re-written bytes differ at byte %zu (lengths %zu vs %zu)\n", path, i,
                orig.len, again.len);
        ok = false;
    }
    tka_buf_free(&orig);
    tka_buf_free(&again);
    if (out && ok)
        *out = d;
    else
        tka_dict_free(d);
    return ok;
}

/* Element i of an array as a double (exact for the int64 data of the mirrors). */
static bool element_equals_json(const tka_array *a, size_t i, const json_t *v)
{
    switch (a->dtype) {
    case TKA_DTYPE_INT64:
        return json_is_integer(v) && json_integer_value(v) == ((const int64_t *)a->data)[i];
    case TKA_DTYPE_INT32:
        return json_is_integer(v) && json_integer_value(v) == ((const int32_t *)a->data)[i];
    case TKA_DTYPE_INT8:
        return json_is_integer(v) && json_integer_value(v) == ((const int8_t *)a->data)[i];
    case TKA_DTYPE_FLOAT64:
        return json_is_number(v) && json_number_value(v) == ((const double *)a->data)[i];
    case TKA_DTYPE_FLOAT32:
        return json_is_number(v) && json_number_value(v) == ((const float *)a->data)[i];
    default: return false;
    }
}

/* Compares the nested JSON list `v` against the array, walking the shape. */
static bool data_equals_json(const tka_array *a, unsigned axis, size_t *flat, const json_t *v)
{
    if (axis == a->ndim)
        return element_equals_json(a, (*flat)++, v);
    if (!json_is_array(v) || (int64_t)json_array_size(v) != a->shape[axis])
        return false;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!data_equals_json(a, axis + 1, flat, json_array_get(v, i)))
            return false;
    return true;
}

static void check_pipeline(golden_tally *t)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/golden/pipeline", shared);
    static char names[64][256];
    size_t n = list_files(dir, ".npy", names, 64);
    for (size_t f = 0; f < n; f++) {
        char npy[4096];
        snprintf(npy, sizeof npy, "%s/%s", dir, names[f]);
        tka_dict *d = NULL;
        bool rt = roundtrip(npy, &d);
        golden_record(t, rt, names[f], 0, "re-written .npy differs from numpy's");
        char mirror[512];
        snprintf(mirror, sizeof mirror, "%.*s.json", (int)strlen(names[f]) - 4, names[f]);
        json_error_t jerr;
        json_t *j = json_load_file(join(dir, mirror), 0, &jerr);
        if (!j || !d) {
            golden_record(t, false, mirror, 0, j ? "npy unreadable" : "mirror unreadable");
            json_decref(j);
            tka_dict_free(d);
            continue;
        }
        json_t *entries = json_object_get(j, "entries");
        golden_record(t, json_array_size(entries) == tka_dict_size(d), mirror, 0,
                      "number of entries");
        for (size_t i = 0; i < json_array_size(entries) && i < tka_dict_size(d); i++) {
            json_t *e = json_array_get(entries, i);
            const tka_array *a = tka_dict_at(d, i);
            bool ok =
                strcmp(json_string_value(json_object_get(e, "key")), tka_dict_key(d, i)) == 0 &&
                strcmp(json_string_value(json_object_get(e, "dtype")), tka_dtype_name(a->dtype)) ==
                    0;
            json_t *shape = json_object_get(e, "shape");
            ok = ok && json_array_size(shape) == a->ndim;
            for (unsigned k = 0; ok && k < a->ndim; k++)
                ok = json_integer_value(json_array_get(shape, k)) == a->shape[k];
            size_t flat = 0;
            ok = ok && data_equals_json(a, 0, &flat, json_object_get(e, "data")) &&
                 flat == tka_array_count(a);
            char what[300];
            snprintf(what, sizeof what, "entry %zu ('%s') differs from the mirror", i,
                     tka_dict_key(d, i));
            golden_record(t, ok, mirror, i + 1, what);
        }
        /* the JSON writer reproduces the mirror byte for byte */
        tka_buf mine = {0}, theirs = {0};
        tka_error err;
        json_t *meta = json_object_get(j, "meta");
        char *meta_text = meta ? json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        bool ok = tka_dict_set_meta(d, meta_text, &err) == TKA_OK &&
                  tka_json_encode(d, names[f], &mine, &err) == TKA_OK &&
                  tka_read_file(join(dir, mirror), 0, &theirs, &err) == TKA_OK &&
                  mine.len == theirs.len && memcmp(mine.data, theirs.data, mine.len) == 0;
        golden_record(t, ok, mirror, 0, "JSON mirror written by tokalign differs");
        /* and reading the mirror gives the same dict */
        tka_dict *back = NULL;
        ok = tka_dump_read(join(dir, mirror), TKA_FORMAT_AUTO, &back, NULL, &err) == TKA_OK;
        tka_buf again = {0};
        tka_buf orig = {0};
        ok = ok && tka_reprod_encode(back, &again, &err) == TKA_OK &&
             tka_read_file(npy, 0, &orig, &err) == TKA_OK && again.len == orig.len &&
             memcmp(again.data, orig.data, orig.len) == 0;
        golden_record(t, ok, mirror, 0, "mirror read back and saved as .npy differs from numpy's");
        tka_dict_free(back);
        tka_buf_free(&again);
        tka_buf_free(&orig);
        free(meta_text);
        tka_buf_free(&mine);
        tka_buf_free(&theirs);
        json_decref(j);
        tka_dict_free(d);
    }
}

static void check_example(golden_tally *t)
{
    const char *path = join(shared, "golden/reprod_log/example_2key.npy");
    tka_dict *d = NULL;
    golden_record(t, roundtrip(path, &d), "example_2key.npy", 0, "round trip");
    bool ok = d && tka_dict_size(d) == 2 && strcmp(tka_dict_key(d, 0), "input_ids") == 0 &&
              strcmp(tka_dict_key(d, 1), "loss") == 0;
    if (ok) {
        const tka_array *ids = tka_dict_at(d, 0), *loss = tka_dict_at(d, 1);
        ok = ids->dtype == TKA_DTYPE_INT64 && ids->ndim == 2 && ids->shape[0] == 4 &&
             ids->shape[1] == 7 && loss->dtype == TKA_DTYPE_FLOAT32 && loss->ndim == 0 &&
             *(const float *)loss->data == 0.25f;
        for (int i = 0; ok && i < 28; i++)
            ok = ((const int64_t *)ids->data)[i] == i;
    }
    golden_record(t, ok, "example_2key.npy", 0,
                  "content is not input_ids=arange(28).reshape(4,7), loss=0.25f");
    tka_dict_free(d);
}

static void check_all_npy(golden_tally *t, const char *rel)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/%s", shared, rel);
    static char names[128][256];
    size_t n = list_files(dir, ".npy", names, 128);
    for (size_t f = 0; f < n; f++)
        golden_record(t, roundtrip(join(dir, names[f]), NULL), names[f], 0,
                      "read + re-write is not byte-identical");
}

/* ------------------------------------------------------------ diff cases */

static bool parse_methods(const json_t *m, tka_report_options *o)
{
    tka_report_options_init(o);
    if (json_is_string(m))
        return tka_report_parse_methods(json_string_value(m), o, NULL) == TKA_OK;
    o->n_methods = 0;
    for (size_t i = 0; i < json_array_size(m); i++) {
        char one[16];
        snprintf(one, sizeof one, "%s", json_string_value(json_array_get(m, i)));
        tka_report_options tmp;
        tka_report_options_init(&tmp);
        if (tka_report_parse_methods(one, &tmp, NULL) != TKA_OK || tmp.n_methods != 1)
            return false;
        o->methods[o->n_methods++] = tmp.methods[0];
    }
    return true;
}

static void check_diff_cases(golden_tally *t)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/golden/reprod_log", shared);
    json_error_t jerr;
    json_t *root = json_load_file(join(dir, "diff_cases.json"), 0, &jerr);
    json_t *cases = json_object_get(root, "cases");
    if (!json_array_size(cases)) {
        golden_record(t, false, "diff_cases.json", 0, "no cases");
        json_decref(root);
        return;
    }
    for (size_t c = 0; c < json_array_size(cases); c++) {
        json_t *cs = json_array_get(cases, c);
        const char *name = json_string_value(json_object_get(cs, "case"));
        tka_error err;
        tka_dict *a = NULL, *b = NULL;
        bool loaded = tka_dump_read(join(dir, json_string_value(json_object_get(cs, "info1"))),
                                    TKA_FORMAT_AUTO, &a, NULL, &err) == TKA_OK &&
                      tka_dump_read(join(dir, json_string_value(json_object_get(cs, "info2"))),
                                    TKA_FORMAT_AUTO, &b, NULL, &err) == TKA_OK;
        json_t *runs = json_object_get(cs, "runs");
        for (size_t r = 0; r < json_array_size(runs); r++) {
            json_t *run = json_array_get(runs, r);
            char what[4096];
            bool ok = loaded;
            tka_report_options opt;
            ok = ok && parse_methods(json_object_get(run, "diff_method"), &opt);
            opt.threshold = json_number_value(json_object_get(run, "diff_threshold"));
            tka_buf out = {0}, log = {0};
            tka_diff *diff = NULL;
            tka_status st = ok ? tka_diff_compare(a, b, &diff, &out, &err) : TKA_ERR_ARGUMENT;
            json_t *raises = json_object_get(run, "raises");
            snprintf(what, sizeof what, "case %s run %zu", name, r);
            if (raises) {
                char expect[1024];
                snprintf(expect, sizeof expect, "%s: %s", json_string_value(raises),
                         json_string_value(json_object_get(run, "message")));
                ok = ok && st == TKA_ERR_REFERENCE && strcmp(err.message, expect) == 0;
                if (!ok)
                    snprintf(what, sizeof what, "case %s run %zu: expected '%s', got '%s'", name, r,
                             expect, st == TKA_OK ? "(no error)" : err.message);
            } else {
                bool passed = false;
                ok = ok && st == TKA_OK &&
                     tka_diff_report(diff, &opt, &log, &passed, &err) == TKA_OK;
                tka_buf expect = {0}, expect_out = {0};
                json_t *msgs = json_object_get(run, "log_messages");
                for (size_t i = 0; i < json_array_size(msgs); i++)
                    tka_buf_printf(&expect, "%s\n", json_string_value(json_array_get(msgs, i)));
                json_t *so = json_object_get(run, "stdout_before_log");
                for (size_t i = 0; i < json_array_size(so); i++)
                    tka_buf_printf(&expect_out, "%s\n", json_string_value(json_array_get(so, i)));
                const char *last =
                    json_string_value(json_array_get(msgs, json_array_size(msgs) - 1));
                ok = ok && log.len == expect.len && memcmp(log.data, expect.data, log.len) == 0 &&
                     out.len == expect_out.len &&
                     (out.len == 0 || memcmp(out.data, expect_out.data, out.len) == 0) &&
                     passed == (strcmp(last, "diff check passed") == 0);
                if (!ok)
                    snprintf(what, sizeof what, "case %s run %zu: expected\n%sgot\n%s%s", name, r,
                             expect.data ? expect.data : "", log.data ? log.data : "",
                             st == TKA_OK ? "" : err.message);
                tka_buf_free(&expect);
                tka_buf_free(&expect_out);
            }
            golden_record(t, ok, "diff_cases.json", c + 1, what);
            tka_diff_free(diff);
            tka_buf_free(&out);
            tka_buf_free(&log);
        }
        tka_dict_free(a);
        tka_dict_free(b);
    }
    json_decref(root);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: golden_reprod_log SHARED_DIR\n");
        return 2;
    }
    shared = argv[1];
    golden_tally t1 = {0}, t2 = {0}, t3 = {0}, t4 = {0}, t5 = {0};
    check_example(&t1);
    check_all_npy(&t2, "golden/reprod_log");
    check_all_npy(&t3, "data/reprod_log_samples");
    check_pipeline(&t4);
    check_diff_cases(&t5);
    bool ok = golden_report(&t1, "reprod_log example_2key (read, values, re-write)");
    ok = golden_report(&t2, "reprod_log diff_*.npy byte-identical re-write") && ok;
    ok = golden_report(&t3, "reprod_log_samples byte-identical re-write") && ok;
    ok = golden_report(&t4, "pipeline .npy vs JSON mirrors (entries, re-write, JSON bytes)") && ok;
    ok = golden_report(&t5, "diff_cases.json runs (log messages, stdout, exceptions)") && ok;
    return ok ? 0 : 1;
}
