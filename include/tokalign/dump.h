/* Dumps: ordered dicts of named n-d arrays, read from and written to
 * reprod_log .npy files (numpy.save of a pickled dict), plain .npy arrays,
 * .npz archives and the JSON mirror {"file","meta"?,"entries":[...]}. */
#ifndef TOKALIGN_DUMP_H
#define TOKALIGN_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokalign/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* numpy 1.x allows at most 32 dimensions. */
#define TKA_NDIM_MAX 32

/* How an array is laid out in a file (data in memory is always C order and
 * native byte order; writers convert back, so re-writing what was read
 * reproduces the file). */
enum {
    TKA_ARRAY_BIG_ENDIAN = 1u << 0, /* multi-byte elements stored big-endian ('>') */
    TKA_ARRAY_FORTRAN = 1u << 1     /* stored column-major (numpy writes it only for arrays
                                       that are Fortran- but not C-contiguous) */
};

typedef struct tka_array {
    tka_dtype dtype;
    unsigned ndim;               /* 0 for a 0-d array (numpy scalar-shaped array) */
    int64_t shape[TKA_NDIM_MAX]; /* shape[0..ndim) */
    void *data;                  /* tka_array_count() elements, C order, native byte order */
    unsigned layout;             /* TKA_ARRAY_* flags */
} tka_array;

/* Number of elements (1 for a 0-d array). Shapes stored in a dict never
 * overflow this. */
TKA_API size_t tka_array_count(const tka_array *array);

/* ------------------------------------------------------------------ dict */

/* An ordered dict key -> array with reprod_log's ReprodLogger semantics:
 * re-adding a key replaces the array but keeps the key's position. The dict
 * owns copies of keys and data. */
/* Ownership and threads: owned by the caller of tka_dict_new or of the
 * reader that made it, freed with tka_dict_free; keys and arrays it returns
 * live until the key is replaced or removed. Const functions may run on one
 * dict from many threads at once; modifying ones need it alone. */
typedef struct tka_dict tka_dict;

TKA_API tka_dict *tka_dict_new(void);
/* Accepts NULL. */
TKA_API void tka_dict_free(tka_dict *dict);

TKA_API size_t tka_dict_size(const tka_dict *dict);
/* Key / array at insertion position `index` (< size). */
TKA_API const char *tka_dict_key(const tka_dict *dict, size_t index);
TKA_API const tka_array *tka_dict_at(const tka_dict *dict, size_t index);
/* The array stored under `key`, or NULL. */
TKA_API const tka_array *tka_dict_get(const tka_dict *dict, const char *key);
/* Position of `key`, or -1. */
TKA_API ptrdiff_t tka_dict_find(const tka_dict *dict, const char *key);

/* Copies `value` (shape, dtype, layout and data) under `key` (valid UTF-8,
 * no NUL). Replacing keeps the key's position. */
TKA_API tka_status tka_dict_add(tka_dict *dict, const char *key, const tka_array *value,
                                tka_error *err);

/* Like tka_dict_add but allocates zeroed storage for the caller to fill:
 * *data receives the element buffer (C order, native byte order). Avoids a
 * copy for large batches. */
TKA_API tka_status tka_dict_put(tka_dict *dict, const char *key, tka_dtype dtype, unsigned ndim,
                                const int64_t *shape, void **data, tka_error *err);

/* Stores the array of `existing` under `key` as the same object, like
 * `logger.add(key, logger.data[existing])`: numpy.save pickles it once and
 * refers back to it, and so does tokalign. Readers keep such sharing. */
TKA_API tka_status tka_dict_add_shared(tka_dict *dict, const char *key, const char *existing,
                                       tka_error *err);

/* Removes `key`; false when it was absent. Later keys keep their order. */
TKA_API bool tka_dict_remove(tka_dict *dict, const char *key);
TKA_API void tka_dict_clear(tka_dict *dict);

/* Free-form metadata carried by JSON mirrors (the "meta" object), kept as
 * compact JSON text; NULL when there is none. The string is the dict's and
 * lives until the next tka_dict_set_meta or tka_dict_free. See docs/dump.md
 * for the keys `tokalign diff` understands (source rows of each batch). */
TKA_API const char *tka_dict_meta(const tka_dict *dict);
/* `json_object_text` must be a JSON object (or NULL to drop the metadata). */
TKA_API tka_status tka_dict_set_meta(tka_dict *dict, const char *json_object_text, tka_error *err);

/* ------------------------------------------------------------- reading */

typedef enum tka_dump_format {
    TKA_FORMAT_AUTO = 0, /* by content: .npy magic, ZIP signature, or JSON */
    TKA_FORMAT_NPY,      /* reprod_log dict or a plain numeric array */
    TKA_FORMAT_NPZ,
    TKA_FORMAT_JSON
} tka_dump_format;

/* What a file held. */
typedef enum tka_dump_kind {
    TKA_DUMP_REPROD = 1, /* .npy whose payload is a pickled dict (reprod_log / np.save(dict)) */
    TKA_DUMP_ARRAY,      /* plain .npy array: one entry keyed by the file's stem */
    TKA_DUMP_NPZ,        /* .npz: one entry per member, keyed without ".npy" */
    TKA_DUMP_JSON        /* JSON mirror */
} tka_dump_kind;

/* Reads `path`. Errors name the file and the byte offset (or JSON line) at
 * fault. Pickles are interpreted, never executed: only the opcodes and
 * globals numpy writes for numeric arrays are accepted. `kind` may be NULL. */
TKA_API tka_status tka_dump_read(const char *path, tka_dump_format format, tka_dict **out,
                                 tka_dump_kind *kind, tka_error *err);

/* Same from memory; `name` is used in messages and as the key of a plain
 * array (its stem). */
TKA_API tka_status tka_dump_parse(const void *data, size_t len, const char *name,
                                  tka_dump_format format, tka_dict **out, tka_dump_kind *kind,
                                  tka_error *err);

/* ------------------------------------------------------------- writing */

/* reprod_log / numpy.save(dict) bytes (protocol-3 pickle, numpy.core names):
 * byte-identical to numpy 1.24 for dicts of arrays created by numpy. */
TKA_API tka_status tka_reprod_encode(const tka_dict *dict, tka_buf *out, tka_error *err);
/* A plain .npy of one array, as numpy.save(array) writes it. */
TKA_API tka_status tka_npy_encode_array(const tka_array *array, tka_buf *out, tka_error *err);
/* numpy.savez(file, **dict): a stored ZIP of KEY.npy members. */
TKA_API tka_status tka_npz_encode(const tka_dict *dict, tka_buf *out, tka_error *err);
/* The JSON mirror (compact, like json.dump(..., separators=(",", ":"),
 * ensure_ascii=False) + "\n"); `file_name` may be NULL to omit "file". */
TKA_API tka_status tka_json_encode(const tka_dict *dict, const char *file_name, tka_buf *out,
                                   tka_error *err);

/* Receives the successive pieces of a streamed output; a status other
 * than TKA_OK (with `err` set) stops the stream and is returned. */
typedef tka_status (*tka_write_fn)(void *ctx, const void *data, size_t len, tka_error *err);
/* The same JSON as tka_json_encode, handed to `write` in pieces of about
 * 64 KiB: memory stays constant however large the text (an empty array of
 * shape (10**9, 1, 0) is 5 GB of "[[]]"). */
TKA_API tka_status tka_json_encode_stream(const tka_dict *dict, const char *file_name,
                                          tka_write_fn write, void *ctx, tka_error *err);

/* Writes `dict` to `path` in `format` (AUTO: by extension .npy/.npz/.json).
 * The path is used as given (numpy.save's appending of ".npy" is the
 * caller's business). */
TKA_API tka_status tka_dump_write(const tka_dict *dict, const char *path, tka_dump_format format,
                                  tka_error *err);

/* Streaming reprod_log writer: emits one key at a time, so a pipeline never
 * holds the whole dict. The bytes equal tka_reprod_encode of the same keys
 * in the same order. Keys must be distinct (replacement needs the dict). */
/* Ownership and threads: owned by the caller of tka_reprod_writer_open*,
 * freed with tka_reprod_writer_free; one thread at a time. */
typedef struct tka_reprod_writer tka_reprod_writer;

/* Writes to `path` through a temporary file renamed into place on close; a
 * device or FIFO is written in place. */
TKA_API tka_status tka_reprod_writer_open(const char *path, tka_reprod_writer **out,
                                          tka_error *err);
/* Appends to `buf` (not owned). */
TKA_API tka_status tka_reprod_writer_open_buf(tka_buf *buf, tka_reprod_writer **out,
                                              tka_error *err);
TKA_API tka_status tka_reprod_writer_add(tka_reprod_writer *writer, const char *key,
                                         const tka_array *value, tka_error *err);
/* Finishes the file. The writer must still be freed. */
TKA_API tka_status tka_reprod_writer_close(tka_reprod_writer *writer, tka_error *err);
/* After a successful close of a file writer: the SHA-256 (lower-case hex)
 * of the bytes written; "" for a buffer writer. */
TKA_API void tka_reprod_writer_sha256(const tka_reprod_writer *writer, char hex[65]);
/* Accepts NULL; an unclosed file writer removes its temporary file. */
TKA_API void tka_reprod_writer_free(tka_reprod_writer *writer);

/* ------------------------------------------------------------ sidecars */

/* The "meta" of the JSON sidecar NAME.json that `tokalign pipeline` writes
 * beside NAME.npy / NAME.npz. *meta receives compact JSON that the caller
 * frees with free(), or NULL when there is no sidecar for this dump (none,
 * unreadable, or its "file" names another dump). A sidecar whose
 * meta.dump_sha256 is not the SHA-256 of the dump (another run's sidecar, or
 * a run interrupted between the two renames) is refused: TKA_ERR_FORMAT
 * naming both files; callers ignore it. Sidecars without dump_sha256 (older
 * ones, hand-made mirrors) are accepted on the file name alone. */
TKA_API tka_status tka_dump_sidecar_meta(const char *dump_path, char **meta, tka_error *err);

/* ------------------------------------------------------ value printing */

/* Python's repr(float(v)): shortest round-tripping digits, fixed notation
 * for decimal exponents in [-4, 16), else d.ddde±XX; "nan", "inf", "-inf".
 * `buf` needs TKA_PYFLOAT_MAX bytes; returns the length. */
#define TKA_PYFLOAT_MAX 32
TKA_API size_t tka_pyfloat_repr(double v, char *buf);

/* IEEE half <-> float/double conversions (round to nearest even). */
TKA_API float tka_half_to_float(uint16_t h);
TKA_API uint16_t tka_double_to_half(double v);
TKA_API uint16_t tka_float_to_half(float v);

#ifdef __cplusplus
}
#endif
#endif
