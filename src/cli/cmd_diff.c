/* `tokalign diff`: ReprodDiffHelper.compare_info + report on two dumps, the
 * log byte for byte on stdout (and --log FILE), the reasons on stderr. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/diff_report.h"
#include "core/io.h"
#include "tokalign/diff.h"
#include "tokalign/dump.h"
#include "tokalign/tokenizer.h"

static void diff_help(void)
{
    printf(
        "usage: tokalign diff FIRST SECOND [--method M] [--threshold T] [-o|--output|--log FILE]\n"
        "                    [--tokenizer T [--tokenizer T2]] [--json] [--html FILE] [--no-explain]\n\n"
        "Compares two dumps (.npy reprod_log dicts, .npz or JSON mirrors) exactly like\n"
        "reprod_log's ReprodDiffHelper: compare_info(load_info(FIRST), load_info(SECOND))\n"
        "then report(diff_method=M, diff_threshold=T). The report lines\n"
        "  [YYYY/MM/DD HH:MM:SS] root INFO: <message>\n"
        "go to stdout and, with -o, to FILE (created with its directories, like\n"
        "report(path=FILE); reprod_log's default path is ./diff.txt). Where reprod_log\n"
        "raises, its exception text goes to stderr and no report is written.\n\n"
        "  --method M       mean (default), max, min, all (= min,max,mean), or a\n"
        "                   comma-separated list such as mean,min\n"
        "  --threshold T    a statistic fails when value > T (default 1e-6)\n"
        "  -o, --output FILE\n"
        "                   also write the report to FILE (--log is an alias)\n"
        "  --tokenizer T    for failing *input_ids keys, show the tokens on both sides;\n"
        "                   given twice: the first dump's, then the second's\n"
        "  --json           print one JSON document on stdout instead of the report:\n"
        "                   {\"passed\", \"files\", \"exception\", \"printed\", \"report\",\n"
        "                   \"keys\": [{\"key\",\n"
        "                   \"passed\", \"value\", \"values\", \"shape_a\", \"shape_b\", \"dtype_a\",\n"
        "                   \"dtype_b\", \"elements_differ\", \"first_difference\", \"cause\",\n"
        "                   \"explanation\", \"error\", \"source_a\", \"source_b\", \"row_a\", \"row_b\"}]}\n"
        "                   (value null where numpy could not compare the key)\n"
        "  --html FILE      write a self-contained page: the per-key table, and for\n"
        "                   failing token keys both rows side by side and the source text\n"
        "  --no-explain     do not print the reasons for failing keys on stderr\n\n"
        "For every failing key, stderr tells what differs (both shapes, the first differing\n"
        "position with both values), the tokens of that row (--tokenizer), the dataset rows\n"
        "behind it (from the OUT.json sidecar `tokalign pipeline` writes beside OUT.npy,\n"
        "see docs/dump.md) and the likely cause: a different row (sampler, order, data\n"
        "file), the same row tokenized differently (vocabulary, casing, normalization),\n"
        "truncation, padding, or dtype. Every key is explained, also where reprod_log\n"
        "stops at the first one.\n\n"
        "exit status: 0 every key passed; 1 a key differs (shape mismatches and missing\n"
        "keys included: reprod_log's ValueError / AssertionError); 2 usage error; 3 a file\n"
        "could not be read, or reprod_log cannot compare the dumps at all (bool arrays,\n"
        "empty arrays).\n\n"
        "examples:\n"
        "  tokalign diff out/data_torch.npy out/data_paddle.npy -o diff.txt\n"
        "  tokalign diff a.npy b.npy --method all --threshold 1e-5\n"
        "  tokalign diff a.npy b.npy --tokenizer bert-base-uncased --html diff.html\n"
        "  tokalign diff a.npy b.npy --json | jq '.keys[] | select(.passed | not)'\n");
}

/* The "meta" of a dump: its own (JSON mirror), else that of its sidecar
 * (tka_dump_sidecar_meta: a sidecar of another run is ignored, with a
 * note). Caller frees. */
static char *find_meta(const char *path, const tka_dict *d)
{
    if (tka_dict_meta(d))
        return strdup(tka_dict_meta(d));
    char *meta = NULL;
    tka_error err;
    if (tka_dump_sidecar_meta(path, &meta, &err) != TKA_OK)
        fprintf(stderr, "tokalign diff: note: ignoring the sidecar: %s\n", err.message);
    return meta;
}

static const char *token_text(void *ctx, int64_t id, size_t *len)
{
    if (id < INT32_MIN || id > INT32_MAX)
        return NULL;
    return tka_tokenizer_id_to_token(ctx, (int32_t)id, len);
}

/* The report lines with the logging prefix. */
static tka_status prefixed_log(const tka_buf *messages, tka_buf *out)
{
    tka_status st = TKA_OK;
    if (!messages->len)
        return st;
    const char *p = messages->data, *end = messages->data + messages->len;
    while (p < end && st == TKA_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p) + 1;
        char prefix[64];
        size_t pl = tka_report_prefix(time(NULL), prefix);
        st = tka_buf_append(out, prefix, pl);
        if (st == TKA_OK)
            st = tka_buf_append(out, p, n);
        p += n;
    }
    return st;
}

/* Written atomically (cli_open_output): an interrupted run leaves no
 * truncated log or page behind. */
static int write_output(const char *path, const tka_buf *data)
{
    tka_error err;
    if (tka_make_parent_dirs(path, &err) != TKA_OK)
        return cli_report("diff", &err);
    FILE *f = cli_open_output("diff", path);
    if (!f)
        return CLI_EXIT_ERROR;
    int rc = data->len && fwrite(data->data, 1, data->len, f) != data->len ? CLI_EXIT_ERROR
                                                                           : CLI_EXIT_OK;
    return cli_close_output("diff", f, rc);
}

/* Where reprod_log raised: name the key it stopped at. */
static void name_raising_key(const tka_error *err, tka_dict *const d[2], const char *const files[2],
                             const tka_explanation *ex)
{
    if (strncmp(err->message, "AssertionError", 14) == 0) {
        for (int s = 0; s < 2; s++)
            for (size_t i = 0; i < tka_dict_size(d[s]); i++)
                if (tka_dict_find(d[1 - s], tka_dict_key(d[s], i)) < 0) {
                    fprintf(stderr, "tokalign diff: key '%s' of %s is missing from %s\n",
                            tka_dict_key(d[s], i), files[s], files[1 - s]);
                    return;
                }
    }
    for (size_t i = 0; ex && i < tka_explanation_count(ex); i++)
        if (tka_explanation_at(ex, i)->error) {
            fprintf(stderr, "tokalign diff: raised at key '%s'\n", tka_explanation_at(ex, i)->key);
            return;
        }
}

int cmd_diff(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *log_path = NULL, *tokenizer[2] = {NULL, NULL},
               *html_path = NULL;
    bool explain = true, json = false;
    tka_report_options opt;
    tka_report_options_init(&opt);
    tka_error err;
    tka_error_clear(&err);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            diff_help();
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--no-explain") == 0) {
            explain = false;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (!strcmp(a, "--method") || !strcmp(a, "--threshold") || !strcmp(a, "--log") ||
                   !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--tokenizer") ||
                   !strcmp(a, "--html")) {
            if (i + 1 >= argc)
                return cli_usage_error("diff", "%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--method") == 0) {
                if (tka_report_parse_methods(v, &opt, &err) != TKA_OK)
                    return cli_usage_error("diff", "--method: %s", err.message);
            } else if (strcmp(a, "--threshold") == 0) {
                char *end;
                errno = 0;
                opt.threshold = strtod(v, &end);
                if (errno || end == v || *end)
                    return cli_usage_error("diff", "--threshold expects a number, got '%s'", v);
            } else if (strcmp(a, "--html") == 0) {
                html_path = v;
            } else if (strcmp(a, "--tokenizer") == 0) {
                if (tokenizer[1])
                    return cli_usage_error("diff", "--tokenizer given more than twice");
                tokenizer[tokenizer[0] ? 1 : 0] = v;
            } else {
                log_path = v;
            }
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("diff", "unknown option '%s'", a);
        } else if (!files[0]) {
            files[0] = a;
        } else if (!files[1]) {
            files[1] = a;
        } else {
            return cli_usage_error("diff", "two dump files expected, got a third: '%s'", a);
        }
    }
    if (!files[1])
        return cli_usage_error("diff", "two dump files expected");

    for (int s = 0; s < 2; s++)
        if (cli_check_not_input("diff", log_path, files[s]) != CLI_EXIT_OK ||
            cli_check_not_input("diff", html_path, files[s]) != CLI_EXIT_OK)
            return CLI_EXIT_ERROR;
    tka_tokenizer *tok[2] = {NULL, NULL};
    tka_tokenizer_options topt;
    cli_tokenizer_options_init(&topt);
    for (int s = 0; s < 2; s++)
        if (tokenizer[s] && tka_tokenizer_open(tokenizer[s], &topt, &tok[s], &err) != TKA_OK) {
            tka_error_prefix(&err, "--tokenizer %s: ", tokenizer[s]);
            tka_tokenizer_free(tok[0]);
            return cli_report("diff", &err);
        }
    tka_dict *d[2] = {NULL, NULL};
    int rc = CLI_EXIT_ERROR;
    tka_diff *diff = NULL;
    tka_explanation *ex = NULL;
    tka_buf out = {0}, messages = {0}, why = {0}, log = {0}, doc = {0};
    char *meta[2] = {NULL, NULL};
    for (int s = 0; s < 2; s++)
        if (tka_dump_read(files[s], TKA_FORMAT_AUTO, &d[s], NULL, &err) != TKA_OK) {
            cli_report("diff", &err);
            goto done;
        }
    /* reprod_log's own verdict: compare_info then report, output byte for byte */
    tka_status st = tka_diff_compare(d[0], d[1], &diff, &out, &err);
    bool raised = st == TKA_ERR_REFERENCE, passed = false;
    if (st != TKA_OK && !raised) {
        cli_report("diff", &err);
        goto done;
    }
    if (!json && out.len) /* compare_info's prints come first, also when it then raises */
        fwrite(out.data, 1, out.len, stdout);
    if (!raised && tka_diff_report(diff, &opt, &messages, &passed, &err) != TKA_OK) {
        cli_report("diff", &err);
        goto done;
    }
    /* every key on its own, and why it fails */
    if (explain || json || html_path) {
        meta[0] = find_meta(files[0], d[0]);
        meta[1] = find_meta(files[1], d[1]);
        tka_explain_options eo = {meta[0],
                                  meta[1],
                                  tok[0] ? token_text : NULL,
                                  tok[0],
                                  0,
                                  tok[1] ? token_text : NULL,
                                  tok[1],
                                  raised ? NULL : diff};
        tka_error e2;
        if (tka_diff_explain_all(d[0], d[1], &opt, &eo, &ex, &e2) != TKA_OK) {
            cli_report("diff", &e2);
            goto done;
        }
    }
    if (raised) {
        if (!json) {
            fflush(stdout);
            cli_report("diff", &err);
            name_raising_key(&err, d, files, ex);
        }
    } else {
        if (prefixed_log(&messages, &log) != TKA_OK) {
            fprintf(stderr, "tokalign diff: error: out of memory\n");
            goto done;
        }
        if (!json)
            fwrite(log.data, 1, log.len, stdout);
        fflush(stdout);
        if (log_path && write_output(log_path, &log) != CLI_EXIT_OK)
            goto done;
    }
    if (explain && !json && ex) {
        for (size_t i = 0; i < tka_explanation_count(ex); i++) {
            why.len = 0;
            if (tka_key_explanation_format(tka_explanation_at(ex, i), 0, &why) != TKA_OK ||
                !why.len)
                continue;
            for (const char *p = why.data, *end = why.data + why.len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
                fprintf(stderr, "tokalign diff: %.*s", (int)n, p);
                p += n;
            }
        }
    }
    diff_summary sum = {{files[0], files[1]},
                        passed && !raised,
                        raised ? err.message : NULL,
                        &messages,
                        &out,
                        &opt,
                        ex};
    if (json) {
        if (diff_render_json(&sum, &doc) != TKA_OK) {
            fprintf(stderr, "tokalign diff: error: out of memory\n");
            goto done;
        }
        fwrite(doc.data, 1, doc.len, stdout);
        fflush(stdout);
        if (raised)
            cli_report("diff", &err);
    }
    if (html_path) {
        doc.len = 0;
        if (diff_render_html(&sum, &doc) != TKA_OK) {
            fprintf(stderr, "tokalign diff: error: out of memory\n");
            goto done;
        }
        if (write_output(html_path, &doc) != CLI_EXIT_OK)
            goto done;
    }
    /* COMPAT: reprod_log raises ValueError for mismatched shapes and
     * AssertionError for missing keys: both are differences (exit 1); a bool
     * or empty array it cannot compare at all (exit 3). */
    if (raised)
        rc = !strncmp(err.message, "AssertionError", 14) ||
                     strstr(err.message, "could not be broadcast")
                 ? CLI_EXIT_CHECK_FAILED
                 : CLI_EXIT_ERROR;
    else
        rc = passed ? CLI_EXIT_OK : CLI_EXIT_CHECK_FAILED;
done:
    free(meta[0]);
    free(meta[1]);
    tka_buf_free(&out);
    tka_buf_free(&messages);
    tka_buf_free(&why);
    tka_buf_free(&log);
    tka_buf_free(&doc);
    tka_diff_free(diff);
    tka_explanation_free(ex);
    tka_dict_free(d[0]);
    tka_dict_free(d[1]);
    tka_tokenizer_free(tok[0]);
    tka_tokenizer_free(tok[1]);
    return rc;
}
