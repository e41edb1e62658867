/* Dataset: dtype inference and divergence notes (the typing pass), typed rows and cells; two passes, or one whose cells are finalised at its end. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/dataset_columns.h"
#include "dataset/pandas_infer.h"
#include "tokalign/dataset.h"
#include "core/grow.h"
#include "core/try.h"

#define NOT_SELECTED TKA_NOT_SELECTED
/* HF datasets' csv builder reads pandas chunks of this many rows. */
#define HF_CHUNK_ROWS 10000

/* Where pandas and the GLUE reader part ways; counted in the typing pass. */
enum divergence {
    DIV_QUOTED,     /* a field opens with a quote */
    DIV_BLANK,      /* blank / space-only lines skipped by pandas */
    DIV_SHORT,      /* records with fewer fields than the header */
    DIV_NA,         /* NA strings / empty fields in the selected columns */
    DIV_LABEL_FORM, /* labels pandas parses as numbers that GLUE keeps as other strings */
    DIV_NUL,        /* NUL bytes (pandas cuts the value there) */
    DIV_COUNT
};

typedef struct divergence_note {
    uint64_t count, line, column;
} divergence_note;

/* Per low_memory block (unit), what decides the first text / pair cell that
 * is not a str once the block's type is known (tka_dataset_first_non_string). */
typedef struct cell_watch {
    uint64_t first_na_row, first_na_line; /* NO_ROW: no NA cell in the unit */
    bool first_na;                        /* the unit's first cell is NA */
    bool first_int_ok; /* ... parses as int64 (first_int), for the float NaN sentinel */
    int64_t first_int;
} cell_watch;

typedef struct unit_watch {
    uint64_t first_row, first_line; /* NO_ROW: the unit has no rows */
    cell_watch cell[2];             /* text, pair */
} unit_watch;

#define NO_ROW UINT64_MAX

typedef struct field_scan {
    size_t len; /* pandas_cstr_len */
    bool na;    /* pandas_is_na */
} field_scan;

struct tka_dataset {
    char *name;
    tka_dataset_options options;
    char *text_field, *pair_field, *label_field;
    tka_tsv_reader *reader;

    size_t leading; /* implicit index columns (pandas) */
    size_t ncols;   /* named data columns */
    char **names;
    size_t text_col, pair_col, label_col; /* data column numbers */
    uint64_t nrows;

    /* Type inference: units of unit_rows rows; groups of units are merged
     * (pandas: all units, one group; HF chunks: one group per chunk). */
    size_t unit_rows, units_per_group, nunits, ngroups;
    pandas_type *unit_types; /* nunits x width, filled as units end */
    unit_watch *watch;       /* nunits */
    size_t units_cap;
    size_t width;                   /* leading + ncols */
    tka_column_dtype *group_dtypes; /* ngroups x width */
    tka_column_dtype *col_dtypes;   /* width: the dtype of each raw column */

    /* The typing pass (two-pass open, or the single pass itself), row by row. */
    size_t cur_unit, cur_group;
    pandas_infer *cur_inf;         /* width: inference state of cur_unit */
    field_scan *scan;              /* width: the record being typed, each field's C-string
                                length and NA test, computed once for every use */
    tka_column_dtype *merged_prev; /* width: merge of the ended units of cur_group */
    uint64_t prev_end;             /* last line of the previous record (blank-line notes) */

    tka_buf warnings;
    divergence_note div[DIV_COUNT];
    divergence_note sel_na, label_any, label_noncanon;
    uint64_t next_row;      /* second pass */
    tka_tsv_record current; /* the record of the row last returned */
    size_t current_unit, current_group;
    tka_error row_error;

    /* Flags, together at the end (no padding between them). */
    bool seen_first;   /* typing: the first data row fixed width and units */
    bool have_unit;    /* typing: cur_unit holds rows */
    bool merged_valid; /* typing: merged_prev holds a merge */
    bool typed;        /* dtypes final: two passes after open, single pass at its end */
    bool at_data;      /* second pass: header consumed */
    bool has_current;  /* current holds a row */
    bool row_failed;   /* single pass: a deferred row error (sticky, in row_error) */
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
    free(ds->watch);
    free(ds->cur_inf);
    free(ds->scan);
    free(ds->merged_prev);
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
    TKA_TRY(column_select(ds->names, ds->ncols, pandas, ds->text_field, "text", ds->name,
                          &ds->text_col, err));
    TKA_TRY(column_select(ds->names, ds->ncols, pandas, ds->pair_field, "pair", ds->name,
                          &ds->pair_col, err));
    return column_select(ds->names, ds->ncols, pandas, ds->label_field, "label", ds->name,
                         &ds->label_col, err);
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
            tka_buf_printf(&ds->warnings,
                           "  %" PRIu64 " %s (first at line %" PRIu64 ", column %" PRIu64 ")\n",
                           d[k].count, what[k], d[k].line, d[k].column);
}

/* The inference unit (and HF chunk) of data row `row`: groups hold
 * chunk_rows rows split in unit_rows blocks. */
static size_t unit_of(const tka_dataset *ds, uint64_t row, size_t *group)
{
    if (ds->options.chunking == TKA_CHUNKS_ROWS) {
        uint64_t g = row / ds->options.chunk_rows;
        uint64_t in = row % ds->options.chunk_rows;
        *group = (size_t)g;
        return (size_t)(g * ds->units_per_group + in / ds->unit_rows);
    }
    *group = 0;
    return ds->unit_rows == SIZE_MAX ? 0 : (size_t)(row / ds->unit_rows);
}

static tka_status nomem(const tka_dataset *ds, tka_error *err)
{
    return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", ds->name);
}

/* The first data row fixes the table width (extra leading fields become
 * pandas' implicit index) and with it the low_memory block size. */
static tka_status setup_units(tka_dataset *ds, size_t num_fields, tka_error *err)
{
    ds->seen_first = true;
    ds->leading = num_fields > ds->ncols ? num_fields - ds->ncols : 0;
    ds->width = ds->leading + ds->ncols;
    size_t bl = pandas_buffer_lines(ds->width);
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
    size_t w = ds->width ? ds->width : 1;
    ds->cur_inf = calloc(w, sizeof *ds->cur_inf);
    ds->scan = calloc(w, sizeof *ds->scan);
    ds->merged_prev = calloc(w, sizeof *ds->merged_prev);
    return ds->cur_inf && ds->scan && ds->merged_prev ? TKA_OK : nomem(ds, err);
}

/* Room for unit u's types and watch entry. */
static bool reserve_unit(tka_dataset *ds, size_t u)
{
    if (u < ds->units_cap)
        return true;
    size_t cap;
    size_t w = ds->width ? ds->width : 1;
    if (!tka_grow_capacity(ds->units_cap, u + 1, w * sizeof *ds->unit_types, 4, &cap) ||
        !tka_resize_array((void **)&ds->unit_types, cap * w, sizeof *ds->unit_types) ||
        !tka_resize_array((void **)&ds->watch, cap, sizeof *ds->watch))
        return false;
    ds->units_cap = cap;
    return true;
}

/* The current unit has all its rows: its column types are final. */
static void close_unit(tka_dataset *ds)
{
    pandas_type *types = ds->unit_types + ds->cur_unit * ds->width;
    for (size_t c = 0; c < ds->width; c++) {
        types[c] = pandas_infer_result(&ds->cur_inf[c]);
        ds->merged_prev[c] = ds->merged_valid
                                 ? pandas_merge_dtype(ds->merged_prev[c], types[c].dtype)
                                 : types[c].dtype;
    }
    ds->merged_valid = true;
    ds->have_unit = false;
}

static tka_status open_unit(tka_dataset *ds, size_t unit, size_t group, const tka_tsv_record *rec,
                            tka_error *err)
{
    if (!reserve_unit(ds, unit))
        return nomem(ds, err);
    memset(ds->cur_inf, 0, ds->width * sizeof *ds->cur_inf);
    if (group != ds->cur_group)
        ds->merged_valid = false; /* HF chunks are typed independently */
    ds->cur_unit = unit;
    ds->cur_group = group;
    ds->have_unit = true;
    ds->nunits = unit + 1;
    unit_watch *w = &ds->watch[unit];
    w->first_row = ds->nrows;
    w->first_line = rec->line;
    for (int k = 0; k < 2; k++)
        w->cell[k] = (cell_watch){.first_na_row = NO_ROW};
    return TKA_OK;
}

/* Where the text and pair cells of this unit are NA (see cell_watch). */
static void watch_cells(tka_dataset *ds, const tka_tsv_record *rec)
{
    unit_watch *w = &ds->watch[ds->cur_unit];
    bool first = w->first_row == ds->nrows;
    size_t cols[2] = {ds->text_col, ds->pair_col};
    for (int k = 0; k < 2; k++) {
        if (cols[k] == NOT_SELECTED || ds->leading + cols[k] >= rec->num_fields)
            continue;
        const tka_tsv_field *f = &rec->fields[ds->leading + cols[k]];
        size_t len = ds->scan[ds->leading + cols[k]].len;
        bool na = ds->scan[ds->leading + cols[k]].na;
        cell_watch *c = &w->cell[k];
        if (first) {
            c->first_na = na;
            c->first_int_ok =
                !na && pandas_parse_int64(f->data, len, &c->first_int) == PANDAS_NUM_OK;
        }
        if (na && c->first_na_row == NO_ROW) {
            c->first_na_row = ds->nrows;
            c->first_na_line = rec->line;
        }
    }
}

/* The typing pass over one data row: its unit's inference, the divergence
 * notes and the row count. */
static tka_status type_row(tka_dataset *ds, const tka_tsv_record *rec, tka_error *err)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS) {
        ds->nrows++;
        return TKA_OK;
    }
    tka_status st;
    if (!ds->seen_first && (st = setup_units(ds, rec->num_fields, err)) != TKA_OK)
        return st;
    size_t group;
    size_t unit = unit_of(ds, ds->nrows, &group);
    if (!ds->have_unit || unit != ds->cur_unit) {
        if (ds->have_unit)
            close_unit(ds);
        TKA_TRY(open_unit(ds, unit, group, rec, err));
    }
    divergence_note *div = ds->div;
    for (size_t c = 0; c < ds->width && c < rec->num_fields; c++) {
        const tka_tsv_field *f = &rec->fields[c];
        size_t len = rec->has_nul ? pandas_cstr_len(f->data, f->len) : f->len;
        bool na = pandas_is_na(f->data, len);
        ds->scan[c] = (field_scan){len, na};
        pandas_infer_add(&ds->cur_inf[c], f->data, len, na);
        if (len != f->len)
            note(&div[DIV_NUL], f, rec->line);
        if (f->quoted)
            note(&div[DIV_QUOTED], f, rec->line);
        if (f->padded)
            note(&div[DIV_SHORT], NULL, rec->line);
    }
    selected_stats(ds, rec);
    watch_cells(ds, rec);
    if (rec->line > ds->prev_end + 1)
        note(&div[DIV_BLANK], NULL, ds->prev_end + 1);
    ds->prev_end = rec->end_line;
    ds->nrows++;
    return TKA_OK;
}

static void selected_notes(tka_dataset *ds);
static void warn_selected_types(tka_dataset *ds);

/* The end of the typing pass: final unit, group and column dtypes, warnings. */
static tka_status finish_types(tka_dataset *ds, tka_error *err)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS) {
        ds->ngroups = 0;
        ds->typed = true;
        return TKA_OK;
    }
    if (!ds->seen_first) { /* header only */
        ds->width = ds->ncols;
        ds->unit_rows = SIZE_MAX;
    }
    size_t width = ds->width;
    if (ds->have_unit)
        close_unit(ds);
    if (ds->nunits == 0) {
        /* no rows: every column is object */
        if (!reserve_unit(ds, 0))
            return nomem(ds, err);
        ds->nunits = 1;
        pandas_infer empty = {0};
        for (size_t c = 0; c < width; c++)
            ds->unit_types[c] = pandas_infer_result(&empty);
        ds->watch[0] = (unit_watch){.first_row = NO_ROW};
    }

    /* Groups: merge the unit dtypes of each group (pandas: one group), per
     * raw column (index columns first). */
    size_t upg = ds->units_per_group ? ds->units_per_group : ds->nunits;
    size_t w = width ? width : 1;
    ds->ngroups = (ds->nunits + upg - 1) / upg;
    ds->group_dtypes = malloc(ds->ngroups * w * sizeof *ds->group_dtypes);
    ds->col_dtypes = malloc(w * sizeof *ds->col_dtypes);
    if (!ds->group_dtypes || !ds->col_dtypes)
        return nomem(ds, err);
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
            warn(ds,
                 "column '%s' has mixed types across pandas' low_memory blocks of %zu rows "
                 "(pandas' DtypeWarning): its cells keep each block's types (Python int / "
                 "float / str)",
                 name, ds->unit_rows);
        if (ds->options.chunking == TKA_CHUNKS_ROWS)
            for (size_t g = 1; g < ds->ngroups; g++)
                if (ds->group_dtypes[g * width + col] != ds->group_dtypes[col]) {
                    warn(ds,
                         "column '%s' is %s in rows %zu.. but %s in the first %zu rows: HF "
                         "datasets casts every %zu-row chunk to the first chunk's type "
                         "(an error or changed values)",
                         name, tka_column_dtype_name(ds->group_dtypes[g * width + col]),
                         g * ds->options.chunk_rows, tka_column_dtype_name(ds->group_dtypes[col]),
                         ds->options.chunk_rows, ds->options.chunk_rows);
                    break;
                }
    }
    warn_selected_types(ds);
    selected_notes(ds);
    report_divergences(ds);
    ds->typed = true;
    return TKA_OK;
}

/* Header: column names and the selected columns. */
static tka_status read_header(tka_dataset *ds, tka_error *err)
{
    bool pandas = ds->options.tsv.mode == TKA_TSV_PANDAS;
    tka_tsv_record rec;
    tka_status st = tka_tsv_next(ds->reader, &rec, err);
    if (st == TKA_END)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             pandas ? "%s: no header and no data; pandas raises EmptyDataError: "
                                      "No columns to parse from file"
                                    : "%s: the file is empty: the GLUE reader has no header "
                                      "row to skip",
                             ds->name);
    if (st != TKA_OK)
        return st;
    TKA_TRY(column_names(&rec, pandas, ds->name, &ds->names, err));
    ds->ncols = rec.num_fields;
    TKA_TRY(select_columns(ds, err));
    ds->prev_end = rec.end_line;
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
            warn(ds,
                 "text column '%s' is %s: pandas reads its cells as numbers, which the "
                 "reference tokenizer refuses (it needs str)",
                 ds->names[c], tka_column_dtype_name(d));
    }
    if (ds->leading)
        warn(ds,
             "the first data row has %zu more field(s) than the header: pandas used the "
             "first %zu column(s) as the index and shifted the others left (a TAB at the "
             "end of every line?)",
             ds->leading, ds->leading);
    if (ds->label_col != NOT_SELECTED &&
        ds->col_dtypes[ds->leading + ds->label_col] == TKA_COLUMN_FLOAT64)
        warn(ds,
             "label column '%s' is float64 (a missing or non-integer label): the Paddle "
             "side casts labels to int64, HF's collator makes float32 labels",
             ds->names[ds->label_col]);
}

/* True when an integer pandas parsed is written as Python prints it ("%" PRId64):
 * an optional '-', no leading zero, nothing else ("-0" is not). */
static bool canonical_int(const char *s, size_t len)
{
    size_t i = len && s[0] == '-';
    if (i == len || (s[i] == '0' && (len - i > 1 || i == 1)))
        return false;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
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
        const field_scan *sc = &ds->scan[ds->leading + cols[k]]; /* filled by type_row */
        if (sc->na) {
            tka_tsv_field at = {.line = f->padded ? rec->line : f->line,
                                .column = f->padded ? 1 : f->column};
            note(&ds->sel_na, &at, rec->line);
            continue;
        }
        if (k != 2)
            continue;
        note(&ds->label_any, f, rec->line);
        int64_t i;
        if (pandas_parse_int64(f->data, sc->len, &i) == PANDAS_NUM_OK &&
            !canonical_int(f->data, sc->len))
            note(&ds->label_noncanon, f, rec->line);
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
    TKA_TRY(read_header(ds, err));
    tka_status st;
    if (ds->options.single_pass) {
        ds->at_data = true; /* the rows follow; typed as they come */
        return TKA_OK;
    }
    /* First pass: the typing pass over every row, then back to the start. */
    tka_tsv_record rec;
    while ((st = tka_tsv_next(ds->reader, &rec, err)) == TKA_OK)
        TKA_TRY(type_row(ds, &rec, err));
    if (st != TKA_END)
        return st;
    TKA_TRY(finish_types(ds, err));
    return tka_dataset_rewind(ds, err);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static tka_status dataset_new(const char *name, const tka_dataset_options *options,
                              tka_dataset **out, tka_error *err)
{
    *out = NULL;
    if (options && !options->text_field)
        /* Checked before reading: nothing else in the file could change it. */
        return tka_error_set(err, TKA_ERR_ARGUMENT, "%s: no text column selected", name);
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

tka_status tka_dataset_open(const char *path, const tka_dataset_options *options, tka_dataset **out,
                            tka_error *err)
{
    tka_dataset *ds;
    TKA_TRY(dataset_new(path, options, &ds, err));
    if (strcmp(path, "-") == 0 && !ds->options.single_pass) {
        tka_dataset_free(ds);
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "the dataset is read twice (types, then rows): give a file, not "
                             "stdin (or read it in a single pass)");
    }
    tka_status st = tka_tsv_open(path, &ds->options.tsv, &ds->reader, err);
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
    TKA_TRY(dataset_new(name, options, &ds, err));
    tka_status st = tka_tsv_open_memory(name, data, len, &ds->options.tsv, &ds->reader, err);
    if (st == TKA_OK)
        st = dataset_open(ds, err);
    if (st != TKA_OK) {
        tka_dataset_free(ds);
        return st;
    }
    *out = ds;
    return TKA_OK;
}

bool tka_dataset_complete(const tka_dataset *ds)
{
    return ds->typed;
}
uint64_t tka_dataset_num_rows(const tka_dataset *ds)
{
    return ds->nrows;
}
size_t tka_dataset_num_columns(const tka_dataset *ds)
{
    return ds->ncols;
}
size_t tka_dataset_index_columns(const tka_dataset *ds)
{
    return ds->leading;
}
size_t tka_dataset_text_column(const tka_dataset *ds)
{
    return ds->text_col;
}
size_t tka_dataset_pair_column(const tka_dataset *ds)
{
    return ds->pair_col;
}
size_t tka_dataset_label_column(const tka_dataset *ds)
{
    return ds->label_col;
}

const char *tka_dataset_column_name(const tka_dataset *ds, size_t column)
{
    return column < ds->ncols ? ds->names[column] : NULL;
}

/* Single pass, before the end: the type of the current unit so far, merged
 * with the ended units of its group (what the frame would be if the file
 * ended here). */
static pandas_type type_so_far(const tka_dataset *ds, size_t idx, tka_column_dtype *target)
{
    pandas_infer none = {0};
    pandas_type t = pandas_infer_result(ds->have_unit ? &ds->cur_inf[idx] : &none);
    *target = ds->merged_valid ? pandas_merge_dtype(ds->merged_prev[idx], t.dtype) : t.dtype;
    return t;
}

tka_column_dtype tka_dataset_column_dtype(const tka_dataset *ds, size_t column)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS || column >= ds->ncols)
        return TKA_COLUMN_OBJECT;
    if (!ds->typed) {
        if (!ds->seen_first)
            return TKA_COLUMN_OBJECT;
        tka_column_dtype d;
        type_so_far(ds, ds->leading + column, &d);
        return d;
    }
    return ds->col_dtypes[ds->leading + column];
}

size_t tka_dataset_num_chunks(const tka_dataset *ds)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS)
        return 1;
    return ds->typed ? ds->ngroups : 0;
}

tka_column_dtype tka_dataset_chunk_dtype(const tka_dataset *ds, size_t column, size_t chunk)
{
    if (ds->options.tsv.mode != TKA_TSV_PANDAS || column >= ds->ncols || chunk >= ds->ngroups ||
        !ds->typed)
        return TKA_COLUMN_OBJECT;
    return ds->group_dtypes[chunk * ds->width + ds->leading + column];
}

const char *tka_dataset_warnings(const tka_dataset *ds)
{
    return ds->warnings.data ? ds->warnings.data : "";
}

tka_status tka_dataset_rewind(tka_dataset *ds, tka_error *err)
{
    if (!ds->typed)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: a single pass restarts only once it has read the whole file",
                             ds->name);
    TKA_TRY(tka_tsv_rewind(ds->reader, err));
    ds->next_row = 0;
    ds->at_data = false;
    ds->has_current = false;
    ds->row_failed = false;
    return TKA_OK;
}

/* The cell as read: text (pandas: cut at NUL; in the single pass type_row
 * has measured it), position, padding. */
static void raw_value(const tka_dataset *ds, const tka_tsv_record *rec, size_t idx, tka_value *v)
{
    memset(v, 0, sizeof *v);
    if (idx >= rec->num_fields) {
        v->kind = TKA_VALUE_NAN; /* GLUE short rows are refused before this */
        v->f = NAN;
        v->text = "";
        v->padded = true;
        return;
    }
    const tka_tsv_field *f = &rec->fields[idx];
    v->text = f->data;
    if (ds->options.tsv.mode != TKA_TSV_PANDAS)
        v->len = f->len;
    else if (!ds->typed && idx < ds->width)
        v->len = ds->scan[idx].len;
    else
        v->len = rec->has_nul ? pandas_cstr_len(f->data, f->len) : f->len;
    v->line = f->line;
    v->column = f->column;
    v->offset = f->offset;
    v->padded = f->padded;
    v->kind = TKA_VALUE_STR;
}

/* The value of a raw cell of a unit of type t in a column (or HF chunk) of
 * dtype target. */
static void typed_value(pandas_type t, tka_column_dtype target, tka_value *v)
{
    pandas_convert(t, v->text, v->len, v);
    pandas_promote(target, v);
}

/* Fills v from the record's field idx (leading index columns first). */
static void make_value(const tka_dataset *ds, const tka_tsv_record *rec, size_t idx, size_t unit,
                       size_t group, tka_value *v)
{
    raw_value(ds, rec, idx, v);
    if (ds->options.tsv.mode != TKA_TSV_PANDAS || idx >= rec->num_fields)
        return;
    if (!ds->typed) {
        /* the record type_row just scanned */
        tka_column_dtype target;
        pandas_type t = type_so_far(ds, idx, &target);
        pandas_convert_na(t, v->text, v->len, ds->scan[idx].na, v);
        pandas_promote(target, v);
        return;
    }
    tka_column_dtype target = ds->options.chunking == TKA_CHUNKS_ROWS
                                  ? ds->group_dtypes[group * ds->width + idx]
                                  : ds->col_dtypes[idx];
    typed_value(ds->unit_types[unit * ds->width + idx], target, v);
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

tka_status tka_dataset_convert(const tka_dataset *ds, size_t column, bool index, uint64_t row,
                               const tka_value *raw, tka_value *out, tka_error *err)
{
    if (!ds->typed)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "%s: cells get their final values once the whole file is read",
                             ds->name);
    bool pandas = ds->options.tsv.mode == TKA_TSV_PANDAS;
    /* GLUE rows are indexed whatever the header holds ("#N" beyond it). */
    if (index ? column >= ds->leading : pandas && column >= ds->ncols)
        return tka_error_set(err, TKA_ERR_NOT_FOUND, "%s: no %s column %zu", ds->name,
                             index ? "index" : "data", column);
    if (row >= ds->nrows)
        return tka_error_set(err, TKA_ERR_NOT_FOUND, "%s: no row %llu (%llu rows)", ds->name,
                             (unsigned long long)row, (unsigned long long)ds->nrows);
    *out = (tka_value){.kind = TKA_VALUE_STR,
                       .text = raw->text,
                       .len = raw->len,
                       .line = raw->line,
                       .column = raw->column,
                       .offset = raw->offset,
                       .padded = raw->padded};
    if (!pandas) {
        if (raw->padded) { /* a GLUE row shorter than the column */
            out->kind = TKA_VALUE_NAN;
            out->f = NAN;
        }
        return TKA_OK;
    }
    size_t idx = index ? column : ds->leading + column, group;
    size_t unit = unit_of(ds, row, &group);
    tka_column_dtype target = ds->options.chunking == TKA_CHUNKS_ROWS
                                  ? ds->group_dtypes[group * ds->width + idx]
                                  : ds->col_dtypes[idx];
    typed_value(ds->unit_types[unit * ds->width + idx], target, out);
    return TKA_OK;
}

tka_status tka_dataset_first_non_string(const tka_dataset *ds, size_t column, uint64_t *row,
                                        uint64_t *line, tka_value_kind *kind, tka_error *err)
{
    int k = column == NOT_SELECTED   ? -1
            : column == ds->text_col ? 0
            : column == ds->pair_col ? 1
                                     : -1;
    if (k < 0 || !ds->typed)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "%s: the first non-string cell is known for the text and pair "
                             "columns once the whole file is read",
                             ds->name);
    if (ds->options.tsv.mode != TKA_TSV_PANDAS)
        return TKA_ERR_NOT_FOUND; /* GLUE: every cell is a str */
    size_t idx = ds->leading + column;
    for (size_t u = 0; u < ds->nunits; u++) {
        const unit_watch *w = &ds->watch[u];
        if (w->first_row == NO_ROW)
            continue;
        const cell_watch *c = &w->cell[k];
        pandas_type t = ds->unit_types[u * ds->width + idx];
        if (t.flavor == PF_OBJ_RAW)
            continue; /* NA strings stay strings */
        if (t.flavor == PF_OBJ_STR) {
            if (c->first_na_row == NO_ROW)
                continue;
            *row = c->first_na_row;
            *line = c->first_na_line;
            *kind = TKA_VALUE_NAN;
            return TKA_OK;
        }
        /* A numeric (or bool-with-NaN) block: its first cell already is not
         * a str. Its kind as typed_value would give it: */
        size_t group;
        unit_of(ds, w->first_row, &group);
        tka_column_dtype target = ds->options.chunking == TKA_CHUNKS_ROWS
                                      ? ds->group_dtypes[group * ds->width + idx]
                                      : ds->col_dtypes[idx];
        tka_value v = {.kind = TKA_VALUE_NAN};
        if (!c->first_na) {
            switch (t.dtype) {
            case TKA_COLUMN_INT64: v.kind = TKA_VALUE_INT; break;
            case TKA_COLUMN_UINT64: v.kind = TKA_VALUE_UINT; break;
            case TKA_COLUMN_BOOL:
            case TKA_COLUMN_OBJECT: v.kind = TKA_VALUE_BOOL; break; /* object: PF_OBJ_BOOL */
            case TKA_COLUMN_FLOAT64:
                /* pandas' NaN sentinel for int64 blocks upcast because of NaN */
                v.kind = t.flavor == PF_FLOAT_FROM_INT && c->first_int_ok &&
                                 (double)c->first_int == (double)INT64_MIN
                             ? TKA_VALUE_NAN
                             : TKA_VALUE_FLOAT;
                break;
            }
        }
        pandas_promote(target, &v);
        *row = w->first_row;
        *line = w->first_line;
        *kind = v.kind;
        return TKA_OK;
    }
    return TKA_ERR_NOT_FOUND;
}

/* GLUE processors index the row: line[i] raises IndexError when the row is
 * shorter (empty and space-only lines included). */
static tka_status glue_short_row(const tka_dataset *ds, const tka_tsv_record *rec, tka_error *err)
{
    size_t need[3] = {ds->text_col, ds->pair_col, ds->label_col};
    for (int k = 0; k < 3; k++)
        if (need[k] != NOT_SELECTED && need[k] >= rec->num_fields)
            return tka_error_set(err, TKA_ERR_REFERENCE,
                                 "%s: line %" PRIu64 ": the row has %zu field(s) but column "
                                 "%zu is read; the GLUE processor raises IndexError: list "
                                 "index out of range",
                                 ds->name, rec->line, rec->num_fields, need[k]);
    return TKA_OK;
}

static void fill_row(tka_dataset *ds, const tka_tsv_record *rec, uint64_t r, size_t unit,
                     size_t group, tka_row *row)
{
    /* every member is set below (make_value clears each value itself) */
    row->index = r;
    row->line = rec->line;
    row->offset = rec->offset;
    ds->current = *rec;
    ds->current_unit = unit;
    ds->current_group = group;
    ds->has_current = true;
    make_value(ds, rec, ds->leading + ds->text_col, unit, group, &row->text);
    row->has_pair = ds->pair_col != NOT_SELECTED;
    row->has_label = ds->label_col != NOT_SELECTED;
    if (row->has_pair)
        make_value(ds, rec, ds->leading + ds->pair_col, unit, group, &row->pair);
    else
        row->pair = (tka_value){.kind = TKA_VALUE_NAN, .text = ""};
    if (row->has_label)
        make_value(ds, rec, ds->leading + ds->label_col, unit, group, &row->label);
    else
        row->label = (tka_value){.kind = TKA_VALUE_NAN, .text = ""};
}

/* Single pass: reads, types and delivers the next row. */
static tka_status next_single(tka_dataset *ds, tka_row *row, tka_error *err)
{
    tka_tsv_record rec;
    tka_status st = tka_tsv_next(ds->reader, &rec, err);
    if (st == TKA_END) {
        st = finish_types(ds, err);
        return st == TKA_OK ? TKA_END : st;
    }
    if (st != TKA_OK)
        return st;
    if (ds->options.tsv.mode != TKA_TSV_PANDAS &&
        glue_short_row(ds, &rec, &ds->row_error) != TKA_OK) {
        /* The two-pass mode reads the whole file before any row: a parser
         * error further on is reported instead of this row's IndexError. */
        do
            ds->nrows++;
        while ((st = tka_tsv_next(ds->reader, &rec, err)) == TKA_OK);
        if (st != TKA_END)
            return st;
        TKA_TRY(finish_types(ds, err));
        ds->row_failed = true;
        ds->has_current = false;
        if (err)
            *err = ds->row_error;
        return ds->row_error.status;
    }
    TKA_TRY(type_row(ds, &rec, err));
    uint64_t r = ds->next_row++;
    fill_row(ds, &rec, r, ds->cur_unit, ds->cur_group, row);
    return TKA_OK;
}

static tka_status changed_between_passes(const tka_dataset *ds, const char *what, uint64_t rows,
                                         tka_error *err)
{
    return tka_error_set(err, TKA_ERR_FORMAT,
                         "%s: the file changed between the two passes (%s: %" PRIu64 " of %" PRIu64
                         " data rows read)",
                         ds->name, what, rows, ds->nrows);
}

tka_status tka_dataset_next(tka_dataset *ds, tka_row *row, tka_error *err)
{
    if (ds->row_failed) {
        if (err)
            *err = ds->row_error;
        return ds->row_error.status;
    }
    if (!ds->typed)
        return next_single(ds, row, err);
    tka_tsv_record rec;
    tka_status st;
    if (!ds->at_data) {
        st = tka_tsv_next(ds->reader, &rec, err); /* the header, skipped by position */
        if (st == TKA_END)
            return changed_between_passes(ds, "no header", 0, err);
        if (st != TKA_OK)
            return st;
        ds->at_data = true;
    }
    st = tka_tsv_next(ds->reader, &rec, err);
    /* The typing pass counted the rows: a file that lost rows since must not
     * end the stream early as if it were complete. */
    if (st == TKA_END && ds->next_row != ds->nrows)
        return changed_between_passes(ds, "fewer rows", ds->next_row, err);
    if (st != TKA_OK)
        return st;
    bool pandas = ds->options.tsv.mode == TKA_TSV_PANDAS;
    if (!pandas && (st = glue_short_row(ds, &rec, err)) != TKA_OK)
        return st;
    uint64_t r = ds->next_row++;
    size_t unit = 0, group = 0;
    if (pandas) {
        unit = unit_of(ds, r, &group);
        if (unit >= ds->nunits)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: the file changed between the two passes (more rows at "
                                 "line %" PRIu64 ")",
                                 ds->name, rec.line);
    }
    fill_row(ds, &rec, r, unit, group, row);
    return TKA_OK;
}
