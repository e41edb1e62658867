/* ReprodDiffHelper.report: method lists, the sticky per-key verdict and the
 * exact log messages, plus the logging prefix. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tokalign/diff.h"

static const char *const method_names[3] = {"min", "max", "mean"};

void tka_report_options_init(tka_report_options *o)
{
    memset(o, 0, sizeof *o);
    o->methods[0] = TKA_STAT_MEAN;
    o->n_methods = 1;
    o->threshold = 1e-6;
}

tka_status tka_report_parse_methods(const char *text, tka_report_options *o, tka_error *err)
{
    if (strcmp(text, "all") == 0) { /* COMPAT: 'all' means ['min', 'max', 'mean'] */
        o->methods[0] = TKA_STAT_MIN;
        o->methods[1] = TKA_STAT_MAX;
        o->methods[2] = TKA_STAT_MEAN;
        o->n_methods = 3;
        return TKA_OK;
    }
    size_t n = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int found = -1;
        for (int m = 0; m < 3; m++)
            if (strlen(method_names[m]) == len && memcmp(p, method_names[m], len) == 0)
                found = m;
        if (found < 0)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "diff method '%.*s' is not one of mean, max, min (or 'all' alone)",
                                 (int)len, p);
        if (n == TKA_REPORT_MAX_METHODS)
            return tka_error_set(err, TKA_ERR_ARGUMENT, "more than %d diff methods",
                                 TKA_REPORT_MAX_METHODS);
        o->methods[n++] = (tka_stat)found;
        if (!comma)
            break;
        p = comma + 1;
    }
    o->n_methods = n;
    return TKA_OK;
}

static bool stat_fails(const tka_scalar *s, double threshold)
{
    /* COMPAT: `value > threshold` compares in double; NaN > t is False, so
     * a NaN statistic passes. */
    return tka_scalar_to_double(s) > threshold;
}

bool tka_key_diff_passed(const tka_key_diff *k, const tka_report_options *o)
{
    for (size_t m = 0; m < o->n_methods; m++)
        if (stat_fails(&k->stat[o->methods[m]], o->threshold))
            return false;
    return true;
}

tka_status tka_diff_report(const tka_diff *diff, const tka_report_options *o, tka_buf *out,
                           bool *passed, tka_error *err)
{
    bool all_ok = true;
    tka_status st = TKA_OK;
    for (size_t i = 0; i < tka_diff_count(diff) && st == TKA_OK; i++) {
        const tka_key_diff *k = tka_diff_at(diff, i);
        st = tka_buf_printf(out, "%s: \n", k->key); /* COMPAT: trailing space after the colon */
        bool ok = true; /* COMPAT: sticky: once a method failed, later ones print False */
        for (size_t m = 0; m < o->n_methods && st == TKA_OK; m++) {
            const tka_scalar *s = &k->stat[o->methods[m]];
            if (stat_fails(s, o->threshold))
                ok = false;
            char value[TKA_PYFLOAT_MAX];
            tka_scalar_format(s, value);
            st = tka_buf_printf(out, "\t%s diff: check passed: %s, value: %s\n",
                                method_names[o->methods[m]], ok ? "True" : "False", value);
            all_ok = all_ok && ok;
        }
    }
    if (st == TKA_OK)
        st = tka_buf_append_str(out, all_ok ? "diff check passed\n" : "diff check failed\n");
    if (st != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory writing the report");
    if (passed)
        *passed = all_ok;
    return TKA_OK;
}

size_t tka_report_prefix(time_t t, char *buf)
{
    struct tm tm;
    localtime_r(&t, &tm);
    size_t n = strftime(buf, 64, "[%Y/%m/%d %H:%M:%S] root INFO: ", &tm);
    return n;
}
