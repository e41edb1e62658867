/* Parsing and checking of the sampler options of `order` and `pipeline`. */
#include "cli/sampler_args.h"

#include <string.h>

#include "cli/cli.h"

const char cli_sampler_help[] =
    "  --sampler KIND      sequential | random | distributed\n"
    "                        torch:  SequentialSampler, RandomSampler (DataLoader(shuffle=True)),\n"
    "                                DistributedSampler; batched like DataLoader(batch_size=B)\n"
    "                        paddle: SequenceSampler, BatchSampler(shuffle=True) / RandomSampler,\n"
    "                                DistributedBatchSampler\n"
    "  --flavor F          torch | paddle\n"
    "  --batch-size B      batch size (>= 1)\n"
    "  --drop-last         drop the short final batch (DataLoader / BatchSampler drop_last)\n"
    "  --seed S            random: torch.manual_seed(S) / np.random.seed(S) before the epoch\n"
    "                      (required: both frameworks otherwise seed from the OS);\n"
    "                      torch distributed: DistributedSampler(seed=S) (default 0)\n"
    "  --generator-seed S  torch random: RandomSampler(generator=g) with g.manual_seed(S)\n"
    "  --no-dataloader     torch random: iterate the RandomSampler directly; by default the\n"
    "                      order is the one a DataLoader sees (it draws a base seed first)\n"
    "  --num-samples K     random: RandomSampler(num_samples=K)\n"
    "  --replacement       random: RandomSampler(replacement=True)\n"
    "  --world-size W      distributed: num_replicas (default 1)\n"
    "  --rank R            distributed: this process's rank (default 0)\n"
    "  --epoch E           random: 0-based pass over the same sampler; distributed: set_epoch(E)\n"
    "                      (Paddle's DistributedBatchSampler adds 1 itself after each shuffled\n"
    "                      pass, so its second pass is --epoch 1)\n"
    "  --shuffle / --no-shuffle\n"
    "                      distributed: shuffle (torch default on, Paddle default off)\n"
    "  --shard-drop-last   torch distributed: DistributedSampler(drop_last=True)\n"
    "  --torch-version V   2 (default) | 1.13: torch.randperm differs for n >= 214748364\n";

void cli_sampler_args_init(cli_sampler_args *a)
{
    memset(a, 0, sizeof *a);
    a->world = 1;
    a->version = TKA_TORCH_2;
}

bool cli_take_value(const char *command, int argc, char **argv, int *i, const char **value)
{
    if (*i + 1 >= argc) {
        cli_usage_error(command, "%s needs a value", argv[*i]);
        return false;
    }
    *value = argv[++*i];
    return true;
}

static int int_option(const char *command, int argc, char **argv, int *i, int64_t min, int64_t max,
                      int64_t *out)
{
    const char *name = argv[*i], *value;
    if (!cli_take_value(command, argc, argv, i, &value) ||
        !cli_parse_int64(command, name, value, min, max, out))
        return -1;
    return 1;
}

int cli_sampler_arg(const char *command, int argc, char **argv, int *i, cli_sampler_args *s)
{
    const char *a = argv[*i], *value;
    if (strcmp(a, "--sampler") == 0)
        return cli_take_value(command, argc, argv, i, &s->kind_name) ? 1 : -1;
    if (strcmp(a, "--flavor") == 0)
        return cli_take_value(command, argc, argv, i, &s->flavor_name) ? 1 : -1;
    if (strcmp(a, "--batch-size") == 0) {
        s->have_batch = true;
        return int_option(command, argc, argv, i, 1, INT64_C(1) << 40, &s->batch);
    }
    if (strcmp(a, "--seed") ==
        0) { /* torch accepts [-2^63, 2^64), numpy [0, 2^32): checked later */
        s->have_seed = true;
        return int_option(command, argc, argv, i, INT64_MIN, INT64_MAX, &s->seed);
    }
    if (strcmp(a, "--generator-seed") == 0) {
        s->have_gen_seed = true;
        return int_option(command, argc, argv, i, INT64_MIN, INT64_MAX, &s->gen_seed);
    }
    if (strcmp(a, "--num-samples") == 0)
        return int_option(command, argc, argv, i, 1, INT64_C(1) << 40, &s->num_samples);
    if (strcmp(a, "--world-size") == 0) {
        s->have_world = true;
        return int_option(command, argc, argv, i, 1, INT64_C(1) << 20, &s->world);
    }
    if (strcmp(a, "--rank") == 0) {
        s->have_rank = true;
        return int_option(command, argc, argv, i, 0, INT64_C(1) << 20, &s->rank);
    }
    if (strcmp(a, "--epoch") == 0) {
        s->have_epoch = true;
        return int_option(command, argc, argv, i, 0, INT64_C(0xffffffff), &s->epoch);
    }
    if (strcmp(a, "--torch-version") == 0) {
        if (!cli_take_value(command, argc, argv, i, &value))
            return -1;
        if (strcmp(value, "2") == 0 || strncmp(value, "2.", 2) == 0)
            s->version = TKA_TORCH_2;
        else if (strcmp(value, "1.13") == 0 || strncmp(value, "1.", 2) == 0)
            s->version = TKA_TORCH_1_13;
        else {
            cli_usage_error(command, "--torch-version expects 2 or 1.13, got '%s'", value);
            return -1;
        }
        return 1;
    }
    if (strcmp(a, "--drop-last") == 0) {
        s->drop_last = true;
    } else if (strcmp(a, "--shard-drop-last") == 0) {
        s->shard_drop_last = true;
    } else if (strcmp(a, "--replacement") == 0) {
        s->replacement = true;
    } else if (strcmp(a, "--no-dataloader") == 0) {
        s->no_dataloader = true;
    } else if (strcmp(a, "--shuffle") == 0 || strcmp(a, "--no-shuffle") == 0) {
        s->shuffle_set = true;
        s->shuffle = strcmp(a, "--shuffle") == 0;
    } else {
        return 0;
    }
    return 1;
}

int cli_sampler_spec(const char *command, const cli_sampler_args *s, bool require_kind,
                     tka_sampler_kind default_kind, bool require_flavor, tka_flavor default_flavor,
                     tka_sampler_spec *spec)
{
    tka_sampler_kind kind = default_kind;
    if (!s->kind_name && require_kind)
        return cli_usage_error(command, "--sampler is required (sequential, random, distributed)");
    if (s->kind_name) {
        if (strcmp(s->kind_name, "sequential") == 0)
            kind = TKA_SAMPLER_SEQUENTIAL;
        else if (strcmp(s->kind_name, "random") == 0)
            kind = TKA_SAMPLER_RANDOM;
        else if (strcmp(s->kind_name, "distributed") == 0)
            kind = TKA_SAMPLER_DISTRIBUTED;
        else
            return cli_usage_error(command,
                                   "--sampler expects sequential, random or distributed, got '%s'",
                                   s->kind_name);
    }
    tka_flavor flavor = default_flavor;
    if (!s->flavor_name && require_flavor)
        return cli_usage_error(command, "--flavor is required (torch or paddle)");
    if (s->flavor_name) {
        if (strcmp(s->flavor_name, "torch") == 0)
            flavor = TKA_FLAVOR_TORCH;
        else if (strcmp(s->flavor_name, "paddle") == 0)
            flavor = TKA_FLAVOR_PADDLE;
        else
            return cli_usage_error(command, "--flavor expects torch or paddle, got '%s'",
                                   s->flavor_name);
    }
    if (kind != TKA_SAMPLER_DISTRIBUTED && (s->have_world || s->have_rank || s->shuffle_set))
        return cli_usage_error(command,
                               "--world-size/--rank/--shuffle apply to --sampler distributed");
    if (kind != TKA_SAMPLER_RANDOM &&
        (s->have_gen_seed || s->num_samples || s->replacement || s->no_dataloader))
        return cli_usage_error(command,
                               "--generator-seed/--num-samples/--replacement/--no-dataloader "
                               "apply to --sampler random");
    if (kind == TKA_SAMPLER_SEQUENTIAL && (s->have_seed || s->epoch))
        return cli_usage_error(command, "a sequential sampler takes no --seed or --epoch");
    if (flavor == TKA_FLAVOR_PADDLE && (s->have_gen_seed || s->no_dataloader || s->shard_drop_last))
        return cli_usage_error(command, "--generator-seed/--no-dataloader/--shard-drop-last are "
                                        "torch options");
    if (flavor == TKA_FLAVOR_PADDLE && kind == TKA_SAMPLER_DISTRIBUTED && s->have_seed)
        return cli_usage_error(command, "Paddle's DistributedBatchSampler takes no seed: it "
                                        "shuffles with RandomState(epoch); use --epoch");
    if (kind != TKA_SAMPLER_DISTRIBUTED && s->shard_drop_last)
        return cli_usage_error(command, "--shard-drop-last applies to --sampler distributed");
    if (s->have_seed && s->have_gen_seed)
        return cli_usage_error(command, "give either --seed or --generator-seed, not both");

    tka_sampler_spec_init(spec, flavor, kind);
    spec->batch_size = s->batch;
    spec->drop_last = s->drop_last;
    spec->has_seed = s->have_seed;
    spec->seed = s->seed;
    spec->has_generator_seed = s->have_gen_seed;
    spec->generator_seed = (uint64_t)s->gen_seed;
    spec->through_dataloader = !s->no_dataloader;
    spec->num_samples = s->num_samples;
    spec->replacement = s->replacement;
    spec->num_replicas = s->world;
    spec->rank = s->rank;
    if (s->shuffle_set)
        spec->shuffle = s->shuffle;
    spec->shard_drop_last = s->shard_drop_last;
    spec->epoch = s->epoch;
    spec->torch_version = s->version;
    return CLI_EXIT_OK;
}
