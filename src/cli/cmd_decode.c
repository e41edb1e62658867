/* `tokalign decode`: ids back to text, as tokenizer.decode of transformers 4.9.1. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/tok_args.h"
#include "tokalign/encode.h"
#include "core/json_write.h"
#include "core/lines.h"

static const char *const USAGE =
    "usage: tokalign decode --tokenizer T [options]\n"
    "\n"
    "Decodes one id sequence per input line, as tokenizer.decode(ids) of transformers 4.9.1:\n"
    "ids -> tokens (ids without a token give the unknown token, as the slow tokenizers do),\n"
    "WordPiece joins tokens with spaces and merges \"##\" pieces, SentencePiece decodes its\n"
    "pieces, then clean_up_tokenization (\" .\" -> \".\", \" n't\" -> \"n't\", ...).\n"
    "\n"
    "options:\n"
    "  --tokenizer T, --compat slow|fast, --do-lower-case true|false\n"
    "                                    as in `tokalign tokenize --help`\n"
    "  --input FILE|-                    input (default: standard input)\n"
    "  --input-format ids|jsonl          ids: integers separated by spaces or commas (what\n"
    "                                    `encode --output-format ids` writes; default);\n"
    "                                    jsonl: a JSON list, or an object with \"input_ids\" or\n"
    "                                    \"ids\" (what encode and tokenize write)\n"
    "  --skip-special-tokens             drop [CLS], [SEP], [PAD], ... (skip_special_tokens=True)\n"
    "  --no-clean-up-tokenization-spaces keep \" .\" etc. as they are\n"
    "  --output-format jsonl|text        {\"text\": \"...\"} per line (default), or the bare text\n"
    "  -o, --output FILE                 output (default: standard output)\n"
    "  --progress / --no-progress        as in `tokalign tokenize --help`\n"
    "\n"
    "examples:\n"
    "  echo '101 7592 1010 2088 999 102' | tokalign decode --tokenizer bert-base-uncased\n"
    "    {\"text\": \"[CLS] hello, world! [SEP]\"}\n"
    "  tokalign encode --tokenizer bert-base-uncased --input corpus.txt --output-format ids |\n"
    "      tokalign decode --tokenizer bert-base-uncased --skip-special-tokens --output-format text\n";

typedef struct ids {
    int32_t *v;
    size_t n, cap;
} ids;

static bool push(ids *x, int32_t id)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        int32_t *v = realloc(x->v, cap * sizeof *v);
        if (!v)
            return false;
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = id;
    return true;
}

/* "101 7592, 102": integers separated by spaces, tabs or commas. */
static tka_status parse_plain(const char *s, size_t len, ids *out, tka_error *err)
{
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == ',') {
            i++;
            continue;
        }
        size_t start = i;
        bool neg = c == '-';
        if (neg)
            i++;
        int64_t v = 0;
        size_t digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (s[i] - '0');
            if (v > (int64_t)INT32_MAX + 1)
                return tka_error_set(err, TKA_ERR_FORMAT, "column %zu: id out of range", start + 1);
            i++;
            digits++;
        }
        if (!digits || (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != ','))
            return tka_error_set(err, TKA_ERR_FORMAT, "column %zu: expected an integer id",
                                 start + 1);
        if (neg)
            v = -v;
        if (v > INT32_MAX || v < INT32_MIN)
            return tka_error_set(err, TKA_ERR_FORMAT, "column %zu: id out of range", start + 1);
        if (!push(out, (int32_t)v))
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    return TKA_OK;
}

static tka_status parse_json(const char *s, size_t len, ids *out, tka_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(s, len, 0, &jerr);
    if (!root)
        return tka_error_set(err, TKA_ERR_FORMAT, "column %d: not JSON: %s", jerr.column,
                             jerr.text);
    const json_t *list = root;
    if (json_is_object(root)) {
        list = json_object_get(root, "input_ids");
        if (!list)
            list = json_object_get(root, "ids");
    }
    tka_status st = TKA_OK;
    if (!json_is_array(list)) {
        st = tka_error_set(err, TKA_ERR_FORMAT,
                           "expected a list of ids or an object with \"input_ids\" or \"ids\"");
    } else {
        for (size_t i = 0; i < json_array_size(list) && st == TKA_OK; i++) {
            const json_t *v = json_array_get(list, i);
            if (!json_is_integer(v) || json_integer_value(v) > INT32_MAX ||
                json_integer_value(v) < INT32_MIN)
                st = tka_error_set(err, TKA_ERR_FORMAT, "item %zu is not an integer id", i);
            else if (!push(out, (int32_t)json_integer_value(v)))
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        }
    }
    json_decref(root);
    return st;
}

int cmd_decode(int argc, char **argv)
{
    const char *cmd = "decode";
    cli_tok_args a;
    cli_tok_args_init(&a);
    bool jsonl = false, text_out = false;
    tka_decode_options dopt;
    tka_decode_options_init(&dopt);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(USAGE, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(arg, "--skip-special-tokens") == 0) {
            dopt.skip_special_tokens = true;
            continue;
        }
        if (strcmp(arg, "--no-clean-up-tokenization-spaces") == 0) {
            dopt.clean_up_tokenization_spaces = false;
            continue;
        }
        bool missing;
        const char *v = cli_option_value(argc, argv, &i, "--input-format", &missing);
        if (!v && !missing) {
            v = cli_option_value(argc, argv, &i, "--output-format", &missing);
            if (v) {
                if (strcmp(v, "jsonl") == 0)
                    text_out = false;
                else if (strcmp(v, "text") == 0)
                    text_out = true;
                else
                    return cli_usage_error(cmd, "--output-format is jsonl or text, not '%s'", v);
                continue;
            }
        } else if (v) {
            if (strcmp(v, "ids") == 0)
                jsonl = false;
            else if (strcmp(v, "jsonl") == 0)
                jsonl = true;
            else
                return cli_usage_error(cmd, "--input-format is ids or jsonl, not '%s'", v);
            continue;
        }
        if (missing)
            return cli_usage_error(cmd, "%s needs a value", arg);
        if (strncmp(arg, "--threads", 9) == 0 || strncmp(arg, "--text-field", 12) == 0 ||
            strncmp(arg, "--errors", 8) == 0)
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        int r = cli_tok_arg(cmd, argc, argv, &i, &a);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r == 0)
            return cli_usage_error(cmd, "unknown option '%s'", arg);
    }
    if (!a.tokenizer)
        return cli_usage_error(cmd, "--tokenizer is required");
    if (cli_check_not_input(cmd, a.output, a.in.path) != CLI_EXIT_OK)
        return CLI_EXIT_ERROR;
    tka_tokenizer *tok = cli_open_tokenizer(cmd, &a);
    if (!tok)
        return CLI_EXIT_ERROR;
    FILE *in = cli_open_input(cmd, a.in.path);
    FILE *out = in ? cli_open_output(cmd, a.output) : NULL;
    tka_line_reader *lr = out ? tka_line_reader_new(in) : NULL;
    int rc = CLI_EXIT_OK;
    if (!lr) {
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    const char *name = a.in.path && strcmp(a.in.path, "-") != 0 ? a.in.path : "<stdin>";
    ids x = {0};
    tka_buf text = {0}, line_out = {0};
    cli_progress pg;
    cli_progress_start(&pg, cmd, a.in.progress, a.in.path);
    for (;;) {
        const char *line;
        size_t len;
        tka_error err;
        tka_status st = tka_line_reader_next(lr, &line, &len, &err);
        if (st == TKA_END)
            break;
        cli_progress_update(&pg, tka_line_reader_line_number(lr), tka_line_reader_line_offset(lr));
        if (st == TKA_OK) {
            x.n = 0;
            size_t k = 0;
            while (k < len && (line[k] == ' ' || line[k] == '\t'))
                k++;
            if (jsonl && k == len)
                continue; /* blank JSONL line */
            st = jsonl ? parse_json(line, len, &x, &err) : parse_plain(line, len, &x, &err);
        }
        if (st == TKA_OK) {
            text.len = 0;
            st = tka_decode(tok, x.v, x.n, &dopt, &text, &err);
        }
        if (st != TKA_OK) {
            fprintf(stderr, "tokalign decode: error: %s: line %llu: %s\n", name,
                    (unsigned long long)tka_line_reader_line_number(lr), err.message);
            rc = CLI_EXIT_ERROR;
            break;
        }
        line_out.len = 0;
        if (text_out) {
            st = tka_buf_append(&line_out, text.data ? text.data : "", text.len);
        } else {
            st = tka_buf_append_str(&line_out, "{\"text\": ");
            if (st == TKA_OK)
                st = tka_json_append_string(&line_out, text.data ? text.data : "", text.len);
            if (st == TKA_OK)
                st = tka_buf_append_char(&line_out, '}');
        }
        if (st == TKA_OK)
            st = tka_buf_append_char(&line_out, '\n');
        if (st != TKA_OK || fwrite(line_out.data, 1, line_out.len, out) != line_out.len) {
            fprintf(stderr, "tokalign decode: error: write failed: %s\n", strerror(errno));
            rc = CLI_EXIT_ERROR;
            break;
        }
    }
    if (rc == CLI_EXIT_OK)
        cli_progress_finish(&pg, tka_line_reader_line_number(lr), UINT64_MAX);
    if (rc == CLI_EXIT_OK && fflush(out) != 0) {
        fprintf(stderr, "tokalign decode: error: write failed: %s\n", strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    free(x.v);
    tka_buf_free(&text);
    tka_buf_free(&line_out);
done:
    tka_line_reader_free(lr);
    rc = cli_close_output(cmd, out, rc);
    cli_close(in);
    tka_tokenizer_free(tok);
    return rc;
}
