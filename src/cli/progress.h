/* Progress of long runs over files on stderr: rows, MB, MB/s and, when the
 * input's size is known, the share done and an ETA. */
#ifndef TKA_CLI_PROGRESS_H
#define TKA_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* --progress / --no-progress / neither (on when stderr is a terminal) */
enum { CLI_PROGRESS_AUTO = -1, CLI_PROGRESS_OFF = 0, CLI_PROGRESS_ON = 1 };

typedef struct cli_progress {
    bool on, tty;
    const char *command;
    uint64_t total; /* input size in bytes; 0: unknown (a pipe) */
    uint64_t rows, bytes;
    double start, last; /* monotonic seconds */
} cli_progress;

/* Whether argv[i] is --progress or --no-progress; sets *mode. */
bool cli_progress_option(const char *arg, int *mode);

/* `path` (NULL or "-": stdin) gives the total size when it is a regular file. */
void cli_progress_start(cli_progress *p, const char *command, int mode, const char *path);
/* Rows and bytes done so far; prints at most 4 times a second. */
void cli_progress_update(cli_progress *p, uint64_t rows, uint64_t bytes);
/* The final line (bytes UINT64_MAX: all of the input). */
void cli_progress_finish(cli_progress *p, uint64_t rows, uint64_t bytes);
/* The pipeline's callback (ctx: a cli_progress); bytes UINT64_MAX = the end. */
void cli_progress_callback(void *ctx, uint64_t rows, uint64_t bytes);

#endif
