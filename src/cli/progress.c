/* Progress on stderr for tokenize / encode / decode / pipeline / read:
 * "tokalign CMD: R rows, X MB of Y MB (P%), Z MB/s, ETA M:SS". On a
 * terminal the line is rewritten in place; forced (--progress) into a file
 * or pipe, each report is its own line. Nothing at all unless asked or a
 * terminal. */
#include "cli/progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool cli_progress_option(const char *arg, int *mode)
{
    if (strcmp(arg, "--progress") == 0)
        *mode = CLI_PROGRESS_ON;
    else if (strcmp(arg, "--no-progress") == 0)
        *mode = CLI_PROGRESS_OFF;
    else
        return false;
    return true;
}

void cli_progress_start(cli_progress *p, const char *command, int mode, const char *path)
{
    memset(p, 0, sizeof *p);
    p->command = command;
    p->tty = isatty(STDERR_FILENO);
    p->on = mode == CLI_PROGRESS_ON || (mode == CLI_PROGRESS_AUTO && p->tty);
    struct stat sb;
    if (path && strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        p->total = (uint64_t)sb.st_size;
    p->start = p->last = now();
}

static void print(cli_progress *p, double t, bool final)
{
    double mb = (double)p->bytes / 1e6, secs = t - p->start;
    double rate = secs > 0 ? mb / secs : 0;
    char line[256];
    int n = snprintf(line, sizeof line, "tokalign %s: %llu rows, %.1f MB", p->command,
                     (unsigned long long)p->rows, mb);
    if (p->total && n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, " of %.1f MB (%d%%)",
                      (double)p->total / 1e6, (int)(100.0 * (double)p->bytes / (double)p->total));
    if (n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, ", %.1f MB/s", rate);
    if (n > 0 && (size_t)n < sizeof line) {
        if (final) {
            snprintf(line + n, sizeof line - (size_t)n, ", done in %.1f s", secs);
        } else if (p->total && p->bytes && rate > 0) {
            double eta = ((double)(p->total - p->bytes) / 1e6) / rate;
            unsigned long e = (unsigned long)(eta + 0.5);
            snprintf(line + n, sizeof line - (size_t)n, ", ETA %lu:%02lu", e / 60, e % 60);
        }
    }
    if (p->tty) /* rewrite the line in place, clearing what a longer one left */
        fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
    else
        fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

void cli_progress_update(cli_progress *p, uint64_t rows, uint64_t bytes)
{
    if (!p->on)
        return;
    p->rows = rows;
    p->bytes = p->total && bytes > p->total ? p->total : bytes;
    double t = now();
    if (t - p->last < 0.25)
        return;
    p->last = t;
    print(p, t, false);
}

void cli_progress_finish(cli_progress *p, uint64_t rows, uint64_t bytes)
{
    if (!p->on)
        return;
    p->rows = rows;
    p->bytes = bytes == UINT64_MAX ? (p->total ? p->total : p->bytes) : bytes;
    print(p, now(), true);
    p->on = false;
}

void cli_progress_callback(void *ctx, uint64_t rows, uint64_t bytes)
{
    if (bytes == UINT64_MAX)
        cli_progress_finish(ctx, rows, bytes);
    else
        cli_progress_update(ctx, rows, bytes);
}
