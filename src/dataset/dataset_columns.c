/* Column names (pandas' Unnamed / duplicate mangling) and column selection. */
#include "dataset/dataset_columns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/pandas_infer.h"

void column_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* pandas' `counts` dict of mangle_dupe_cols: name -> times handed out. The
 * names are borrowed from the header array. */
typedef struct name_counts {
    const char **name;
    size_t *count;
    size_t n;
} name_counts;

static size_t counts_get(const name_counts *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0)
            return c->count[i];
    return 0;
}

static void counts_set(name_counts *c, const char *name, size_t value)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0) {
            c->count[i] = value;
            return;
        }
    c->name[c->n] = name; /* capacity: one entry per header field */
    c->count[c->n++] = value;
}

static bool in_header(char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return true;
    return false;
}

/* Renames duplicates in place, in pandas' order: named columns first, then
 * the unnamed ones; "x" seen before becomes "x.1", or "x.2" when "x.1" is
 * already a header name, and so on. */
static bool mangle_duplicates(char **names, const bool *unnamed, size_t n)
{
    name_counts counts = {calloc(n, sizeof(char *)), calloc(n, sizeof(size_t)), 0};
    bool ok = counts.name && counts.count;
    for (int pass = 0; ok && pass < 2; pass++) {
        for (size_t i = 0; ok && i < n; i++) {
            if (unnamed[i] != (pass == 1))
                continue;
            const char *old = names[i];
            size_t cur = counts_get(&counts, old);
            char *col = NULL;
            while (cur > 0) {
                counts_set(&counts, old, cur + 1);
                size_t size = strlen(old) + 24;
                free(col);
                if (!(col = malloc(size))) {
                    ok = false;
                    break;
                }
                snprintf(col, size, "%s.%zu", old, cur);
                cur = in_header(names, n, col) ? cur + 1 : counts_get(&counts, col);
            }
            if (col)
                names[i] = col; /* `old` stays alive (counts refers to it); the caller frees it */
            counts_set(&counts, names[i], cur + 1);
        }
    }
    free(counts.name);
    free(counts.count);
    return ok;
}

tka_status column_names(const tka_tsv_record *header, bool pandas, const char *file,
                        char ***out, tka_error *err)
{
    size_t n = header->num_fields;
    char **names = calloc(n ? n : 1, sizeof *names);
    bool *unnamed = calloc(n ? n : 1, sizeof *unnamed);
    char **originals = calloc(n ? n : 1, sizeof *originals);
    if (!names || !unnamed || !originals)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        const tka_tsv_field *f = &header->fields[i];
        size_t len = pandas ? pandas_cstr_len(f->data, f->len) : f->len;
        if (pandas && len == 0) {
            unnamed[i] = true;
            char buf[48];
            snprintf(buf, sizeof buf, "Unnamed: %zu", i);
            names[i] = strdup(buf);
        } else if ((names[i] = malloc(len + 1))) {
            memcpy(names[i], f->data, len);
            names[i][len] = '\0';
        }
        if (!names[i])
            goto nomem;
        originals[i] = names[i];
    }
    if (pandas && !mangle_duplicates(names, unnamed, n))
        goto nomem;
    /* Renamed columns leave their original strings behind. */
    for (size_t i = 0; i < n; i++)
        if (originals[i] != names[i])
            free(originals[i]);
    free(originals);
    free(unnamed);
    *out = names;
    return TKA_OK;
nomem:
    if (names)
        for (size_t i = 0; i < n; i++)
            if (originals && originals[i] != names[i])
                free(originals[i]);
    column_names_free(names, n);
    free(originals);
    free(unnamed);
    return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory (header with %zu fields)", file, n);
}

tka_status column_select(char *const *names, size_t n, bool pandas, const char *spec,
                         const char *role, const char *file, size_t *out, tka_error *err)
{
    *out = TKA_NOT_SELECTED;
    if (!spec)
        return TKA_OK;
    if (spec[0] == '#' && spec[1]) {
        char *end;
        unsigned long long v = strtoull(spec + 1, &end, 10);
        if (*end == '\0') {
            if (v >= n && pandas)
                return tka_error_set(err, TKA_ERR_NOT_FOUND,
                                     "%s: %s column %s does not exist (the file has %zu columns)",
                                     file, role, spec, n);
            *out = (size_t)v;
            return TKA_OK;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], spec) == 0) {
            *out = i;
            return TKA_OK;
        }
    tka_buf list = {0};
    for (size_t i = 0; i < n && list.len < 400; i++)
        tka_buf_printf(&list, "%s'%s'", i ? ", " : "", names[i]);
    tka_error_set(err, TKA_ERR_NOT_FOUND, "%s: no %s column named '%s' (columns: %s)%s", file,
                  role, spec, list.data ? list.data : "none",
                  pandas ? "; pandas raises KeyError (header names keep their spaces)" : "");
    tka_buf_free(&list);
    return TKA_ERR_NOT_FOUND;
}
