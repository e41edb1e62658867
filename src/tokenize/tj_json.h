/* Small jansson helpers for reading tokenizer.json sections with errors that name the
 * file and the JSON path ("tokenizer.json: normalizer.normalizers[2].pattern: ..."). */
#ifndef TKA_TJ_JSON_H
#define TKA_TJ_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"

/* The value of one hex digit of either case ("\uXXXX" escapes, "<0xXX>" byte tokens), or -1. */
static inline int tj_hex_digit(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Where we are: file name and JSON path (kept short, truncated when deep). */
typedef struct tj_where {
    const char *file;
    char path[200];
} tj_where;

/* Child path: parent + ".key" or "[i]". */
tj_where tj_at_key(const tj_where *w, const char *key);
tj_where tj_at_index(const tj_where *w, size_t i);

tka_status tj_bad(tka_error *err, const tj_where *w, const char *what);
tka_status tj_unsupported(tka_error *err, const tj_where *w, const char *type);

/* Required object member of a given kind; error when missing or mistyped. */
tka_status tj_get_string(const json_t *o, const char *key, const tj_where *w, const char **s,
                         size_t *len, tka_error *err);
/* Required string holding exactly one char (Rust's char): its code point. */
tka_status tj_get_char(const json_t *o, const char *key, const tj_where *w, uint32_t *cp,
                       tka_error *err);
/* Optional boolean: *v keeps its default when absent or null. */
tka_status tj_get_bool(const json_t *o, const char *key, const tj_where *w, bool *v,
                       tka_error *err);
/* Required boolean (a Rust `bool` field without a serde default). */
tka_status tj_require_bool(const json_t *o, const char *key, const tj_where *w, bool *v,
                           tka_error *err);
/* The "type" string of a component object. */
tka_status tj_get_type(const json_t *o, const tj_where *w, const char **type, tka_error *err);

#endif
