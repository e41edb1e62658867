/* Parsing of the options tokenize / encode / decode share. */
#include "cli/tok_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "tokalign/resolve.h"

void cli_tok_args_init(cli_tok_args *a)
{
    memset(a, 0, sizeof *a);
    a->compat = TKA_COMPAT_SLOW;
    a->do_lower_case = -1;
    a->in.format = CLI_INPUT_LINES;
    a->in.text_field = "text";
    a->in.errors = TKA_UTF8_STRICT;
    a->threads = 1;
    a->in.progress = CLI_PROGRESS_AUTO;
}

const char *cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    *missing = false;
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

bool cli_parse_bool(const char *command, const char *option, const char *text, bool *out)
{
    if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) {
        *out = false;
        return true;
    }
    cli_usage_error(command, "%s expects true or false, got '%s'", option, text);
    return false;
}

int cli_tok_arg(const char *command, int argc, char **argv, int *i, cli_tok_args *a)
{
    if (cli_progress_option(argv[*i], &a->in.progress))
        return 1;
    static const char *const names[] = {
        "--tokenizer",     "--input",  "--input-format", "--text-field", "--compat",
        "--do-lower-case", "--errors", "--threads",      "--output",     "-o"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        bool missing;
        const char *v = cli_option_value(argc, argv, i, names[k], &missing);
        if (missing) {
            cli_usage_error(command, "%s needs a value", names[k]);
            return -1;
        }
        if (!v)
            continue;
        switch (k) {
        case 0: a->tokenizer = v; break;
        case 1: a->in.path = v; break;
        case 2:
            if (strcmp(v, "lines") == 0)
                a->in.format = CLI_INPUT_LINES;
            else if (strcmp(v, "jsonl") == 0)
                a->in.format = CLI_INPUT_JSONL;
            else {
                cli_usage_error(command, "--input-format is lines or jsonl, not '%s'", v);
                return -1;
            }
            break;
        case 3: a->in.text_field = v; break;
        case 4:
            if (strcmp(v, "slow") == 0)
                a->compat = TKA_COMPAT_SLOW;
            else if (strcmp(v, "fast") == 0)
                a->compat = TKA_COMPAT_FAST;
            else {
                cli_usage_error(command, "--compat is slow or fast, not '%s'", v);
                return -1;
            }
            break;
        case 5: {
            bool b;
            if (!cli_parse_bool(command, "--do-lower-case", v, &b))
                return -1;
            a->do_lower_case = b;
            break;
        }
        case 6:
            if (strcmp(v, "strict") == 0)
                a->in.errors = TKA_UTF8_STRICT;
            else if (strcmp(v, "replace") == 0)
                a->in.errors = TKA_UTF8_REPLACE;
            else {
                cli_usage_error(command, "--errors is strict or replace, not '%s'", v);
                return -1;
            }
            break;
        case 7: {
            int64_t n;
            if (!cli_parse_int64(command, "--threads", v, 1, 256, &n))
                return -1;
            a->threads = (int)n;
            break;
        }
        case 8:
        case 9: a->output = v; break;
        }
        return 1;
    }
    return 0;
}

tka_tokenizer *cli_open_tokenizer(const char *command, const cli_tok_args *a)
{
    tka_tokenizer_options o;
    cli_tokenizer_options_init(&o);
    o.compat = a->compat;
    o.do_lower_case = a->do_lower_case;
    tka_tokenizer *tok = NULL;
    tka_error err;
    if (tka_tokenizer_open(a->tokenizer, &o, &tok, &err) != TKA_OK) {
        cli_report(command, &err);
        return NULL;
    }
    const char *w = tka_tokenizer_warnings(tok);
    if (*w)
        fprintf(stderr, "%s", w);
    return tok;
}
