/* `tokalign fetch NAME`: download a known tokenizer's file from the HuggingFace hub. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/io.h"
#include "tokalign/resolve.h"
#include "tokalign/text.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tokalign fetch NAME [--dest DIR]\n\n"
            "Downloads the vocabulary of a known model from the HuggingFace hub\n"
            "($HF_ENDPOINT, default https://huggingface.co) with curl, checks its SHA-256\n"
            "against the one tokalign expects, and stores it where `--tokenizer NAME` finds\n"
            "it: DIR, default $TOKALIGN_CACHE or ~/.cache/tokalign/NAME. Nothing else in\n"
            "tokalign ever touches the network.\n\n"
            "examples:\n"
            "  tokalign fetch bert-base-uncased\n"
            "  tokalign fetch hfl/chinese-bert-wwm-ext --dest vocab/hfl-wwm-ext\n");
}

/* Runs curl; returns its exit status (or -1 when it cannot be started). */
static int run_curl(const char *url, const char *dest)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execlp("curl", "curl", "-fsSL", "--retry", "2", "--connect-timeout", "20", "-o", dest, url,
               (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cmd_fetch(int argc, char **argv)
{
    static const struct option options[] = {
        {"dest", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *dest_dir = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h", options, NULL)) != -1) {
        if (c == 'd')
            dest_dir = optarg;
        else if (c == 'h') {
            usage(stdout);
            return CLI_EXIT_OK;
        } else
            return cli_usage_error("fetch", "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage_error("fetch", "expects exactly one model NAME");
    const char *name = argv[optind];
    const tka_known_model *known = tka_known_model_find(name);
    if (!known) {
        size_t n;
        const tka_known_model *all = tka_known_models(&n);
        fprintf(stderr, "tokalign fetch: error: '%s' is not a known name; known names:", name);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", all[i].name);
        fprintf(stderr, "\n");
        return CLI_EXIT_ERROR;
    }
    if (!known->hub_repo) {
        fprintf(stderr,
                "tokalign fetch: error: %s is not published on the HuggingFace hub; place it "
                "with `bash vocab/place.sh %s` or pass a path to --tokenizer\n",
                name, name);
        return CLI_EXIT_ERROR;
    }
    tka_buf dir = {0}, dest = {0}, part = {0}, url = {0};
    int rc = CLI_EXIT_ERROR;
    if (dest_dir) {
        tka_buf_append_str(&dir, dest_dir);
    } else {
        char *cache = tka_fetch_cache_dir();
        if (!cache) {
            fprintf(stderr, "tokalign fetch: error: no HOME or TOKALIGN_CACHE to store into\n");
            return CLI_EXIT_ERROR;
        }
        tka_buf_printf(&dir, "%s/%s", cache, name);
        free(cache);
    }
    const char *endpoint = getenv("HF_ENDPOINT");
    if (!endpoint || !*endpoint)
        endpoint = "https://huggingface.co";
    tka_buf_printf(&url, "%s/%s/resolve/main/%s", endpoint, known->hub_repo, known->file_name);
    tka_buf_printf(&dest, "%s/%s", dir.data, known->file_name);
    tka_buf_printf(&part, "%s.part", dest.data);
    tka_error mkerr;
    if (tka_make_dirs(dir.data, &mkerr) != TKA_OK) {
        rc = cli_report("fetch", &mkerr);
        goto done;
    }
    int status = run_curl(url.data, part.data);
    if (status != 0) {
        remove(part.data);
        rmdir(dir.data); /* only succeeds when we left it empty */
        fprintf(stderr, "tokalign fetch: error: downloading %s failed (%s)\n", url.data,
                status == 127 ? "curl is not installed" : status < 0 ? "could not run curl"
                                                                     : "curl reported an error; offline?");
        goto done;
    }
    if (rename(part.data, dest.data) != 0) {
        fprintf(stderr, "tokalign fetch: error: %s: %s\n", dest.data, strerror(errno));
        goto done;
    }
    tka_resolved r;
    tka_error err;
    if (tka_resolve(dest.data, NULL, &r, NULL, &err) != TKA_OK) {
        rc = cli_report("fetch", &err);
        goto done;
    }
    if (strcmp(r.sha256, known->sha256) != 0)
        fprintf(stderr,
                "tokalign fetch: warning: %s has SHA-256 %s, expected %s; ids may not match the "
                "reference\n",
                dest.data, r.sha256, known->sha256);
    printf("%s -> %s (sha256 %s)\n", url.data, dest.data, r.sha256);
    tka_resolved_free(&r);
    rc = CLI_EXIT_OK;
done:
    tka_buf_free(&dir);
    tka_buf_free(&dest);
    tka_buf_free(&part);
    tka_buf_free(&url);
    return rc;
}
