/* tokalign command-line entry point: dispatches to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tokalign/version.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"tokenize", cmd_tokenize, "tokens and ids of each input text (no special tokens)"},
    {"encode", cmd_encode, "model inputs: special tokens, pairs, truncation, padding, offsets"},
    {"decode", cmd_decode, "ids back to text"},
    {"pipeline", cmd_pipeline, "TSV -> tokenize -> sample -> collate -> reprod_log dump"},
    {"order", cmd_order, "index batches of a torch or Paddle sampler"},
    {"read", cmd_read, "a TSV as pandas / the GLUE reader reads it (columns, dtypes, cells)"},
    {"demo", cmd_demo, "the SST-2 step-2 check: torch and paddle dumps and their diff"},
    {"diff", cmd_diff, "compare two reprod_log dumps like ReprodDiffHelper"},
    {"show", cmd_show, "print a .npy / reprod_log dump as JSON"},
    {"fetch", cmd_fetch, "download a known tokenizer's files (needs network)"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tokalign COMMAND [OPTIONS]\n\n"
            "Reproduces HuggingFace / SentencePiece / torch / Paddle data pipelines bit-exactly\n"
            "and writes and diffs reprod_log dumps.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`tokalign COMMAND --help` describes each command, with examples.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return cli_finish_stdout("", CLI_EXIT_OK);
    }
    if (strcmp(name, "--version") == 0) {
        printf("tokalign %s\n", tka_version());
        return cli_finish_stdout("", CLI_EXIT_OK);
    }
    cli_install_signal_cleanup();
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return cli_finish_stdout(name, commands[i].run(argc - 1, argv + 1));
    fprintf(stderr, "tokalign: unknown command '%s'\n\n", name);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
