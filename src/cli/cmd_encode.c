/* Placeholder: `tokalign encode` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_encode(int argc, char **argv)
{
    fprintf(stderr, "tokalign encode: not built yet\n");
    return CLI_EXIT_USAGE;
}
