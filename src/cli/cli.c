/* Error printing, option parsing and file opening shared by the subcommands. */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
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

int cli_report(const char *command, const tka_error *err)
{
    fprintf(stderr, "tokalign %s: error: %s\n", command,
            err->message[0] ? err->message : tka_status_name(err->status));
    return CLI_EXIT_ERROR;
}

bool cli_parse_int64(const char *command, const char *option, const char *text, int64_t min,
                     int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
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
        fprintf(stderr, "tokalign %s: error: %s: is a directory, expected a file\n", command, path);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        fprintf(stderr, "tokalign %s: error: %s: cannot open: %s\n", command, path,
                strerror(errno));
    return f;
}

FILE *cli_open_output(const char *command, const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "wb");
    if (!f)
        fprintf(stderr, "tokalign %s: error: %s: cannot create: %s\n", command, path,
                strerror(errno));
    return f;
}

void cli_close(FILE *f)
{
    if (f && f != stdin && f != stdout && f != stderr)
        fclose(f);
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
