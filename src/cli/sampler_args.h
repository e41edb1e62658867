/* Sampler options shared by `tokalign order` and `tokalign pipeline`. */
#ifndef TKA_CLI_SAMPLER_ARGS_H
#define TKA_CLI_SAMPLER_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "tokalign/sampler.h"

typedef struct cli_sampler_args {
    const char *kind_name, *flavor_name;
    bool have_batch, have_seed, have_gen_seed, have_world, have_rank, have_epoch;
    bool shuffle_set, shuffle, no_dataloader, drop_last, replacement, shard_drop_last;
    int64_t batch, seed, gen_seed, num_samples, world, rank, epoch;
    tka_torch_version version;
} cli_sampler_args;

void cli_sampler_args_init(cli_sampler_args *args);

/* Takes the value of option argv[*i] (advancing *i); prints a usage error
 * naming the option when it is missing. */
bool cli_take_value(const char *command, int argc, char **argv, int *i, const char **value);

/* Consumes argv[*i] (and its value) when it is a sampler option: returns 1;
 * 0 when it is not one; -1 after printing a usage error. */
int cli_sampler_arg(const char *command, int argc, char **argv, int *i, cli_sampler_args *args);

/* Checks the combination and fills `spec` (n is left 0). With no --sampler,
 * `default_kind` applies unless `require_kind`; with no --flavor,
 * `default_flavor` unless `require_flavor`. Options that do not belong to the
 * chosen sampler are refused, since ignoring one would silently give another
 * order. Returns CLI_EXIT_OK or CLI_EXIT_USAGE (message printed). */
int cli_sampler_spec(const char *command, const cli_sampler_args *args, bool require_kind,
                     tka_sampler_kind default_kind, bool require_flavor, tka_flavor default_flavor,
                     tka_sampler_spec *spec);

/* The help text of the sampler options (shared by both commands). */
extern const char cli_sampler_help[];

#endif
