/* Compact store of the encodings a dump needs, filled in row order. */
#include "pipeline/row_store.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "pipeline/pack.h"

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

tka_status row_store_init(row_store *store, const uint64_t *rows, size_t n_rows,
                          const bool field_present[TKA_FIELD_SEQ_COUNT], tka_error *err)
{
    memset(store, 0, sizeof *store);
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++) {
        store->field_present[f] = field_present[f];
        store->fields_per_row += field_present[f];
    }
    if (n_rows == 0)
        return TKA_OK;
    uint64_t *sorted = malloc(n_rows * sizeof *sorted);
    store->entries = calloc(n_rows, sizeof *store->entries);
    if (!sorted || !store->entries) {
        free(sorted);
        row_store_free(store);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for %zu logged rows", n_rows);
    }
    memcpy(sorted, rows, n_rows * sizeof *sorted);
    qsort(sorted, n_rows, sizeof *sorted, compare_u64);
    for (size_t i = 0; i < n_rows; i++)
        if (i == 0 || sorted[i] != sorted[i - 1])
            store->entries[store->count++].row = sorted[i];
    free(sorted);
    return TKA_OK;
}

tka_status row_store_init_stream(row_store *store, uint64_t prefix, const uint64_t *items,
                                 size_t n_items, const bool field_present[TKA_FIELD_SEQ_COUNT],
                                 tka_error *err)
{
    tka_status st = row_store_init(store, NULL, 0, field_present, err);
    if (st != TKA_OK)
        return st;
    store->streaming = true;
    store->prefix = prefix;
    if (n_items == 0)
        return TKA_OK;
    if (!(store->items = malloc(n_items * sizeof *store->items)))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for %zu logged rows", n_items);
    memcpy(store->items, items, n_items * sizeof *items);
    qsort(store->items, n_items, sizeof *store->items, compare_u64);
    for (size_t i = 0; i < n_items; i++)
        if (i == 0 || store->items[i] != store->items[i - 1])
            store->items[store->n_items++] = store->items[i];
    return TKA_OK;
}

/* Streaming mode: adds `row` if it is kept. */
static row_store_entry *stream_want(row_store *store, uint64_t row, bool *nomem)
{
    while (store->cursor < store->n_items && store->items[store->cursor] < row)
        store->cursor++;
    bool listed = store->cursor < store->n_items && store->items[store->cursor] == row;
    if (row >= store->prefix && !listed)
        return NULL;
    if (!tka_grow_array((void **)&store->entries, &store->entries_cap, store->count + 1,
                        sizeof *store->entries, 64)) {
        *nomem = true;
        return NULL;
    }
    row_store_entry *e = &store->entries[store->count++];
    memset(e, 0, sizeof *e);
    e->row = row;
    return e;
}

void row_store_free(row_store *store)
{
    free(store->items);
    free(store->entries);
    free(store->pool);
    tka_buf_free(&store->texts);
    memset(store, 0, sizeof *store);
}

row_store_entry *row_store_want(row_store *store, uint64_t row, bool *nomem)
{
    if (store->streaming)
        return stream_want(store, row, nomem);
    while (store->cursor < store->count && store->entries[store->cursor].row < row)
        store->cursor++;
    if (store->cursor < store->count && store->entries[store->cursor].row == row)
        return &store->entries[store->cursor];
    return NULL;
}

tka_status row_store_put(row_store *store, row_store_entry *entry, uint32_t length,
                         const int32_t *const fields[TKA_FIELD_SEQ_COUNT], tka_error *err)
{
    uint64_t need = (uint64_t)length * store->fields_per_row;
    if (store->pool_cap - store->pool_used < need) {
        uint64_t cap = store->pool_cap ? store->pool_cap : 4096;
        while (cap - store->pool_used < need)
            cap *= 2;
        int32_t *p = realloc(store->pool, cap * sizeof *p);
        if (!p)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory storing row %llu",
                                 (unsigned long long)entry->row);
        store->pool = p;
        store->pool_cap = cap;
    }
    entry->offset = store->pool_used;
    entry->length = length;
    entry->stored = true;
    pack_fields(store->pool + store->pool_used, store->field_present, fields, length);
    store->pool_used += need;
    return TKA_OK;
}

row_store_entry *row_store_slot(row_store *store, uint64_t row)
{
    size_t lo = 0, hi = store->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (store->entries[mid].row < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < store->count && store->entries[lo].row == row ? &store->entries[lo] : NULL;
}

const row_store_entry *row_store_find(const row_store *store, uint64_t row)
{
    const row_store_entry *e = row_store_slot((row_store *)store, row);
    return e && e->stored ? e : NULL;
}

const int32_t *row_store_field(const row_store *store, const row_store_entry *entry,
                               tka_seq_field field)
{
    if (!store->field_present[field])
        return NULL;
    const int32_t *p = store->pool + entry->offset;
    for (int f = 0; f < (int)field; f++)
        if (store->field_present[f])
            p += entry->length;
    return p;
}

tka_status row_store_keep_text(row_store *store, row_store_entry *entry, uint64_t line,
                               const char *text, size_t len, const char *pair, size_t pair_len,
                               bool has_pair)
{
    entry->line = line;
    size_t index = (size_t)(entry - store->entries);
    if (index >= ROW_STORE_MAX_TEXTS)
        return TKA_OK;
    entry->text_off = store->texts.len;
    entry->text_len = len;
    entry->pair_len = has_pair ? pair_len : 0;
    tka_status st = tka_buf_append(&store->texts, text, len);
    if (st == TKA_OK && has_pair)
        st = tka_buf_append(&store->texts, pair, pair_len);
    entry->has_text = st == TKA_OK;
    entry->has_pair = st == TKA_OK && has_pair;
    return st;
}
