/* Record input for tokenize / encode: lines or JSONL read in chunks,
 * processed by N threads, output written in input order. */
#ifndef TKA_CLI_RECORDS_H
#define TKA_CLI_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tokalign/status.h"
#include "tokalign/text.h"

typedef enum { CLI_INPUT_LINES = 0, CLI_INPUT_JSONL } cli_input_format;

typedef struct cli_input {
    const char *path; /* NULL or "-": stdin */
    cli_input_format format;
    const char *text_field; /* JSONL: field holding the text ("text") */
    const char *pair_field; /* JSONL: field holding text_pair, or NULL */
    tka_utf8_errors errors; /* invalid UTF-8: error, or U+FFFD like Python */
    int progress;           /* CLI_PROGRESS_AUTO / _ON / _OFF (cli/progress.h) */
} cli_input;

/* One input record. Texts are valid UTF-8 (replaced if asked). */
typedef struct cli_record {
    const char *text;
    size_t len;
    const char *pair; /* NULL: no text_pair (absent or JSON null) */
    size_t pair_len;
} cli_record;

/* The work of one command. `make` creates per-thread state; `run` handles
 * one record, appending its output to `out`; *chunk_user is a per-chunk
 * slot (NULL at first) for jobs that keep results. Accumulating jobs
 * (finish != NULL) write nothing per chunk: after the last chunk, `finish`
 * gets every chunk's user pointer in input order and writes the output;
 * `free_user` then releases them. */
typedef struct cli_job {
    void *(*make)(void *shared, tka_error *err);
    void (*free_state)(void *state);
    tka_status (*run)(void *state, const cli_record *rec, tka_buf *out, void **chunk_user,
                      tka_error *err);
    int (*finish)(void *shared, void **users, size_t n, FILE *out);
    void (*free_user)(void *user);
    void *shared;
    /* Optional, with finish: gets each chunk's user pointer in input order as
     * soon as the chunk is done (and owns it from then on), so a job can
     * write and free what it no longer needs; finish then gets no users. */
    int (*take)(void *shared, void *user, FILE *out);
} cli_job;

/* Reads every record of `in` and runs `job` over them with `threads`
 * threads, writing outputs in input order to `out`. Returns a CLI exit
 * code; errors are printed with the file name and line number. */
int cli_run_records(const char *command, const cli_input *in, int threads, const cli_job *job,
                    FILE *out);

/* Writes the decimal form of v at *p and advances it (the hot path of id
 * output: two digits per step from a table). */
static inline void cli_put_int(char **p, int64_t v)
{
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930"
                                   "31323334353637383940414243444546474849505152535455565758596061"
                                   "62636465666768697071727374757677787980818283848586878889909192"
                                   "93949596979899";
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        size_t r = (size_t)(u % 100);
        u /= 100;
        tmp[n++] = pairs[2 * r + 1];
        tmp[n++] = pairs[2 * r];
    }
    if (u >= 10) {
        tmp[n++] = pairs[2 * u + 1];
        tmp[n++] = pairs[2 * u];
    } else {
        tmp[n++] = (char)('0' + u);
    }
    if (v < 0)
        *(*p)++ = '-';
    while (n)
        *(*p)++ = tmp[--n];
}

#endif
