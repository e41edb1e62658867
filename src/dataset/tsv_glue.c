/* GLUE records: csv.reader(open(path, encoding="utf-8-sig"), delimiter="\t", quotechar=None).
 *
 * With quoting off, csv.reader splits every text-mode line on every TAB:
 * libcsv has no such mode (whatever byte is set as its quote character is
 * special), so this reader does not use it. Python's universal newlines make
 * LF, CR LF and a lone CR line ends before csv sees the text; an empty line
 * is a row with no fields; every field is a string. */
#include <string.h>

#include "dataset/tsv_internal.h"

/* _csv.field_size_limit() default: a longer field makes csv.reader raise. */
#define GLUE_FIELD_LIMIT 131072

static bool close_field(tka_tsv_reader *r)
{
    bool ok =
        tsv_add_field(r, r->glue_field.data, r->glue_field.len, &r->field_start, false, false);
    r->glue_field.len = 0;
    r->glue_field_chars = 0;
    return ok;
}

static void end_line(tka_tsv_reader *r, bool at_newline)
{
    r->glue_in_record = false;
    r->rec_ready = true;
    r->rec_end_line = at_newline ? r->pos.line - 1 : r->pos.line;
    r->records++;
}

bool tsv_glue_next(tka_tsv_reader *r)
{
    while (!r->rec_ready && !r->failed) {
        if (!tsv_fill(r)) {
            if (r->failed)
                return false;
            if (r->utf8_bad) {
                tsv_fail_utf8(r);
                return false;
            }
            /* A last line without a line end is still a line. */
            if (r->glue_in_record && close_field(r))
                end_line(r, false);
            r->finished = true;
            return r->rec_ready;
        }
        const unsigned char *s = (const unsigned char *)r->win.data + r->win_pos;
        size_t avail = r->win.len - r->win_pos;
        unsigned char c = s[0];
        if (r->pos.offset == 0 && c == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
            tsv_advance(r, 3); /* encoding="utf-8-sig" drops a leading BOM */
            continue;
        }
        if (r->glue_skip_lf) {
            r->glue_skip_lf = false;
            if (c == '\n') {
                tsv_advance(r, 1);
                continue;
            }
        }
        if (!r->glue_in_record) {
            r->glue_in_record = true;
            r->rec_start = r->pos;
            r->field_start = r->pos;
            r->glue_field.len = 0;
            r->glue_field_chars = 0;
        }
        if (c == '\n' || c == '\r') {
            /* An empty line is a row with no fields ([]), not one empty field. */
            bool empty = r->num_meta == 0 && r->pos.offset == r->rec_start.offset;
            tsv_advance(r, 1);
            r->glue_skip_lf = c == '\r';
            if (!empty && !close_field(r))
                return false;
            end_line(r, true);
            continue;
        }
        if (c == '\t') {
            tsv_advance(r, 1);
            if (!close_field(r))
                return false;
            r->field_start = r->pos;
            continue;
        }
        size_t k = 0, chars = 0;
        while (k < avail && s[k] != '\t' && s[k] != '\n' && s[k] != '\r') {
            chars += (s[k] & 0xC0) != 0x80;
            if (r->glue_field_chars + chars > GLUE_FIELD_LIMIT) {
                tsv_advance(r, k);
                tsv_fail(r, TKA_ERR_REFERENCE, &r->pos,
                         "a field is longer than %d characters; Python's csv.reader raises "
                         "_csv.Error: field larger than field limit (%d)",
                         GLUE_FIELD_LIMIT, GLUE_FIELD_LIMIT);
                return false;
            }
            k++;
        }
        if (tka_buf_append(&r->glue_field, s, k) != TKA_OK) {
            tsv_fail(r, TKA_ERR_NOMEM, NULL, "out of memory reading a field");
            return false;
        }
        r->glue_field_chars += chars;
        tsv_advance_inline(r, k);
    }
    return r->rec_ready;
}
