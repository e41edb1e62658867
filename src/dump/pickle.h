/* A bounds-checked interpreter of the pickle subset numpy writes for object
 * arrays of numeric arrays. It builds a plain object graph and never calls
 * or imports anything: REDUCE/BUILD only record what would have been done,
 * for the few allowed globals. */
#ifndef TKA_DUMP_PICKLE_H
#define TKA_DUMP_PICKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/arena.h"
#include "tokalign/status.h"

typedef enum pk_kind {
    PK_NONE,
    PK_BOOL,
    PK_INT,
    PK_STR, /* UTF-8 text */
    PK_BYTES,
    PK_TUPLE,
    PK_LIST,
    PK_DICT,
    PK_GLOBAL,
    PK_ARRAY, /* numpy.core.multiarray._reconstruct(ndarray, ...) result */
    PK_DTYPE, /* numpy.dtype(typestr, ...) result */
    PK_MARK   /* internal: never returned */
} pk_kind;

/* Allowed globals. */
typedef enum pk_global {
    PK_G_RECONSTRUCT, /* numpy.core.multiarray._reconstruct / numpy._core.multiarray._reconstruct */
    PK_G_NDARRAY,     /* numpy.ndarray */
    PK_G_DTYPE,       /* numpy.dtype */
    PK_G_ENCODE,      /* _codecs.encode (protocol-2 bytes) */
    PK_G_BYTES        /* __builtin__.bytes / builtins.bytes (protocol-2 empty bytes) */
} pk_global;

typedef struct pk_obj pk_obj;
struct pk_obj {
    pk_kind kind;
    size_t offset; /* file offset of the opcode that created it */
    uint64_t tag;  /* free for the interpreter of the graph (0 initially) */
    union {
        bool b;
        int64_t i;
        struct {
            const char *p;
            size_t n;
        } s;
        struct {
            pk_obj **items;
            size_t n, cap;
        } seq;
        struct {
            pk_obj **keys, **vals;
            size_t n, cap;
        } dict;
        pk_global global;
        struct {
            pk_obj *args;  /* the REDUCE argument tuple */
            pk_obj *state; /* the BUILD state, or NULL */
        } red;
    } u;
};

/* Runs the pickle at buf[0..len) (file offset `base`, for messages) up to
 * STOP and returns the stop value in *out; *end receives the offset just
 * after STOP. Objects live in `arena`; str/bytes may point into buf. */
tka_status pk_load(const unsigned char *buf, size_t len, size_t base, const char *name,
                   tka_arena *arena, pk_obj **out, size_t *end, tka_error *err);

#endif
