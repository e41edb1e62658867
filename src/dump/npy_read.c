/* Reading dumps: format detection, plain .npy arrays, and the reprod_log
 * .npy whose pickle (run by pickle.c) must have numpy's object structure. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump/dump_internal.h"
#include "dump/pickle.h"
#include "core/io.h"
#include "tokalign/text.h"
#include "core/try.h"

/* Native data made from one pickled bytes object in one layout. */
typedef struct converted {
    struct converted *next; /* other layouts of the same bytes */
    size_t swap;            /* item size when bytes are swapped, else 0 */
    unsigned ndim;          /* with shape: set only when permuted (Fortran order) */
    int64_t shape[TKA_NDIM_MAX];
    void *native;
} converted;

typedef struct rctx {
    const char *name;
    tka_error *err;
    tka_arena *arena;         /* the dict's: array data */
    tka_arena *scratch;       /* freed after the read */
    const char *key;          /* for messages, may be NULL */
    size_t converted, budget; /* bytes of array data made, and the most allowed */
} rctx;

static void obj_report(rctx *c, const pk_obj *o, const char *what)
{
    if (c->key)
        tka_error_set(c->err, TKA_ERR_UNSUPPORTED, "%s: byte %zu: key '%s': %s", c->name, o->offset,
                      c->key, what);
    else
        tka_error_set(c->err, TKA_ERR_UNSUPPORTED, "%s: byte %zu: %s", c->name, o->offset, what);
}

/* Reports `what` at object o and evaluates to TKA_ERR_UNSUPPORTED: a macro,
 * so that the failure is plain where it is returned, also to the static
 * analyzer (which stops following calls a few levels deep). */
#define obj_error(c, o, what) (obj_report((c), (o), (what)), TKA_ERR_UNSUPPORTED)

/* The pieces of an ndarray's pickled state, accepting numpy's version-1
 * 5-tuple and the older 4-tuple without the version. */
typedef struct array_state {
    const pk_obj *shape, *dtype, *fortran, *data;
} array_state;

static tka_status split_state(rctx *c, const pk_obj *arr, array_state *s)
{
    const pk_obj *st = arr->u.red.state;
    if (!st)
        return obj_error(c, arr, "array without state (no BUILD)");
    if (st->kind != PK_TUPLE || (st->u.seq.n != 5 && st->u.seq.n != 4))
        return obj_error(c, st,
                         "array state is not a (version, shape, dtype, fortran, data) tuple");
    pk_obj *const *it = st->u.seq.items;
    if (st->u.seq.n == 5) {
        if (it[0]->kind != PK_INT || it[0]->u.i != 1)
            return obj_error(c, st, "unsupported array state version");
        it++;
    }
    s->shape = it[0];
    s->dtype = it[1];
    s->fortran = it[2];
    s->data = it[3];
    if (s->shape->kind != PK_TUPLE)
        return obj_error(c, s->shape, "array shape is not a tuple");
    if (s->dtype->kind != PK_DTYPE)
        return obj_error(c, s->dtype, "array dtype is not a numpy.dtype");
    if (s->fortran->kind != PK_BOOL && s->fortran->kind != PK_INT)
        return obj_error(c, s->fortran, "array fortran flag is not a bool");
    return TKA_OK;
}

/* typestr ("i8", "O8", ...) and byte order ('<', '>', '|', '=') of a dtype. */
static tka_status dtype_info(rctx *c, const pk_obj *dt, const pk_obj **typestr, char *order)
{
    *typestr = dt->u.red.args->u.seq.items[0];
    *order = '=';
    const pk_obj *st = dt->u.red.state;
    if (!st)
        return TKA_OK;
    if (st->kind != PK_TUPLE || st->u.seq.n < 2 || st->u.seq.items[0]->kind != PK_INT)
        return obj_error(c, st, "dtype state is not a (version, order, ...) tuple");
    const pk_obj *o = st->u.seq.items[1];
    if (o->kind != PK_STR || o->u.s.n != 1 || !strchr("<>|=", o->u.s.p[0]))
        return obj_error(c, o, "dtype byte order is not one of '<', '>', '|', '='");
    *order = o->u.s.p[0];
    /* subarray, names, fields: set only for structured / subarray dtypes */
    for (size_t i = 2; i < 5 && i < st->u.seq.n; i++)
        if (st->u.seq.items[i]->kind != PK_NONE)
            return obj_error(c, st, "structured or subarray dtypes are not supported");
    return TKA_OK;
}

static tka_status read_shape(rctx *c, const pk_obj *t, tka_array *a)
{
    if (t->u.seq.n > TKA_NDIM_MAX)
        return obj_error(c, t, "more than 32 dimensions");
    a->ndim = (unsigned)t->u.seq.n;
    for (size_t i = 0; i < t->u.seq.n; i++) {
        const pk_obj *d = t->u.seq.items[i];
        if (d->kind != PK_INT || d->u.i < 0)
            return obj_error(c, d, "array shape holds something other than a non-negative int");
        a->shape[i] = d->u.i;
    }
    return TKA_OK;
}

static tka_status numeric_array(rctx *c, const pk_obj *obj, tka_array *a, pk_obj **dtype_obj)
{
    if (obj->kind != PK_ARRAY)
        return obj_error(c, obj, "value is not a numpy array (reprod_log stores only ndarrays)");
    array_state s;
    TKA_TRY(split_state(c, obj, &s));
    const pk_obj *ts;
    char order;
    TKA_TRY(dtype_info(c, s.dtype, &ts, &order));
    *dtype_obj = (pk_obj *)s.dtype;
    memset(a, 0, sizeof *a);
    if (!dump_dtype_from_typestr(ts->u.s.p, ts->u.s.n, &a->dtype)) {
        char msg[160], shown[48];
        dump_shown(ts->u.s.p, ts->u.s.n, shown, sizeof shown);
        snprintf(msg, sizeof msg,
                 "dtype '%s' is not supported (only bool, int8..64, uint8..64, float16/32/64)",
                 shown);
        return obj_error(c, s.dtype, msg);
    }
    TKA_TRY(read_shape(c, s.shape, a));
    size_t size = tka_dtype_size(a->dtype), count;
    if (!dump_checked_count(a->shape, a->ndim, size, &count))
        return obj_error(c, s.shape, "array shape too large");
    if (s.data->kind != PK_BYTES)
        return obj_error(c, s.data, "array data is not a bytes object");
    if (s.data->u.s.n != count * size) {
        char msg[160];
        snprintf(msg, sizeof msg, "array data has %zu bytes, its shape and dtype need %zu",
                 s.data->u.s.n, count * size);
        return obj_error(c, s.data, msg);
    }
    bool big = order == '>' && size > 1;
    bool fortran = s.fortran->kind == PK_BOOL ? s.fortran->u.b : s.fortran->u.i != 0;
    a->layout = (big ? TKA_ARRAY_BIG_ENDIAN : 0) | (fortran ? TKA_ARRAY_FORTRAN : 0);
    /* COMPAT: arrays whose state holds one memoised bytes object share its
     * memory in numpy (ndarray.__setstate__ keeps a reference to large
     * aligned bytes); share the native copy likewise, per layout, so that
     * thousands of arrays over one BINBYTES cost its size once. The bytes
     * object's tag points at its list of converted layouts. */
    converted key = {NULL, big ? size : 0, 0, {0}, NULL};
    if (fortran && a->ndim >= 2) {
        key.ndim = a->ndim;
        memcpy(key.shape, a->shape, a->ndim * sizeof *a->shape);
    }
    pk_obj *bytes = (pk_obj *)s.data;
    for (converted *v = (converted *)(uintptr_t)bytes->tag; v; v = v->next)
        if (v->swap == key.swap && v->ndim == key.ndim &&
            memcmp(v->shape, key.shape, key.ndim * sizeof *key.shape) == 0) {
            a->data = v->native;
            return TKA_OK;
        }
    /* Each bytes object appears once in the file, so only layouts that
     * differ between arrays sharing one can take more than the file: they
     * are not what numpy writes, and are bounded. */
    size_t need = count * size;
    if (need > c->budget - c->converted)
        return obj_error(c, s.data,
                         "arrays sharing one bytes object in different layouts would "
                         "need more memory than twice the file size (refused)");
    converted *v = tka_arena_alloc(c->scratch, sizeof *v, _Alignof(converted));
    a->data = tka_arena_alloc(c->arena, count ? need : 1, 8);
    if (!v || !a->data)
        return tka_error_set(c->err, TKA_ERR_NOMEM, "%s: out of memory", c->name);
    c->converted += need;
    dump_to_native(a->data, s.data->u.s.p, a->dtype, a->ndim, a->shape, big, fortran);
    *v = key;
    v->native = a->data;
    v->next = (converted *)(uintptr_t)bytes->tag;
    bytes->tag = (uint64_t)(uintptr_t)v;
    return TKA_OK;
}

/* An array already stored, for later keys that hold the same object. */
typedef struct seen_array {
    tka_array array;
    uint64_t object_id, dtype_id;
} seen_array;

tka_status dump_reprod_read(const unsigned char *buf, size_t len, const char *name,
                            const npy_header *h, tka_dict *dict, tka_error *err)
{
    if (h->ndim != 0)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: .npy header: an object array of %u dimensions is not a "
                             "reprod_log dict (expected shape ())",
                             name, h->ndim);
    tka_arena *scratch = tka_arena_new(0);
    if (!scratch)
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", name);
    pk_obj *root;
    size_t end;
    size_t off = h->data_offset;
    tka_status st = pk_load(buf + off, len - off, off, name, scratch, &root, &end, err);
    rctx c = {name,
              err,
              dump_dict_arena(dict),
              scratch,
              NULL,
              0,
              len < SIZE_MAX / 4 ? 2 * len + (1u << 20) : SIZE_MAX};
    if (st == TKA_OK && off + end != len)
        st = tka_error_set(err, TKA_ERR_FORMAT,
                           "%s: byte %zu: %zu unexpected bytes after the pickle", name, off + end,
                           len - off - end);
    array_state s;
    if (st == TKA_OK && root->kind != PK_ARRAY)
        st = obj_error(&c, root, "the pickle does not hold a numpy array");
    if (st == TKA_OK)
        st = split_state(&c, root, &s);
    const pk_obj *ts;
    char order;
    if (st == TKA_OK)
        st = dtype_info(&c, s.dtype, &ts, &order);
    if (st == TKA_OK && !(ts->u.s.n == 2 && ts->u.s.p[0] == 'O'))
        st = obj_error(&c, s.dtype, "the outer array is not an object array");
    if (st == TKA_OK && s.shape->u.seq.n != 0)
        st = obj_error(&c, s.shape, "the outer object array is not 0-d");
    if (st == TKA_OK && (s.data->kind != PK_LIST || s.data->u.seq.n != 1 ||
                         s.data->u.seq.items[0]->kind != PK_DICT))
        st = obj_error(&c, s.data,
                       "the object array does not hold one dict "
                       "(not a reprod_log / np.save(dict) file)");
    uint64_t dtype_ids = 0;
    seen_array *seen = NULL;
    size_t n_seen = 0, seen_cap = 0;
    if (st == TKA_OK) {
        const pk_obj *d = s.data->u.seq.items[0];
        for (size_t i = 0; i < d->u.dict.n && st == TKA_OK; i++) {
            const pk_obj *k = d->u.dict.keys[i];
            if (k->kind != PK_STR) {
                st = obj_error(&c, k, "dict key is not a str");
                break;
            }
            char keybuf[256];
            dump_shown(k->u.s.p, k->u.s.n, keybuf, sizeof keybuf);
            c.key = keybuf;
            const pk_obj *v = d->u.dict.vals[i];
            if (v->kind == PK_DICT) {
                st = obj_error(&c, v, "nested dicts are not supported");
                break;
            }
            tka_array a;
            /* The same array object under an earlier key: its tag is its
             * 1-based index in seen (a dtype object's tag is a dtype id, and
             * a dtype is no array value). */
            if (v->kind == PK_ARRAY && v->tag != 0 && v->tag <= n_seen) {
                const seen_array *sa = &seen[v->tag - 1];
                st = dump_dict_insert_object(dict, k->u.s.p, k->u.s.n, &sa->array, sa->object_id,
                                             err);
                ptrdiff_t at = st == TKA_OK ? dump_dict_find_n(dict, k->u.s.p, k->u.s.n) : -1;
                if (at >= 0)
                    dump_dict_set_dtype_id(dict, (size_t)at, sa->dtype_id);
                if (st != TKA_OK)
                    tka_error_prefix(err, "%s: byte %zu: ", name, k->offset);
                c.key = NULL;
                continue;
            }
            pk_obj *dt = NULL;
            st = numeric_array(&c, v, &a, &dt);
            if (st == TKA_OK) {
                st = dump_dict_insert(dict, k->u.s.p, k->u.s.n, &a, err);
                ptrdiff_t at = st == TKA_OK ? dump_dict_find_n(dict, k->u.s.p, k->u.s.n) : -1;
                if (at >= 0) {
                    if (!dt->tag)
                        dt->tag = ++dtype_ids;
                    dump_dict_set_dtype_id(dict, (size_t)at, dt->tag);
                    /* remember it by value: a later duplicate key may replace the entry */
                    if (n_seen == seen_cap) {
                        size_t cap = seen_cap ? 2 * seen_cap : 16;
                        seen_array *grown =
                            tka_arena_alloc(scratch, cap * sizeof *grown, _Alignof(seen_array));
                        if (!grown) {
                            st = tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", name);
                        } else {
                            if (n_seen)
                                memcpy(grown, seen, n_seen * sizeof *grown);
                            seen = grown;
                            seen_cap = cap;
                        }
                    }
                    if (st == TKA_OK) {
                        seen[n_seen] =
                            (seen_array){a, dump_dict_object_id(dict, (size_t)at), dt->tag};
                        ((pk_obj *)v)->tag = ++n_seen;
                    }
                }
                if (st != TKA_OK)
                    tka_error_prefix(err, "%s: byte %zu: ", name, k->offset);
            }
            c.key = NULL;
        }
    }
    tka_arena_free(scratch);
    return st;
}

/* Code points shown as \x escapes although they are valid UTF-8: they
 * reorder or hide text on a terminal. */
static bool hidden_code_point(uint32_t cp)
{
    return cp < 0xa0 || cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

void dump_shown(const void *bytes, size_t len, char *out, size_t cap)
{
    const unsigned char *p = bytes;
    size_t o = 0, i = 0;
    while (i < len) {
        char piece[16];
        size_t n = 0, used = 1;
        unsigned char b = p[i];
        if (b >= 0x20 && b < 0x7f) {
            if (b == '\\')
                piece[n++] = '\\';
            piece[n++] = (char)b;
        } else {
            size_t seq = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0, bad;
            if (seq && seq <= len - i && tka_utf8_valid((const char *)p + i, seq, &bad)) {
                uint32_t cp = seq == 2 ? (b & 0x1fu) : seq == 3 ? (b & 0x0fu) : (b & 0x07u);
                for (size_t k = 1; k < seq; k++)
                    cp = cp << 6 | (p[i + k] & 0x3fu);
                if (!hidden_code_point(cp)) {
                    memcpy(piece, p + i, seq);
                    n = used = seq;
                }
            }
            if (!n)
                n = (size_t)snprintf(piece, sizeof piece, "\\x%02x", b);
        }
        if (o + n + 4 > cap) { /* room for "..." and the NUL */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, piece, n);
        o += n;
        i += used;
    }
    out[o] = '\0';
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

tka_status tka_dump_parse(const void *data, size_t len, const char *name, tka_dump_format format,
                          tka_dict **out, tka_dump_kind *kind, tka_error *err)
{
    *out = NULL;
    const unsigned char *buf = data;
    if (!name)
        name = "<memory>";
    if (format == TKA_FORMAT_AUTO) {
        size_t i = 0;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
            i++;
        if (len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0)
            format = TKA_FORMAT_NPY;
        else if (len >= 4 &&
                 (memcmp(buf, "PK\x03\x04", 4) == 0 || memcmp(buf, "PK\x05\x06", 4) == 0))
            format = TKA_FORMAT_NPZ;
        else if (i < len && buf[i] == '{')
            format = TKA_FORMAT_JSON;
        else
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: byte 0: not a dump (neither .npy, .npz nor a JSON mirror)",
                                 name);
    }
    tka_dict *dict = tka_dict_new();
    if (!dict)
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", name);
    tka_status st;
    tka_dump_kind k = TKA_DUMP_REPROD;
    if (format == TKA_FORMAT_NPY) {
        npy_header h;
        st = dump_npy_parse_header(buf, len, name, &h, err);
        if (st == TKA_OK && (strcmp(h.descr, "|O") == 0 || strcmp(h.descr, "O") == 0)) {
            k = TKA_DUMP_REPROD;
            st = dump_reprod_read(buf, len, name, &h, dict, err);
        } else if (st == TKA_OK) {
            k = TKA_DUMP_ARRAY;
            const char *stem = base_name(name);
            size_t n = strlen(stem);
            if (n > 4 && strcmp(stem + n - 4, ".npy") == 0)
                n -= 4;
            st = dump_npy_read_array(buf, len, name, dict, stem, n, err);
        }
    } else if (format == TKA_FORMAT_NPZ) {
        k = TKA_DUMP_NPZ;
        st = dump_npz_read(buf, len, name, dict, err);
    } else if (format == TKA_FORMAT_JSON) {
        k = TKA_DUMP_JSON;
        st = dump_json_read((const char *)buf, len, name, dict, err);
    } else {
        st = tka_error_set(err, TKA_ERR_ARGUMENT, "unknown dump format %d", (int)format);
    }
    if (st != TKA_OK) {
        tka_dict_free(dict);
        return st;
    }
    if (kind)
        *kind = k;
    *out = dict;
    return TKA_OK;
}

void (*dump_test_after_stat)(int fd, const char *path);

/* Reads a regular file with read() into one buffer sized from fstat. Not
 * mmap: a file truncated by another process while it is mapped turns the
 * next access into SIGBUS, which a library cannot handle. A file that ends
 * before the size fstat reported was cut while being read: say so, with the
 * offset, instead of parsing a prefix. */
static tka_status read_regular(int fd, const char *path, size_t size, tka_buf *buf, tka_error *err)
{
    if (tka_buf_reserve(buf, size) != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory reading %zu bytes", path, size);
    while (buf->len < size) {
        ssize_t n = read(fd, buf->data + buf->len, size - buf->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return tka_error_set(err, TKA_ERR_IO, "%s: byte %zu: read error: %s", path, buf->len,
                                 strerror(errno));
        if (n == 0)
            return tka_error_set(err, TKA_ERR_IO,
                                 "%s: byte %zu: file truncated while being read (it had %zu bytes "
                                 "when opened)",
                                 path, buf->len, size);
        buf->len += (size_t)n;
    }
    buf->data[buf->len] = '\0';
    return TKA_OK;
}

tka_status tka_dump_read(const char *path, tka_dump_format format, tka_dict **out,
                         tka_dump_kind *kind, tka_error *err)
{
    *out = NULL;
    tka_buf buf = {0};
    tka_status st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (dump_test_after_stat)
            dump_test_after_stat(fd, path);
        if ((uint64_t)sb.st_size >= SIZE_MAX / 2)
            st = tka_error_set(err, TKA_ERR_LIMIT, "%s: too large to read", path);
        else
            st = read_regular(fd, path, (size_t)sb.st_size, &buf, err);
        close(fd);
    } else {
        /* pipes, devices: read to the end, with the usual messages */
        if (fd >= 0)
            close(fd);
        st = tka_read_file(path, 0, &buf, err);
    }
    if (st == TKA_OK)
        st = tka_dump_parse(buf.data ? buf.data : "", buf.len, path, format, out, kind, err);
    tka_buf_free(&buf);
    return st;
}
