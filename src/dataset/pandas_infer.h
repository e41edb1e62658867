/* pandas' cell conversions (NA strings, int64/uint64/float64/bool parsing) and
 * its per-column dtype inference, as in pandas 1.5's parsers.pyx / tokenizer.c. */
#ifndef TKA_DATASET_PANDAS_INFER_H
#define TKA_DATASET_PANDAS_INFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/dataset.h"

/* Every function takes the field as pandas sees it: a C string, i.e. cut at
 * its first NUL byte (see pandas_cstr_len). */
size_t pandas_cstr_len(const char *s, size_t len);

/* One of pandas 1.5's default NA strings (exact match). */
bool pandas_is_na(const char *s, size_t len);

enum { PANDAS_NUM_OK = 0, PANDAS_NUM_INVALID = 1, PANDAS_NUM_OVERFLOW = 2 };
/* str_to_int64: optional ASCII spaces around, optional sign, decimal digits. */
int pandas_parse_int64(const char *s, size_t len, int64_t *out);
/* str_to_uint64: a leading '-' sets *negative and succeeds with 0 (pandas
 * notes "seen a signed int" and goes on). */
int pandas_parse_uint64(const char *s, size_t len, uint64_t *out, bool *negative);
/* precise_xstrtod over the whole field (trailing spaces allowed), or one of
 * inf/+inf/-inf/infinity/+infinity/-infinity in any case. */
bool pandas_parse_double(const char *s, size_t len, double *out);
/* True/TRUE/true/False/... (any case, nothing else): 1, 0, or -1. */
int pandas_parse_bool(const char *s, size_t len);

/* How a column chunk's values are represented. */
typedef enum pandas_flavor {
    PF_PLAIN = 0,      /* int64 / uint64 / bool / float64 parsed as floats */
    PF_FLOAT_FROM_INT, /* float64 holding int64 values upcast because of NaN */
    PF_OBJ_STR,        /* object: strings, NA strings as NaN */
    PF_OBJ_RAW,        /* object: strings, NA strings kept (pandas' uint64 conflict path) */
    PF_OBJ_BOOL        /* object: True / False / NaN (bool upcast because of NaN) */
} pandas_flavor;

typedef struct pandas_type {
    tka_column_dtype dtype;
    pandas_flavor flavor;
} pandas_type;

/* Inference state of one column over one block of rows. Zero-initialise. */
typedef struct pandas_infer {
    uint64_t rows, na;
    uint8_t int_err, uint_err; /* first error of the int64 / uint64 attempts */
    bool seen_sint, seen_uint, seen_null;
    bool float_fail, bool_fail;
} pandas_infer;

/* Adds one cell; na: pandas_is_na(s, len), computed once by the caller. */
void pandas_infer_add(pandas_infer *st, const char *s, size_t len, bool na);
pandas_type pandas_infer_result(const pandas_infer *st);
/* numpy's common type of two chunk dtypes (np.concatenate of low_memory chunks). */
tka_column_dtype pandas_merge_dtype(tka_column_dtype a, tka_column_dtype b);

/* The value of one cell of a chunk of type t (text already cut at NUL). */
void pandas_convert(pandas_type t, const char *s, size_t len, tka_value *v);
/* The same with pandas_is_na(s, len) already known. */
void pandas_convert_na(pandas_type t, const char *s, size_t len, bool na, tka_value *v);
/* Casts a chunk value to the concatenated column dtype. */
void pandas_promote(tka_column_dtype column, tka_value *v);

#endif
