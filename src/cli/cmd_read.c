/* `tokalign read`: shows a TSV as pandas (or the GLUE reader) reads it: columns, dtypes, every cell, warnings. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "tokalign/dataset.h"
#include "core/json_write.h"
#include "tokalign/text.h"

#define CMD "read"

static void usage(FILE *out)
{
    fputs(
        "usage: tokalign read FILE.tsv [--mode pandas|glue] [--text-field F] [--pair-field F]\n"
        "                     [--label-field F] [--errors strict|replace]\n"
        "                     [--chunks pandas|whole|hf] [--jsonl] [-o FILE]\n"
        "\n"
        "Prints the TSV the way the reference reads it, with the warnings tokalign has about\n"
        "it (for example where pandas and the GLUE csv reader disagree):\n"
        "  --mode pandas   pandas.read_csv(FILE, sep=\"\\t\") (default; also what HF datasets'\n"
        "                  Dataset.from_csv(FILE, sep=\"\\t\") parses)\n"
        "  --mode glue     csv.reader(open(FILE, encoding=\"utf-8-sig\"), delimiter=\"\\t\",\n"
        "                  quotechar=None), the header row skipped by position\n"
        "  --text-field / --pair-field / --label-field F\n"
        "                  columns the pipeline uses: a header name or #N (0-based); defaults\n"
        "                  sentence and label; checked to exist (pandas: KeyError otherwise)\n"
        "  --errors replace    read invalid UTF-8 as U+FFFD instead of failing\n"
        "                     (pandas' encoding_errors=\"replace\"; --encoding-errors is an alias)\n"
        "  --chunks        dtype inference blocks: pandas (low_memory default), whole\n"
        "                  (low_memory=False), hf (10000-row chunks as datasets.from_csv)\n"
        "  --jsonl         one JSON line per row after a header line (streams big files)\n"
        "  -o, --output FILE\n"
        "                  output file (default: stdout; --out is an alias)\n"
        "  --progress / --no-progress\n"
        "                  rows, MB, MB/s and ETA on stderr while reading (default: only\n"
        "                  when stderr is a terminal)\n"
        "\n"
        "Output (JSON): {\"file\", \"mode\", \"columns\": [...], \"dtypes\": [...],\n"
        "  \"index_is_default_range\": bool, \"index\": [...], \"num_rows\": N,\n"
        "  \"text_column\", \"pair_column\", \"label_column\" (column numbers or null),\n"
        "  \"rows\": [[cell, ...], ...], \"warnings\": [...]}\n"
        "Cells: strings, integers, floats, true/false, {\"nan\": true} for NaN, Infinity for inf.\n"
        "Warnings also go to stderr.\n"
        "\n"
        "examples:\n"
        "  tokalign read demo_sst2_sentence/demo.tsv\n"
        "  tokalign read train.tsv --mode glue --text-field '#0' --label-field '#1'\n",
        out);
}

static tka_status append_value(tka_buf *b, const tka_value *v)
{
    char num[64];
    switch (v->kind) {
    case TKA_VALUE_NAN: return tka_buf_append_str(b, "{\"nan\": true}");
    case TKA_VALUE_INT: return tka_json_append_int(b, v->i);
    case TKA_VALUE_UINT: return tka_buf_printf(b, "%" PRIu64, v->u);
    case TKA_VALUE_BOOL: return tka_buf_append_str(b, v->b ? "true" : "false");
    case TKA_VALUE_FLOAT:
        if (isinf(v->f))
            return tka_buf_append_str(b, v->f > 0 ? "Infinity" : "-Infinity");
        /* shortest round-trip form, with ".0" for integral values as Python prints */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, v->f);
            if (strtod(num, NULL) == v->f)
                break;
        }
        if (!strpbrk(num, ".eEn"))
            strcat(num, ".0");
        return tka_buf_append_str(b, num);
    case TKA_VALUE_STR: break;
    }
    /* Strings go out as valid UTF-8: pandas mode cut them at NUL already. */
    return tka_json_append_string(b, v->text, v->len);
}

static tka_status append_column_ref(tka_buf *b, size_t c)
{
    return c == SIZE_MAX ? tka_buf_append_str(b, "null") : tka_buf_printf(b, "%zu", c);
}

static bool flush(tka_buf *b, FILE *out)
{
    bool ok = fwrite(b->data ? b->data : "", 1, b->len, out) == b->len;
    b->len = 0;
    return ok;
}

int cmd_read(int argc, char **argv)
{
    const char *path = NULL, *out_path = NULL;
    tka_dataset_options o;
    tka_dataset_options_init(&o);
    bool jsonl = false;
    int progress = CLI_PROGRESS_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (cli_progress_option(a, &progress)) {
        } else if (strcmp(a, "--jsonl") == 0) {
            jsonl = true;
        } else if (a[0] == '-' && a[1] == '-' && !has_value) {
            return cli_usage_error(CMD, "%s needs a value", a);
        } else if (strcmp(a, "--mode") == 0) {
            const char *v = argv[++i];
            if (strcmp(v, "pandas") == 0)
                o.tsv.mode = TKA_TSV_PANDAS;
            else if (strcmp(v, "glue") == 0)
                o.tsv.mode = TKA_TSV_GLUE;
            else
                return cli_usage_error(CMD, "--mode expects pandas or glue, got '%s'", v);
        } else if (strcmp(a, "--text-field") == 0) {
            o.text_field = argv[++i];
        } else if (strcmp(a, "--pair-field") == 0) {
            o.pair_field = argv[++i];
        } else if (strcmp(a, "--label-field") == 0) {
            o.label_field = argv[++i];
        } else if (strcmp(a, "--errors") == 0 || strcmp(a, "--encoding-errors") == 0) {
            const char *v = argv[++i];
            if (strcmp(v, "strict") == 0)
                o.tsv.utf8_errors = TKA_UTF8_STRICT;
            else if (strcmp(v, "replace") == 0)
                o.tsv.utf8_errors = TKA_UTF8_REPLACE;
            else
                return cli_usage_error(CMD, "--errors expects strict or replace");
        } else if (strcmp(a, "--chunks") == 0) {
            const char *v = argv[++i];
            if (strcmp(v, "pandas") == 0)
                o.chunking = TKA_CHUNKS_PANDAS;
            else if (strcmp(v, "whole") == 0)
                o.chunking = TKA_CHUNKS_WHOLE;
            else if (strcmp(v, "hf") == 0)
                o.chunking = TKA_CHUNKS_ROWS;
            else
                return cli_usage_error(CMD, "--chunks expects pandas, whole or hf");
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            out_path = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error(CMD, "one FILE only (got '%s' too)", a);
        }
    }
    if (!path)
        return cli_usage_error(CMD, "FILE is required");
    if (o.label_field && strcmp(o.label_field, "") == 0)
        o.label_field = NULL;

    if (cli_check_not_input(CMD, out_path, path) != CLI_EXIT_OK)
        return CLI_EXIT_ERROR;
    tka_error err;
    tka_error_clear(&err);
    tka_dataset *ds;
    if (tka_dataset_open(path, &o, &ds, &err) != TKA_OK)
        return cli_report(CMD, &err);
    fputs(tka_dataset_warnings(ds), stderr);
    FILE *out = cli_open_output(CMD, out_path);
    if (!out) {
        tka_dataset_free(ds);
        return CLI_EXIT_ERROR;
    }
    tka_buf b = {0};
    bool pandas = o.tsv.mode == TKA_TSV_PANDAS;
    size_t ncols = tka_dataset_num_columns(ds), nidx = tka_dataset_index_columns(ds);
    tka_buf_append_str(&b, "{\"file\": ");
    tka_json_append_string(&b, path, strlen(path));
    tka_buf_printf(&b, ", \"mode\": \"%s\", \"columns\": [", pandas ? "pandas" : "glue");
    for (size_t c = 0; c < ncols; c++) {
        const char *name = tka_dataset_column_name(ds, c);
        if (c)
            tka_buf_append_str(&b, ", ");
        tka_json_append_string(&b, name, strlen(name));
    }
    tka_buf_append_str(&b, "], \"dtypes\": [");
    for (size_t c = 0; c < ncols; c++)
        tka_buf_printf(&b, "%s\"%s\"", c ? ", " : "",
                       tka_column_dtype_name(tka_dataset_column_dtype(ds, c)));
    tka_buf_printf(
        &b, "], \"index_is_default_range\": %s, \"num_rows\": %" PRIu64 ", \"text_column\": ",
        /* pandas returns Index([]) (not a RangeIndex) for no rows */
        nidx || tka_dataset_num_rows(ds) == 0 ? "false" : "true", tka_dataset_num_rows(ds));
    append_column_ref(&b, tka_dataset_text_column(ds));
    tka_buf_append_str(&b, ", \"pair_column\": ");
    append_column_ref(&b, tka_dataset_pair_column(ds));
    tka_buf_append_str(&b, ", \"label_column\": ");
    append_column_ref(&b, tka_dataset_label_column(ds));
    tka_buf_append_str(&b, ", \"warnings\": [");
    const char *w = tka_dataset_warnings(ds);
    for (bool first = true; *w;) {
        const char *nl = strchr(w, '\n');
        size_t len = nl ? (size_t)(nl - w) : strlen(w);
        if (!first)
            tka_buf_append_str(&b, ", ");
        tka_json_append_string(&b, w, len);
        first = false;
        w += len + (nl != NULL);
    }
    tka_buf_append_str(&b, jsonl ? "]}\n" : "],\n \"rows\": [");
    int rc = CLI_EXIT_OK;
    tka_row row;
    tka_status st;
    tka_buf index = {0};
    uint64_t r = 0;
    cli_progress pg;
    cli_progress_start(&pg, CMD, progress, path);
    while ((st = tka_dataset_next(ds, &row, &err)) == TKA_OK) {
        if ((r & 1023) == 0)
            cli_progress_update(&pg, r, row.offset);
        tka_buf_append_str(&b, jsonl ? "[" : r ? ",\n  [" : "\n  [");
        if (r)
            tka_buf_append_str(&index, ", ");
        if (nidx == 0) {
            tka_buf_printf(&index, "%" PRIu64, row.index);
        } else {
            if (nidx > 1)
                tka_buf_append_char(&index, '[');
            for (size_t k = 0; k < nidx; k++) {
                tka_value v;
                tka_dataset_cell(ds, k, true, &v, NULL);
                if (k)
                    tka_buf_append_str(&index, ", ");
                append_value(&index, &v);
            }
            if (nidx > 1)
                tka_buf_append_char(&index, ']');
        }
        for (size_t c = 0; c < ncols; c++) {
            tka_value v;
            if (tka_dataset_cell(ds, c, false, &v, NULL) != TKA_OK) /* GLUE short row */
                v = (tka_value){.kind = TKA_VALUE_NAN};
            if (c)
                tka_buf_append_str(&b, ", ");
            append_value(&b, &v);
        }
        tka_buf_append_str(&b, jsonl ? "]\n" : "]");
        if (b.len > ((size_t)1 << 16) && !flush(&b, out))
            break;
        if (jsonl)
            index.len = 0; /* the JSON Lines form has no index list */
        r++;
    }
    if (st != TKA_END && st != TKA_OK)
        rc = cli_report(CMD, &err);
    else
        cli_progress_finish(&pg, r, UINT64_MAX);
    if (!jsonl && rc == CLI_EXIT_OK) {
        tka_buf_append_str(&b, r ? "\n ],\n \"index\": [" : "],\n \"index\": [");
        tka_buf_append(&b, index.data ? index.data : "", index.len);
        tka_buf_append_str(&b, "]}\n");
    }
    if (rc == CLI_EXIT_OK && (!flush(&b, out) || fflush(out) != 0)) {
        fprintf(stderr, "tokalign read: error: cannot write the output\n");
        rc = CLI_EXIT_ERROR;
    }
    tka_buf_free(&b);
    tka_buf_free(&index);
    rc = cli_close_output(CMD, out, rc);
    tka_dataset_free(ds);
    return rc;
}
