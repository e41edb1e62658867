/* `tokalign diff --json` and `--html`: one JSON document for programs, one
 * self-contained page for people, both from tka_explanation. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cli/diff_report.h"
#include "core/json_write.h"

static const char *const stat_names[3] = {"min", "max", "mean"};

/* ------------------------------------------------------------ JSON */

static tka_status json_scalar(tka_buf *out, const tka_scalar *s)
{
    if (s->dtype == TKA_DTYPE_BOOL)
        return tka_buf_append_str(out, s->v.u ? "true" : "false");
    if (s->dtype >= TKA_DTYPE_FLOAT16 && !isfinite(s->v.f))
        return tka_buf_append_str(out, "null"); /* JSON has no NaN / Infinity */
    char v[TKA_PYFLOAT_MAX];
    size_t n = tka_scalar_format(s, v);
    return tka_buf_append(out, v, n);
}

static tka_status json_str(tka_buf *out, const char *s)
{
    return s ? tka_json_append_string(out, s, strlen(s)) : tka_buf_append_str(out, "null");
}

static tka_status json_shape(tka_buf *out, const tka_diff_side *s)
{
    if (!s->present)
        return tka_buf_append_str(out, "null");
    tka_status st = tka_buf_append_char(out, '[');
    for (unsigned i = 0; i < s->ndim && st == TKA_OK; i++)
        st = tka_buf_printf(out, i ? ",%" PRId64 : "%" PRId64, s->shape[i]);
    return st == TKA_OK ? tka_buf_append_char(out, ']') : st;
}

static tka_status json_source(tka_buf *out, const tka_diff_side *s)
{
    if (s->row < 0 && s->batch_row < 0)
        return tka_buf_append_str(out, "null");
    tka_status st = tka_buf_append_str(out, "{\"row\":");
    st = st ? st
            : (s->row >= 0 ? tka_buf_printf(out, "%" PRId64, s->row)
                           : tka_buf_append_str(out, "null"));
    if (st == TKA_OK && s->batch_row >= 0)
        st = tka_buf_printf(out, ",\"batch_row\":%" PRId64, s->batch_row);
    if (st == TKA_OK && s->line >= 0)
        st = tka_buf_printf(out, ",\"line\":%" PRId64, s->line);
    if (st == TKA_OK && s->source) {
        st = tka_buf_append_str(out, ",\"file\":");
        st = st ? st : json_str(out, s->source);
    }
    if (st == TKA_OK && s->text) {
        st = tka_buf_append_str(out, ",\"text\":");
        st = st ? st : json_str(out, s->text);
    }
    if (st == TKA_OK && s->pair) {
        st = tka_buf_append_str(out, ",\"pair\":");
        st = st ? st : json_str(out, s->pair);
    }
    return st == TKA_OK ? tka_buf_append_char(out, '}') : st;
}

static tka_status json_row(tka_buf *out, const tka_diff_side *s)
{
    if (!s->ids)
        return tka_buf_append_str(out, "null");
    tka_status st =
        tka_buf_printf(out, "{\"from\":%" PRId64 ",\"width\":%" PRId64 ",\"length\":%zu,\"ids\":[",
                       s->ids_from, s->width, s->content_len);
    for (size_t i = 0; i < s->n_ids && st == TKA_OK; i++)
        st = tka_buf_printf(out, i ? ",%" PRId64 : "%" PRId64, s->ids[i]);
    if (st == TKA_OK)
        st = tka_buf_append_char(out, ']');
    if (st == TKA_OK && s->tokens) {
        st = tka_buf_append_str(out, ",\"tokens\":[");
        for (size_t i = 0; i < s->n_ids && st == TKA_OK; i++) {
            if (i)
                st = tka_buf_append_char(out, ',');
            if (st == TKA_OK)
                st = json_str(out, s->tokens[i]);
        }
        if (st == TKA_OK)
            st = tka_buf_append_char(out, ']');
    }
    return st == TKA_OK ? tka_buf_append_char(out, '}') : st;
}

static tka_status json_key(tka_buf *out, const tka_key_explanation *k, const tka_report_options *o)
{
    tka_status st = tka_buf_append_str(out, "{\"key\":");
    st = st ? st : json_str(out, k->key);
    st = st ? st : tka_buf_printf(out, ",\"passed\":%s,\"value\":", k->passed ? "true" : "false");
    /* "value": the first --method's statistic, as the report prints it */
    st = st ? st
            : (k->compared ? json_scalar(out, &k->diff.stat[o->methods[0]])
                           : tka_buf_append_str(out, "null"));
    st = st ? st : tka_buf_append_str(out, ",\"values\":");
    if (st == TKA_OK && k->compared) {
        st = tka_buf_append_char(out, '{');
        bool seen[3] = {false, false, false};
        bool first = true;
        for (size_t m = 0; m < o->n_methods && st == TKA_OK; m++) {
            tka_stat s = o->methods[m];
            if (seen[s])
                continue;
            seen[s] = true;
            st = tka_buf_printf(out, "%s\"%s\":", first ? "" : ",", stat_names[s]);
            st = st ? st : json_scalar(out, &k->diff.stat[s]);
            first = false;
        }
        st = st ? st : tka_buf_append_char(out, '}');
    } else if (st == TKA_OK) {
        st = tka_buf_append_str(out, "null");
    }
    st = st ? st : tka_buf_append_str(out, ",\"shape_a\":");
    st = st ? st : json_shape(out, &k->a);
    st = st ? st : tka_buf_append_str(out, ",\"shape_b\":");
    st = st ? st : json_shape(out, &k->b);
    st = st ? st : tka_buf_append_str(out, ",\"dtype_a\":");
    st = st ? st : json_str(out, k->a.present ? tka_dtype_name(k->a.dtype) : NULL);
    st = st ? st : tka_buf_append_str(out, ",\"dtype_b\":");
    st = st ? st : json_str(out, k->b.present ? tka_dtype_name(k->b.dtype) : NULL);
    st = st ? st : tka_buf_append_str(out, ",\"elements_differ\":");
    st = st ? st
            : (k->compared ? tka_buf_printf(out, "%zu", k->diff.n_differ)
                           : tka_buf_append_str(out, "null"));
    st = st ? st : tka_buf_append_str(out, ",\"first_difference\":");
    if (st == TKA_OK && k->has_first) {
        st = tka_buf_append_str(out, "{\"index\":[");
        for (unsigned i = 0; i < k->first_ndim && st == TKA_OK; i++)
            st = tka_buf_printf(out, i ? ",%" PRId64 : "%" PRId64, k->first_index[i]);
        st = st ? st : tka_buf_append_str(out, "],\"a\":");
        st =
            st ? st
               : (k->a.has_value ? json_scalar(out, &k->a.value) : tka_buf_append_str(out, "null"));
        st = st ? st : tka_buf_append_str(out, ",\"b\":");
        st =
            st ? st
               : (k->b.has_value ? json_scalar(out, &k->b.value) : tka_buf_append_str(out, "null"));
        st = st ? st : tka_buf_append_char(out, '}');
    } else if (st == TKA_OK) {
        st = tka_buf_append_str(out, "null");
    }
    st = st ? st
            : tka_buf_printf(out,
                             ",\"cause\":\"%s\",\"explanation\":", tka_diff_cause_name(k->cause));
    st = st ? st : json_str(out, k->passed ? NULL : k->explanation);
    st = st ? st : tka_buf_append_str(out, ",\"error\":");
    st = st ? st : json_str(out, k->error);
    st = st ? st : tka_buf_append_str(out, ",\"source_a\":");
    st = st ? st : json_source(out, &k->a);
    st = st ? st : tka_buf_append_str(out, ",\"source_b\":");
    st = st ? st : json_source(out, &k->b);
    st = st ? st : tka_buf_append_str(out, ",\"row_a\":");
    st = st ? st : json_row(out, &k->a);
    st = st ? st : tka_buf_append_str(out, ",\"row_b\":");
    st = st ? st : json_row(out, &k->b);
    return st ? st : tka_buf_append_char(out, '}');
}

static tka_status json_lines(tka_buf *out, const tka_buf *lines)
{
    tka_status st = tka_buf_append_char(out, '[');
    bool first = true;
    for (const char *p = lines ? lines->data : NULL, *end = p ? p + lines->len : NULL;
         p && p < end && st == TKA_OK;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (!first)
            st = tka_buf_append_char(out, ',');
        st = st ? st : tka_json_append_string(out, p, n);
        first = false;
        p += n + 1;
    }
    return st ? st : tka_buf_append_char(out, ']');
}

tka_status diff_render_json(const diff_summary *s, tka_buf *out)
{
    tka_status st = tka_buf_printf(out, "{\"passed\":%s,\"files\":[", s->passed ? "true" : "false");
    st = st ? st : json_str(out, s->files[0]);
    st = st ? st : tka_buf_append_char(out, ',');
    st = st ? st : json_str(out, s->files[1]);
    st = st ? st : tka_buf_append_str(out, "],\"exception\":");
    st = st ? st : json_str(out, s->exception);
    st = st ? st : tka_buf_append_str(out, ",\"printed\":");
    st = st ? st : json_lines(out, s->printed);
    st = st ? st : tka_buf_append_str(out, ",\"report\":");
    st = st ? st : json_lines(out, s->report);
    st = st ? st : tka_buf_append_str(out, ",\"keys\":[");
    size_t n = s->explanation ? tka_explanation_count(s->explanation) : 0;
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        if (i)
            st = tka_buf_append_char(out, ',');
        st = st ? st : json_key(out, tka_explanation_at(s->explanation, i), s->options);
    }
    return st ? st : tka_buf_append_str(out, "]}\n");
}

/* ------------------------------------------------------------ HTML */

static tka_status html_text(tka_buf *out, const char *s, size_t n)
{
    tka_status st = TKA_OK;
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        switch (s[i]) {
        case '<': st = tka_buf_append_str(out, "&lt;"); break;
        case '>': st = tka_buf_append_str(out, "&gt;"); break;
        case '&': st = tka_buf_append_str(out, "&amp;"); break;
        case '"': st = tka_buf_append_str(out, "&quot;"); break;
        default: st = tka_buf_append_char(out, s[i]);
        }
    }
    return st;
}

static tka_status html_str(tka_buf *out, const char *s)
{
    return s ? html_text(out, s, strlen(s)) : TKA_OK;
}

static tka_status html_value(tka_buf *out, const tka_diff_side *s)
{
    if (!s->has_value)
        return tka_buf_append_str(out, "<i>none</i>");
    char v[TKA_PYFLOAT_MAX];
    tka_scalar_format(&s->value, v);
    return html_str(out, v);
}

static tka_status html_shape(tka_buf *out, const tka_diff_side *s)
{
    if (!s->present)
        return tka_buf_append_str(out, "<i>absent</i>");
    tka_status st = tka_buf_append_char(out, '(');
    for (unsigned i = 0; i < s->ndim && st == TKA_OK; i++)
        st = tka_buf_printf(out, i ? ", %" PRId64 : "%" PRId64, s->shape[i]);
    return st ? st : tka_buf_append_str(out, s->ndim == 1 ? ",)" : ")");
}

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1d2330;"
    "background:#fafbfc}"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 6px;font-family:monospace}"
    ".files{color:#5b6475;font-family:monospace;font-size:13px;margin-bottom:12px}"
    ".verdict{display:inline-block;padding:3px 10px;border-radius:12px;font-weight:600;color:#fff}"
    ".verdict.pass{background:#2e7d32}.verdict.fail{background:#c62828}"
    "table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    "th,td{border:1px solid #dde1e7;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef1f5;font-weight:600}"
    "table.keys td.k{font-family:monospace}td.num{font-family:monospace;text-align:right}"
    "tr.pass td.r{color:#2e7d32;font-weight:600}tr.fail td.r{color:#c62828;font-weight:600}"
    "tr.fail td.k{background:#fff3f3}"
    "pre.exc{background:#fff3f3;border-left:4px solid #c62828;padding:8px 12px;white-space:pre-wrap}"
    "p.cause{margin:4px 0 10px}p.cause b{color:#c62828}"
    ".src{font-family:monospace;font-size:13px;background:#fff;border:1px solid #dde1e7;"
    "padding:6px 10px;margin:4px 0}.src .lab{color:#5b6475}"
    ".sides{display:flex;gap:16px;flex-wrap:wrap;margin-top:8px}"
    ".tokens{display:flex;flex-wrap:wrap;gap:3px;margin:8px 0 4px;align-items:flex-start}"
    ".tk{display:inline-flex;flex-direction:column;border:1px solid #dde1e7;background:#fff;"
    "border-radius:3px;font-family:monospace;font-size:13px;min-width:22px}"
    ".tk i{font-style:normal;font-size:10px;color:#8a93a3;padding:0 4px;border-bottom:1px solid #eef1f5}"
    ".tk b{font-weight:400;padding:1px 4px;white-space:pre}.tk b+b{border-top:1px dashed #dde1e7}"
    ".tk.legend{background:#eef1f5;color:#5b6475}.tk.legend b{font-weight:600}"
    ".tk.d{background:#fff4d6;border-color:#f0c36d}"
    ".tk.first{background:#ffcdd2;border:2px solid #c62828}.tk.first b{font-weight:700}"
    ".tk b.pad{color:#a0a7b4}.tk b.none{color:#c0c6d0}"
    ".rowlabel{align-self:center;color:#5b6475;font-size:12px;margin:0 6px}"
    ".summary{margin:10px 0;color:#1d2330}";

static tka_status html_source(tka_buf *out, const char *label, const tka_diff_side *s)
{
    if (!s->text)
        return TKA_OK;
    tka_status st = tka_buf_printf(
        out, "<div class=\"src\"><span class=\"lab\">%s dataset row %" PRId64, label, s->row);
    if (st == TKA_OK && s->line >= 0)
        st = tka_buf_printf(out, ", line %" PRId64, s->line);
    if (st == TKA_OK && s->source) {
        st = tka_buf_append_str(out, " of ");
        st = st ? st : html_str(out, s->source);
    }
    st = st ? st : tka_buf_append_str(out, ":</span> ");
    st = st ? st : html_str(out, s->text);
    if (st == TKA_OK && s->pair) {
        st = tka_buf_append_str(out, " <span class=\"lab\">/</span> ");
        st = st ? st : html_str(out, s->pair);
    }
    return st ? st : tka_buf_append_str(out, "</div>\n");
}

static tka_status html_cell(tka_buf *out, const tka_diff_side *s, int64_t c)
{
    if (c < s->ids_from || c >= s->ids_from + (int64_t)s->n_ids)
        return tka_buf_append_str(out, "<b class=\"none\">&mdash;</b>");
    size_t i = (size_t)(c - s->ids_from);
    bool pad = (size_t)c >= s->content_len;
    tka_status st = tka_buf_printf(out, "<b%s title=\"id %" PRId64 "\">",
                                   pad ? " class=\"pad\"" : "", s->ids[i]);
    const char *tok = s->tokens ? s->tokens[i] : NULL;
    if (st == TKA_OK && tok)
        st = html_str(out, tok);
    else if (st == TKA_OK)
        st = tka_buf_printf(out, "%" PRId64, s->ids[i]);
    return st ? st : tka_buf_append_str(out, "</b>");
}

/* The two rows side by side: one column per position (first side on top,
 * second below), wrapping; differing positions shaded, the first
 * difference outlined. At most 128 positions around it. */
static tka_status html_tokens(tka_buf *out, const tka_key_explanation *k)
{
    const tka_diff_side *a = &k->a, *b = &k->b;
    size_t kl = strlen(k->key);
    bool id_key = kl >= 9 && strcmp(k->key + kl - 9, "input_ids") == 0;
    if (!a->ids || !b->ids || !k->has_first || !id_key)
        return TKA_OK; /* without --tokenizer the ids stand in for the tokens */
    int64_t mark = k->first_index[k->first_ndim - 1];
    int64_t lo = a->ids_from < b->ids_from ? a->ids_from : b->ids_from;
    int64_t ea = a->ids_from + (int64_t)a->n_ids, eb = b->ids_from + (int64_t)b->n_ids;
    int64_t hi = ea > eb ? ea : eb;
    int64_t from = mark - 64 < lo ? lo : mark - 64, to = from + 128 > hi ? hi : from + 128;
    tka_status st =
        tka_buf_append_str(out, "<div class=\"tokens\"><span class=\"tk legend\"><i>pos</i>"
                                "<b>first</b><b>second</b></span>");
    if (st == TKA_OK && a->ndim == 2)
        st = tka_buf_printf(out, "<span class=\"rowlabel\">row %" PRId64 " of the batch</span>",
                            k->first_index[0]);
    for (int64_t c = from; c < to && st == TKA_OK; c++) {
        bool ha = c >= a->ids_from && c < ea, hb = c >= b->ids_from && c < eb;
        bool differ = ha != hb || (ha && a->ids[c - a->ids_from] != b->ids[c - b->ids_from]);
        st = tka_buf_printf(out, "<span class=\"tk%s\"%s><i>%" PRId64 "</i>",
                            c == mark ? " first"
                            : differ  ? " d"
                                      : "",
                            c == mark ? " id=\"first\"" : "", c);
        st = st ? st : html_cell(out, a, c);
        st = st ? st : html_cell(out, b, c);
        st = st ? st : tka_buf_append_str(out, "</span>");
    }
    return st ? st : tka_buf_append_str(out, "</div>\n");
}

static tka_status html_key_detail(tka_buf *out, const tka_key_explanation *k)
{
    tka_status st = tka_buf_append_str(out, "<section class=\"key\" id=\"key-");
    st = st ? st : html_str(out, k->key);
    st = st ? st : tka_buf_append_str(out, "\"><h2>");
    st = st ? st : html_str(out, k->key);
    st = st ? st : tka_buf_append_str(out, "</h2>\n<p class=\"cause\"><b>likely cause:</b> ");
    st = st ? st : html_str(out, k->explanation);
    st = st ? st : tka_buf_append_str(out, "</p>\n");
    bool same = k->a.text && k->b.text && k->a.row == k->b.row && strcmp(k->a.text, k->b.text) == 0;
    if (st == TKA_OK && same) {
        st = html_source(out, "both sides:", &k->a);
    } else if (st == TKA_OK) {
        st = html_source(out, "first:", &k->a);
        st = st ? st : html_source(out, "second:", &k->b);
    }
    st = st ? st : html_tokens(out, k);
    return st ? st : tka_buf_append_str(out, "</section>\n");
}

tka_status diff_render_html(const diff_summary *s, tka_buf *out)
{
    tka_status st =
        tka_buf_printf(out,
                       "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<title>tokalign diff</title><style>%s</style></head><body>\n",
                       css);
    st = st ? st
            : tka_buf_printf(
                  out,
                  "<h1>tokalign diff <span id=\"verdict\" class=\"verdict %s\">%s</span></h1>\n",
                  s->passed ? "pass" : "fail", s->passed ? "passed" : "failed");
    st = st ? st : tka_buf_append_str(out, "<div class=\"files\">first: ");
    st = st ? st : html_str(out, s->files[0]);
    st = st ? st : tka_buf_append_str(out, "<br>second: ");
    st = st ? st : html_str(out, s->files[1]);
    st = st ? st : tka_buf_append_str(out, "</div>\n");
    size_t n_keys = s->explanation ? tka_explanation_count(s->explanation) : 0, n_fail = 0;
    for (size_t i = 0; i < n_keys; i++)
        n_fail += !tka_explanation_at(s->explanation, i)->passed;
    st = st ? st
            : tka_buf_printf(out,
                             "<p class=\"summary\" id=\"summary\">%zu of %zu keys differ.</p>\n",
                             n_fail, n_keys);
    if (st == TKA_OK && s->exception) {
        st = tka_buf_append_str(out, "<pre class=\"exc\">reprod_log raises: ");
        st = st ? st : html_str(out, s->exception);
        st = st ? st : tka_buf_append_str(out, "</pre>\n");
    }
    size_t n = s->explanation ? tka_explanation_count(s->explanation) : 0;
    const tka_report_options *o = s->options;
    st = st ? st
            : tka_buf_append_str(
                  out, "<table class=\"keys\" id=\"keys\"><thead><tr><th>key</th><th>result</th>");
    for (size_t m = 0; m < o->n_methods && st == TKA_OK; m++)
        st = tka_buf_printf(out, "<th>%s diff</th>", stat_names[o->methods[m]]);
    st = st ? st
            : tka_buf_append_str(
                  out, "<th>shape (first)</th><th>shape (second)</th><th>first difference</th>"
                       "<th>likely cause</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        const tka_key_explanation *k = tka_explanation_at(s->explanation, i);
        st = tka_buf_printf(out, "<tr class=\"%s\"><td class=\"k\">", k->passed ? "pass" : "fail");
        if (st == TKA_OK && !k->passed) {
            st = tka_buf_append_str(out, "<a href=\"#key-");
            st = st ? st : html_str(out, k->key);
            st = st ? st : tka_buf_append_str(out, "\">");
        }
        st = st ? st : html_str(out, k->key);
        st = st ? st : tka_buf_append_str(out, k->passed ? "" : "</a>");
        st = st ? st
                : tka_buf_printf(out, "</td><td class=\"r\">%s</td>", k->passed ? "pass" : "FAIL");
        for (size_t m = 0; m < o->n_methods && st == TKA_OK; m++) {
            st = tka_buf_append_str(out, "<td class=\"num\">");
            if (k->compared) {
                char v[TKA_PYFLOAT_MAX];
                tka_scalar_format(&k->diff.stat[o->methods[m]], v);
                st = st ? st : html_str(out, v);
            } else {
                st = st ? st : tka_buf_append_str(out, "&mdash;");
            }
            st = st ? st : tka_buf_append_str(out, "</td>");
        }
        st = st ? st : tka_buf_append_str(out, "<td class=\"num\">");
        st = st ? st : html_shape(out, &k->a);
        st = st ? st : tka_buf_append_str(out, "</td><td class=\"num\">");
        st = st ? st : html_shape(out, &k->b);
        st = st ? st : tka_buf_append_str(out, "</td><td class=\"num\">");
        if (st == TKA_OK && k->has_first) {
            st = tka_buf_append_char(out, '[');
            for (unsigned d = 0; d < k->first_ndim && st == TKA_OK; d++)
                st = tka_buf_printf(out, d ? ", %" PRId64 : "%" PRId64, k->first_index[d]);
            st = st ? st : tka_buf_append_str(out, "]: ");
            st = st ? st : html_value(out, &k->a);
            st = st ? st : tka_buf_append_str(out, " vs ");
            st = st ? st : html_value(out, &k->b);
        }
        st = st ? st
                : tka_buf_printf(out, "</td><td>%s</td></tr>\n",
                                 k->passed ? "" : tka_diff_cause_name(k->cause));
    }
    st = st ? st : tka_buf_append_str(out, "</tbody></table>\n");
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        const tka_key_explanation *k = tka_explanation_at(s->explanation, i);
        if (!k->passed)
            st = html_key_detail(out, k);
    }
    return st ? st : tka_buf_append_str(out, "</body></html>\n");
}
