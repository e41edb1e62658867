/* `tokalign demo`: the SST-2 step-2 check end to end (both sides, their dumps, the diff). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/pipeline_args.h"
#include "cli/sampler_args.h"
#include "core/io.h"
#include "tokalign/pipeline.h"

#define CMD "demo"

static void usage(FILE *out)
{
    fputs(
        "usage: tokalign demo [--data TSV] [--tokenizer T] [-o DIR] [pipeline options]\n\n"
        "Runs the step-2 data check of the BERT-SST2 reproduction (test_data.py) without\n"
        "Python: the torch-flavoured pipeline (HF datasets + DataLoader +\n"
        "DataCollatorWithPadding) and the paddle-flavoured one (pandas + paddle.io + PaddleNLP\n"
        "Pad/Stack) on the same TSV, each written as a reprod_log dump, then\n"
        "ReprodDiffHelper.compare_info(paddle, torch) and report(): the report goes to stdout\n"
        "and to DIR/data_diff.log. Exit 0 when it ends with `diff check passed`.\n\n"
        "  --data TSV        default demo_sst2_sentence/demo.tsv (bash demo_sst2_sentence/place.sh)\n"
        "  --tokenizer T     default bert-base-uncased\n"
        "  -o, --output DIR  default out/demo: data_torch.npy, data_paddle.npy (+ .json\n"
        "                    metadata), data_diff.log (--out is an alias)\n"
        "Any `tokalign pipeline` option applies to both sides, except --flavor:\n\n",
        out);
    fputs(cli_pipeline_help, out);
    fputs(cli_sampler_help, out);
    fputs("\nexamples:\n"
          "  tokalign demo\n"
          "  tokalign demo --tokenizer google/reformer-crime-and-punishment --pad-token '</s>' \\\n"
          "      -o out/reformer\n",
          out);
}

static int run_side(const cli_pipeline_args *pa, const cli_sampler_args *sa, tka_flavor flavor,
                    const char *data, const char *dump)
{
    tka_pipeline_options o;
    cli_sampler_args side = *sa;
    side.flavor_name = flavor == TKA_FLAVOR_TORCH ? "torch" : "paddle";
    int rc = cli_pipeline_options(CMD, pa, &side, &o);
    if (rc != CLI_EXIT_OK)
        return rc;
    o.data_path = data;
    o.dump_path = dump;
    tka_pipeline_result result;
    rc = cli_run_pipeline(CMD, side.flavor_name, &o, &result);
    if (rc != CLI_EXIT_OK)
        return rc;
    fprintf(stderr,
            "tokalign demo: %-6s side: %llu rows, %zu batches (%zu logged) -> %s (%zu keys)\n",
            side.flavor_name, (unsigned long long)result.rows, result.batches,
            result.batches_logged, dump, result.keys);
    return CLI_EXIT_OK;
}

int cmd_demo(int argc, char **argv)
{
    cli_pipeline_args pa;
    cli_pipeline_args_init(&pa);
    pa.options.tokenizer = "bert-base-uncased";
    cli_sampler_args sa;
    cli_sampler_args_init(&sa);
    const char *data = "demo_sst2_sentence/demo.tsv", *out = "out/demo";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--flavor") == 0)
            return cli_usage_error(CMD, "the demo runs both flavours; --flavor does not apply");
        int taken = cli_sampler_arg(CMD, argc, argv, &i, &sa);
        if (taken == 0)
            taken = cli_pipeline_arg(CMD, argc, argv, &i, &pa);
        if (taken < 0)
            return CLI_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--data") == 0) {
            if (!cli_take_value(CMD, argc, argv, &i, &data))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!cli_take_value(CMD, argc, argv, &i, &out))
                return CLI_EXIT_USAGE;
        } else {
            return cli_usage_error(CMD, "unknown option '%s'", a);
        }
    }
    if (!tka_is_file(data)) {
        fprintf(stderr,
                "tokalign demo: error: %s: no such file (place it with `bash "
                "demo_sst2_sentence/place.sh`, or pass --data)\n",
                data);
        return CLI_EXIT_ERROR;
    }
    tka_error err;
    if (tka_make_dirs(out, &err) != TKA_OK)
        return cli_report(CMD, &err);
    char torch[4200], paddle[4200], log[4200];
    snprintf(torch, sizeof torch, "%s/data_torch.npy", out);
    snprintf(paddle, sizeof paddle, "%s/data_paddle.npy", out);
    snprintf(log, sizeof log, "%s/data_diff.log", out);
    int rc = run_side(&pa, &sa, TKA_FLAVOR_TORCH, data, torch);
    if (rc == CLI_EXIT_OK)
        rc = run_side(&pa, &sa, TKA_FLAVOR_PADDLE, data, paddle);
    if (rc != CLI_EXIT_OK)
        return rc;
    fprintf(stderr, "tokalign demo: compare_info(paddle, torch); report(path=%s):\n", log);
    fflush(stderr);
    /* test_data.py: diff_helper.compare_info(logger_paddle.data, logger_torch.data) */
    char *diff_argv[] = {"diff", paddle, torch, "--log", log, NULL};
    return cmd_diff(5, diff_argv);
}
