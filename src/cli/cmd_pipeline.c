/* `tokalign pipeline`: the step-2 data pipeline from a TSV to a reprod_log dump. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/pipeline_args.h"
#include "cli/sampler_args.h"
#include "tokalign/pipeline.h"

#define CMD "pipeline"

static void usage(FILE *out)
{
    fputs("usage: tokalign pipeline --data TSV --tokenizer T -o OUT.npy [options]\n\n"
          "Reproduces the step-2 data check of a model port (test_data.py): reads the TSV as\n"
          "pandas does, tokenizes every row, samples batches exactly as torch or Paddle would,\n"
          "pads them as DataCollatorWithPadding (torch) or PaddleNLP Pad/Stack (paddle) do, and\n"
          "writes the reprod_log dump: keys length, dataset_{row}_{field} for the logged rows,\n"
          "dataloader_{b}_{field} for the logged batches. Beside OUT.npy goes OUT.json holding\n"
          "the metadata (which rows each key came from) that `tokalign diff` uses to explain a\n"
          "difference.\n\n"
          "  --data TSV          input (header row; pandas.read_csv(sep=\"\\t\") semantics)\n"
          "  --tokenizer T       vocab.txt / .model / tokenizer.json file, directory, or name\n"
          "                      (bert-base-uncased...); a Reformer directory or\n"
          "                      google/reformer-crime-and-punishment is\n"
          "                      ReformerTokenizer.from_pretrained (</s>, <unk> never split), a\n"
          "                      bare .model plain sentencepiece (see `tokalign tokenize --help`)\n"
          "  -o, --output OUT    .npy (reprod_log, byte-identical to np.save), .npz or .json\n"
          "                      (--dump is an alias)\n"
          "  -q, --quiet         no summary line on stderr\n"
          "  --progress / --no-progress\n"
          "                      rows, MB, MB/s and ETA on stderr while the TSV is read\n"
          "                      (default: only when stderr is a terminal)\n",
          out);
    fputs(cli_pipeline_help, out);
    fputs(cli_sampler_help, out);
    fputs(
        "\nDefaults follow test_data.py: --flavor torch, --sampler sequential, --batch-size 4,\n"
        "--num-batches 5, --dataset-items 0,1,2,3,4; BERT: --max-length 128 with truncation and\n"
        "fields input_ids,token_type_ids,labels; SentencePiece (the Reformer pipeline): no\n"
        "truncation, fields input_ids,attention_mask,labels, and padding needs --pad-id or\n"
        "--pad-token (HF's ReformerTokenizer has no pad token; the torch side refuses exactly\n"
        "as HF does).\n\n"
        "examples:\n"
        "  tokalign pipeline --data demo.tsv --tokenizer bert-base-uncased --dump torch.npy\n"
        "  tokalign pipeline --data demo.tsv --tokenizer bert-base-uncased --flavor paddle \\\n"
        "      --dump paddle.npy && tokalign diff paddle.npy torch.npy\n"
        "  tokalign pipeline --data demo.tsv --tokenizer bert-base-uncased --sampler random \\\n"
        "      --seed 42 --num-batches all --dump random42.npy\n"
        "  tokalign pipeline --data demo.tsv --tokenizer google/reformer-crime-and-punishment \\\n"
        "      --pad-token '</s>' --dump reformer.npy\n",
        out);
}

int cmd_pipeline(int argc, char **argv)
{
    cli_pipeline_args pa;
    cli_pipeline_args_init(&pa);
    cli_sampler_args sa;
    cli_sampler_args_init(&sa);
    const char *data = NULL, *dump = NULL;
    bool quiet = false;
    int progress = CLI_PROGRESS_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_progress_option(a, &progress))
            continue;
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
        } else if (strcmp(a, "--dump") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!cli_take_value(CMD, argc, argv, &i, &dump))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else {
            return cli_usage_error(CMD, "unknown option '%s'", a);
        }
    }
    if (!data)
        return cli_usage_error(CMD, "--data TSV is required");
    if (!dump)
        return cli_usage_error(CMD, "-o OUT.npy is required");

    tka_pipeline_options o;
    int rc = cli_pipeline_options(CMD, &pa, &sa, &o);
    if (rc != CLI_EXIT_OK)
        return rc;
    o.data_path = data;
    o.dump_path = dump;
    cli_progress pg;
    cli_progress_start(&pg, CMD, progress, data);
    o.progress = cli_progress_callback;
    o.progress_ctx = &pg;

    tka_pipeline_result result;
    rc = cli_run_pipeline(CMD, NULL, &o, &result);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (!quiet)
        fprintf(
            stderr,
            "tokalign pipeline: %s: %llu rows (%llu tokens), %zu batches, %zu logged; wrote %zu "
            "keys to %s in %.3f s\n",
            data, (unsigned long long)result.rows, (unsigned long long)result.tokens,
            result.batches, result.batches_logged, result.keys, dump, result.seconds);
    return CLI_EXIT_OK;
}
