/* Parsing of the pipeline stage options (tokenizer, truncation, padding, logging). */
#include "cli/pipeline_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/tok_args.h"
#include "tokalign/resolve.h"

const char cli_pipeline_help[] =
    "  --text-field NAME   sentence column (default sentence; #N = column N)\n"
    "  --pair-field NAME   second text column (encoded as a pair)\n"
    "  --label-field NAME  label column (default label); --no-label: none\n"
    "  --mode pandas|glue  read the TSV as pandas.read_csv (default) or GLUE's csv.reader\n"
    "  --errors strict|replace\n"
    "                      invalid UTF-8: an error naming line and byte (default), or U+FFFD\n"
    "  --compat slow|fast  BERT: transformers' BertTokenizer (default) or BertTokenizerFast\n"
    "  --do-lower-case B   true/false: override do_lower_case (default: the tokenizer's\n"
    "                      configuration); --lower / --no-lower are aliases\n"
    "  --max-length N|none truncation length (default 128 for BERT, none for SentencePiece);\n"
    "                      alias --max-seq-len (PaddleNLP's name)\n"
    "  --padding none|max_length\n"
    "                      max_length: pad every item to --max-length when tokenizing (HF\n"
    "                      padding=\"max_length\"; PaddleNLP pad_to_max_seq_len=True, alias\n"
    "                      --pad-to-max-seq-len); default none: the collator pads each batch\n"
    "  --pad-id N          pad token id (default: the tokenizer's; SentencePiece has none)\n"
    "  --pad-token PIECE   the pad token by its text (e.g. </s> for Reformer's eos)\n"
    "  --pad-to-multiple-of M\n"
    "                      torch side: DataCollatorWithPadding(pad_to_multiple_of=M)\n"
    "  --order FILE        the dataloader visits these batches instead of a sampler's: the\n"
    "                      JSON or .npy `tokalign order` writes (a 1-D .npy is cut into\n"
    "                      --batch-size batches) or a JSON list of row-index lists, e.g.\n"
    "                      torch's shuffle order on the paddle side; no --sampler options\n"
    "  --num-batches K|all batches logged as dataloader_{b}_* (K >= 1, default 5)\n"
    "  --dataset-items I,J,...\n"
    "                      rows logged as dataset_{row}_* (default 0,1,2,3,4)\n"
    "  --fields F,G,...    per-item keys logged, in order: input_ids, token_type_ids,\n"
    "                      attention_mask, special_tokens_mask, labels\n"
    "  --threads N         tokenization threads (default 1); output never changes\n"
    "  --two-pass          read the TSV twice (types, then rows) with a sequential sampler\n"
    "                      too, which otherwise reads it once; output never changes\n"
    "  --no-sidecar        do not write OUT.json (the metadata beside OUT.npy)\n"
    "  --mirror            make OUT.json a full JSON mirror (every array), like the goldens'\n";

void cli_pipeline_args_init(cli_pipeline_args *a)
{
    memset(a, 0, sizeof *a);
    tka_pipeline_options_init(&a->options, TKA_FLAVOR_TORCH);
    cli_tokenizer_options_init(&a->options.tokenizer_options);
}

static int int_value(const char *cmd, int argc, char **argv, int *i, int64_t min, int64_t max,
                     int64_t *out)
{
    const char *name = argv[*i], *v;
    if (!cli_take_value(cmd, argc, argv, i, &v) || !cli_parse_int64(cmd, name, v, min, max, out))
        return -1;
    return 1;
}

static int parse_items(const char *cmd, const char *text, cli_pipeline_args *a)
{
    size_t n = 0;
    a->options.dataset_items = a->items;
    a->options.num_dataset_items = 0;
    if (!*text)
        return 1; /* --dataset-items '' logs no dataset rows */
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char one[32];
        if (len >= sizeof one) { /* longer than any integer: name it as given */
            cli_usage_error(cmd, "--dataset-items expects row numbers in [0, 2^40], got '%.*s'",
                            (int)len, p);
            return -1;
        }
        memcpy(one, p, len);
        one[len] = '\0';
        if (n == CLI_MAX_ITEMS) {
            cli_usage_error(cmd, "--dataset-items takes at most %d rows", CLI_MAX_ITEMS);
            return -1;
        }
        if (!cli_parse_int64(cmd, "--dataset-items", one, 0, INT64_C(1) << 40, &a->items[n]))
            return -1;
        a->options.num_dataset_items = ++n;
        if (!comma)
            return 1;
        p = comma + 1;
    }
}

static int parse_fields(const char *cmd, const char *text, cli_pipeline_args *a)
{
    if (strlen(text) >= sizeof a->fields_buf) {
        cli_usage_error(cmd, "--fields is too long");
        return -1;
    }
    strcpy(a->fields_buf, text);
    size_t n = 0;
    memset(a->options.fields, 0, sizeof a->options.fields);
    for (char *tok = strtok(a->fields_buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n == TKA_PIPELINE_MAX_FIELDS) {
            cli_usage_error(cmd, "--fields takes at most %d names", TKA_PIPELINE_MAX_FIELDS);
            return -1;
        }
        a->options.fields[n++] = tok;
    }
    if (n == 0) {
        cli_usage_error(cmd, "--fields needs at least input_ids");
        return -1;
    }
    return 1;
}

int cli_pipeline_arg(const char *cmd, int argc, char **argv, int *i, cli_pipeline_args *a)
{
    if (!a)
        return -1;
    tka_pipeline_options *o = &a->options;
    const char *opt = argv[*i], *v;
    int64_t n;
    int rc;
    const char **text_opt = strcmp(opt, "--tokenizer") == 0     ? &o->tokenizer
                            : strcmp(opt, "--compat") == 0      ? &a->compat
                            : strcmp(opt, "--text-field") == 0  ? &o->dataset.text_field
                            : strcmp(opt, "--pair-field") == 0  ? &o->dataset.pair_field
                            : strcmp(opt, "--label-field") == 0 ? &o->dataset.label_field
                            : strcmp(opt, "--mode") == 0        ? &a->mode
                            : strcmp(opt, "--errors") == 0      ? &a->errors
                            : strcmp(opt, "--pad-token") == 0   ? &o->pad_token
                            : strcmp(opt, "--padding") == 0     ? &a->padding
                            : strcmp(opt, "--order") == 0       ? &o->order_path
                                                                : NULL;
    if (text_opt)
        return cli_take_value(cmd, argc, argv, i, text_opt) ? 1 : -1;
    if (strcmp(opt, "--pad-to-max-seq-len") == 0) {
        a->padding = "max_length";
        return 1;
    }
    if (strcmp(opt, "--max-length") == 0 || strcmp(opt, "--max-seq-len") == 0) {
        if (*i + 1 < argc && strcmp(argv[*i + 1], "none") == 0) {
            ++*i;
            o->max_length = -1;
            return 1;
        }
        return int_value(cmd, argc, argv, i, 0, INT32_MAX, &o->max_length);
    }
    if (strcmp(opt, "--pad-id") == 0) {
        if ((rc = int_value(cmd, argc, argv, i, 0, INT32_MAX, &n)) > 0)
            o->pad_id = (int32_t)n;
        return rc;
    }
    if (strcmp(opt, "--pad-to-multiple-of") == 0)
        return int_value(cmd, argc, argv, i, 1, INT32_MAX, &o->pad_to_multiple_of);
    if (strcmp(opt, "--threads") == 0) {
        if ((rc = int_value(cmd, argc, argv, i, 1, 64, &n)) > 0)
            o->threads = (int)n;
        return rc;
    }
    if (strcmp(opt, "--num-batches") == 0) {
        if (*i + 1 < argc && strcmp(argv[*i + 1], "all") == 0) {
            ++*i;
            o->num_batches = 0;
            return 1;
        }
        /* 0 is refused: "all" says all (0 used to mean it silently) */
        return int_value(cmd, argc, argv, i, 1, INT64_C(1) << 40, &o->num_batches);
    }
    if (strcmp(opt, "--dataset-items") == 0)
        return cli_take_value(cmd, argc, argv, i, &v) ? parse_items(cmd, v, a) : -1;
    if (strcmp(opt, "--fields") == 0)
        return cli_take_value(cmd, argc, argv, i, &v) ? parse_fields(cmd, v, a) : -1;
    if (strcmp(opt, "--no-label") == 0) {
        a->no_label = true;
        return 1;
    }
    if (strcmp(opt, "--no-sidecar") == 0) {
        o->write_sidecar = false;
        return 1;
    }
    bool *flag = strcmp(opt, "--mirror") == 0     ? &o->sidecar_entries
                 : strcmp(opt, "--two-pass") == 0 ? &o->two_pass
                                                  : NULL;
    if (flag) {
        *flag = true;
        return 1;
    }
    if (strcmp(opt, "--do-lower-case") == 0) { /* as in tokenize / encode / decode */
        bool b;
        if (!cli_take_value(cmd, argc, argv, i, &v) || !cli_parse_bool(cmd, opt, v, &b))
            return -1;
        o->tokenizer_options.do_lower_case = b;
        return 1;
    }
    if (strcmp(opt, "--lower") == 0 || strcmp(opt, "--no-lower") == 0) {
        o->tokenizer_options.do_lower_case = strcmp(opt, "--lower") == 0;
        return 1;
    }
    return 0;
}

int cli_pipeline_options(const char *cmd, const cli_pipeline_args *a, const cli_sampler_args *sa,
                         tka_pipeline_options *o)
{
    tka_sampler_spec spec;
    int rc =
        cli_sampler_spec(cmd, sa, false, TKA_SAMPLER_SEQUENTIAL, false, TKA_FLAVOR_TORCH, &spec);
    if (rc != CLI_EXIT_OK)
        return rc;
    *o = a->options;
    if (!o->tokenizer)
        return cli_usage_error(cmd, "--tokenizer is required (a vocab.txt / .model file, a "
                                    "directory, or a name such as bert-base-uncased)");
    if (o->order_path && (sa->kind_name || sa->have_seed || sa->have_gen_seed || sa->have_world ||
                          sa->have_rank || sa->have_epoch || sa->shuffle_set || sa->drop_last ||
                          sa->replacement || sa->no_dataloader || sa->shard_drop_last))
        return cli_usage_error(cmd, "--order gives the batches; it replaces --sampler and its "
                                    "options (seed, ranks, epoch, shuffle, drop-last...)");
    o->sampler = spec; /* the one place the run's flavor is stored */
    if (sa->have_batch)
        o->batch_size = sa->batch;
    if (a->compat) {
        if (strcmp(a->compat, "slow") == 0)
            o->tokenizer_options.compat = TKA_COMPAT_SLOW;
        else if (strcmp(a->compat, "fast") == 0)
            o->tokenizer_options.compat = TKA_COMPAT_FAST;
        else
            return cli_usage_error(cmd, "--compat expects slow or fast, got '%s'", a->compat);
    }
    if (a->mode) {
        if (strcmp(a->mode, "pandas") == 0)
            o->dataset.tsv.mode = TKA_TSV_PANDAS;
        else if (strcmp(a->mode, "glue") == 0)
            o->dataset.tsv.mode = TKA_TSV_GLUE;
        else
            return cli_usage_error(cmd, "--mode expects pandas or glue, got '%s'", a->mode);
    }
    if (a->errors) {
        if (strcmp(a->errors, "strict") == 0)
            o->dataset.tsv.utf8_errors = TKA_UTF8_STRICT;
        else if (strcmp(a->errors, "replace") == 0)
            o->dataset.tsv.utf8_errors = TKA_UTF8_REPLACE;
        else
            return cli_usage_error(cmd, "--errors expects strict or replace, got '%s'", a->errors);
    }
    if (a->no_label)
        o->dataset.label_field = NULL;
    if (a->padding) {
        if (strcmp(a->padding, "max_length") == 0)
            o->padding = TKA_PAD_MAX_LENGTH;
        else if (strcmp(a->padding, "none") == 0)
            o->padding = TKA_PAD_NONE;
        else
            return cli_usage_error(cmd,
                                   "--padding expects none or max_length, got '%s' (the "
                                   "collator already pads each batch to its longest item)",
                                   a->padding);
        if (o->padding == TKA_PAD_MAX_LENGTH && o->max_length == -1)
            return cli_usage_error(cmd, "--padding max_length needs a length: --max-length N");
    }
    if (o->pad_id >= 0 && o->pad_token)
        return cli_usage_error(cmd, "give either --pad-id or --pad-token, not both");
    if (o->pad_to_multiple_of && spec.flavor == TKA_FLAVOR_PADDLE)
        return cli_usage_error(cmd, "--pad-to-multiple-of is a DataCollatorWithPadding option; "
                                    "PaddleNLP's Pad has none");
    return CLI_EXIT_OK;
}

int cli_run_pipeline(const char *cmd, const char *side, const tka_pipeline_options *o,
                     tka_pipeline_result *result)
{
    tka_buf warnings = {0};
    tka_error err;
    tka_error_clear(&err);
    tka_status st = tka_pipeline_run(o, result, &warnings, &err);
    if (warnings.len)
        fputs(warnings.data, stderr);
    tka_buf_free(&warnings);
    if (st == TKA_OK)
        return CLI_EXIT_OK;
    if (side)
        fprintf(stderr, "tokalign %s: %s side: error: %s%s\n", cmd, side, err.message,
                cli_remedy(&err));
    else
        cli_report(cmd, &err);
    return err.status == TKA_ERR_ARGUMENT ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
}
