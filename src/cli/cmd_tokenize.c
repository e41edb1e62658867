/* `tokalign tokenize`: tokens and ids of each input record, no special tokens. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/records.h"
#include "cli/tok_args.h"
#include "core/cacheline.h"
#include "core/json_write.h"

static const char *const USAGE =
    "usage: tokalign tokenize --tokenizer T [options]\n"
    "\n"
    "Writes one JSON object per input record, in input order, without special tokens:\n"
    "  WordPiece (BERT):  {\"tokens\": [...], \"ids\": [...]}\n"
    "  SentencePiece:     {\"pieces\": [...], \"tokens\": [...], \"ids\": [...]}\n"
    "  tokenizer.json:    {\"tokens\": [...], \"ids\": [...]} (HF's Rust tokenizer)\n"
    "The default follows HuggingFace's slow BertTokenizer (transformers 4.9.1); --compat fast\n"
    "follows the Rust tokenizer where the two differ.\n"
    "\n"
    "options:\n"
    "  --tokenizer T            vocab.txt, .model or tokenizer.json file, a directory holding\n"
    "                           one (or GPT-2's vocab.json + merges.txt), or a model name\n"
    "                           (bert-base-uncased, bert-base-cased, bert-base-chinese, ...,\n"
    "                           or any name whose hub-cache snapshot or mirror tokenizers/NAME\n"
    "                           directory holds a tokenizer.json, e.g. gpt2); a\n"
    "                           directory with both a slow file (vocab.txt, .model) and\n"
    "                           tokenizer.json opens the slow one, or tokenizer.json with\n"
    "                           --compat fast\n"
    "                           A Reformer model (a directory whose config.json has \"model_type\":\n"
    "                           \"reformer\", or google/reformer-crime-and-punishment) follows\n"
    "                           ReformerTokenizer.from_pretrained: </s> and <unk> in the text are\n"
    "                           never split and the whitespace around them is dropped; a bare\n"
    "                           .model file is plain sentencepiece (ReformerTokenizer(file)).\n"
    "  --input FILE|-           input file (default: standard input)\n"
    "  --input-format F         lines: one text per line, split as Python's text mode splits\n"
    "                           (\\n, \\r\\n, \\r); jsonl: one JSON object per line (default: lines)\n"
    "  --text-field NAME        JSONL field holding the text (default: text)\n"
    "  --compat slow|fast       reference to follow where HF's slow and fast tokenizers differ\n"
    "                           (fast also picks tokenizer.json in a directory)\n"
    "  --do-lower-case B        true/false: override tokenizer_config.json and the name's default\n"
    "  --errors strict|replace  invalid UTF-8: stop with the line and byte offset (default), or\n"
    "                           decode it as Python's errors=\"replace\" (U+FFFD)\n"
    "  --threads N              threads in all (output order never changes; default 1)\n"
    "  -o, --output FILE        output file (default: standard output)\n"
    "  --progress / --no-progress\n"
    "                           rows, MB, MB/s and ETA on stderr (default: only when\n"
    "                           stderr is a terminal; nothing else changes)\n"
    "\n"
    "examples:\n"
    "  echo 'Hello, world!' | tokalign tokenize --tokenizer bert-base-uncased\n"
    "    {\"tokens\": [\"hello\", \",\", \"world\", \"!\"], \"ids\": [7592, 1010, 2088, 999]}\n"
    "  tokalign tokenize --tokenizer bert-base-chinese --input corpus.txt --threads 2\n"
    "  tokalign tokenize --tokenizer ./vocab.txt --input data.jsonl --input-format jsonl \\\n"
    "      --text-field sentence\n";

typedef struct shared {
    const tka_tokenizer *tok;
    bool pieces; /* SentencePiece: "pieces" too */
} shared;

typedef struct state {
    const shared *sh;
    tka_tokens t;
} state;

static void *make_state(void *sh, tka_error *err)
{
    state *s = tka_calloc_cache_lines(sizeof *s); /* one per thread, written per line */
    if (!s)
        tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    else
        s->sh = sh;
    return s;
}

static void free_state(void *p)
{
    state *s = p;
    tka_tokens_free(&s->t);
    free(s);
}

static tka_status append_strings(tka_buf *out, const tka_tokens *t)
{
    tka_status st = tka_buf_append_char(out, '[');
    for (size_t i = 0; i < t->count && st == TKA_OK; i++) {
        if (i)
            st = tka_buf_append(out, ", ", 2);
        if (st == TKA_OK)
            st = tka_json_append_string(out, t->text + t->text_start[i], t->text_len[i]);
    }
    return st == TKA_OK ? tka_buf_append_char(out, ']') : st;
}

static tka_status run_tokenize(void *p, const cli_record *rec, tka_buf *out, void **chunk_user,
                               tka_error *err)
{
    (void)chunk_user;
    state *s = p;
    tka_tokens *t = &s->t;
    tka_status st = tka_tokenize(s->sh->tok, rec->text, rec->len, TKA_TOKENS_STRINGS, t, err);
    if (st != TKA_OK)
        return st;
    st = tka_buf_reserve(out, t->count * 12 + t->text_used * 2 + 64);
    if (st == TKA_OK && s->sh->pieces) {
        st = tka_buf_append_str(out, "{\"pieces\": ");
        if (st == TKA_OK)
            st = append_strings(out, t);
        if (st == TKA_OK)
            st = tka_buf_append_str(out, ", \"tokens\": ");
    } else if (st == TKA_OK) {
        st = tka_buf_append_str(out, "{\"tokens\": ");
    }
    if (st == TKA_OK)
        st = append_strings(out, t);
    if (st == TKA_OK)
        st = tka_buf_append_str(out, ", \"ids\": ");
    if (st == TKA_OK)
        st = tka_json_append_int32_array(out, t->ids, t->count);
    if (st == TKA_OK)
        st = tka_buf_append(out, "}\n", 2);
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory");
    return TKA_OK;
}

int cmd_tokenize(int argc, char **argv)
{
    const char *cmd = "tokenize";
    cli_tok_args a;
    cli_tok_args_init(&a);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return CLI_EXIT_OK;
        }
        int r = cli_tok_arg(cmd, argc, argv, &i, &a);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r == 0)
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
    }
    if (!a.tokenizer)
        return cli_usage_error(cmd, "--tokenizer is required");
    if (cli_check_not_input(cmd, a.output, a.in.path) != CLI_EXIT_OK)
        return CLI_EXIT_ERROR;
    tka_tokenizer *tok = cli_open_tokenizer(cmd, &a);
    if (!tok)
        return CLI_EXIT_ERROR;
    FILE *out = cli_open_output(cmd, a.output);
    if (!out) {
        tka_tokenizer_free(tok);
        return CLI_EXIT_ERROR;
    }
    shared sh = {tok, tka_tokenizer_get_kind(tok) == TKA_TOKENIZER_SENTENCEPIECE};
    cli_job job = {make_state, free_state, run_tokenize, NULL, NULL, &sh, NULL};
    int rc = cli_run_records(cmd, &a.in, a.threads, &job, out);
    rc = cli_close_output(cmd, out, rc);
    tka_tokenizer_free(tok);
    return rc;
}
