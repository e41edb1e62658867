/* Diffing two dumps like reprod_log's ReprodDiffHelper: compare_info
 * (numpy 1.x arithmetic: promotion, broadcasting, the transpose fallback,
 * numpy's mean) and report (the log lines, byte for byte). */
#ifndef TOKALIGN_DIFF_H
#define TOKALIGN_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tokalign/dump.h"
#include "tokalign/status.h"
#include "tokalign/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A numpy scalar: integer types in i/u, float types (float16/32 widened
 * exactly) in f. */
typedef struct tka_scalar {
    tka_dtype dtype;
    union {
        int64_t i;  /* signed integer dtypes */
        uint64_t u; /* unsigned integer dtypes and bool */
        double f;   /* float dtypes */
    } v;
} tka_scalar;

/* "{}".format(scalar) as Python prints a numpy scalar: integers in decimal,
 * floats as repr(float(x)). `buf` needs TKA_PYFLOAT_MAX bytes. */
TKA_API size_t tka_scalar_format(const tka_scalar *s, char *buf);
TKA_API double tka_scalar_to_double(const tka_scalar *s);

typedef enum tka_stat { TKA_STAT_MIN = 0, TKA_STAT_MAX = 1, TKA_STAT_MEAN = 2 } tka_stat;

/* The comparison of one key. */
typedef struct tka_key_diff {
    const char *key;
    bool transposed;   /* shapes were transposes of each other: reprod_log used a.T */
    tka_dtype dtype;   /* dtype of |a - b| after numpy 1.x promotion */
    unsigned ndim;     /* broadcast shape of |a - b| */
    int64_t shape[TKA_NDIM_MAX];
    tka_scalar stat[3]; /* min, max (dtype of the diff), mean (see docs/dump.md) */
    /* Beyond reprod_log, to show why a key differs: */
    size_t n_differ;                   /* elements where |a - b| is non-zero or NaN */
    int64_t first_index[TKA_NDIM_MAX]; /* first such element, in the broadcast shape */
    size_t first_flat;                 /* its C-order position */
    tka_scalar first_a, first_b;       /* the values there, in each side's dtype */
} tka_key_diff;

/* Ownership and threads: owned by the caller of tka_diff_compare, freed with
 * tka_diff_free; its keys point into dict `a`, which must outlive it.
 * Immutable: any number of threads may read one diff at once. */
typedef struct tka_diff tka_diff;

/* ReprodDiffHelper.compare_info(a, b). Where reprod_log raises, returns
 * TKA_ERR_REFERENCE with the Python exception as message, e.g.
 * "AssertionError: k in data1 but not found in data2" or
 * "ValueError: operands could not be broadcast together with shapes (4,28) (4,25) ".
 * `stdout_lines` (may be NULL) receives what compare_info prints
 * ("transpose sub_data1\n" per transposed key), also when it then raises.
 * With an error, *out is NULL. */
TKA_API tka_status tka_diff_compare(const tka_dict *a, const tka_dict *b, tka_diff **out,
                                    tka_buf *stdout_lines, tka_error *err);
TKA_API size_t tka_diff_count(const tka_diff *diff);
TKA_API const tka_key_diff *tka_diff_at(const tka_diff *diff, size_t index);
/* Accepts NULL. */
TKA_API void tka_diff_free(tka_diff *diff);

#define TKA_REPORT_MAX_METHODS 16

typedef struct tka_report_options {
    tka_stat methods[TKA_REPORT_MAX_METHODS];
    size_t n_methods;
    double threshold;
} tka_report_options;

/* reprod_log's defaults: diff_method="mean", diff_threshold=1e-6. */
TKA_API void tka_report_options_init(tka_report_options *options);

/* "mean", "max", "min", "all" (= min,max,mean), or a comma-separated list
 * of min/max/mean used in the given order (reprod_log's list form). */
TKA_API tka_status tka_report_parse_methods(const char *text, tka_report_options *options,
                                            tka_error *err);

/* Whether every method of `key` passes (value > threshold fails; NaN passes). */
TKA_API bool tka_key_diff_passed(const tka_key_diff *key, const tka_report_options *options);

/* ReprodDiffHelper.report: appends the log messages, one per line, each
 * followed by "\n" and without the logging prefix; *passed tells whether
 * the last line is "diff check passed". */
TKA_API tka_status tka_diff_report(const tka_diff *diff, const tka_report_options *options,
                                   tka_buf *messages, bool *passed, tka_error *err);

/* ------------------------------------------------- beyond reprod_log */

/* Maps a token id to its text (NULL when out of range). */
typedef const char *(*tka_id_to_token_fn)(void *ctx, int64_t id, size_t *len);

typedef struct tka_explain_options {
    /* "meta" objects of the two dumps (compact JSON, as tka_dict_meta), or
     * NULL; their batch_indices / dataset_indices / source_tsv map a key to
     * the dataset row it came from (docs/dump.md). */
    const char *meta_a, *meta_b;
    tka_id_to_token_fn id_to_token; /* NULL: no tokens shown */
    void *token_ctx;
    size_t max_tokens; /* per side; 0 means 48 */
} tka_explain_options;

/* Appends lines telling why key `kd` (compared from arrays a and b)
 * differs: how many elements differ, the first position with both values,
 * for integer keys ending in "input_ids" the tokens of that row on both
 * sides (first difference marked >>like this<<), and the dataset row
 * behind it. Every line starts with "KEY: ". Nothing when no element differs. */
TKA_API tka_status tka_diff_explain(const tka_key_diff *kd, const tka_array *a, const tka_array *b,
                                    const tka_explain_options *options, tka_buf *out);

/* The logging prefix "[YYYY/MM/DD HH:MM:SS] root INFO: " for `t` in local
 * time; `buf` needs 64 bytes. Returns the length. */
TKA_API size_t tka_report_prefix(time_t t, char *buf);

#ifdef __cplusplus
}
#endif
#endif
