/* Status codes and error messages shared by every tokalign module. */
#ifndef TOKALIGN_STATUS_H
#define TOKALIGN_STATUS_H

#include <stddef.h>

#include "tokalign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tka_status {
    TKA_OK = 0,
    TKA_ERR_ARGUMENT,    /* the caller passed an invalid option or value */
    TKA_ERR_IO,          /* a file could not be opened, read or written */
    TKA_ERR_NOMEM,       /* an allocation failed */
    TKA_ERR_FORMAT,      /* input is malformed (message names file and position) */
    TKA_ERR_UTF8,        /* input is not valid UTF-8 (message names record and byte offset) */
    TKA_ERR_NOT_FOUND,   /* a named tokenizer, key or token does not exist */
    TKA_ERR_UNSUPPORTED, /* well-formed input that tokalign deliberately does not handle */
    TKA_ERR_LIMIT,       /* a size limit was exceeded */
    TKA_ERR_REFERENCE,   /* the reference implementation raises here; tokalign does the same */
    TKA_END = 100        /* not an error: a stream (rows, records, batches) has no more items */
} tka_status;

#define TKA_ERROR_MESSAGE_MAX 1024

/* Which reference error a TKA_ERR_REFERENCE report is, for those a caller
 * may act on (offer a remedy, raise the reference's exception itself); a
 * program tests this code, never the message text. TKA_REF_NONE for every
 * other report. */
typedef enum tka_ref_error {
    TKA_REF_NONE = 0,
    TKA_REF_NO_PAD_TOKEN /* transformers: padding asked, the tokenizer has no pad token */
} tka_ref_error;

/* An error report: the status, which reference error it is (if listed above)
 * and a human-readable message. Functions that take a `tka_error *` fill it
 * on failure; passing NULL is allowed.
 * Ownership and threads: the caller's (usually on the stack); one per thread. */
typedef struct tka_error {
    tka_status status;
    tka_ref_error ref;
    char message[TKA_ERROR_MESSAGE_MAX];
} tka_error;

/* Short stable name of a status ("format error", ...). Never NULL. */
TKA_API const char *tka_status_name(tka_status status);

/* The reference's own text for `ref` (e.g. transformers' "Asking to pad but
 * the tokenizer does not have a padding token. ..."), for a binding that
 * raises that error itself; "" for TKA_REF_NONE. Static storage, never NULL. */
TKA_API const char *tka_ref_message(tka_ref_error ref);

/* Clears an error report (status TKA_OK, TKA_REF_NONE, empty message). Accepts NULL. */
TKA_API void tka_error_clear(tka_error *err);

/* Sets status and a printf-style message (ref: TKA_REF_NONE); returns `status`
 * so callers can `return tka_error_set(err, TKA_ERR_IO, "...")`. Accepts
 * err == NULL. */
TKA_API tka_status tka_error_set(tka_error *err, tka_status status, const char *fmt, ...)
    TKA_PRINTF(3, 4);
#ifdef __clang_analyzer__
/* clang's static analyzer (clang-tidy) sees one source file at a time: this
 * tells it what the comment above says, that the call returns `status`, so
 * that it does not follow a failed call as if it had returned TKA_OK. */
#define tka_error_set(err, status, ...) (tka_error_set((err), (status), __VA_ARGS__), (status))
#endif

/* Prepends context ("file.tsv: ") to an existing message, keeping its status and ref. */
TKA_API tka_status tka_error_prefix(tka_error *err, const char *fmt, ...) TKA_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif
#endif
