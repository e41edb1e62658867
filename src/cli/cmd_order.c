/* Placeholder: `tokalign order` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_order(int argc, char **argv)
{
    fprintf(stderr, "tokalign order: not built yet\n");
    return CLI_EXIT_USAGE;
}
