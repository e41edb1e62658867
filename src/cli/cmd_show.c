/* `tokalign show`: prints a dump (.npy reprod_log dict or plain array, .npz,
 * JSON mirror) as its JSON mirror, or converts it to another format. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tokalign/dump.h"
#include "core/io.h"

/* Streams JSON to a stream (stdout, or an output of cli_open_output) as it
 * is produced. */
static tka_status write_stream(void *ctx, const void *data, size_t len, tka_error *err)
{
    if (fwrite(data, 1, len, ctx) != len)
        return tka_error_set(err, TKA_ERR_IO, "%s: write error",
                             ctx == stdout ? "stdout" : "output");
    return TKA_OK;
}

static void show_help(void)
{
    printf("usage: tokalign show FILE [--to json|npy|npz|array] [-o OUT]\n\n"
           "Reads a dump — a reprod_log .npy (numpy.save of a dict of arrays), a plain .npy\n"
           "array, an .npz, or a JSON mirror — and prints it as the JSON mirror\n"
           "{\"file\", \"meta\"?, \"entries\": [{\"key\", \"dtype\", \"shape\", \"data\"}]}\n"
           "(json.dump(..., separators=(\",\", \":\")) layout, floats as Python's repr).\n\n"
           "  --to FORMAT  json (default); npy: a reprod_log .npy, byte-identical to\n"
           "               numpy.save of the same dict; npz: numpy.savez; array: a plain\n"
           "               .npy of a dump holding exactly one array\n"
           "  -o, --output OUT\n"
           "               output file (default: stdout; binary formats need -o)\n\n"
           "examples:\n"
           "  tokalign show bert_seq_bs4_torch.npy | head -c 300\n"
           "  tokalign show dump.json --to npy -o dump.npy\n");
}

int cmd_show(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *to = "json";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            show_help();
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--to") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("show", "%s needs a value", a);
            if (strcmp(a, "--to") == 0)
                to = argv[++i];
            else
                output = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("show", "unknown option '%s'", a);
        } else if (!input) {
            input = a;
        } else {
            return cli_usage_error("show", "one input file expected, got '%s' too", a);
        }
    }
    if (!input)
        return cli_usage_error("show", "missing the dump file");
    if (strcmp(to, "json") != 0 && strcmp(to, "npy") != 0 && strcmp(to, "npz") != 0 &&
        strcmp(to, "array") != 0)
        return cli_usage_error("show", "--to expects json, npy, npz or array, got '%s'", to);
    bool binary = strcmp(to, "json") != 0;
    if (binary && (!output || strcmp(output, "-") == 0))
        return cli_usage_error("show", "--to %s writes binary data: give -o FILE", to);

    tka_error err;
    tka_error_clear(&err);
    tka_dict *dict = NULL;
    tka_dump_kind kind;
    if (cli_check_not_input("show", output, input) != CLI_EXIT_OK)
        return CLI_EXIT_ERROR;
    if (tka_dump_read(input, TKA_FORMAT_AUTO, &dict, &kind, &err) != TKA_OK)
        return cli_report("show", &err);
    tka_buf out = {0};
    tka_status st;
    const char *slash = strrchr(input, '/');
    bool to_stdout = !output || strcmp(output, "-") == 0;
    if (strcmp(to, "json") == 0) {
        /* streamed, to stdout or through the atomic output: the JSON of a
         * small file can be gigabytes */
        FILE *f = to_stdout ? stdout : cli_open_output("show", output);
        if (!f) {
            tka_dict_free(dict);
            return CLI_EXIT_ERROR;
        }
        st = tka_json_encode_stream(dict, slash ? slash + 1 : input, write_stream, f, &err);
        tka_dict_free(dict);
        if (!to_stdout)
            return cli_close_output("show", f,
                                    st == TKA_OK ? CLI_EXIT_OK : cli_report("show", &err));
        if (st == TKA_OK && fflush(stdout) != 0)
            st = tka_error_set(&err, TKA_ERR_IO, "stdout: write error");
        return st == TKA_OK ? CLI_EXIT_OK : cli_report("show", &err);
    } else if (strcmp(to, "npy") == 0) {
        st = tka_reprod_encode(dict, &out, &err);
    } else if (strcmp(to, "npz") == 0) {
        st = tka_npz_encode(dict, &out, &err);
    } else if (tka_dict_size(dict) != 1) {
        st = tka_error_set(&err, TKA_ERR_ARGUMENT,
                           "%s: --to array needs a dump of exactly one array, this one has %zu",
                           input, tka_dict_size(dict));
    } else {
        st = tka_npy_encode_array(tka_dict_at(dict, 0), &out, &err);
    }
    if (st == TKA_OK) {
        if (!output || strcmp(output, "-") == 0) {
            if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
                st = tka_error_set(&err, TKA_ERR_IO, "stdout: write error");
        } else {
            st = tka_write_file(output, out.data, out.len, &err);
        }
    }
    tka_buf_free(&out);
    tka_dict_free(dict);
    return st == TKA_OK ? CLI_EXIT_OK : cli_report("show", &err);
}
