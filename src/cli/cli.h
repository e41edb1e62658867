/* Shared helpers of the tokalign subcommands; the CLI uses only public headers. */
#ifndef TKA_CLI_H
#define TKA_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tokalign/status.h"

/* Exit codes: 0 success, 1 a check failed (diff), 2 usage error, 3 bad input
 * or runtime error. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_CHECK_FAILED = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_ERROR = 3 };

/* "tokalign SUBCOMMAND: message" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* What tokalign's options offer after an error whose text is the
 * reference's (the missing pad token: --pad-id / --pad-token); "" otherwise. */
const char *cli_remedy(const tka_error *err);
/* Prints err's message (and cli_remedy) on stderr with the subcommand name;
 * returns CLI_EXIT_ERROR. */
int cli_report(const char *command, const tka_error *err);

/* Strict integer parsing of an option value; prints a usage error on failure. */
bool cli_parse_int64(const char *command, const char *option, const char *text, int64_t min,
                     int64_t max, int64_t *out);

/* Opens `path` for reading ("-" or NULL = stdin). Prints an error on failure. */
FILE *cli_open_input(const char *command, const char *path);
/* Opens `path` for writing through a tka_outfile ("-" or NULL = stdout):
 * nothing replaces the file before cli_close_output commits it. Prints an
 * error on failure. */
FILE *cli_open_output(const char *command, const char *path);
/* Commits an output of cli_open_output when rc is CLI_EXIT_OK (else drops
 * it); returns rc, or CLI_EXIT_ERROR after printing why the commit failed. */
int cli_close_output(const char *command, FILE *f, int rc);
/* Closes an input; an output not committed is dropped (its temporary removed). */
void cli_close(FILE *f);
/* CLI_EXIT_OK, or prints why and returns CLI_EXIT_ERROR when `output` is the
 * same file as `input` (tka_check_not_input). */
int cli_check_not_input(const char *command, const char *output, const char *input);
/* rc, or CLI_EXIT_ERROR with a message when flushing stdout fails or an
 * earlier write to it failed (a full disk, a closed descriptor). */
int cli_finish_stdout(const char *command, int rc);
/* SIGINT/SIGTERM/SIGHUP: remove temporary output files, then die of the signal. */
void cli_install_signal_cleanup(void);

/* The mirror directory when neither $TOKALIGN_MIRROR nor ../shared/data (from
 * the current directory) applies: ../shared/data beside the project the
 * binary was built in (the binary lives in <project>/build*), or NULL. */
const char *cli_default_mirror(void);

struct tka_tokenizer_options;
/* tka_tokenizer_options_init plus the CLI's mirror fallback: when neither
 * $TOKALIGN_MIRROR nor ../shared/data applies, the mirror beside the project
 * the binary was built in (cli_default_mirror). Every command opening a
 * tokenizer starts from this. */
void cli_tokenizer_options_init(struct tka_tokenizer_options *options);

/* Subcommands: each takes argv from the subcommand name on. */
int cmd_tokenize(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_pipeline(int argc, char **argv);
int cmd_order(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_show(int argc, char **argv);

#endif
