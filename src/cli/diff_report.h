/* `tokalign diff --json` and `--html`: the explanation rendered for programs
 * and for people. */
#ifndef TKA_CLI_DIFF_REPORT_H
#define TKA_CLI_DIFF_REPORT_H

#include <stdbool.h>

#include "tokalign/diff.h"
#include "tokalign/text.h"

typedef struct diff_summary {
    const char *files[2];
    bool passed;
    const char *exception;  /* reprod_log's exception text, or NULL */
    const tka_buf *report;  /* report messages, one a line (no prefix) */
    const tka_buf *printed; /* what compare_info printed ("transpose sub_data1") */
    const tka_report_options *options;
    const tka_explanation *explanation; /* NULL when not computed */
} diff_summary;

/* {"passed", "files", "exception", "report", "keys": [...]} and "\n". */
tka_status diff_render_json(const diff_summary *s, tka_buf *out);
/* A self-contained HTML page (inline CSS, no scripts, no external assets). */
tka_status diff_render_html(const diff_summary *s, tka_buf *out);

#endif
