/* Placeholder: `tokalign show` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_show(int argc, char **argv)
{
    fprintf(stderr, "tokalign show: not built yet\n");
    return CLI_EXIT_USAGE;
}
