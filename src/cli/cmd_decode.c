/* Placeholder: `tokalign decode` is written in its own issue. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_decode(int argc, char **argv)
{
    fprintf(stderr, "tokalign decode: not built yet\n");
    return CLI_EXIT_USAGE;
}
