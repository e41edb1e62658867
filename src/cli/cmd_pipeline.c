/* Placeholder: `tokalign pipeline` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_pipeline(int argc, char **argv)
{
    fprintf(stderr, "tokalign pipeline: not built yet\n");
    return CLI_EXIT_USAGE;
}
