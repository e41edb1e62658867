/* Dataset: dtype inference and divergence notes (first pass), typed rows and cells (second pass). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/dataset_columns.h"
#include "dataset/pandas_infer.h"
#include "tokalign/dataset.h"

#define NOT_SELECTED TKA_NOT_SELECTED
/* HF datasets' csv builder reads pandas chunks of this many rows. */
#define HF_CHUNK_ROWS 10000

/* Where pandas and the GLUE reader part ways; counted in the first pass. */
enum divergence {
    DIV_QUOTED,      /* a field opens with a quote */
    DIV_BLANK,       /* blank / space-only lines skipped by pandas */
    DIV_SHORT,       /* records with fewer fields than the header */
    DIV_NA,          /* NA strings / empty fields in the selected columns */
    DIV_LABEL_FORM,  /* labels pandas parses as numbers that GLUE keeps as other strings */
    DIV_NUL,         /* NUL bytes (pandas cuts the value there) */
    DIV_COUNT
};

typedef struct divergence_note {
    uint64_t count, line, column;
} divergence_note;

struct tka_dataset {
    char *name;
    tka_dataset_options options;
    char *text_field, *pair_field, *label_field;
    tka_tsv_reader *reader;

    size_t leading;   /* implicit index columns (pandas) */
    size_t ncols;     /* named data columns */
    char **names;
    size_t text_col, pair_col, label_col; /* data column numbers */
    uint64_t nrows;

    /* Type inference: units of unit_rows rows; groups of units are merged
     * (pandas: all units, one group; HF chunks: one group per chunk). */
    size_t unit_rows, units_per_group, nunits, ngroups;
    pandas_type *unit_types; /* nunits x (leading + ncols) */
    size_t width;            /* leading + ncols */
    tka_column_dtype *group_dtypes; /* ngroups x width */
    tka_column_dtype *col_dtypes;   /* width: the dtype of each raw column */

    tka_buf warnings;
    divergence_note div[DIV_COUNT];
    divergence_note sel_na, label_any, label_noncanon;
    uint64_t next_row;       /* second pass */
    bool at_data;            /* second pass: header consumed */
    tka_tsv_record current;  /* the record of the row last returned */
    size_t current_unit, current_group;
    bool has_current;
};

const char *tka_column_dtype_name(tka_column_dtype dtype)
{
    switch (dtype) {
    case TKA_COLUMN_INT64: return "int64";
    case TKA_COLUMN_UINT64: return "uint64";
    case TKA_COLUMN_FLOAT64: return "float64";
    case TKA_COLUMN_BOOL: return "bool";
    case TKA_COLUMN_OBJECT: return "object";
    }
    return "?";
}

void tka_dataset_options_init(tka_dataset_options *o)
{
    memset(o, 0, sizeof *o);
    o->tsv.mode = TKA_TSV_PANDAS;
    o->tsv.utf8_errors = TKA_UTF8_STRICT;
    o->text_field = "sentence";
    o->label_field = "label";
    o->chunking = TKA_CHUNKS_PANDAS;
}

static void warn(tka_dataset *ds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void selected_stats(tka_dataset *ds, const tka_tsv_record *rec);
static void warn(tka_dataset *ds, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    tka_buf_printf(&ds->warnings, "%s: warning: %s\n", ds->name, line);
}

void tka_dataset_free(tka_dataset *ds)
{
    if (!ds)
        return;
    tka_tsv_free(ds->reader);
    column_names_free(ds->names, ds->ncols);
    free(ds->unit_types);
    free(ds->group_dtypes);
    free(ds->col_dtypes);
    free(ds->text_field);
    free(ds->pair_field);
    free(ds->label_field);
    free(ds->name);
    tka_buf_free(&ds->warnings);
    free(ds);
}

static tka_status select_columns(tka_dataset *ds, tka_error *err)
{
    bool pandas = ds->options.tsv.mode == TKA_TSV_PANDAS;
    tka_status st = column_select(ds->names, ds->ncols, pandas, ds->text_field, "text", ds->name,
                                  &ds->text_col, err);
    if (st == TKA_OK)
        st = column_select(ds->names, ds->ncols, pandas, ds->pair_field, "pair", ds->name,
                           &ds->pair_col, err);
    if (st == TKA_OK)
        st = column_select(ds->names, ds->ncols, pandas, ds->label_field, "label", ds->name,
                           &ds->label_col, err);
    return st;
}

static size_t pandas_buffer_lines(size_t table_width)
{
    /* parsers.pyx: heuristic = 2**20 // table_width; the largest power of
     * two whose double is not below it. */
    size_t heuristic = ((size_t)1 << 20) / (table_width ? table_width : 1);
    size_t lines = 1;
    while (lines * 2 < heuristic)
        lines *= 2;
    return lines;
}

static bool grow_units(tka_dataset *ds, size_t width, size_t *cap, pandas_infer **inf)
{
    size_t ncap = *cap ? *cap * 2 : 4;
    pandas_infer *p = realloc(*inf, ncap * width * sizeof *p);
    if (!p)
        return false;
    memset(p + *cap * width, 0, (ncap - *cap) * width * sizeof *p);
    *inf = p;
    *cap = ncap;
    (void)ds;
    return true;
}

static void note(divergence_note *d, const tka_tsv_field *f, uint64_t line)
{
    if (d->count++ == 0) {
        d->line = f ? f->line : line;
        d->column = f ? f->column : 1;
    }
}

static void report_divergences(tka_dataset *ds)
{
    const divergence_note *d = ds->div;
    static const char *const what[DIV_COUNT] = {
        [DIV_QUOTED] = "field(s) start with a double quote: pandas removes the quotes (and a "
                       "quote left open joins the following lines); GLUE keeps them",
        [DIV_BLANK] = "blank or space-only line(s): pandas skips them; GLUE yields rows with "
                      "no text, on which the GLUE processors fail (IndexError)",
        [DIV_SHORT] = "record(s) with fewer fields than the header: pandas fills NaN; GLUE "
                      "yields short rows (IndexError in the processors)",
        [DIV_NA] = "selected field(s) are empty or an NA string (NA, null, nan, ...): pandas "
                   "reads NaN; GLUE keeps the text",
        [DIV_LABEL_FORM] = "label(s) written differently from the number pandas reads (' 0', "
                           "'+1', '01', '1.0', ...): GLUE keeps the text, which is not in the "
                           "processor's label list",
        [DIV_NUL] = "field(s) contain a NUL byte: pandas cuts the value there; GLUE keeps it",
    };
    bool any = false;
    for (int k = 0; k < DIV_COUNT; k++)
        any |= d[k].count > 0;
    if (!any)
        return;
    warn(ds, "pandas and the GLUE reader (csv.reader, quotechar=None) read this file "
             "differently:");
    for (int k = 0; k < DIV_COUNT; k++)
        if (d[k].count)
            tka_buf_printf(&ds->warnings, "  %" PRIu64 " %s (first at line %" PRIu64
                                          ", column %" PRIu64 ")\n",
                           d[k].count, what[k], d[k].line, d[k].column);
}

/* First pass: header, row count, per-unit type inference, divergences. */
static tka_status first_pass(tka_dataset *ds, tka_error *err)
{
    bool pandas = ds->options.tsv.mode == TKA_TSV_PANDAS;
    tka_tsv_record rec;
    tka_status st = tka_tsv_next(ds->reader, &rec, err);
    if (st == TKA_ERR_NOT_FOUND)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             pandas ? "%s: no header and no data; pandas raises EmptyDataError: "
                                      "No columns to parse from file"
                                    : "%s: the file is empty: the GLUE reader has no header "
                                      "row to skip",
                             ds->name);
    if (st != TKA_OK)
        return st;
    if ((st = column_names(&rec, pandas, ds->name, &ds->names, err)) != TKA_OK)
        return st;
    ds->ncols = rec.num_fields;
    if ((st = select_columns(ds, err)) != TKA_OK)
        return st;
    uint64_t header_end_line = rec.end_line;

    divergence_note *div = ds->div;
    pandas_infer *inf = NULL;
    size_t cap = 0, width = 0;
    uint64_t prev_end = header_end_line;
    bool first = true;
    while ((st = tka_tsv_next(ds->reader, &rec, err)) == TKA_OK) {
        if (first && pandas) {
            /* The first data row fixes the table width; extra leading fields
             * become pandas' implicit index. */
            first = false;
            ds->leading = rec.num_fields > ds->ncols ? rec.num_fields - ds->ncols : 0;
            width = ds->leading + ds->ncols;
            size_t bl = pandas_buffer_lines(width);
            switch (ds->options.chunking) {
            case TKA_CHUNKS_PANDAS:
                ds->unit_rows = bl;
                ds->units_per_group = 0; /* one group */
                break;
            case TKA_CHUNKS_WHOLE:
                ds->unit_rows = SIZE_MAX;
                ds->units_per_group = 0;
                break;
            case TKA_CHUNKS_ROWS: {
                size_t rows = ds->options.chunk_rows ? ds->options.chunk_rows : HF_CHUNK_ROWS;
                /* Each chunk is itself read in low_memory blocks of at most
                 * buffer_lines rows. */
                ds->unit_rows = rows < bl ? rows : bl;
                ds->units_per_group = (rows + ds->unit_rows - 1) / ds->unit_rows;
                ds->options.chunk_rows = rows;
                break;
            }
            }
        } else if (first) {
            first = false;
            width = ds->ncols;
        }
        if (pandas) {
            /* Which unit: groups hold chunk_rows rows split in unit_rows blocks. */
            size_t unit;
            if (ds->options.chunking == TKA_CHUNKS_ROWS) {
                uint64_t g = ds->nrows / ds->options.chunk_rows;
                uint64_t in = ds->nrows % ds->options.chunk_rows;
                unit = (size_t)(g * ds->units_per_group + in / ds->unit_rows);
            } else {
                unit = ds->unit_rows == SIZE_MAX ? 0 : (size_t)(ds->nrows / ds->unit_rows);
            }
            while (unit >= cap)
                if (!grow_units(ds, width, &cap, &inf)) {
                    free(inf);
                    return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", ds->name);
                }
            if (unit + 1 > ds->nunits)
                ds->nunits = unit + 1;
            for (size_t c = 0; c < width && c < rec.num_fields; c++) {
                const tka_tsv_field *f = &rec.fields[c];
                size_t len = pandas_cstr_len(f->data, f->len);
                pandas_infer_add(&inf[unit * width + c], f->data, len);
                if (len != f->len)
                    note(&div[DIV_NUL], f, rec.line);
                if (f->quoted)
                    note(&div[DIV_QUOTED], f, rec.line);
                if (f->padded)
                    note(&div[DIV_SHORT], NULL, rec.line);
            }
            selected_stats(ds, &rec);
            if (rec.line > prev_end + 1)
                note(&div[DIV_BLANK], NULL, prev_end + 1);
            prev_end = rec.end_line;
        }
        ds->nrows++;
    }
    if (st != TKA_ERR_NOT_FOUND) {
        free(inf);
        return st;
    }
    if (!pandas) {
        ds->ngroups = 0;
        return TKA_OK;
    }
    if (first) { /* header only */
        width = ds->ncols;
        ds->unit_rows = SIZE_MAX;
    }
    if (ds->nunits == 0) {
        ds->nunits = 1; /* no rows: every column is object */
        if (!inf && !(inf = calloc(width ? width : 1, sizeof *inf)))
            return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", ds->name);
    }
    ds->unit_types = malloc(ds->nunits * (width ? width : 1) * sizeof *ds->unit_types);
    if (!ds->unit_types) {
        free(inf);
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", ds->name);
    }
    for (size_t u = 0; u < ds->nunits; u++)
        for (size_t c = 0; c < width; c++)
            ds->unit_types[u * width + c] = pandas_infer_result(&inf[u * width + c]);
    free(inf);

    /* Groups: merge the unit dtypes of each group (pandas: one group), per
     * raw column (index columns first). */
    size_t upg = ds->units_per_group ? ds->units_per_group : ds->nunits;
    size_t w = width ? width : 1;
    ds->width = width;
    ds->ngroups = (ds->nunits + upg - 1) / upg;
    ds->group_dtypes = malloc(ds->ngroups * w * sizeof *ds->group_dtypes);
    ds->col_dtypes = malloc(w * sizeof *ds->col_dtypes);
    if (!ds->group_dtypes || !ds->col_dtypes)
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", ds->name);
    for (size_t col = 0; col < width; col++) {
        tka_column_dtype first_unit = ds->unit_types[col].dtype, overall = first_unit;
        bool mixed = false;
        for (size_t u = 0; u < ds->nunits; u++) {
            tka_column_dtype ud = ds->unit_types[u * width + col].dtype;
            mixed |= ud != first_unit;
            overall = pandas_merge_dtype(overall, ud);
        }
        for (size_t g = 0; g < ds->ngroups; g++) {
            tka_column_dtype d = ds->unit_types[g * upg * width + col].dtype;
            for (size_t u = g * upg; u < (g + 1) * upg && u < ds->nunits; u++)
                d = pandas_merge_dtype(d, ds->unit_types[u * width + col].dtype);
            ds->group_dtypes[g * width + col] = d;
        }
        ds->col_dtypes[col] =
            ds->options.chunking == TKA_CHUNKS_ROWS ? ds->group_dtypes[col] : overall;
        if (col < ds->leading)
            continue;
        const char *name = ds->names[col - ds->leading];
        if (mixed && overall == TKA_COLUMN_OBJECT && ds->options.chunking != TKA_CHUNKS_ROWS)
            warn(ds, "column '%s' has mixed types across pandas' low_memory blocks of %zu rows "
                     "(pandas' DtypeWarning): its cells keep each block's types (Python int / "
                     "float / str)",
                 name, ds->unit_rows);
        if (ds->options.chunking == TKA_CHUNKS_ROWS)
            for (size_t g = 1; g < ds->ngroups; g++)
                if (ds->group_dtypes[g * width + col] != ds->group_dtypes[col]) {
                    warn(ds, "column '%s' is %s in rows %zu.. but %s in the first %zu rows: HF "
                             "datasets casts every %zu-row chunk to the first chunk's type "
                             "(an error or changed values)",
                         name, tka_column_dtype_name(ds->group_dtypes[g * width + col]),
                         g * ds->options.chunk_rows, tka_column_dtype_name(ds->group_dtypes[col]),
                         ds->options.chunk_rows, ds->options.chunk_rows);
                    break;
                }
    }
    return TKA_OK;
}

static void warn_selected_types(tka_dataset *ds)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS)
        return;
    size_t cols[2] = {ds->text_col, ds->pair_col};
    for (int k = 0; k < 2; k++) {
        size_t c = cols[k];
        if (c == NOT_SELECTED)
            continue;
        tka_column_dtype d = ds->col_dtypes[ds->leading + c];
        if (d != TKA_COLUMN_OBJECT)
            warn(ds, "text column '%s' is %s: pandas reads its cells as numbers, which the "
                     "reference tokenizer refuses (it needs str)",
                 ds->names[c], tka_column_dtype_name(d));
    }
    if (ds->leading)
        warn(ds, "the first data row has %zu more field(s) than the header: pandas used the "
                 "first %zu column(s) as the index and shifted the others left (a TAB at the "
                 "end of every line?)",
             ds->leading, ds->leading);
    if (ds->label_col != NOT_SELECTED &&
        ds->col_dtypes[ds->leading + ds->label_col] == TKA_COLUMN_FLOAT64)
        warn(ds, "label column '%s' is float64 (a missing or non-integer label): the Paddle "
                 "side casts labels to int64, HF's collator makes float32 labels",
             ds->names[ds->label_col]);
}

/* Per selected column: where NA values are (pandas NaN, GLUE text) and, for
 * the label, integers not written as pandas would print them. Counted in the
 * first pass; turned into divergence notes once the dtypes are known. */
static void selected_stats(tka_dataset *ds, const tka_tsv_record *rec)
{
    size_t cols[3] = {ds->text_col, ds->pair_col, ds->label_col};
    for (int k = 0; k < 3; k++) {
        if (cols[k] == NOT_SELECTED || ds->leading + cols[k] >= rec->num_fields)
            continue;
        const tka_tsv_field *f = &rec->fields[ds->leading + cols[k]];
        size_t len = pandas_cstr_len(f->data, f->len);
        if (pandas_is_na(f->data, len)) {
            tka_tsv_field at = {.line = f->padded ? rec->line : f->line,
                                .column = f->padded ? 1 : f->column};
            note(&ds->sel_na, &at, rec->line);
            continue;
        }
        if (k != 2)
            continue;
        note(&ds->label_any, f, rec->line);
        int64_t i;
        if (pandas_parse_int64(f->data, len, &i) == PANDAS_NUM_OK) {
            char canon[32];
            int n = snprintf(canon, sizeof canon, "%" PRId64, i);
            if ((size_t)n != len || memcmp(canon, f->data, len) != 0)
                note(&ds->label_noncanon, f, rec->line);
        }
    }
}

static void selected_notes(tka_dataset *ds)
{
    ds->div[DIV_NA] = ds->sel_na;
    if (ds->label_col == NOT_SELECTED)
        return;
    tka_column_dtype d = ds->col_dtypes[ds->leading + ds->label_col];
    if (d == TKA_COLUMN_INT64 || d == TKA_COLUMN_UINT64)
        ds->div[DIV_LABEL_FORM] = ds->label_noncanon;
    else if (d == TKA_COLUMN_FLOAT64 || d == TKA_COLUMN_BOOL)
        ds->div[DIV_LABEL_FORM] = ds->label_any; /* every label reads differently */
}

static tka_status dataset_open(tka_dataset *ds, tka_error *err)
{
    tka_status st = first_pass(ds, err);
    if (st == TKA_OK && ds->text_col == NOT_SELECTED)
        st = tka_error_set(err, TKA_ERR_ARGUMENT, "%s: no text column selected", ds->name);
    if (st == TKA_OK && ds->options.tsv.mode == TKA_TSV_PANDAS) {
        warn_selected_types(ds);
        selected_notes(ds);
        report_divergences(ds);
    }
    if (st == TKA_OK)
        st = tka_dataset_rewind(ds, err);
    return st;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static tka_status dataset_new(const char *name, const tka_dataset_options *options,
                              tka_dataset **out, tka_error *err)
{
    *out = NULL;
    tka_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    if (options)
        ds->options = *options;
    else
        tka_dataset_options_init(&ds->options);
    ds->name = strdup(name);
    ds->text_field = dup_or_null(ds->options.text_field);
    ds->pair_field = dup_or_null(ds->options.pair_field);
    ds->label_field = dup_or_null(ds->options.label_field);
    if (!ds->name || (ds->options.text_field && !ds->text_field) ||
        (ds->options.pair_field && !ds->pair_field) ||
        (ds->options.label_field && !ds->label_field)) {
        tka_dataset_free(ds);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    ds->options.text_field = ds->text_field;
    ds->options.pair_field = ds->pair_field;
    ds->options.label_field = ds->label_field;
    ds->text_col = ds->pair_col = ds->label_col = NOT_SELECTED;
    if (ds->options.chunking == TKA_CHUNKS_ROWS && ds->options.chunk_rows == 0)
        ds->options.chunk_rows = HF_CHUNK_ROWS;
    *out = ds;
    return TKA_OK;
}

tka_status tka_dataset_open(const char *path, const tka_dataset_options *options,
                            tka_dataset **out, tka_error *err)
{
    tka_dataset *ds;
    tka_status st = dataset_new(path, options, &ds, err);
    if (st != TKA_OK)
        return st;
    if (strcmp(path, "-") == 0) {
        tka_dataset_free(ds);
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "the dataset is read twice (types, then rows): give a file, not "
                             "stdin");
    }
    st = tka_tsv_open(path, &ds->options.tsv, &ds->reader, err);
    if (st == TKA_OK)
        st = dataset_open(ds, err);
    if (st != TKA_OK) {
        tka_dataset_free(ds);
        return st;
    }
    *out = ds;
    return TKA_OK;
}

tka_status tka_dataset_open_memory(const char *name, const void *data, size_t len,
                                   const tka_dataset_options *options, tka_dataset **out,
                                   tka_error *err)
{
    tka_dataset *ds;
    tka_status st = dataset_new(name, options, &ds, err);
    if (st != TKA_OK)
        return st;
    st = tka_tsv_open_memory(name, data, len, &ds->options.tsv, &ds->reader, err);
    if (st == TKA_OK)
        st = dataset_open(ds, err);
    if (st != TKA_OK) {
        tka_dataset_free(ds);
        return st;
    }
    *out = ds;
    return TKA_OK;
}

uint64_t tka_dataset_num_rows(const tka_dataset *ds) { return ds->nrows; }
size_t tka_dataset_num_columns(const tka_dataset *ds) { return ds->ncols; }
size_t tka_dataset_index_columns(const tka_dataset *ds) { return ds->leading; }
size_t tka_dataset_text_column(const tka_dataset *ds) { return ds->text_col; }
size_t tka_dataset_pair_column(const tka_dataset *ds) { return ds->pair_col; }
size_t tka_dataset_label_column(const tka_dataset *ds) { return ds->label_col; }

const char *tka_dataset_column_name(const tka_dataset *ds, size_t column)
{
    return column < ds->ncols ? ds->names[column] : NULL;
}

tka_column_dtype tka_dataset_column_dtype(const tka_dataset *ds, size_t column)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS || column >= ds->ncols)
        return TKA_COLUMN_OBJECT;
    return ds->col_dtypes[ds->leading + column];
}

size_t tka_dataset_num_chunks(const tka_dataset *ds)
{
    return ds->options.tsv.mode == TKA_TSV_PANDAS ? ds->ngroups : 1;
}

tka_column_dtype tka_dataset_chunk_dtype(const tka_dataset *ds, size_t column, size_t chunk)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS || column >= ds->ncols || chunk >= ds->ngroups)
        return TKA_COLUMN_OBJECT;
    return ds->group_dtypes[chunk * ds->width + ds->leading + column];
}

const char *tka_dataset_warnings(const tka_dataset *ds)
{
    return ds->warnings.data ? ds->warnings.data : "";
}

tka_status tka_dataset_rewind(tka_dataset *ds, tka_error *err)
{
    tka_status st = tka_tsv_rewind(ds->reader, err);
    if (st != TKA_OK)
        return st;
    ds->next_row = 0;
    ds->at_data = false;
    ds->has_current = false;
    return TKA_OK;
}

/* Fills v from the record's field idx (leading index columns first). */
static void make_value(const tka_dataset *ds, const tka_tsv_record *rec, size_t idx, size_t unit,
                       size_t group, tka_value *v)
{
    memset(v, 0, sizeof *v);
    bool pandas = ds->options.tsv.mode == TKA_TSV_PANDAS;
    if (idx >= rec->num_fields) {
        v->kind = TKA_VALUE_NAN; /* GLUE short rows are refused before this */
        v->f = NAN;
        v->text = "";
        v->padded = true;
        return;
    }
    const tka_tsv_field *f = &rec->fields[idx];
    v->text = f->data;
    v->len = pandas ? pandas_cstr_len(f->data, f->len) : f->len;
    v->line = f->line;
    v->column = f->column;
    v->offset = f->offset;
    v->padded = f->padded;
    if (!pandas) {
        v->kind = TKA_VALUE_STR;
        return;
    }
    size_t width = ds->leading + ds->ncols;
    pandas_convert(ds->unit_types[unit * width + idx], v->text, v->len, v);
    tka_column_dtype target = ds->options.chunking == TKA_CHUNKS_ROWS
                           ? ds->group_dtypes[group * ds->width + idx]
                           : ds->col_dtypes[idx];
    pandas_promote(target, v);
}

tka_status tka_dataset_cell(const tka_dataset *ds, size_t column, bool index, tka_value *out,
                            tka_error *err)
{
    if (!ds->has_current)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "%s: no current row", ds->name);
    if (index ? column >= ds->leading : column >= ds->ncols)
        return tka_error_set(err, TKA_ERR_NOT_FOUND, "%s: no %s column %zu", ds->name,
                             index ? "index" : "data", column);
    make_value(ds, &ds->current, index ? column : ds->leading + column, ds->current_unit,
               ds->current_group, out);
    return TKA_OK;
}

tka_status tka_dataset_next(tka_dataset *ds, tka_row *row, tka_error *err)
{
    tka_tsv_record rec;
    tka_status st;
    if (!ds->at_data) {
        st = tka_tsv_next(ds->reader, &rec, err); /* the header, skipped by position */
        if (st != TKA_OK)
            return st == TKA_ERR_NOT_FOUND ? TKA_ERR_NOT_FOUND : st;
        ds->at_data = true;
    }
    st = tka_tsv_next(ds->reader, &rec, err);
    if (st != TKA_OK)
        return st;
    bool pandas = ds->options.tsv.mode == TKA_TSV_PANDAS;
    if (!pandas) {
        /* GLUE processors index the row: line[i] raises IndexError when the
         * row is shorter (empty and space-only lines included). */
        size_t need[3] = {ds->text_col, ds->pair_col, ds->label_col};
        for (int k = 0; k < 3; k++)
            if (need[k] != NOT_SELECTED && need[k] >= rec.num_fields)
                return tka_error_set(err, TKA_ERR_REFERENCE,
                                     "%s: line %" PRIu64 ": the row has %zu field(s) but column "
                                     "%zu is read; the GLUE processor raises IndexError: list "
                                     "index out of range",
                                     ds->name, rec.line, rec.num_fields, need[k]);
    }
    uint64_t r = ds->next_row++;
    size_t unit = 0, group = 0;
    if (pandas) {
        if (ds->options.chunking == TKA_CHUNKS_ROWS) {
            group = (size_t)(r / ds->options.chunk_rows);
            unit = group * ds->units_per_group +
                   (size_t)((r % ds->options.chunk_rows) / ds->unit_rows);
        } else if (ds->unit_rows != SIZE_MAX) {
            unit = (size_t)(r / ds->unit_rows);
        }
        if (unit >= ds->nunits)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: the file changed between the two passes (more rows at "
                                 "line %" PRIu64 ")",
                                 ds->name, rec.line);
    }
    memset(row, 0, sizeof *row);
    row->index = r;
    row->line = rec.line;
    ds->current = rec;
    ds->current_unit = unit;
    ds->current_group = group;
    ds->has_current = true;
    make_value(ds, &rec, ds->leading + ds->text_col, unit, group, &row->text);
    row->has_pair = ds->pair_col != NOT_SELECTED;
    row->has_label = ds->label_col != NOT_SELECTED;
    if (row->has_pair)
        make_value(ds, &rec, ds->leading + ds->pair_col, unit, group, &row->pair);
    else
        row->pair = (tka_value){.kind = TKA_VALUE_NAN, .text = ""};
    if (row->has_label)
        make_value(ds, &rec, ds->leading + ds->label_col, unit, group, &row->label);
    else
        row->label = (tka_value){.kind = TKA_VALUE_NAN, .text = ""};
    return TKA_OK;
}
