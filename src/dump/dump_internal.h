/* Helpers shared by the dump stage's files (not part of the public API). */
#ifndef TKA_DUMP_INTERNAL_H
#define TKA_DUMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/arena.h"
#include "tokalign/diff.h"
#include "tokalign/dump.h"

/* Byte-order character as numpy writes it: '|' for 1-byte types. */
char dump_order_char(const tka_array *array);
/* numpy typestr without the order character: "i8", "b1", "f2", ... */
const char *dump_typestr(tka_dtype dtype);
/* Parses "i8"/"b1"/... (no order character). */
bool dump_dtype_from_typestr(const char *s, size_t len, tka_dtype *out);

/* Whether numpy would store the array as Fortran-ordered: the flag is set
 * and the array is not also C-contiguous (ndim >= 2 with two axes > 1). */
bool dump_is_fortran(const tka_array *array);

/* Product of shape (the element count) with numpy's overflow rule: axes
 * of 0 are skipped and itemsize times the other axes must fit in intp
 * (PTRDIFF_MAX); false when it does not (numpy: "array is too big"). */
bool dump_checked_count(const int64_t *shape, unsigned ndim, size_t itemsize, size_t *count);

/* Copies file-layout bytes (byte order and Fortran order as given by
 * big_endian/fortran) into C-order native `dst`. */
void dump_to_native(void *dst, const void *src, tka_dtype dtype, unsigned ndim,
                    const int64_t *shape, bool big_endian, bool fortran);
/* The inverse: native C-order `src` to the file layout of `array`. */
void dump_from_native(void *dst, const tka_array *array);
/* True when the in-file bytes equal the native buffer (no conversion). */
bool dump_layout_is_native(const tka_array *array);

/* The dict's arena, for readers that build arrays in place. */
tka_arena *dump_dict_arena(tka_dict *dict);
/* Inserts an array whose data already lives in the dict's arena. */
tka_status dump_dict_insert(tka_dict *dict, const char *key, size_t key_len, const tka_array *value,
                            tka_error *err);

/* Same, with an explicit object identity (arrays shared between keys). */
tka_status dump_dict_insert_object(tka_dict *dict, const char *key, size_t key_len,
                                   const tka_array *value, uint64_t object_id, tka_error *err);
ptrdiff_t dump_dict_find_n(const tka_dict *dict, const char *key, size_t key_len);
/* Identity of the array at `index`: equal for keys sharing one array. */
uint64_t dump_dict_object_id(const tka_dict *dict, size_t index);

/* Identity of the numpy dtype object of the array at `index`: 0 for
 * numpy's shared builtin (native byte order) dtypes, else an id shared by
 * the arrays that shared one dtype object in the file they were read from.
 * numpy pickles a dtype object once and refers back to it, so re-writing
 * a file byte for byte needs this. */
uint64_t dump_dict_dtype_id(const tka_dict *dict, size_t index);
void dump_dict_set_dtype_id(tka_dict *dict, size_t index, uint64_t id);

/* numpy's .npy header for a plain array (with numpy >= 1.23's growth
 * padding), version 1.0 unless it does not fit. */
tka_status dump_npy_header(const tka_array *array, tka_buf *out);

/* Parsed .npy header. */
typedef struct npy_header {
    char descr[64];
    bool fortran;
    unsigned ndim;
    int64_t shape[TKA_NDIM_MAX];
    size_t data_offset;  /* first byte after the header */
    size_t shape_offset; /* file offset of the shape tuple, for messages */
} npy_header;

/* Parses the header at the start of buf; errors name `name` and a byte offset. */
tka_status dump_npy_parse_header(const unsigned char *buf, size_t len, const char *name,
                                 npy_header *h, tka_error *err);

/* Reads one plain numeric .npy array (header + raw data) into `dict` under `key`. */
tka_status dump_npy_read_array(const unsigned char *buf, size_t len, const char *name,
                               tka_dict *dict, const char *key, size_t key_len, tka_error *err);

/* Reads a reprod_log .npy (pickled dict) whose header is already parsed. */
tka_status dump_reprod_read(const unsigned char *buf, size_t len, const char *name,
                            const npy_header *header, tka_dict *dict, tka_error *err);

tka_status dump_npz_read(const unsigned char *buf, size_t len, const char *name, tka_dict *dict,
                         tka_error *err);
tka_status dump_json_read(const char *text, size_t len, const char *name, tka_dict *dict,
                          tka_error *err);

/* Python-style compact JSON (json.dumps(separators=(",", ":"),
 * ensure_ascii=False)) of a jansson value. */
struct json_t;
tka_status dump_json_compact(const struct json_t *value, tka_buf *out);
/* Stores already-compact metadata text (a JSON object). */
tka_status dump_dict_set_meta_text(tka_dict *dict, const char *text, tka_error *err);

/* Test hook: called by tka_dump_read between fstat and reading a regular
 * file, so a test can truncate the file at exactly that moment. NULL in
 * normal use. */
extern void (*dump_test_after_stat)(int fd, const char *path);

/* Copies bytes from a file (a ZIP member name, a pickle key) into `out` for
 * an error message: printable ASCII and printable UTF-8 as is, backslash
 * doubled, anything else (control characters, invalid UTF-8, C1,
 * bidirectional overrides) as \xNN, cut with "..." to fit `cap` (>= 8). */
void dump_shown(const void *bytes, size_t len, char *out, size_t cap);

uint32_t dump_crc32(uint32_t crc, const void *data, size_t len);

/* compare_info for one key (diff.c): fills *kd, or returns reprod_log's
 * exception as TKA_ERR_REFERENCE. */
tka_status dump_compare_key(const char *key, const tka_array *a, const tka_array *b,
                            tka_key_diff *kd, tka_buf *stdout_lines, tka_error *err);
/* Element i of `a` as a scalar of its dtype. */
void dump_scalar_at(const tka_array *a, size_t i, tka_scalar *out);

#endif
