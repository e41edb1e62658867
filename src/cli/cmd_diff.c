/* Placeholder: `tokalign diff` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_diff(int argc, char **argv)
{
    fprintf(stderr, "tokalign diff: not built yet\n");
    return CLI_EXIT_USAGE;
}
