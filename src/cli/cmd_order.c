/* `tokalign order`: writes the index batches of a torch or Paddle sampler as JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/sampler_args.h"
#include "tokalign/dump.h"
#include "tokalign/dataset.h"
#include "core/io.h"
#include "core/json_write.h"
#include "tokalign/sampler.h"
#include "tokalign/text.h"

#define CMD "order"

static void usage(FILE *out)
{
    fputs(
        "usage: tokalign order --sampler KIND --flavor torch|paddle (--n N | --data FILE.tsv)\n"
        "                      --batch-size B [options] [-o FILE.json]\n"
        "\n"
        "Writes the index batches one epoch of a torch or Paddle data loader visits, so the\n"
        "other framework can be fed exactly the same order (aligned input batches):\n"
        "`tokalign pipeline --order FILE` makes the other side's dump in this order.\n"
        "\n"
        "  --n N               dataset length (rows)\n"
        "  --data FILE.tsv     take the length from a TSV: its rows as pandas.read_csv(sep=\"\\t\")\n"
        "                      reads them (--data-mode glue: csv.reader lines after the header)\n",
        out);
    fputs(cli_sampler_help, out);
    fputs("  -o, --output FILE   output file (default: stdout; --out is an alias): .json (below)\n"
          "                      or .npy: a plain int64\n"
          "                      array of the indices in loader order (np.load(FILE); batch i is\n"
          "                      [i*B, (i+1)*B) of it)\n"
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
    tka_status st =
        tka_buf_printf(out,
                       "{\n \"tokalign_order\": 1,\n \"flavor\": \"%s\",\n"
                       " \"sampler\": \"%s\",\n \"call\": ",
                       spec->flavor == TKA_FLAVOR_TORCH ? "torch" : "paddle", kind_name);
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
    const char *out_path = NULL, *data_path = NULL, *value;
    tka_tsv_mode data_mode = TKA_TSV_PANDAS;
    bool have_n = false;
    int64_t n = 0;
    cli_sampler_args sa;
    cli_sampler_args_init(&sa);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken = cli_sampler_arg(CMD, argc, argv, &i, &sa);
        if (taken < 0)
            return CLI_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!cli_take_value(CMD, argc, argv, &i, &out_path))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--data") == 0) {
            if (!cli_take_value(CMD, argc, argv, &i, &data_path))
                return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--data-mode") == 0) {
            if (!cli_take_value(CMD, argc, argv, &i, &value))
                return CLI_EXIT_USAGE;
            if (strcmp(value, "pandas") == 0)
                data_mode = TKA_TSV_PANDAS;
            else if (strcmp(value, "glue") == 0)
                data_mode = TKA_TSV_GLUE;
            else
                return cli_usage_error(CMD, "--data-mode expects pandas or glue, got '%s'", value);
        } else if (strcmp(a, "--n") == 0) {
            if (!cli_take_value(CMD, argc, argv, &i, &value) ||
                !cli_parse_int64(CMD, a, value, 0, INT64_C(1) << 40, &n))
                return CLI_EXIT_USAGE;
            have_n = true;
        } else {
            return cli_usage_error(CMD, "unknown option '%s'", a);
        }
    }

    tka_sampler_spec spec;
    int rc =
        cli_sampler_spec(CMD, &sa, true, TKA_SAMPLER_SEQUENTIAL, true, TKA_FLAVOR_TORCH, &spec);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (have_n && data_path)
        return cli_usage_error(CMD, "give either --n or --data, not both");
    if (!have_n && !data_path)
        return cli_usage_error(CMD, "--n (dataset length) or --data FILE.tsv is required");
    if (!sa.have_batch)
        return cli_usage_error(CMD, "--batch-size is required");
    bool npy = out_path && ends_with(out_path, ".npy");
    if (out_path && strcmp(out_path, "-") != 0 && !ends_with(out_path, ".json") && !npy)
        return cli_usage_error(CMD, "%s: unknown output format; use .json or .npy", out_path);

    tka_error err;
    tka_error_clear(&err);
    if (cli_check_not_input(CMD, out_path, data_path) != CLI_EXIT_OK)
        return CLI_EXIT_ERROR;
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
    spec.n = n;
    const char *kind_name = spec.kind == TKA_SAMPLER_SEQUENTIAL ? "sequential"
                            : spec.kind == TKA_SAMPLER_RANDOM   ? "random"
                                                                : "distributed";

    tka_batches batches;
    if (tka_sampler_batches(&spec, &batches, &err) != TKA_OK) {
        /* An invalid combination of options is a usage error; a refusal the
         * reference itself makes (bad rank, ...) is an error. */
        rc = cli_report(CMD, &err);
        return err.status == TKA_ERR_ARGUMENT ? CLI_EXIT_USAGE : rc;
    }
    tka_buf json = {0};
    tka_status st;
    if (npy) { /* the flat index order as one int64 array, as numpy.save(array) writes it */
        tka_array a = {.dtype = TKA_DTYPE_INT64, .ndim = 1, .data = batches.indices};
        a.shape[0] = (int64_t)batches.count;
        st = tka_npy_encode_array(&a, &json, &err);
    } else {
        st = write_json(&spec, kind_name, &batches, &json);
    }
    tka_batches_free(&batches);
    if (st != TKA_OK) {
        tka_buf_free(&json);
        if (err.status == TKA_OK)
            tka_error_set(&err, st, "out of memory writing the output");
        return cli_report(CMD, &err);
    }
    rc = CLI_EXIT_OK;
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
