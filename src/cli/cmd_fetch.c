/* `tokalign fetch NAME`: download a known tokenizer's file from the HuggingFace hub. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/io.h"
#include "tokalign/resolve.h"
#include "tokalign/text.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: tokalign fetch NAME [-o|--output|--dest DIR] [--timeout SECONDS]\n\n"
                 "Downloads the vocabulary of a known model from the HuggingFace hub\n"
                 "($HF_ENDPOINT, default https://huggingface.co) with curl, checks its SHA-256\n"
                 "against the one tokalign expects, and stores it where `--tokenizer NAME` finds\n"
                 "it: DIR, default $TOKALIGN_CACHE or ~/.cache/tokalign/NAME. Nothing else in\n"
                 "tokalign ever touches the network. The whole download is bounded by --timeout\n"
                 "(default 300 s). A file whose SHA-256 is not the expected one never enters the\n"
                 "cache (nor replaces a file there): fetch fails and says both hashes.\n\n"
                 "  -o, --output DIR  where to store it (--dest and --out are aliases)\n"
                 "  --timeout S       bound on the whole download in seconds (default 300)\n\n"
                 "examples:\n"
                 "  tokalign fetch bert-base-uncased\n"
                 "  tokalign fetch hfl/chinese-bert-wwm-ext --dest vocab/hfl-wwm-ext\n");
}

/* Runs curl with its output on a pipe and copies it into `out` (which
 * hashes it). The whole transfer is bounded by `timeout` seconds: curl's
 * --max-time, and the parent kills curl when the deadline passes anyway.
 * Returns curl's exit status, -1 when it cannot be started, -2 when writing
 * failed (err set), -3 on timeout. */
static int run_curl(const char *url, int64_t timeout, tka_outfile *out, tka_error *err)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        char max_time[32], connect[32];
        snprintf(max_time, sizeof max_time, "%lld", (long long)timeout);
        snprintf(connect, sizeof connect, "%lld", (long long)(timeout < 20 ? timeout : 20));
        execlp("curl", "curl", "-fsSL", "--connect-timeout", connect, "--max-time", max_time, url,
               (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int result = 0;
    char chunk[1 << 16];
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = (double)timeout - (double)(now.tv_sec - start.tv_sec) -
                      (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        struct pollfd p = {fds[0], POLLIN, 0};
        int ready = left > 0 ? poll(&p, 1, (int)(left * 1000) + 1) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0) {
            result = -3;
            break;
        }
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (tka_outfile_write(out, chunk, (size_t)n, err) != TKA_OK) {
            result = -2;
            break;
        }
    }
    close(fds[0]);
    if (result != 0)
        kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (result != 0)
        return result;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cmd_fetch(int argc, char **argv)
{
    static const struct option options[] = {{"dest", required_argument, NULL, 'd'},
                                            {"output", required_argument, NULL, 'd'},
                                            {"timeout", required_argument, NULL, 't'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *dest_dir = NULL;
    int64_t timeout = 300;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:o:h", options, NULL)) != -1) {
        if (c == 'd' || c == 'o')
            dest_dir = optarg;
        else if (c == 't') {
            if (!cli_parse_int64("fetch", "--timeout", optarg, 1, 86400, &timeout))
                return CLI_EXIT_USAGE;
        } else if (c == 'h') {
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
    tka_buf dir = {0}, dest = {0}, url = {0};
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
    tka_error err;
    if (tka_make_dirs(dir.data, &err) != TKA_OK) {
        rc = cli_report("fetch", &err);
        goto done;
    }
    tka_outfile *file = NULL;
    if (tka_outfile_open(dest.data, &file, &err) != TKA_OK) {
        rc = cli_report("fetch", &err);
        rmdir(dir.data); /* only succeeds when we left it empty */
        goto done;
    }
    tka_error_clear(&err);
    int status = run_curl(url.data, timeout, file, &err);
    char hex[65];
    tka_outfile_sha256(file, hex);
    if (status != 0) {
        if (status == -2)
            cli_report("fetch", &err);
        else
            fprintf(stderr, "tokalign fetch: error: downloading %s failed (%s)\n", url.data,
                    status == 127  ? "curl is not installed"
                    : status == -3 ? "no complete answer within --timeout"
                    : status == 28 ? "curl timed out"
                    : status < 0   ? "could not run curl"
                                   : "curl reported an error; offline?");
    } else if (strcmp(hex, known->sha256) != 0) {
        fprintf(stderr, "tokalign fetch: error: %s has SHA-256 %s, expected %s; not stored in %s\n",
                url.data, hex, known->sha256, dir.data);
    } else if (tka_outfile_commit(file, &err) != TKA_OK) {
        cli_report("fetch", &err);
    } else {
        printf("%s -> %s (sha256 %s)\n", url.data, dest.data, hex);
        rc = CLI_EXIT_OK;
    }
    tka_outfile_free(file); /* removes the temporary file unless committed */
    if (rc != CLI_EXIT_OK)
        rmdir(dir.data);
done:
    tka_buf_free(&dir);
    tka_buf_free(&dest);
    tka_buf_free(&url);
    return rc;
}
