/* Options shared by tokenize / encode / decode: the tokenizer, its compat
 * mode and case setting, the input, threads and output. */
#ifndef TKA_CLI_TOK_ARGS_H
#define TKA_CLI_TOK_ARGS_H

#include <stdbool.h>

#include "cli/records.h"
#include "tokalign/tokenizer.h"

typedef struct cli_tok_args {
    const char *tokenizer;
    tka_compat compat;
    int do_lower_case; /* -1: from the configuration */
    cli_input in;
    int threads;
    const char *output;
} cli_tok_args;

void cli_tok_args_init(cli_tok_args *a);

/* The value of option argv[*i] ("--name value" or "--name=value") when its
 * name is `name`; advances *i past a separate value. NULL when argv[*i] is
 * another option; *missing is set when the value is absent. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing);

/* Consumes argv[*i] if it is a shared option. Returns 1 when consumed, 0
 * when it is not a shared option, -1 after printing a usage error. */
int cli_tok_arg(const char *command, int argc, char **argv, int *i, cli_tok_args *a);

/* Opens the tokenizer (printing warnings and errors); NULL on failure. */
tka_tokenizer *cli_open_tokenizer(const char *command, const cli_tok_args *a);

/* Parses "true"/"false"/"1"/"0". */
bool cli_parse_bool(const char *command, const char *option, const char *text, bool *out);

#endif
