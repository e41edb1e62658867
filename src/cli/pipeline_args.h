/* Options of the pipeline stages shared by `tokalign pipeline` and `tokalign demo`. */
#ifndef TKA_CLI_PIPELINE_ARGS_H
#define TKA_CLI_PIPELINE_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/sampler_args.h"
#include "tokalign/pipeline.h"

#define CLI_MAX_ITEMS 64

/* The pipeline options as the user gave them: `options` starts from the
 * library's defaults (tka_pipeline_options_init) and each option given on the
 * command line overrides its field; nothing here has a default of its own.
 * The sampler (and so the flavor) comes from the sampler arguments. */
typedef struct cli_pipeline_args {
    tka_pipeline_options options;
    const char *compat, *mode, *errors; /* parsed in cli_pipeline_options */
    const char *padding;                /* --padding / --pad-to-max-seq-len; NULL unless given */
    bool no_label;                      /* --no-label, whatever --label-field says */
    int64_t items[CLI_MAX_ITEMS];
    char fields_buf[256];
} cli_pipeline_args;

void cli_pipeline_args_init(cli_pipeline_args *args);

/* 1 when argv[*i] (and its value) was a pipeline option, 0 when not, -1 after
 * a usage error. */
int cli_pipeline_arg(const char *cmd, int argc, char **argv, int *i, cli_pipeline_args *a);

/* Builds the pipeline options (data and dump paths left NULL). Returns
 * CLI_EXIT_OK or CLI_EXIT_USAGE (message printed). */
int cli_pipeline_options(const char *cmd, const cli_pipeline_args *a, const cli_sampler_args *sa,
                         tka_pipeline_options *o);

/* Runs the pipeline, prints its warnings on stderr, and on failure reports
 * the error ("tokalign COMMAND: [SIDE side: ]error: ..."). Returns
 * CLI_EXIT_OK, CLI_EXIT_USAGE for an option that cannot apply (a missing
 * seed, a row beyond the file, a field the tokenizer lacks), as `order`
 * does, or CLI_EXIT_ERROR. `side` may be NULL. */
int cli_run_pipeline(const char *cmd, const char *side, const tka_pipeline_options *o,
                     tka_pipeline_result *result);

extern const char cli_pipeline_help[];

#endif
