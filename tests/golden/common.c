/* Shared plumbing of the golden differential tests. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool golden_each_row(const char *path, bool (*fn)(json_t *row, size_t line, void *ctx), void *ctx)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "golden: cannot open %s\n", path);
        return false;
    }
    char *line = NULL;
    size_t cap = 0, number = 0;
    ssize_t n;
    bool ok = true;
    while ((n = getline(&line, &cap, f)) >= 0) {
        number++;
        if (n == 0 || (n == 1 && line[0] == '\n'))
            continue;
        json_error_t jerr;
        json_t *row = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &jerr);
        if (!row) {
            fprintf(stderr, "golden: %s:%zu: not JSON: %s\n", path, number, jerr.text);
            ok = false;
            break;
        }
        bool keep_going = fn(row, number, ctx);
        json_decref(row);
        if (!keep_going) {
            ok = false;
            break;
        }
    }
    free(line);
    fclose(f);
    return ok;
}

const char *golden_path(const char *shared, const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", shared, rel);
    return buf;
}

void golden_record(golden_tally *t, bool ok, const char *file, size_t line, const char *what)
{
    t->checked++;
    if (ok) {
        t->matched++;
        return;
    }
    if (t->failed_printed++ < 10)
        fprintf(stderr, "MISMATCH %s:%zu: %s\n", file, line, what);
}

bool golden_report(const golden_tally *t, const char *label)
{
    bool ok = t->checked > 0 && t->checked == t->matched;
    printf("%s %s: checked %zu, matched %zu\n", ok ? "PASS" : "FAIL", label, t->checked,
           t->matched);
    return ok;
}

bool golden_ids_equal(const json_t *array, const int32_t *ids, size_t n)
{
    if (!json_is_array(array) || json_array_size(array) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(array, i);
        if (!json_is_integer(v) || json_integer_value(v) != ids[i])
            return false;
    }
    return true;
}
