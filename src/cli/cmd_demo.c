/* Placeholder: `tokalign demo` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_demo(int argc, char **argv)
{
    fprintf(stderr, "tokalign demo: not built yet\n");
    return CLI_EXIT_USAGE;
}
