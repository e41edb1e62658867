/* Error printing, option parsing and file opening shared by the subcommands. */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io.h"
#include "tokalign/resolve.h"
#include "tokalign/tokenizer.h"

int cli_usage_error(const char *command, const char *fmt, ...)
{
    fprintf(stderr, "tokalign %s: ", command);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `tokalign %s --help`)\n", command);
    return CLI_EXIT_USAGE;
}

const char *cli_remedy(const tka_error *err)
{
    /* HF's missing-pad-token ValueError names its Python remedies; ours follow. */
    if (err->status == TKA_ERR_REFERENCE && err->ref == TKA_REF_NO_PAD_TOKEN)
        return " tokalign: give the pad token with --pad-id N or --pad-token PIECE (e.g. "
               "--pad-token '</s>', Reformer's eos, as tokenizer.pad_token = tokenizer.eos_token).";
    return "";
}

int cli_report(const char *command, const tka_error *err)
{
    fprintf(stderr, "tokalign %s: error: %s%s\n", command,
            err->message[0] ? err->message : tka_status_name(err->status), cli_remedy(err));
    return CLI_EXIT_ERROR;
}

bool cli_parse_int64(const char *command, const char *option, const char *text, int64_t min,
                     int64_t max, int64_t *out)
{
    /* Strict: an optional '-', digits, nothing else; out of range (also
     * beyond 64 bits: ERANGE) is an error naming the value, never clamped. */
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    bool digits =
        (text[0] >= '0' && text[0] <= '9') || (text[0] == '-' && text[1] >= '0' && text[1] <= '9');
    if (!digits || errno || end == text || *end || v < min || v > max) {
        cli_usage_error(command, "%s expects an integer in [%lld, %lld], got '%s'", option,
                        (long long)min, (long long)max, text);
        return false;
    }
    *out = (int64_t)v;
    return true;
}

FILE *cli_open_input(const char *command, const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdin;
    if (tka_is_dir(path)) {
        tka_error err = {0};
        tka_error_is_directory(&err, path, "a file");
        cli_report(command, &err);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        fprintf(stderr, "tokalign %s: error: %s: cannot open: %s\n", command, path,
                strerror(errno));
    return f;
}

/* The outputs opened by cli_open_output, by stream (a command opens one or two). */
#define MAX_OUTPUTS 8
static tka_outfile *outputs[MAX_OUTPUTS];

static tka_outfile **output_of(FILE *f)
{
    for (int i = 0; i < MAX_OUTPUTS; i++)
        if (outputs[i] && tka_outfile_stream(outputs[i]) == f)
            return &outputs[i];
    return NULL;
}

FILE *cli_open_output(const char *command, const char *path)
{
    tka_outfile **slot = NULL;
    for (int i = 0; i < MAX_OUTPUTS && !slot; i++)
        if (!outputs[i])
            slot = &outputs[i];
    tka_error err;
    if (!slot) {
        fprintf(stderr, "tokalign %s: error: too many outputs\n", command);
        return NULL;
    }
    if (tka_outfile_open(path ? path : "-", slot, &err) != TKA_OK) {
        cli_report(command, &err);
        return NULL;
    }
    return tka_outfile_stream(*slot);
}

int cli_close_output(const char *command, FILE *f, int rc)
{
    tka_outfile **slot = f ? output_of(f) : NULL;
    if (!slot)
        return rc;
    tka_error err;
    if (rc == CLI_EXIT_OK && tka_outfile_commit(*slot, &err) != TKA_OK)
        rc = cli_report(command, &err);
    tka_outfile_free(*slot);
    *slot = NULL;
    return rc;
}

int cli_check_not_input(const char *command, const char *output, const char *input)
{
    tka_error err;
    if (tka_check_not_input(output, input, &err) != TKA_OK)
        return cli_report(command, &err);
    return CLI_EXIT_OK;
}

void cli_close(FILE *f)
{
    if (f && output_of(f))
        cli_close_output("", f, CLI_EXIT_ERROR); /* not committed: the temporary goes */
    else if (f && f != stdin && f != stdout && f != stderr)
        fclose(f);
}

int cli_finish_stdout(const char *command, int rc)
{
    /* Every command's last word: output lost to a full disk or a closed
     * stdout is an error, not a success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        fprintf(stderr, "tokalign %s: error: <stdout>: write error: %s\n", command, strerror(e));
        return rc == CLI_EXIT_OK || rc == CLI_EXIT_CHECK_FAILED ? CLI_EXIT_ERROR : rc;
    }
    return rc;
}

const char *cli_default_mirror(void)
{
    static char mirror[PATH_MAX];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    /* <project>/<build dir>/tokalign -> <project>/../shared/data */
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            return NULL;
        *slash = '\0';
    }
    if ((size_t)snprintf(mirror, sizeof mirror, "%s/../shared/data", exe) >= sizeof mirror)
        return NULL;
    return tka_is_dir(mirror) ? mirror : NULL;
}

void cli_tokenizer_options_init(tka_tokenizer_options *options)
{
    tka_tokenizer_options_init(options);
    if (!tka_mirror_dir(NULL))
        options->mirror_dir = cli_default_mirror();
}

static void on_signal(int sig)
{
    tka_outfile_remove_temps();
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_install_signal_cleanup(void)
{
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        struct sigaction old;
        /* keep "ignored" (nohup, background jobs) as it was */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}
