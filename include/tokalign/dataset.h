/* Dataset stage: reading a TSV the way pandas.read_csv(sep="\t") (and HF
 * datasets' from_csv) or GLUE's csv.reader(delimiter="\t", quotechar=None)
 * read it, in bounded memory, and handing the pipeline typed rows.
 *
 * Two layers:
 *  - tka_tsv_reader: records (lists of fields) exactly as the reference
 *    tokenizer splits them, streaming;
 *  - tka_dataset: columns, NA values, the dtypes pandas infers, column
 *    selection and typed rows, in two streaming passes over the file (a
 *    typing pass at open, then the rows), or in a single pass whose rows are
 *    typed with what is known so far and finalised at the end. */
#ifndef TOKALIGN_DATASET_H
#define TOKALIGN_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tokalign/status.h"
#include "tokalign/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ TSV records */

typedef enum tka_tsv_mode {
    TKA_TSV_PANDAS = 0, /* pandas.read_csv(path, sep="\t"), all other options default */
    TKA_TSV_GLUE = 1    /* list(csv.reader(open(path, encoding="utf-8-sig"), delimiter="\t",
                           quotechar=None)) as in transformers' DataProcessor._read_tsv */
} tka_tsv_mode;

typedef struct tka_tsv_options {
    tka_tsv_mode mode;
    tka_utf8_errors utf8_errors; /* STRICT (default): invalid UTF-8 is an error, as
                                    pandas/Python raise UnicodeDecodeError; REPLACE: U+FFFD
                                    like encoding_errors="replace" */
} tka_tsv_options;

/* One field of a record. data is NOT NUL-terminated and may contain NUL
 * bytes; it stays valid until the next tka_tsv_next() call. */
typedef struct tka_tsv_field {
    const char *data;
    size_t len;
    uint64_t line;   /* 1-based physical line where the field starts */
    uint64_t column; /* 1-based character column where the field starts */
    uint64_t offset; /* byte offset in the file where the field starts */
    bool quoted;     /* pandas: the field opened with a double quote */
    bool padded;     /* pandas: missing in the file, added because the record had
                        fewer fields than expected (pandas reads it as NaN) */
} tka_tsv_field;

typedef struct tka_tsv_record {
    const tka_tsv_field *fields;
    size_t num_fields;    /* including padded fields */
    uint64_t index;       /* 0-based record number; in pandas mode record 0 is the header */
    uint64_t line;        /* 1-based physical line where the record starts */
    uint64_t end_line;    /* physical line where it ends (> line for embedded newlines) */
    uint64_t offset;      /* byte offset where it starts */
    uint64_t pandas_line; /* pandas' own line count after this record (blank lines counted,
                             newlines inside quotes not), as used in its error messages */
    bool has_nul;         /* some field holds a NUL byte (pandas cuts values there): when
                             false, no field needs scanning for one */
} tka_tsv_record;

/* Ownership and threads: owned by the caller of tka_tsv_open*, freed with
 * tka_tsv_free; one thread at a time. Records point into it until the next call. */
typedef struct tka_tsv_reader tka_tsv_reader;

/* Opens a file ("-" is stdin). Errors name the path. */
TKA_API tka_status tka_tsv_open(const char *path, const tka_tsv_options *options,
                                tka_tsv_reader **out, tka_error *err);
/* Reads from memory; `name` is used in messages. The bytes must outlive the reader. */
TKA_API tka_status tka_tsv_open_memory(const char *name, const void *data, size_t len,
                                       const tka_tsv_options *options, tka_tsv_reader **out,
                                       tka_error *err);
TKA_API void tka_tsv_free(tka_tsv_reader *reader);

/* The next record; TKA_END (not an error, err untouched) at the end. In pandas
 * mode the records are what pandas' tokenizer keeps: blank and space-only
 * lines are skipped, short records padded, long ones an error. Errors name
 * file, line and column and quote pandas' / Python's own message; after an
 * error every further call returns it again. */
TKA_API tka_status tka_tsv_next(tka_tsv_reader *reader, tka_tsv_record *record, tka_error *err);

/* Rewinds to the start (files and memory only, not pipes). */
TKA_API tka_status tka_tsv_rewind(tka_tsv_reader *reader, tka_error *err);

/* The name used in messages. */
TKA_API const char *tka_tsv_name(const tka_tsv_reader *reader);

/* pandas' tokenizer reads its input in blocks of this many characters; a few
 * of its behaviours depend on the block boundaries (see docs/dataset.md). */
#define TKA_PANDAS_CHUNK_CHARS 262144

/* -------------------------------------------------------- values and dtypes */

/* Column dtypes pandas infers (dtype_cast_order int64, float64, bool, object;
 * uint64 when an integer overflows int64 but fits uint64). */
typedef enum tka_column_dtype {
    TKA_COLUMN_INT64 = 0,
    TKA_COLUMN_UINT64,
    TKA_COLUMN_FLOAT64,
    TKA_COLUMN_BOOL,
    TKA_COLUMN_OBJECT
} tka_column_dtype;

/* "int64", "uint64", "float64", "bool", "object". */
TKA_API const char *tka_column_dtype_name(tka_column_dtype dtype);

/* What a cell holds after pandas' conversion. In an object column a cell is
 * a string or NaN (or, after low_memory chunks of different types were
 * concatenated, a Python int/float/bool). */
typedef enum tka_value_kind {
    TKA_VALUE_NAN = 0, /* NaN / None: pandas' missing value */
    TKA_VALUE_INT,     /* .i */
    TKA_VALUE_UINT,    /* .u */
    TKA_VALUE_FLOAT,   /* .f (may be inf) */
    TKA_VALUE_BOOL,    /* .b */
    TKA_VALUE_STR      /* the text itself */
} tka_value_kind;

typedef struct tka_value {
    tka_value_kind kind;
    int64_t i;
    uint64_t u;
    double f;
    bool b;
    const char *text; /* the field as read (quotes removed; pandas: cut at a NUL byte) */
    size_t len;
    uint64_t line, column, offset; /* where the field starts (0 when padded) */
    bool padded;                   /* the field was missing in the file */
} tka_value;

/* ---------------------------------------------------------------- dataset */

/* How type inference is chunked, as the reference reads the file. */
typedef enum tka_chunking {
    TKA_CHUNKS_PANDAS = 0, /* pd.read_csv default (low_memory=True): blocks of buffer_lines
                              rows (2^20 / ncols rounded down to a power of two, 262144 for
                              2 columns), concatenated with numpy's type promotion */
    TKA_CHUNKS_WHOLE,      /* low_memory=False: one inference over all rows */
    TKA_CHUNKS_ROWS        /* explicit block size (HF datasets' from_csv: 10000), blocks not
                              merged: each block keeps its own dtypes (see chunk_dtype) */
} tka_chunking;

typedef struct tka_dataset_options {
    tka_tsv_options tsv;
    /* Column selection: a header name, or "#N" for the 0-based column N. In
     * GLUE mode the header row is skipped by position and names are looked up
     * in it. text is required; pair and label may be NULL. */
    const char *text_field;
    const char *pair_field;
    const char *label_field;
    tka_chunking chunking;
    size_t chunk_rows; /* for TKA_CHUNKS_ROWS */
    /* No typing pass at open: tka_dataset_next reads, types and delivers the
     * rows in one pass (stdin works too). Until the end of that pass
     * (tka_dataset_complete) cells are converted with the dtypes known so far
     * and may differ from the final frame; the row count, dtypes and warnings
     * are final only then, and tka_dataset_convert gives any saved cell its
     * final value. See "Single pass" in docs/dataset.md. */
    bool single_pass;
} tka_dataset_options;

/* text "sentence", label "label", pandas mode, strict UTF-8, pandas chunking. */
TKA_API void tka_dataset_options_init(tka_dataset_options *options);

/* Ownership and threads: owned by the caller of tka_dataset_open*, freed
 * with tka_dataset_free; one thread at a time. Rows, names and warnings point
 * into it (rows: until the next tka_dataset_next). */
typedef struct tka_dataset tka_dataset;

/* Opens the file and runs the first pass: header, row count, and the dtype of
 * every column (bounded memory: a few bytes per column and chunk). Errors that
 * pandas raises while reading (ParserError, EmptyDataError, a missing column:
 * KeyError) are reported here, naming file, line and column.
 * With options->single_pass only the header is read here (EmptyDataError and
 * a missing column are still reported here); the errors of the data rows come
 * from tka_dataset_next, with the same messages. */
TKA_API tka_status tka_dataset_open(const char *path, const tka_dataset_options *options,
                                    tka_dataset **out, tka_error *err);
TKA_API tka_status tka_dataset_open_memory(const char *name, const void *data, size_t len,
                                           const tka_dataset_options *options, tka_dataset **out,
                                           tka_error *err);
TKA_API void tka_dataset_free(tka_dataset *ds);

/* Single pass: true once tka_dataset_next has read the whole file, i.e. it
 * returned TKA_END, or a row error after reading to the end (GLUE's
 * IndexError; see tka_dataset_next). From then on the row count, dtypes,
 * chunk dtypes and warnings are those of the two-pass mode. Two passes: true
 * after open. */
TKA_API bool tka_dataset_complete(const tka_dataset *ds);

/* Data rows (pandas: len(df); GLUE: lines after the first). Single pass: the
 * rows read so far until complete. */
TKA_API uint64_t tka_dataset_num_rows(const tka_dataset *ds);

/* All columns as pandas names them (duplicates mangled "x.1", empty names
 * "Unnamed: i"); in GLUE mode the header row's strings. */
TKA_API size_t tka_dataset_num_columns(const tka_dataset *ds);
TKA_API const char *tka_dataset_column_name(const tka_dataset *ds, size_t column);
/* The dtype pandas gives the column (after chunk concatenation). GLUE: object.
 * Single pass, until complete: the dtype of the rows read so far. */
TKA_API tka_column_dtype tka_dataset_column_dtype(const tka_dataset *ds, size_t column);
/* Number of inference chunks and one chunk's dtype (HF datasets converts
 * each 10000-row chunk to Arrow separately: a chunk whose dtype differs from
 * the first breaks or changes the dataset). Single pass: 0 chunks until
 * complete. */
TKA_API size_t tka_dataset_num_chunks(const tka_dataset *ds);
TKA_API tka_column_dtype tka_dataset_chunk_dtype(const tka_dataset *ds, size_t column,
                                                 size_t chunk);
/* Leading columns pandas silently turned into the index (the first data row
 * had more fields than the header); 0 normally. */
TKA_API size_t tka_dataset_index_columns(const tka_dataset *ds);

/* Column numbers of the selected fields (SIZE_MAX when not selected). */
TKA_API size_t tka_dataset_text_column(const tka_dataset *ds);
TKA_API size_t tka_dataset_pair_column(const tka_dataset *ds);
TKA_API size_t tka_dataset_label_column(const tka_dataset *ds);

/* Warnings from the first pass, one per line ("" if none): places where the
 * GLUE reader and pandas read the file differently, pandas' DtypeWarning, a
 * text column that is not all strings, ... Single pass: "" until complete. */
TKA_API const char *tka_dataset_warnings(const tka_dataset *ds);

/* One data row with the selected fields converted as pandas converts them. */
typedef struct tka_row {
    uint64_t index;  /* 0-based data row number (pandas' default index) */
    uint64_t line;   /* physical line where the record starts */
    uint64_t offset; /* byte offset where the record starts (for progress) */
    tka_value text;
    tka_value pair;  /* kind NAN and len 0 when no pair column is selected */
    tka_value label; /* likewise for the label */
    bool has_pair, has_label;
} tka_row;

/* Second pass: rows in file order. Starts at row 0 after open (and after
 * tka_dataset_rewind); TKA_END (not an error, err untouched) after the last
 * row; a file that changed since the typing pass (more or fewer rows) is a
 * TKA_ERR_FORMAT, never an early TKA_END. Pointers in the row stay valid until
 * the next call.
 * Single pass (until complete): every call reads one more row and types it;
 * text, pair and label are converted with the dtypes of the rows read so far
 * (value.text always holds the cell as read, which is what
 * tka_dataset_convert needs), and a parser error anywhere in the file is
 * returned when the reader gets there. GLUE's IndexError for a short row is
 * returned only after the rest of the file was read (a parser error further
 * on wins, as in the two-pass mode, whose typing pass reports it first); the
 * dataset is then complete. Stop at the first error. */
TKA_API tka_status tka_dataset_next(tka_dataset *ds, tka_row *row, tka_error *err);
/* Restarts at row 0. Single pass: only once complete; the rows then come
 * with their final values, as in the two-pass mode. */
TKA_API tka_status tka_dataset_rewind(tka_dataset *ds, tka_error *err);

/* Any cell of the row last returned by tka_dataset_next: data column
 * `column` (0-based, as tka_dataset_column_name), or with `index` set, the
 * implicit index column `column` (< tka_dataset_index_columns). Valid until
 * the next call of tka_dataset_next. */
TKA_API tka_status tka_dataset_cell(const tka_dataset *ds, size_t column, bool index,
                                    tka_value *out, tka_error *err);

/* Single pass, once complete (two passes: any time): the value the two-pass
 * mode gives the cell of data row `row` in `column` (or implicit index column
 * with `index`), from the cell as a single pass delivered it (`raw`: its
 * text, len, position and padded flag; the kind and numbers are ignored). The
 * result points at raw->text. pandas' type of a cell depends on its
 * low_memory block and on the whole column, so this is how a consumer of the
 * single pass finalises the few cells it kept (e.g. logged labels). */
TKA_API tka_status tka_dataset_convert(const tka_dataset *ds, size_t column, bool index,
                                       uint64_t row, const tka_value *raw, tka_value *out,
                                       tka_error *err);

/* Once complete: the first data row whose cell in the text or pair column
 * (`column`) is not a str in the final frame (NaN, or a number because its
 * low_memory block or the whole column is numeric), i.e. the first row the
 * reference tokenizer refuses; its index, line and the cell's kind.
 * TKA_ERR_NOT_FOUND when every cell is a str; TKA_ERR_ARGUMENT for another
 * column or before the end. Lets a single-pass consumer that tokenized every
 * row's text decide at the end which row the two-pass reading would refuse. */
TKA_API tka_status tka_dataset_first_non_string(const tka_dataset *ds, size_t column, uint64_t *row,
                                                uint64_t *line, tka_value_kind *kind,
                                                tka_error *err);

/* The label as an int64 the way the reference turns it into a tensor
 * (np.array([label], dtype="int64") on the Paddle side): int as is, float
 * truncated, bool 0/1, str through Python's int(); NaN and other strings are
 * errors naming file, line and column (`name` is the dataset's file). */
TKA_API tka_status tka_value_to_int64(const tka_value *value, const char *name, int64_t *out,
                                      tka_error *err);

#ifdef __cplusplus
}
#endif
#endif
