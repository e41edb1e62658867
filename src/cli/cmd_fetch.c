/* Placeholder: `tokalign fetch` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_fetch(int argc, char **argv)
{
    fprintf(stderr, "tokalign fetch: not built yet\n");
    return CLI_EXIT_USAGE;
}
