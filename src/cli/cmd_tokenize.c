/* Placeholder: `tokalign tokenize` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_tokenize(int argc, char **argv)
{
    fprintf(stderr, "tokalign tokenize: not built yet\n");
    return CLI_EXIT_USAGE;
}
