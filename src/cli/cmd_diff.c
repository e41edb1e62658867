/* `tokalign diff`: ReprodDiffHelper.compare_info + report on two dumps, the
 * log byte for byte on stdout (and --log FILE), the reasons on stderr. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/io.h"
#include "tokalign/diff.h"
#include "tokalign/dump.h"
#include "tokalign/tokenizer.h"

static void diff_help(void)
{
    printf("usage: tokalign diff FIRST SECOND [--method M] [--threshold T] [--log FILE]\n"
           "                    [--tokenizer NAME|PATH] [--no-explain]\n\n"
           "Compares two dumps (.npy reprod_log dicts, .npz or JSON mirrors) exactly like\n"
           "reprod_log's ReprodDiffHelper: compare_info(load_info(FIRST), load_info(SECOND))\n"
           "then report(diff_method=M, diff_threshold=T). The report lines\n"
           "  [YYYY/MM/DD HH:MM:SS] root INFO: <message>\n"
           "go to stdout and, with --log, to FILE (created with its directories, like\n"
           "report(path=FILE); reprod_log's default path is ./diff.txt).\n\n"
           "  --method M       mean (default), max, min, all (= min,max,mean), or a\n"
           "                   comma-separated list such as mean,min\n"
           "  --threshold T    a statistic fails when value > T (default 1e-6)\n"
           "  --log FILE       also write the report to FILE\n"
           "  --tokenizer T    for failing *input_ids keys, show the tokens on both sides\n"
           "  --no-explain     do not print the reasons for failing keys on stderr\n\n"
           "For every failing key, stderr tells how many elements differ, the first one with\n"
           "both values, the tokens of that row (--tokenizer) and the dataset row it came from\n"
           "(when a JSON mirror with \"meta\" sits beside the .npy, see docs/dump.md).\n\n"
           "exit status: 0 every key passed, 1 a check failed, 2 usage error, 3 a file could\n"
           "not be read or reprod_log would raise (the exception is printed).\n\n"
           "examples:\n"
           "  tokalign diff out/data_torch.npy out/data_paddle.npy --log diff.txt\n"
           "  tokalign diff a.npy b.npy --method all --threshold 1e-5\n");
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

static void print_log(FILE *out, FILE *log, const tka_buf *messages)
{
    const char *p = messages->data, *end = messages->data + messages->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p) + 1;
        char prefix[64];
        size_t pl = tka_report_prefix(time(NULL), prefix);
        fwrite(prefix, 1, pl, out);
        fwrite(p, 1, n, out);
        if (log) {
            fwrite(prefix, 1, pl, log);
            fwrite(p, 1, n, log);
        }
        p += n;
    }
}

int cmd_diff(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *log_path = NULL, *tokenizer = NULL;
    bool explain = true;
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
        } else if (!strcmp(a, "--method") || !strcmp(a, "--threshold") || !strcmp(a, "--log") ||
                   !strcmp(a, "--tokenizer")) {
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
            } else if (strcmp(a, "--log") == 0) {
                log_path = v;
            } else {
                tokenizer = v;
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
        if (cli_check_not_input("diff", log_path, files[s]) != CLI_EXIT_OK)
            return CLI_EXIT_ERROR;
    tka_tokenizer *tok = NULL;
    tka_tokenizer_options topt;
    cli_tokenizer_options_init(&topt);
    if (tokenizer && tka_tokenizer_open(tokenizer, &topt, &tok, &err) != TKA_OK) {
        tka_error_prefix(&err, "--tokenizer %s: ", tokenizer);
        return cli_report("diff", &err);
    }
    tka_dict *d[2] = {NULL, NULL};
    int rc = CLI_EXIT_ERROR;
    tka_diff *diff = NULL;
    tka_buf out = {0}, messages = {0}, why = {0};
    char *meta[2] = {NULL, NULL};
    for (int s = 0; s < 2; s++)
        if (tka_dump_read(files[s], TKA_FORMAT_AUTO, &d[s], NULL, &err) != TKA_OK) {
            cli_report("diff", &err);
            goto done;
        }
    tka_status st = tka_diff_compare(d[0], d[1], &diff, &out, &err);
    if (out.len) /* compare_info's prints come first, also when it then raises */
        fwrite(out.data, 1, out.len, stdout);
    if (st != TKA_OK) {
        fflush(stdout);
        cli_report("diff", &err);
        if (st == TKA_ERR_REFERENCE && strncmp(err.message, "AssertionError", 14) == 0) {
            for (int s = 0; s < 2; s++)
                for (size_t i = 0; i < tka_dict_size(d[s]); i++)
                    if (tka_dict_find(d[1 - s], tka_dict_key(d[s], i)) < 0) {
                        fprintf(stderr, "tokalign diff: key '%s' of %s is missing from %s\n",
                                tka_dict_key(d[s], i), files[s], files[1 - s]);
                        s = 2;
                        break;
                    }
        } else if (st == TKA_ERR_REFERENCE) {
            /* name the key reprod_log would have stopped at */
            for (size_t i = 0; i < tka_dict_size(d[0]); i++) {
                tka_dict *one[2] = {tka_dict_new(), tka_dict_new()};
                tka_diff *dd = NULL;
                tka_error e2;
                const char *k = tka_dict_key(d[0], i);
                bool bad = one[0] && one[1] && tka_dict_add(one[0], k, tka_dict_at(d[0], i), &e2) == TKA_OK &&
                           tka_dict_add(one[1], k, tka_dict_get(d[1], k), &e2) == TKA_OK &&
                           tka_diff_compare(one[0], one[1], &dd, NULL, &e2) != TKA_OK;
                tka_diff_free(dd);
                tka_dict_free(one[0]);
                tka_dict_free(one[1]);
                if (bad) {
                    fprintf(stderr, "tokalign diff: raised at key '%s'\n", k);
                    break;
                }
            }
        }
        goto done;
    }
    bool passed = false;
    if (tka_diff_report(diff, &opt, &messages, &passed, &err) != TKA_OK) {
        cli_report("diff", &err);
        goto done;
    }
    FILE *log = NULL;
    if (log_path) {
        if (tka_make_parent_dirs(log_path, &err) != TKA_OK) {
            cli_report("diff", &err);
            goto done;
        }
        if (!(log = cli_open_output("diff", log_path)))
            goto done;
    }
    print_log(stdout, log, &messages);
    if (log && cli_close_output("diff", log, CLI_EXIT_OK) != CLI_EXIT_OK)
        goto done; /* stdout's errors are caught by main (cli_finish_stdout) */
    if (explain && !passed) {
        meta[0] = find_meta(files[0], d[0]);
        meta[1] = find_meta(files[1], d[1]);
        tka_explain_options eo = {meta[0], meta[1], tok ? token_text : NULL, tok, 0};
        for (size_t i = 0; i < tka_diff_count(diff); i++) {
            const tka_key_diff *k = tka_diff_at(diff, i);
            if (tka_key_diff_passed(k, &opt))
                continue;
            why.len = 0;
            if (tka_diff_explain(k, tka_dict_at(d[0], i), tka_dict_get(d[1], k->key), &eo, &why) != TKA_OK)
                continue;
            for (const char *p = why.data, *end = why.data + why.len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
                fprintf(stderr, "tokalign diff: %.*s", (int)n, p);
                p += n;
            }
        }
    }
    rc = passed ? CLI_EXIT_OK : CLI_EXIT_CHECK_FAILED;
done:
    free(meta[0]);
    free(meta[1]);
    tka_buf_free(&out);
    tka_buf_free(&messages);
    tka_buf_free(&why);
    tka_diff_free(diff);
    tka_dict_free(d[0]);
    tka_dict_free(d[1]);
    tka_tokenizer_free(tok);
    return rc;
}
