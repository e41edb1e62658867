/* The ordered key -> array dict (ReprodLogger.data): insertion order, a hash
 * index for lookups, keys and data in one arena. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dump/dump_internal.h"
#include "tokalign/arena.h"
#include "tokalign/text.h"
#include "core/grow.h"
#include "core/try.h"

typedef struct entry {
    char *key;
    size_t key_len;
    uint64_t hash;
    uint64_t object_id; /* equal ids: the same Python object under two keys */
    uint64_t dtype_id;  /* 0: numpy's builtin dtype; else the dtype object read from a file */
    tka_array value;
} entry;

struct tka_dict {
    tka_arena *arena;
    entry *entries;
    size_t count, cap;
    ptrdiff_t *index; /* open addressing: position in entries, -1 = empty */
    size_t index_cap; /* power of two, > 2 * count */
    char *meta;       /* malloc'd compact JSON, or NULL */
    uint64_t next_id;
};

static uint64_t hash_key(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

tka_dict *tka_dict_new(void)
{
    tka_dict *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->arena = tka_arena_new(0);
    if (!d->arena) {
        free(d);
        return NULL;
    }
    return d;
}

void tka_dict_free(tka_dict *d)
{
    if (!d)
        return;
    tka_arena_free(d->arena);
    free(d->entries);
    free(d->index);
    free(d->meta);
    free(d);
}

tka_arena *dump_dict_arena(tka_dict *d)
{
    return d->arena;
}

size_t tka_dict_size(const tka_dict *d)
{
    return d->count;
}

const char *tka_dict_key(const tka_dict *d, size_t i)
{
    return i < d->count ? d->entries[i].key : NULL;
}

const tka_array *tka_dict_at(const tka_dict *d, size_t i)
{
    return i < d->count ? &d->entries[i].value : NULL;
}

static ptrdiff_t find(const tka_dict *d, const char *key, size_t len, uint64_t h)
{
    if (!d->index_cap)
        return -1;
    size_t mask = d->index_cap - 1;
    for (size_t slot = (size_t)h & mask;; slot = (slot + 1) & mask) {
        ptrdiff_t at = d->index[slot];
        if (at < 0)
            return -1;
        const entry *e = &d->entries[at];
        if (e->hash == h && e->key_len == len && memcmp(e->key, key, len) == 0)
            return at;
    }
}

ptrdiff_t dump_dict_find_n(const tka_dict *d, const char *key, size_t len)
{
    return find(d, key, len, hash_key(key, len));
}

ptrdiff_t tka_dict_find(const tka_dict *d, const char *key)
{
    size_t len = strlen(key);
    return find(d, key, len, hash_key(key, len));
}

const tka_array *tka_dict_get(const tka_dict *d, const char *key)
{
    ptrdiff_t at = tka_dict_find(d, key);
    return at < 0 ? NULL : &d->entries[at].value;
}

static bool rebuild_index(tka_dict *d, size_t want)
{
    size_t cap = 16;
    while (cap < 2 * want + 2)
        cap *= 2;
    ptrdiff_t *index = malloc(cap * sizeof *index);
    if (!index)
        return false;
    for (size_t i = 0; i < cap; i++)
        index[i] = -1;
    for (size_t i = 0; i < d->count; i++) {
        size_t slot = (size_t)d->entries[i].hash & (cap - 1);
        while (index[slot] >= 0)
            slot = (slot + 1) & (cap - 1);
        index[slot] = (ptrdiff_t)i;
    }
    free(d->index);
    d->index = index;
    d->index_cap = cap;
    return true;
}

uint64_t dump_dict_object_id(const tka_dict *d, size_t i)
{
    return d->entries[i].object_id;
}

uint64_t dump_dict_dtype_id(const tka_dict *d, size_t i)
{
    return d->entries[i].dtype_id;
}

void dump_dict_set_dtype_id(tka_dict *d, size_t i, uint64_t id)
{
    d->entries[i].dtype_id = id;
}

tka_status dump_dict_insert(tka_dict *d, const char *key, size_t len, const tka_array *value,
                            tka_error *err)
{
    return dump_dict_insert_object(d, key, len, value, ++d->next_id, err);
}

tka_status dump_dict_insert_object(tka_dict *d, const char *key, size_t len, const tka_array *value,
                                   uint64_t object_id, tka_error *err)
{
    size_t bad;
    if (memchr(key, 0, len))
        return tka_error_set(err, TKA_ERR_UNSUPPORTED, "key contains a NUL character");
    if (!tka_utf8_valid(key, len, &bad))
        return tka_error_set(err, TKA_ERR_UTF8, "key is not valid UTF-8 (byte %zu of the key)",
                             bad);
    uint64_t h = hash_key(key, len);
    ptrdiff_t at = find(d, key, len, h);
    if (at >= 0) { /* COMPAT: dict assignment keeps an existing key's position */
        d->entries[at].value = *value;
        d->entries[at].object_id = object_id;
        d->entries[at].dtype_id = 0;
        return TKA_OK;
    }
    if (!tka_grow_array((void **)&d->entries, &d->cap, d->count + 1, sizeof *d->entries, 16))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory adding key");
    if (2 * (d->count + 1) + 2 > d->index_cap && !rebuild_index(d, d->count + 1))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory adding key");
    char *k = tka_arena_strndup(d->arena, key, len);
    if (!k)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory adding key");
    entry *e = &d->entries[d->count];
    e->key = k;
    e->key_len = len;
    e->hash = h;
    e->value = *value;
    e->object_id = object_id;
    e->dtype_id = 0;
    size_t mask = d->index_cap - 1, slot = (size_t)h & mask;
    while (d->index[slot] >= 0)
        slot = (slot + 1) & mask;
    d->index[slot] = (ptrdiff_t)d->count;
    d->count++;
    return TKA_OK;
}

static tka_status check_shape(tka_dtype dtype, unsigned ndim, const int64_t *shape, size_t *count,
                              tka_error *err)
{
    if ((unsigned)dtype >= TKA_DTYPE_COUNT)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "unknown dtype %d", (int)dtype);
    if (ndim > TKA_NDIM_MAX)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "%u dimensions exceed numpy's limit of %d",
                             ndim, TKA_NDIM_MAX);
    if (!dump_checked_count(shape, ndim, tka_dtype_size(dtype), count))
        return tka_error_set(err, TKA_ERR_ARGUMENT, "invalid shape (negative or too large)");
    return TKA_OK;
}

tka_status tka_dict_put(tka_dict *d, const char *key, tka_dtype dtype, unsigned ndim,
                        const int64_t *shape, void **data, tka_error *err)
{
    size_t count;
    TKA_TRY(check_shape(dtype, ndim, shape, &count, err));
    tka_array a = {.dtype = dtype, .ndim = ndim};
    if (ndim)
        memcpy(a.shape, shape, ndim * sizeof *shape);
    a.data = tka_arena_calloc(d->arena, count ? count : 1, tka_dtype_size(dtype));
    if (!a.data)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for '%s'", key);
    tka_status st = dump_dict_insert(d, key, strlen(key), &a, err);
    if (st == TKA_OK && data)
        *data = a.data;
    return st;
}

tka_status tka_dict_add(tka_dict *d, const char *key, const tka_array *value, tka_error *err)
{
    void *data;
    TKA_TRY(check_shape(value->dtype, value->ndim, value->shape, &(size_t){0}, err));
    size_t bytes = tka_array_count(value) * tka_dtype_size(value->dtype);
    if (bytes && !value->data)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "'%s': array data is NULL", key);
    TKA_TRY(tka_dict_put(d, key, value->dtype, value->ndim, value->shape, &data, err));
    if (bytes)
        memcpy(data, value->data, bytes);
    ptrdiff_t at = tka_dict_find(d, key);
    d->entries[at].value.layout = value->layout & (TKA_ARRAY_BIG_ENDIAN | TKA_ARRAY_FORTRAN);
    return TKA_OK;
}

tka_status tka_dict_add_shared(tka_dict *d, const char *key, const char *existing, tka_error *err)
{
    ptrdiff_t at = tka_dict_find(d, existing);
    if (at < 0)
        return tka_error_set(err, TKA_ERR_NOT_FOUND, "no key '%s' to share", existing);
    tka_array a = d->entries[at].value;
    return dump_dict_insert_object(d, key, strlen(key), &a, d->entries[at].object_id, err);
}

bool tka_dict_remove(tka_dict *d, const char *key)
{
    ptrdiff_t at = tka_dict_find(d, key);
    if (at < 0)
        return false;
    memmove(&d->entries[at], &d->entries[at + 1], (d->count - (size_t)at - 1) * sizeof *d->entries);
    d->count--;
    rebuild_index(d, d->count); /* cannot grow, so only fails if malloc does */
    return true;
}

void tka_dict_clear(tka_dict *d)
{
    d->count = 0;
    tka_arena_reset(d->arena);
    for (size_t i = 0; i < d->index_cap; i++)
        d->index[i] = -1;
}

const char *tka_dict_meta(const tka_dict *d)
{
    return d->meta;
}

tka_status dump_dict_set_meta_text(tka_dict *d, const char *text, tka_error *err)
{
    char *copy = strdup(text);
    if (!copy)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory storing metadata");
    free(d->meta);
    d->meta = copy;
    return TKA_OK;
}

tka_status tka_dict_set_meta(tka_dict *d, const char *text, tka_error *err)
{
    if (!text) {
        free(d->meta);
        d->meta = NULL;
        return TKA_OK;
    }
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return tka_error_set(err, TKA_ERR_ARGUMENT, "metadata must be a JSON object%s%s",
                             j ? "" : ": ", j ? "" : jerr.text);
    }
    tka_buf compact = {0};
    tka_status st = dump_json_compact(j, &compact);
    json_decref(j);
    if (st == TKA_OK)
        st = dump_dict_set_meta_text(d, compact.data, err);
    else
        tka_error_set(err, st, "metadata: %s",
                      st == TKA_ERR_LIMIT ? "nested too deeply" : "out of memory");
    tka_buf_free(&compact);
    return st;
}
