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
    bool transposed; /* shapes were transposes of each other: reprod_log used a.T */
    tka_dtype dtype; /* dtype of |a - b| after numpy 1.x promotion */
    unsigned ndim;   /* broadcast shape of |a - b| */
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
 * Immutable once made, so one diff may be used by any number of threads at
 * once. */
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

/* ------------------------------------------------- beyond reprod_log: why keys fail */

/* Maps a token id to its text (NULL when out of range). */
typedef const char *(*tka_id_to_token_fn)(void *ctx, int64_t id, size_t *len);

typedef struct tka_explain_options {
    /* "meta" objects of the two dumps (compact JSON, as tka_dict_meta), or
     * NULL; their batch_indices / dataset_indices / source_tsv map a key to
     * the dataset row it came from (docs/dump.md). */
    const char *meta_a, *meta_b;
    tka_id_to_token_fn id_to_token; /* NULL: no tokens shown */
    void *token_ctx;
    size_t max_ids; /* ids kept per side around the first difference; 0 means 512 */
    /* the second dump's tokens, when its vocabulary differs; NULL: id_to_token */
    tka_id_to_token_fn id_to_token_b;
    void *token_ctx_b;
    /* tka_diff_compare's result for the same two dicts (when it did not
     * raise): its per-key arithmetic is reused. NULL: each key is compared. */
    const tka_diff *diff;
} tka_explain_options;

/* Why a key fails, as tka_diff_explain_all judges it. */
typedef enum tka_diff_cause {
    TKA_CAUSE_NONE = 0,     /* the key passes */
    TKA_CAUSE_MISSING,      /* the key is in one dump only */
    TKA_CAUSE_OTHER_ROW,    /* the sides hold different dataset rows: sampler, order or data file */
    TKA_CAUSE_TOKENIZATION, /* the same row tokenized differently: vocabulary, casing, normalization */
    TKA_CAUSE_TRUNCATION, /* the same tokens, one side cut shorter: max length / truncation */
    TKA_CAUSE_PADDING,    /* the same tokens, padded differently */
    TKA_CAUSE_DTYPE,      /* numpy cannot subtract the dtypes (bool), or they differ */
    TKA_CAUSE_SHAPE,      /* the shapes differ in a way none of the above explains */
    TKA_CAUSE_VALUES      /* the values differ beyond the threshold */
} tka_diff_cause;

/* "none", "missing", "other_row", "tokenization", "truncation", "padding",
 * "dtype", "shape", "values". */
TKA_API const char *tka_diff_cause_name(tka_diff_cause cause);

/* One dump's side of a key. Strings and arrays live as long as the
 * tka_explanation. */
typedef struct tka_diff_side {
    bool present; /* the key is in this dump */
    tka_dtype dtype;
    unsigned ndim;
    int64_t shape[TKA_NDIM_MAX];
    bool has_value;   /* this side holds the element at first_index */
    tka_scalar value; /* ... and its value */
    /* the dataset row behind the first difference, from the dump's meta */
    int64_t row;        /* -1 unknown */
    int64_t batch_row;  /* dataloader_* keys: its row in the batch; -1 otherwise */
    int64_t line;       /* its TSV line, -1 unknown */
    const char *source; /* meta.source_tsv, or NULL */
    const char *text;   /* the row's text (and pair) from meta.source_rows, or NULL */
    const char *pair;
    /* integer 1-D/2-D keys: a window of the row holding the first
     * difference: ids[0..n_ids) are columns ids_from.. of a row of `width` */
    const int64_t *ids;
    size_t n_ids;
    int64_t ids_from, width;
    const char *const *tokens; /* *input_ids keys with a tokenizer: ids' tokens (NULL entries:
                                  out of the vocabulary); otherwise NULL */
    size_t content_len;        /* that row's length without trailing pad ids */
} tka_diff_side;

/* The whole story of one key. */
typedef struct tka_key_explanation {
    const char *key;
    bool passed;
    bool compared;     /* numpy computed |a - b| for this key alone: `diff` holds it */
    tka_key_diff diff; /* valid when compared */
    const char *error; /* the reference's exception for this key alone, or NULL */
    bool has_first;    /* first_index is set */
    unsigned first_ndim;
    /* The first position (C order) where the sides differ; a position
     * outside one side's shape counts as that side's pad id there. When the
     * sides differ only by padding, the first position one side lacks. */
    int64_t first_index[TKA_NDIM_MAX];
    tka_diff_side a, b;
    int64_t pad_id;          /* pad id used for the *input_ids keys (meta.pad_id, else 0) */
    tka_diff_cause cause;    /* TKA_CAUSE_NONE when passed */
    const char *explanation; /* the likely cause in words; "" when passed */
} tka_key_explanation;

/* Ownership and threads: owned by the caller of tka_diff_explain_all, freed
 * with tka_explanation_free; the strings and arrays of its key explanations
 * are its own copies and live as long as it. Immutable once made, so one
 * explanation may be used by any number of threads at once. */
typedef struct tka_explanation tka_explanation;

/* Compares every key on its own (also where reprod_log would raise for the
 * whole dict, so every failing key is explained), judges it with `report`
 * (NULL: reprod_log's defaults) and tells why it fails. Keys in the first
 * dump's order, then those only in the second. `options` may be NULL; its
 * id_to_token callbacks are called from the calling thread only. */
TKA_API tka_status tka_diff_explain_all(const tka_dict *a, const tka_dict *b,
                                        const tka_report_options *report,
                                        const tka_explain_options *options, tka_explanation **out,
                                        tka_error *err);
TKA_API size_t tka_explanation_count(const tka_explanation *explanation);
TKA_API const tka_key_explanation *tka_explanation_at(const tka_explanation *explanation,
                                                      size_t index);
/* Whether every key passed. */
TKA_API bool tka_explanation_passed(const tka_explanation *explanation);
/* Accepts NULL. */
TKA_API void tka_explanation_free(tka_explanation *explanation);

/* Appends the lines for a failing key (nothing for a passing one), each
 * starting with "KEY: ": what differs and where, the tokens of that row on
 * both sides (first difference marked >>like this<<, a window of
 * `max_tokens`, 0 means 48), the dataset rows behind it, and "likely cause: ...". */
TKA_API tka_status tka_key_explanation_format(const tka_key_explanation *key, size_t max_tokens,
                                              tka_buf *out);

/* The logging prefix "[YYYY/MM/DD HH:MM:SS] root INFO: " for `t` in local
 * time; `buf` needs 64 bytes. Returns the length. */
TKA_API size_t tka_report_prefix(time_t t, char *buf);

#ifdef __cplusplus
}
#endif
#endif
