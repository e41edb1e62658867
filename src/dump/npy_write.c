/* Writing .npy files: the reprod_log dict as numpy.save pickles it (the
 * protocol-3 bytes of CPython's C pickler, memo numbering included), key by
 * key so large dumps stream, and plain arrays as numpy.save writes them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump/dump_internal.h"
#include "core/grow.h"
#include "core/io.h"
#include "core/try.h"

/* COMPAT: CPython's pickler writes dict items in batches of 1000 (BATCHSIZE),
 * each MARK ... SETITEMS; after a full batch it always opens another one,
 * so a dict of exactly 1000 * k keys ends with an empty MARK SETITEMS. */
#define PICKLE_BATCHSIZE 1000
#define FLUSH_AT (1u << 20)

struct tka_reprod_writer {
    tka_buf *out;    /* where bytes go: the caller's buffer or `filebuf` */
    tka_buf filebuf; /* file mode: staged bytes, flushed to `file` */
    tka_buf pending; /* the first item, held until we know whether a second follows */
    bool in_pending;
    tka_outfile *file; /* file mode: the output (committed on close) */
    uint64_t memo_next;
    int64_t str1[257];   /* CPython shares '' and 1-char latin-1 strs: memoised by value */
    int64_t bytes1[257]; /* ... and b'' and every 1-byte bytes object */
    int64_t dtype_memo[TKA_DTYPE_COUNT]; /* numpy's builtin native dtypes */
    int64_t *id_memo;                    /* dtype objects read from a file, by id */
    size_t id_memo_cap;
    int64_t g_reconstruct, g_ndarray, g_dtype;
    size_t count, in_group;
    bool closed, failed;
    char **keys; /* open-addressing set of the keys written (no duplicates) */
    size_t keys_cap;
};

static uint64_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Records `key`; false when it was already written (or out of memory,
 * reported through *nomem). */
static bool remember_key(tka_reprod_writer *w, const char *key, bool *nomem)
{
    *nomem = false;
    if (2 * (w->count + 1) >= w->keys_cap) {
        size_t cap = w->keys_cap ? 2 * w->keys_cap : 64;
        char **k = calloc(cap, sizeof *k);
        if (!k) {
            *nomem = true;
            return false;
        }
        for (size_t i = 0; i < w->keys_cap; i++)
            if (w->keys[i]) {
                size_t slot = (size_t)key_hash(w->keys[i]) & (cap - 1);
                while (k[slot])
                    slot = (slot + 1) & (cap - 1);
                k[slot] = w->keys[i];
            }
        free(w->keys);
        w->keys = k;
        w->keys_cap = cap;
    }
    size_t slot = (size_t)key_hash(key) & (w->keys_cap - 1);
    for (; w->keys[slot]; slot = (slot + 1) & (w->keys_cap - 1))
        if (strcmp(w->keys[slot], key) == 0)
            return false;
    w->keys[slot] = strdup(key);
    if (!w->keys[slot])
        *nomem = true;
    return w->keys[slot] != NULL;
}

static tka_buf *target(tka_reprod_writer *w)
{
    return w->in_pending ? &w->pending : w->out;
}

static tka_status flush(tka_reprod_writer *w, tka_error *err)
{
    if (!w->file || !w->filebuf.len)
        return TKA_OK;
    tka_status st = tka_outfile_write(w->file, w->filebuf.data, w->filebuf.len, err);
    w->filebuf.len = 0;
    return st;
    return TKA_OK;
}

static tka_status emit(tka_reprod_writer *w, const void *p, size_t n)
{
    return tka_buf_append(target(w), p, n);
}

static tka_status emit_op(tka_reprod_writer *w, char op)
{
    return tka_buf_append_char(target(w), op);
}

static tka_status emit_le(tka_reprod_writer *w, char op, uint64_t v, size_t n)
{
    unsigned char b[9];
    b[0] = (unsigned char)op;
    for (size_t i = 0; i < n; i++)
        b[1 + i] = (unsigned char)(v >> (8 * i));
    return emit(w, b, n + 1);
}

/* BINPUT / LONG_BINPUT of the next memo index; returns that index. */
static tka_status put(tka_reprod_writer *w, int64_t *idx)
{
    uint64_t i = w->memo_next++;
    if (idx)
        *idx = (int64_t)i;
    if (i > 0xffffffffu)
        return TKA_ERR_LIMIT;
    return i < 256 ? emit_le(w, 'q', i, 1) : emit_le(w, 'r', i, 4);
}

static tka_status get(tka_reprod_writer *w, int64_t i)
{
    return i < 256 ? emit_le(w, 'h', (uint64_t)i, 1) : emit_le(w, 'j', (uint64_t)i, 4);
}

static tka_status put_int(tka_reprod_writer *w, int64_t v)
{
    if (v >= 0 && v < 256)
        return emit_le(w, 'K', (uint64_t)v, 1);
    if (v >= 0 && v < 65536)
        return emit_le(w, 'M', (uint64_t)v, 2);
    if (v >= INT32_MIN && v <= INT32_MAX)
        return emit_le(w, 'J', (uint64_t)(uint32_t)(int32_t)v, 4);
    /* LONG1: minimal two's complement, as CPython's encode_long (here only
     * for dimensions >= 2**31, so positive). */
    unsigned char b[10];
    uint64_t u = (uint64_t)v;
    int bits = 64 - __builtin_clzll(u);
    size_t n = (size_t)bits / 8 + 1;
    if (n > 8)
        n = 8;
    for (size_t i = 0; i < n; i++)
        b[2 + i] = (unsigned char)(u >> (8 * i));
    b[0] = (unsigned char)0x8a;
    b[1] = (unsigned char)n;
    return emit(w, b, n + 2);
}

/* Code point of a 1-character latin-1 string, 256 for "", -1 otherwise. */
static int shared_str_slot(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 256;
    if (n == 1 && u[0] < 0x80)
        return u[0];
    if (n == 2 && (u[0] == 0xc2 || u[0] == 0xc3) && (u[1] & 0xc0) == 0x80)
        return ((u[0] & 0x03) << 6) | (u[1] & 0x3f);
    return -1;
}

static tka_status put_str(tka_reprod_writer *w, const char *s, size_t n)
{
    int slot = shared_str_slot(s, n);
    if (slot >= 0 && w->str1[slot] >= 0)
        return get(w, w->str1[slot]);
    if (n > 0xffffffffu)
        return TKA_ERR_LIMIT;
    TKA_TRY(emit_le(w, 'X', n, 4));
    TKA_TRY(emit(w, s, n));
    return put(w, slot >= 0 ? &w->str1[slot] : NULL);
}

static tka_status put_bytes_head(tka_reprod_writer *w, const unsigned char *b, size_t n, bool *done)
{
    *done = false;
    if (n <= 1) {
        int slot = n ? b[0] : 256;
        if (w->bytes1[slot] >= 0) {
            *done = true;
            return get(w, w->bytes1[slot]);
        }
    }
    if (n < 256)
        return emit_le(w, 'C', n, 1);
    return emit_le(w, 'B', n, 4);
}

static tka_status put_small_bytes(tka_reprod_writer *w, const unsigned char *b, size_t n)
{
    bool done;
    tka_status st = put_bytes_head(w, b, n, &done);
    if (st != TKA_OK || done)
        return st;
    TKA_TRY(emit(w, b, n));
    return put(w, n <= 1 ? &w->bytes1[n ? b[0] : 256] : NULL);
}

static tka_status put_global(tka_reprod_writer *w, int64_t *memo, const char *text, size_t n)
{
    if (*memo >= 0)
        return get(w, *memo);
    tka_status st = emit(w, text, n);
    return st == TKA_OK ? put(w, memo) : st;
}

#define GLOBAL_RECONSTRUCT "cnumpy.core.multiarray\n_reconstruct\n"
#define GLOBAL_NDARRAY "cnumpy\nndarray\n"
#define GLOBAL_DTYPE "cnumpy\ndtype\n"

/* _reconstruct(ndarray, (0,), b'b') then REDUCE. */
static tka_status reconstruct_head(tka_reprod_writer *w, int64_t *memo)
{
    TKA_TRY(put_global(w, &w->g_reconstruct, GLOBAL_RECONSTRUCT, sizeof GLOBAL_RECONSTRUCT - 1));
    TKA_TRY(put_global(w, &w->g_ndarray, GLOBAL_NDARRAY, sizeof GLOBAL_NDARRAY - 1));
    TKA_TRY(put_int(w, 0));
    TKA_TRY(emit_op(w, (char)0x85)); /* TUPLE1 */
    TKA_TRY(put(w, NULL));
    TKA_TRY(put_small_bytes(w, (const unsigned char *)"b", 1));
    TKA_TRY(emit_op(w, (char)0x87)); /* TUPLE3 */
    TKA_TRY(put(w, NULL));
    TKA_TRY(emit_op(w, 'R'));
    return put(w, memo);
}

/* dtype(typestr, False, True) + BUILD((3, order, None, None, None, -1, -1, flags)).
 * `memo` receives the dtype's memo index so later arrays can BINGET it. */
static tka_status put_dtype(tka_reprod_writer *w, const char *typestr, char order, int flags,
                            int64_t *memo)
{
    TKA_TRY(put_global(w, &w->g_dtype, GLOBAL_DTYPE, sizeof GLOBAL_DTYPE - 1));
    TKA_TRY(put_str(w, typestr, strlen(typestr)));
    TKA_TRY(emit(w, "\x89\x88\x87", 3)); /* False, True, TUPLE3 */
    TKA_TRY(put(w, NULL));
    TKA_TRY(emit_op(w, 'R'));
    TKA_TRY(put(w, memo));
    TKA_TRY(emit(w, "(K\x03", 3));
    TKA_TRY(put_str(w, &order, 1));
    TKA_TRY(emit(w, "NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xff", 13));
    TKA_TRY(put_int(w, flags));
    TKA_TRY(emit_op(w, 't'));
    TKA_TRY(put(w, NULL));
    return emit_op(w, 'b');
}

/* Where the memo index of an array's dtype object is kept: numpy's
 * builtin native dtypes are singletons; a dtype object read from a file is
 * shared by the arrays that shared it there; any other non-native dtype is
 * a fresh object per array (what `astype('>i4')` gives), so never shared. */
static int64_t *dtype_slot(tka_reprod_writer *w, const tka_array *a, uint64_t dtype_id,
                           int64_t *fresh)
{
    if (dtype_id) {
        size_t old_cap = w->id_memo_cap;
        if (dtype_id >= SIZE_MAX || !tka_grow_array((void **)&w->id_memo, &w->id_memo_cap,
                                                    (size_t)dtype_id + 1, sizeof *w->id_memo, 16))
            return NULL;
        for (size_t i = old_cap; i < w->id_memo_cap; i++)
            w->id_memo[i] = -1;
        return &w->id_memo[dtype_id];
    }
    if ((a->layout & TKA_ARRAY_BIG_ENDIAN) && tka_dtype_size(a->dtype) > 1) {
        *fresh = -1;
        return fresh;
    }
    return &w->dtype_memo[a->dtype];
}

static tka_status put_array(tka_reprod_writer *w, const tka_array *a, int64_t *memo,
                            uint64_t dtype_id, tka_error *err)
{
    size_t count = tka_array_count(a), size = tka_dtype_size(a->dtype), nbytes = count * size;
    if (nbytes > 0xffffffffu)
        return tka_error_set(err, TKA_ERR_LIMIT,
                             "array of %zu bytes: protocol-3 pickles (numpy 1.x np.save) cannot "
                             "hold bytes objects of 4 GiB or more",
                             nbytes);
    tka_status st = reconstruct_head(w, memo);
    if (st == TKA_OK)
        st = emit(w, "(K\x01", 3);
    /* shape: () unmemoised; 1..3 items TUPLEn; more: MARK ... TUPLE */
    if (st == TKA_OK && a->ndim > 3)
        st = emit_op(w, '(');
    for (unsigned i = 0; i < a->ndim && st == TKA_OK; i++)
        st = put_int(w, a->shape[i]);
    if (st == TKA_OK) {
        if (a->ndim == 0)
            st = emit_op(w, ')');
        else
            st = emit_op(w, a->ndim > 3 ? 't' : (char)(0x84 + a->ndim));
        if (st == TKA_OK && a->ndim)
            st = put(w, NULL);
    }
    int64_t fresh;
    int64_t *dm = dtype_slot(w, a, dtype_id, &fresh);
    if (!dm)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    if (st == TKA_OK)
        st = *dm >= 0 ? get(w, *dm)
                      : put_dtype(w, dump_typestr(a->dtype), dump_order_char(a), 0, dm);
    if (st == TKA_OK)
        st = emit_op(w, dump_is_fortran(a) ? (char)0x88 : (char)0x89);
    /* DATA in the file's layout */
    unsigned char *conv = NULL;
    const unsigned char *data = a->data;
    if (st == TKA_OK && !dump_layout_is_native(a) && nbytes) {
        conv = malloc(nbytes);
        if (!conv)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory converting an array");
        dump_from_native(conv, a);
        data = conv;
    }
    if (st == TKA_OK) {
        bool done;
        st = put_bytes_head(w, data, nbytes, &done);
        if (st == TKA_OK && !done) {
            if (w->file && !w->in_pending && nbytes >= FLUSH_AT) {
                /* big arrays go straight to the file */
                st = flush(w, err);
                if (st == TKA_OK)
                    st = tka_outfile_write(w->file, data, nbytes, err);
            } else {
                st = emit(w, data, nbytes);
            }
            if (st == TKA_OK)
                st = put(w, nbytes <= 1 ? &w->bytes1[nbytes ? data[0] : 256] : NULL);
        }
    }
    free(conv);
    if (st == TKA_OK)
        st = emit_op(w, 't');
    if (st == TKA_OK)
        st = put(w, NULL);
    if (st == TKA_OK)
        st = emit_op(w, 'b');
    return st;
}

static const char OBJECT_NPY_HEADER[] =
    "\x93NUMPY\x01\x00\x76\x00{'descr': '|O', 'fortran_order': False, 'shape': (), }";

static tka_status start(tka_reprod_writer *w, tka_error *err)
{
    for (int i = 0; i < 257; i++)
        w->str1[i] = w->bytes1[i] = -1;
    for (int i = 0; i < TKA_DTYPE_COUNT; i++)
        w->dtype_memo[i] = -1;
    w->g_reconstruct = w->g_ndarray = w->g_dtype = -1;
    /* header: 54 chars + 63 spaces + '\n' = 118 = HEADER_LEN, pickle at byte 128 */
    tka_status st = emit(w, OBJECT_NPY_HEADER, sizeof OBJECT_NPY_HEADER - 1);
    for (int i = 0; i < 63 && st == TKA_OK; i++)
        st = emit_op(w, ' ');
    if (st == TKA_OK)
        st = emit(w, "\n\x80\x03", 3);
    if (st == TKA_OK)
        st = reconstruct_head(w, NULL);
    if (st == TKA_OK)
        st = emit(w, "(K\x01)", 4);
    int64_t object_dtype;
    if (st == TKA_OK)
        st = put_dtype(w, "O8", '|', 63, &object_dtype);
    if (st == TKA_OK)
        st = emit(w, "\x89]", 2); /* fortran False, EMPTY_LIST */
    if (st == TKA_OK)
        st = put(w, NULL);
    if (st == TKA_OK)
        st = emit_op(w, '}');
    if (st == TKA_OK)
        st = put(w, NULL);
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory writing a dump");
    return TKA_OK;
}

static tka_reprod_writer *writer_new(void)
{
    tka_reprod_writer *w = calloc(1, sizeof *w);
    if (w)
        w->out = &w->filebuf;
    return w;
}

tka_status tka_reprod_writer_open_buf(tka_buf *buf, tka_reprod_writer **out, tka_error *err)
{
    *out = NULL;
    tka_reprod_writer *w = writer_new();
    if (!w)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    w->out = buf;
    tka_status st = start(w, err);
    if (st != TKA_OK) {
        tka_reprod_writer_free(w);
        return st;
    }
    *out = w;
    return TKA_OK;
}

tka_status tka_reprod_writer_open(const char *path, tka_reprod_writer **out, tka_error *err)
{
    *out = NULL;
    tka_reprod_writer *w = writer_new();
    if (!w)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = tka_outfile_open(path, &w->file, err);
    if (st == TKA_OK)
        st = start(w, err);
    if (st != TKA_OK) {
        tka_reprod_writer_free(w);
        return st;
    }
    *out = w;
    return TKA_OK;
}

/* Adds one item; `reuse` >= 0 writes a reference to an array already
 * written (memo index), `memo` receives the new array's memo index. */
static tka_status writer_add(tka_reprod_writer *w, const char *key, const tka_array *value,
                             int64_t reuse, int64_t *memo, uint64_t dtype_id, tka_error *err)
{
    if (w->closed || w->failed)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "the dump writer is %s",
                             w->closed ? "closed" : "in a failed state");
    size_t klen = strlen(key), bad, count;
    if (!tka_utf8_valid(key, klen, &bad))
        return tka_error_set(err, TKA_ERR_UTF8, "key is not valid UTF-8 (byte %zu)", bad);
    if ((unsigned)value->dtype >= TKA_DTYPE_COUNT || value->ndim > TKA_NDIM_MAX ||
        !dump_checked_count(value->shape, value->ndim, tka_dtype_size(value->dtype), &count))
        return tka_error_set(err, TKA_ERR_ARGUMENT, "'%s': invalid dtype or shape", key);
    if (count && !value->data)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "'%s': array data is NULL", key);
    bool nomem;
    if (!remember_key(w, key, &nomem))
        return nomem ? tka_error_set(err, TKA_ERR_NOMEM, "out of memory")
                     : tka_error_set(err, TKA_ERR_ARGUMENT,
                                     "'%s' was already written (the streaming writer cannot "
                                     "replace a key; use a tka_dict)",
                                     key);
    tka_status st = TKA_OK;
    if (w->count == 0) {
        w->in_pending = true; /* one item is written as key value SETITEM, more as MARK ... */
    } else if (w->count == 1) {
        st = tka_buf_append_char(w->out, '(');
        if (st == TKA_OK)
            st = tka_buf_append(w->out, w->pending.data, w->pending.len);
        tka_buf_free(&w->pending);
        w->in_group = 1;
    }
    tka_error local;
    tka_error_clear(&local);
    if (st == TKA_OK)
        st = put_str(w, key, klen);
    if (st == TKA_OK)
        st = reuse >= 0 ? get(w, reuse) : put_array(w, value, memo, dtype_id, &local);
    w->in_pending = false;
    if (st == TKA_OK) {
        w->count++;
        if (w->count >= 2 && ++w->in_group == PICKLE_BATCHSIZE) {
            st = tka_buf_append(w->out, "u(", 2);
            w->in_group = 0;
        }
    }
    if (st == TKA_OK && w->out->len >= FLUSH_AT)
        st = flush(w, &local);
    if (st != TKA_OK) {
        w->failed = true;
        if (local.status != TKA_OK)
            tka_error_set(err, local.status, "'%s': %s", key, local.message);
        else
            tka_error_set(err, st, "'%s': %s while writing", key, tka_status_name(st));
    }
    return st;
}

tka_status tka_reprod_writer_add(tka_reprod_writer *w, const char *key, const tka_array *value,
                                 tka_error *err)
{
    return writer_add(w, key, value, -1, NULL, 0, err);
}

/* Writes a dict, referring back to arrays shared between keys (object
 * ids are small integers, so a table indexed by id finds earlier ones). */
static tka_status add_dict(tka_reprod_writer *w, const tka_dict *dict, tka_error *err)
{
    size_t n = tka_dict_size(dict);
    uint64_t max_id = 0;
    for (size_t i = 0; i < n; i++)
        if (dump_dict_object_id(dict, i) > max_id)
            max_id = dump_dict_object_id(dict, i);
    int64_t *memo_of = malloc((size_t)(max_id + 1) * sizeof *memo_of);
    if (!memo_of)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i <= max_id; i++)
        memo_of[i] = -1;
    tka_status st = TKA_OK;
    for (size_t i = 0; st == TKA_OK && i < n; i++) {
        uint64_t id = dump_dict_object_id(dict, i);
        int64_t reuse = memo_of[id];
        st = writer_add(w, tka_dict_key(dict, i), tka_dict_at(dict, i), reuse,
                        reuse >= 0 ? NULL : &memo_of[id], dump_dict_dtype_id(dict, i), err);
    }
    free(memo_of);
    return st;
}

tka_status tka_reprod_writer_close(tka_reprod_writer *w, tka_error *err)
{
    if (w->closed || w->failed)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "the dump writer is %s",
                             w->closed ? "closed" : "in a failed state");
    tka_status st = TKA_OK;
    if (w->count == 1) {
        st = tka_buf_append(w->out, w->pending.data, w->pending.len);
        if (st == TKA_OK)
            st = tka_buf_append_char(w->out, 's');
        tka_buf_free(&w->pending);
    } else if (w->count >= 2) {
        st = tka_buf_append_char(w->out, 'u');
    }
    if (st == TKA_OK)
        st = tka_buf_append(w->out, "at", 2); /* APPEND the dict to the list, close the state */
    if (st == TKA_OK)
        st = put(w, NULL);
    if (st == TKA_OK)
        st = tka_buf_append(w->out, "b.", 2);
    if (st != TKA_OK) {
        w->failed = true;
        return tka_error_set(err, st, "out of memory finishing a dump");
    }
    w->closed = true;
    if (w->file) {
        st = flush(w, err);
        if (st == TKA_OK)
            st = tka_outfile_commit(w->file, err);
        if (st != TKA_OK)
            w->failed = true;
    }
    return st;
}

void tka_reprod_writer_sha256(const tka_reprod_writer *w, char hex[65])
{
    if (w->file)
        tka_outfile_sha256(w->file, hex);
    else
        hex[0] = '\0';
}

void tka_reprod_writer_free(tka_reprod_writer *w)
{
    if (!w)
        return;
    tka_outfile_free(w->file); /* removes the temporary file unless committed */
    tka_buf_free(&w->filebuf);
    tka_buf_free(&w->pending);
    free(w->id_memo);
    for (size_t i = 0; i < w->keys_cap; i++)
        free(w->keys[i]);
    free(w->keys);
    free(w);
}

/* Writes every array of dict through a writer just opened (`opened`: the
 * open's status), closes and frees it. */
static tka_status write_dict(tka_status opened, tka_reprod_writer *w, const tka_dict *dict,
                             tka_error *err)
{
    tka_status st = opened;
    if (st == TKA_OK)
        st = add_dict(w, dict, err);
    if (st == TKA_OK)
        st = tka_reprod_writer_close(w, err);
    tka_reprod_writer_free(w);
    return st;
}

tka_status tka_reprod_encode(const tka_dict *dict, tka_buf *out, tka_error *err)
{
    tka_reprod_writer *w = NULL;
    tka_status st = tka_reprod_writer_open_buf(out, &w, err);
    return write_dict(st, w, dict, err);
}

tka_status tka_npy_encode_array(const tka_array *a, tka_buf *out, tka_error *err)
{
    size_t count;
    if ((unsigned)a->dtype >= TKA_DTYPE_COUNT || a->ndim > TKA_NDIM_MAX ||
        !dump_checked_count(a->shape, a->ndim, tka_dtype_size(a->dtype), &count))
        return tka_error_set(err, TKA_ERR_ARGUMENT, "invalid dtype or shape");
    size_t nbytes = count * tka_dtype_size(a->dtype);
    tka_status st = dump_npy_header(a, out);
    if (st == TKA_OK)
        st = tka_buf_reserve(out, nbytes);
    if (st != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory writing an array");
    dump_from_native(out->data + out->len, a);
    out->len += nbytes;
    out->data[out->len] = '\0';
    return TKA_OK;
}

tka_status tka_dump_write(const tka_dict *dict, const char *path, tka_dump_format format,
                          tka_error *err)
{
    if (format == TKA_FORMAT_AUTO) {
        size_t n = strlen(path);
        if (n >= 4 && strcmp(path + n - 4, ".npz") == 0)
            format = TKA_FORMAT_NPZ;
        else if (n >= 5 && strcmp(path + n - 5, ".json") == 0)
            format = TKA_FORMAT_JSON;
        else
            format = TKA_FORMAT_NPY;
    }
    if (format == TKA_FORMAT_NPY) {
        tka_reprod_writer *w = NULL;
        tka_status st = tka_reprod_writer_open(path, &w, err);
        return write_dict(st, w, dict, err);
    }
    tka_buf buf = {0};
    tka_status st;
    if (format == TKA_FORMAT_NPZ) {
        st = tka_npz_encode(dict, &buf, err);
    } else {
        const char *slash = strrchr(path, '/');
        st = tka_json_encode(dict, slash ? slash + 1 : path, &buf, err);
    }
    if (st == TKA_OK)
        st = tka_write_file(path, buf.data, buf.len, err);
    tka_buf_free(&buf);
    return st;
}
