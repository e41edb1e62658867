/* `tokalign order`: writes the index batches of a torch or Paddle sampler as JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tokalign/dataset.h"
#include "tokalign/io.h"
#include "tokalign/json_write.h"
#include "tokalign/sampler.h"
#include "tokalign/text.h"

#define CMD "order"

static void usage(FILE *out)
{
    fputs(
        "usage: tokalign order --sampler KIND --flavor torch|paddle (--n N | --data FILE.tsv)\n"
        "                      --batch-size B [options] [--out FILE.json]\n"
        "\n"
        "Writes the index batches one epoch of a torch or Paddle data loader visits, so the\n"
        "other framework can be fed exactly the same order (aligned input batches).\n"
        "\n"
        "  --sampler KIND      sequential | random | distributed\n"
        "                        torch:  SequentialSampler, RandomSampler (DataLoader(shuffle=True)),\n"
        "                                DistributedSampler; batched like DataLoader(batch_size=B)\n"
        "                        paddle: SequenceSampler, BatchSampler(shuffle=True) / RandomSampler,\n"
        "                                DistributedBatchSampler\n"
        "  --flavor F          torch | paddle\n"
        "  --n N               dataset length (rows)\n"
        "  --data FILE.tsv     take the length from a TSV: its rows as pandas.read_csv(sep=\"\\t\")\n"
        "                      reads them (--data-mode glue: csv.reader lines after the header)\n"
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
        "  --torch-version V   2 (default) | 1.13: torch.randperm differs for n >= 214748364\n"
        "  --out FILE          output file (default: stdout); .json only for now\n"
        "\n"
        "Output (JSON):\n"
        "  {\"tokalign_order\": 1, \"flavor\": \"torch\", \"sampler\": \"random\",\n"
        "   \"call\": \"<the Python call reproduced>\", \"n\": N, \"batch_size\": B,\n"
        "   \"drop_last\": false, \"num_batches\": K, \"num_indices\": M,\n"
        "   \"batches\": [[i, i, ...], ...]}\n"
        "  batches holds dataset row indices (0-based), one list per batch, in loader order.\n"
        "\n"
        "examples:\n"
        "  tokalign order --sampler random --flavor torch --n 32 --batch-size 4 --seed 42\n"
        "      # torch.manual_seed(42); DataLoader(ds, batch_size=4, shuffle=True)\n"
        "  tokalign order --sampler random --flavor paddle --n 32 --batch-size 4 --seed 42\n"
        "      # np.random.seed(42); BatchSampler(dataset=ds, shuffle=True, batch_size=4)\n"
        "  tokalign order --sampler distributed --flavor torch --n 32 --batch-size 4 \\\n"
        "      --world-size 2 --rank 1 --epoch 3 --out rank1.json\n"
        "  tokalign order --sampler distributed --flavor paddle --n 32 --batch-size 4 \\\n"
        "      --world-size 2 --rank 0 --shuffle\n",
        out);
}

/* Option value parsing: every option except the flags takes one value. */
static bool take_value(int argc, char **argv, int *i, const char **value)
{
    if (*i + 1 >= argc) {
        cli_usage_error(CMD, "%s needs a value", argv[*i]);
        return false;
    }
    *value = argv[++*i];
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static tka_status write_json(const tka_sampler_spec *spec, const char *kind_name,
                             const tka_batches *b, tka_buf *out)
{
    char call[1024];
    tka_sampler_describe(spec, call, sizeof call);
    tka_status st = tka_buf_printf(out, "{\n \"tokalign_order\": 1,\n \"flavor\": \"%s\",\n"
                                        " \"sampler\": \"%s\",\n \"call\": ",
                                   spec->flavor == TKA_FLAVOR_TORCH ? "torch" : "paddle",
                                   kind_name);
    if (st == TKA_OK)
        st = tka_json_append_string(out, call, strlen(call));
    if (st == TKA_OK)
        st = tka_buf_printf(out,
                            ",\n \"n\": %" PRId64 ",\n \"batch_size\": %" PRId64
                            ",\n \"drop_last\": %s,\n \"num_batches\": %zu,\n"
                            " \"num_indices\": %zu,\n \"batches\": [",
                            spec->n, spec->batch_size, spec->drop_last ? "true" : "false",
                            b->num_batches, b->count);
    for (size_t i = 0; st == TKA_OK && i < b->num_batches; i++) {
        size_t start = i * b->batch_size;
        size_t len = b->count - start < b->batch_size ? b->count - start : b->batch_size;
        st = tka_buf_append_str(out, i ? ",\n  [" : "\n  [");
        for (size_t k = 0; st == TKA_OK && k < len; k++) {
            if (k)
                st = tka_buf_append(out, ", ", 2);
            if (st == TKA_OK)
                st = tka_json_append_int(out, b->indices[start + k]);
        }
        if (st == TKA_OK)
            st = tka_buf_append_char(out, ']');
    }
    if (st == TKA_OK)
        st = tka_buf_append_str(out, b->num_batches ? "\n ]\n}\n" : "]\n}\n");
    return st;
}

int cmd_order(int argc, char **argv)
{
    const char *kind_name = NULL, *flavor_name = NULL, *out_path = NULL, *data_path = NULL;
    tka_tsv_mode data_mode = TKA_TSV_PANDAS;
    bool have_n = false, have_batch = false, shuffle_set = false, shuffle = false;
    bool no_dataloader = false, drop_last = false, replacement = false, shard_drop_last = false;
    bool have_seed = false, have_gen_seed = false, have_world = false, have_rank = false;
    int64_t n = 0, batch = 0, seed = 0, gen_seed = 0, num_samples = 0, world = 1, rank = 0,
            epoch = 0;
    tka_torch_version version = TKA_TORCH_2;
    const char *value;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--sampler") == 0) {
            if (!take_value(argc, argv, &i, &kind_name))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--flavor") == 0) {
            if (!take_value(argc, argv, &i, &flavor_name))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) {
            if (!take_value(argc, argv, &i, &out_path))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--data") == 0) {
            if (!take_value(argc, argv, &i, &data_path))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--data-mode") == 0) {
            if (!take_value(argc, argv, &i, &value))
                return CLI_EXIT_USAGE;
            if (strcmp(value, "pandas") == 0)
                data_mode = TKA_TSV_PANDAS;
            else if (strcmp(value, "glue") == 0)
                data_mode = TKA_TSV_GLUE;
            else
                return cli_usage_error(CMD, "--data-mode expects pandas or glue, got '%s'", value);
        } else if (strcmp(a, "--n") == 0) {
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, 0, INT64_C(1) << 40, &n))
                return CLI_EXIT_USAGE;
            have_n = true;
        } else if (strcmp(a, "--batch-size") == 0) {
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, 1, INT64_C(1) << 40, &batch))
                return CLI_EXIT_USAGE;
            have_batch = true;
        } else if (strcmp(a, "--seed") == 0) {
            /* torch accepts [-2^63, 2^64); numpy [0, 2^32); the sampler checks. */
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, INT64_MIN, INT64_MAX, &seed))
                return CLI_EXIT_USAGE;
            have_seed = true;
        } else if (strcmp(a, "--generator-seed") == 0) {
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, INT64_MIN, INT64_MAX, &gen_seed))
                return CLI_EXIT_USAGE;
            have_gen_seed = true;
        } else if (strcmp(a, "--num-samples") == 0) {
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, 1, INT64_C(1) << 40, &num_samples))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--world-size") == 0) {
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, 1, INT64_C(1) << 20, &world))
                return CLI_EXIT_USAGE;
            have_world = true;
        } else if (strcmp(a, "--rank") == 0) {
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, 0, INT64_C(1) << 20, &rank))
                return CLI_EXIT_USAGE;
            have_rank = true;
        } else if (strcmp(a, "--epoch") == 0) {
            if (!take_value(argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, 0, INT64_C(0xffffffff), &epoch))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--torch-version") == 0) {
            if (!take_value(argc, argv, &i, &value))
                return CLI_EXIT_USAGE;
            if (strcmp(value, "2") == 0 || strncmp(value, "2.", 2) == 0)
                version = TKA_TORCH_2;
            else if (strcmp(value, "1.13") == 0 || strncmp(value, "1.", 2) == 0)
                version = TKA_TORCH_1_13;
            else
                return cli_usage_error(CMD, "--torch-version expects 2 or 1.13, got '%s'", value);
        } else if (strcmp(a, "--drop-last") == 0) {
            drop_last = true;
        } else if (strcmp(a, "--shard-drop-last") == 0) {
            shard_drop_last = true;
        } else if (strcmp(a, "--replacement") == 0) {
            replacement = true;
        } else if (strcmp(a, "--no-dataloader") == 0) {
            no_dataloader = true;
        } else if (strcmp(a, "--shuffle") == 0 || strcmp(a, "--no-shuffle") == 0) {
            shuffle_set = true;
            shuffle = strcmp(a, "--shuffle") == 0;
        } else {
            return cli_usage_error(CMD, "unknown option '%s'", a);
        }
    }

    if (!kind_name)
        return cli_usage_error(CMD, "--sampler is required (sequential, random, distributed)");
    if (!flavor_name)
        return cli_usage_error(CMD, "--flavor is required (torch or paddle)");
    if (have_n && data_path)
        return cli_usage_error(CMD, "give either --n or --data, not both");
    if (!have_n && !data_path)
        return cli_usage_error(CMD, "--n (dataset length) or --data FILE.tsv is required");
    if (!have_batch)
        return cli_usage_error(CMD, "--batch-size is required");
    tka_sampler_kind kind;
    if (strcmp(kind_name, "sequential") == 0)
        kind = TKA_SAMPLER_SEQUENTIAL;
    else if (strcmp(kind_name, "random") == 0)
        kind = TKA_SAMPLER_RANDOM;
    else if (strcmp(kind_name, "distributed") == 0)
        kind = TKA_SAMPLER_DISTRIBUTED;
    else
        return cli_usage_error(CMD, "--sampler expects sequential, random or distributed, got '%s'",
                               kind_name);
    tka_flavor flavor;
    if (strcmp(flavor_name, "torch") == 0)
        flavor = TKA_FLAVOR_TORCH;
    else if (strcmp(flavor_name, "paddle") == 0)
        flavor = TKA_FLAVOR_PADDLE;
    else
        return cli_usage_error(CMD, "--flavor expects torch or paddle, got '%s'", flavor_name);

    /* Options that do not belong to the chosen sampler are refused rather
     * than silently ignored: an ignored option means a different order. */
    if (kind != TKA_SAMPLER_DISTRIBUTED && (have_world || have_rank || shuffle_set))
        return cli_usage_error(CMD, "--world-size/--rank/--shuffle apply to --sampler distributed");
    if (kind != TKA_SAMPLER_RANDOM && (have_gen_seed || num_samples || replacement || no_dataloader))
        return cli_usage_error(CMD, "--generator-seed/--num-samples/--replacement/--no-dataloader "
                                    "apply to --sampler random");
    if (kind == TKA_SAMPLER_SEQUENTIAL && (have_seed || epoch))
        return cli_usage_error(CMD, "a sequential sampler takes no --seed or --epoch");
    if (flavor == TKA_FLAVOR_PADDLE && (have_gen_seed || no_dataloader || shard_drop_last))
        return cli_usage_error(CMD, "--generator-seed/--no-dataloader/--shard-drop-last are torch "
                                    "options");
    if (flavor == TKA_FLAVOR_PADDLE && kind == TKA_SAMPLER_DISTRIBUTED && have_seed)
        return cli_usage_error(CMD, "Paddle's DistributedBatchSampler takes no seed: it shuffles "
                                    "with RandomState(epoch); use --epoch");
    if (kind != TKA_SAMPLER_DISTRIBUTED && shard_drop_last)
        return cli_usage_error(CMD, "--shard-drop-last applies to --sampler distributed");
    if (have_seed && have_gen_seed)
        return cli_usage_error(CMD, "give either --seed or --generator-seed, not both");
    if (out_path && strcmp(out_path, "-") != 0 && !ends_with(out_path, ".json")) {
        if (ends_with(out_path, ".npy"))
            fprintf(stderr, "tokalign order: error: .npy output is not available yet (it needs "
                            "the dump module); use a .json file\n");
        else
            fprintf(stderr, "tokalign order: error: %s: unknown output format; use a .json file\n",
                    out_path);
        return CLI_EXIT_USAGE;
    }

    tka_error err;
    tka_error_clear(&err);
    if (data_path) {
        tka_dataset_options o;
        tka_dataset_options_init(&o);
        o.tsv.mode = data_mode;
        o.text_field = "#0"; /* only the row count matters here */
        o.label_field = NULL;
        tka_dataset *ds;
        if (tka_dataset_open(data_path, &o, &ds, &err) != TKA_OK)
            return cli_report(CMD, &err);
        n = (int64_t)tka_dataset_num_rows(ds);
        tka_dataset_free(ds);
    }

    tka_sampler_spec spec;
    tka_sampler_spec_init(&spec, flavor, kind);
    spec.n = n;
    spec.batch_size = batch;
    spec.drop_last = drop_last;
    spec.has_seed = have_seed;
    spec.seed = seed;
    spec.has_generator_seed = have_gen_seed;
    spec.generator_seed = (uint64_t)gen_seed;
    spec.through_dataloader = !no_dataloader;
    spec.num_samples = num_samples;
    spec.replacement = replacement;
    spec.num_replicas = world;
    spec.rank = rank;
    if (shuffle_set)
        spec.shuffle = shuffle;
    spec.shard_drop_last = shard_drop_last;
    spec.epoch = epoch;
    spec.torch_version = version;

    tka_batches batches;
    if (tka_sampler_batches(&spec, &batches, &err) != TKA_OK) {
        /* An invalid combination of options is a usage error; a refusal the
         * reference itself makes (bad rank, ...) is an error. */
        int rc = cli_report(CMD, &err);
        return err.status == TKA_ERR_ARGUMENT ? CLI_EXIT_USAGE : rc;
    }
    tka_buf json = {0};
    tka_status st = write_json(&spec, kind_name, &batches, &json);
    tka_batches_free(&batches);
    if (st != TKA_OK) {
        tka_buf_free(&json);
        tka_error_set(&err, st, "out of memory writing JSON");
        return cli_report(CMD, &err);
    }
    int rc = CLI_EXIT_OK;
    if (!out_path || strcmp(out_path, "-") == 0) {
        if (fwrite(json.data, 1, json.len, stdout) != json.len || fflush(stdout) != 0) {
            fprintf(stderr, "tokalign order: error: cannot write to stdout\n");
            rc = CLI_EXIT_ERROR;
        }
    } else if (tka_write_file(out_path, json.data, json.len, &err) != TKA_OK) {
        rc = cli_report(CMD, &err);
    }
    tka_buf_free(&json);
    return rc;
}
