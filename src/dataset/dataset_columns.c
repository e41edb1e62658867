/* Column names (pandas' Unnamed / duplicate mangling) and column selection. */
#include "dataset/dataset_columns.h"

#include <stdint.h>
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

/* pandas' mangle_dupe_cols state, hashed so a header of a million columns
 * is linear: per name, `count` is its entry in pandas' `counts` dict (times
 * handed out) and `occ` how many times it is in `names` right now (pandas'
 * `col in names` looks at the list as it is being renamed). Keys are
 * borrowed: header strings and the renamed columns, alive until the end. */
typedef struct name_entry {
    const char *key;
    size_t count, occ;
} name_entry;

typedef struct name_table {
    name_entry *slot;
    size_t cap, used; /* cap: a power of two, at most half full */
} name_table;

static size_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)(h ^ (h >> 32));
}

/* The entry of `key`, inserted (zeroed) when absent; NULL when out of memory. */
static name_entry *table_entry(name_table *t, const char *key)
{
    if (2 * (t->used + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        name_entry *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return NULL;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i].key) {
                size_t j = name_hash(t->slot[i].key) & (cap - 1);
                while (slot[j].key)
                    j = (j + 1) & (cap - 1);
                slot[j] = t->slot[i];
            }
        free(t->slot);
        t->slot = slot;
        t->cap = cap;
    }
    size_t j = name_hash(key) & (t->cap - 1);
    while (t->slot[j].key && strcmp(t->slot[j].key, key) != 0)
        j = (j + 1) & (t->cap - 1);
    if (!t->slot[j].key) {
        t->slot[j].key = key;
        t->used++;
    }
    return &t->slot[j];
}

/* Lookup without inserting (a zero entry when absent). */
static name_entry table_get(const name_table *t, const char *key)
{
    name_entry none = {key, 0, 0};
    if (!t->cap)
        return none;
    size_t j = name_hash(key) & (t->cap - 1);
    while (t->slot[j].key) {
        if (strcmp(t->slot[j].key, key) == 0)
            return t->slot[j];
        j = (j + 1) & (t->cap - 1);
    }
    return none;
}

/* Renames duplicates in place, in pandas' order: named columns first, then
 * the unnamed ones; "x" seen before becomes "x.1", or "x.2" when "x.1" is
 * already a header name, and so on. */
static bool mangle_duplicates(char **names, const bool *unnamed, size_t n)
{
    name_table t = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        name_entry *e = table_entry(&t, names[i]);
        ok = e != NULL;
        if (ok)
            e->occ++;
    }
    for (int pass = 0; ok && pass < 2; pass++) {
        for (size_t i = 0; ok && i < n; i++) {
            if (unnamed[i] != (pass == 1))
                continue;
            const char *old = names[i];
            size_t cur = table_get(&t, old).count;
            char *col = NULL;
            while (cur > 0) {
                name_entry *e = table_entry(&t, old);
                if (!e) {
                    ok = false;
                    break;
                }
                e->count = cur + 1;
                size_t size = strlen(old) + 24;
                free(col);
                if (!(col = malloc(size))) {
                    ok = false;
                    break;
                }
                snprintf(col, size, "%s.%zu", old, cur);
                name_entry c = table_get(&t, col);
                cur = c.occ > 0 ? cur + 1 : c.count;
            }
            if (!ok) {
                free(col);
                break;
            }
            if (col) {
                names[i] =
                    col; /* `old` stays alive (the table refers to it); the caller frees it */
                name_entry *was = table_entry(&t, old), *now = table_entry(&t, col);
                if (!was || !now) {
                    ok = false;
                    break;
                }
                was->occ--;
                now->occ++;
            }
            name_entry *e = table_entry(&t, names[i]);
            if (!e) {
                ok = false;
                break;
            }
            e->count = cur + 1;
        }
    }
    free(t.slot);
    return ok;
}

tka_status column_names(const tka_tsv_record *header, bool pandas, const char *file, char ***out,
                        tka_error *err)
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
    tka_error_set(err, TKA_ERR_NOT_FOUND, "%s: no %s column named '%s' (columns: %s)%s", file, role,
                  spec, list.data ? list.data : "none",
                  pandas ? "; pandas raises KeyError (header names keep their spaces)" : "");
    tka_buf_free(&list);
    return TKA_ERR_NOT_FOUND;
}
