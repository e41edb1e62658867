/* `tokalign encode`: model inputs per record (special tokens, pairs,
 * truncation, overflow, padding, offsets), as JSON lines or bare ids. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/records.h"
#include "cli/tok_args.h"
#include "tokalign/arena.h"
#include "tokalign/encode.h"
#include "core/json_write.h"

static const char *const USAGE =
    "usage: tokalign encode --tokenizer T [options]\n"
    "\n"
    "Writes the model inputs of each input record, in input order, as\n"
    "tokenizer(text, text_pair, ...) of HuggingFace transformers 4.9.1 returns them:\n"
    "  {\"input_ids\": [...], \"token_type_ids\": [...], \"attention_mask\": [...],\n"
    "   \"special_tokens_mask\": [...], \"offsets\"?: [[start, end], ...],\n"
    "   \"word_ids\"?: [...],\n"
    "   \"overflowing_tokens\"?: [...], \"num_truncated_tokens\"?: N}\n"
    "WordPiece adds [CLS] A [SEP] (B [SEP]); SentencePiece (ReformerTokenizer) adds nothing,\n"
    "concatenates pairs and has no token_type_ids. Offsets are code-point [start, end) in\n"
    "the record's text (second-sequence tokens: in text_pair), specials and padding [0, 0].\n"
    "\n"
    "options (besides --tokenizer, --input, --input-format, --text-field, --compat,\n"
    "--do-lower-case, --errors, --threads, -o/--output, --progress/--no-progress as in\n"
    "`tokalign tokenize --help`):\n"
    "  --pair-field NAME        JSONL field holding text_pair (absent or null: single text)\n"
    "  --max-length N           truncate to N tokens (special tokens included); alone, it\n"
    "                           turns on longest_first truncation, as HF does (and PaddleNLP's\n"
    "                           max_seq_len: alias --max-seq-len)\n"
    "  --truncation S           longest_first | only_first | only_second | none\n"
    "  --stride N               overflow overlap (default 0)\n"
    "  --overflow               also write what truncation removed: slow, overflowing_tokens\n"
    "                           and num_truncated_tokens (4.9.1: flat list, longest_first in\n"
    "                           removal order); --compat fast and tokenizer.json, the Rust\n"
    "                           \"overflowing\" encodings (windows of the stride)\n"
    "  --padding P              none | longest | max_length (default none); max_length pads\n"
    "                           to --max-length: input_ids with the pad id, token_type_ids 0,\n"
    "                           attention_mask 0, special_tokens_mask 1 (HF; PaddleNLP's\n"
    "                           pad_to_max_seq_len=True pads alike: alias --pad-to-max-seq-len)\n"
    "  --batch-size N           with --padding longest: pad each run of N records to its\n"
    "                           longest (N >= 1; default 1000, datasets.map's batch size),\n"
    "                           written as each batch completes: memory holds one batch; a\n"
    "                           tokenizer.json whose padding section is BatchLongest does the\n"
    "                           same when no --padding is given (its pad id, type id, side,\n"
    "                           multiple)\n"
    "  --pad-to-multiple-of N   round the padded length up to a multiple of N\n"
    "  --padding-side S         right | left (default right)\n"
    "  --pad-id N | --pad-token PIECE\n"
    "                           pad token when the tokenizer has none (Reformer) or another\n"
    "  --no-special-tokens      add_special_tokens=False\n"
    "  --offsets                write offsets\n"
    "  --word-ids               write word_ids: the Rust tokenizer's word of each token (the\n"
    "                           pre-tokenizer split, added tokens met in the text included;\n"
    "                           null for special tokens and padding), as BatchEncoding.\n"
    "                           word_ids() gives it; --compat fast and tokenizer.json only\n"
    "  --output-format F        jsonl (default) | ids: the input ids space-separated, one\n"
    "                           line per record\n"
    "\n"
    "examples:\n"
    "  echo 'Hello, world!' | tokalign encode --tokenizer bert-base-uncased --offsets\n"
    "  tokalign encode --tokenizer bert-base-cased --input pairs.jsonl --input-format jsonl \\\n"
    "      --text-field sentence1 --pair-field sentence2 --max-length 128 --padding max_length\n"
    "  tokalign encode --tokenizer bert-base-uncased --input corpus.txt --output-format ids \\\n"
    "      --threads 2 > ids.txt\n";

typedef struct kept kept;

/* --padding longest: chunks kept until their records are written. */
typedef struct batcher {
    kept **chunks;
    size_t n, cap;
    size_t first;   /* next record of chunks[0] */
    size_t pending; /* records kept, not yet written */
    tka_encoding *batch;
    tka_arena *arena;
    tka_buf buf;
} batcher;

typedef struct shared {
    const tka_tokenizer *tok;
    tka_encode_options o;
    bool ids_only;
    int64_t batch_size;
    const tka_encoder *padder; /* for --padding longest batches */
    batcher q;
} shared;

typedef struct state {
    const shared *sh;
    tka_encoder *enc;
    tka_arena *arena;
} state;

/* Encodings kept per chunk for --padding longest. */
struct kept {
    tka_arena *arena;
    tka_encoding *v;
    size_t n, cap;
};

static void *make_state(void *p, tka_error *err)
{
    shared *sh = p;
    state *s = calloc(1, sizeof *s);
    if (!s) {
        tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->sh = sh;
    s->arena = tka_arena_new(0);
    if (!s->arena || tka_encoder_new(sh->tok, &sh->o, &s->enc, err) != TKA_OK) {
        if (!s->arena)
            tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        tka_arena_free(s->arena);
        free(s);
        return NULL;
    }
    return s;
}

static void free_state(void *p)
{
    state *s = p;
    tka_encoder_free(s->enc);
    tka_arena_free(s->arena);
    free(s);
}

static void free_kept(void *p)
{
    kept *k = p;
    if (!k)
        return;
    tka_arena_free(k->arena);
    free(k->v);
    free(k);
}

static tka_status append_u32_pairs(tka_buf *out, const uint32_t *a, const uint32_t *b, size_t n)
{
    tka_status st = tka_buf_reserve(out, n * 24 + 2);
    if (st != TKA_OK)
        return st;
    char *p = out->data + out->len;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i) {
            *p++ = ',';
            *p++ = ' ';
        }
        *p++ = '[';
        cli_put_int(&p, a[i]);
        *p++ = ',';
        *p++ = ' ';
        cli_put_int(&p, b[i]);
        *p++ = ']';
    }
    *p++ = ']';
    out->len = (size_t)(p - out->data);
    out->data[out->len] = '\0';
    return TKA_OK;
}

/* A JSON list of ints ("[1, 2]"); with null_negative, a negative value is written null
 * (word ids: -1 is None). */
static tka_status append_int_list(tka_buf *out, const int32_t *v, size_t n, bool null_negative)
{
    tka_status st = tka_buf_reserve(out, n * 13 + 2);
    if (st != TKA_OK)
        return st;
    char *p = out->data + out->len;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i) {
            *p++ = ',';
            *p++ = ' ';
        }
        if (null_negative && v[i] < 0) {
            for (const char *word = "null"; *word; word++)
                *p++ = *word;
        } else
            cli_put_int(&p, v[i]);
    }
    *p++ = ']';
    out->len = (size_t)(p - out->data);
    out->data[out->len] = '\0';
    return TKA_OK;
}

static tka_status append_ints(tka_buf *out, const int32_t *v, size_t n)
{
    return append_int_list(out, v, n, false);
}

/* The fields of one encoding, without the braces. */
static tka_status append_fields(tka_buf *out, const tka_encoding *e, const shared *sh)
{
    tka_status st = tka_buf_append_str(out, "\"input_ids\": ");
    if (st == TKA_OK)
        st = append_ints(out, e->input_ids, e->length);
    if (st == TKA_OK && e->token_type_ids) {
        st = tka_buf_append_str(out, ", \"token_type_ids\": ");
        if (st == TKA_OK)
            st = append_ints(out, e->token_type_ids, e->length);
    }
    if (st == TKA_OK)
        st = tka_buf_append_str(out, ", \"attention_mask\": ");
    if (st == TKA_OK)
        st = append_ints(out, e->attention_mask, e->length);
    if (st == TKA_OK)
        st = tka_buf_append_str(out, ", \"special_tokens_mask\": ");
    if (st == TKA_OK)
        st = append_ints(out, e->special_tokens_mask, e->length);
    if (st == TKA_OK && sh->o.offsets) {
        st = tka_buf_append_str(out, ", \"offsets\": ");
        if (st == TKA_OK)
            st = append_u32_pairs(out, e->offset_starts, e->offset_ends, e->length);
    }
    if (st == TKA_OK && sh->o.word_ids) {
        st = tka_buf_append_str(out, ", \"word_ids\": ");
        if (st == TKA_OK)
            st = append_int_list(out, e->word_ids, e->length, true);
    }
    return st;
}

static tka_status format(tka_buf *out, const tka_encoding *e, const shared *sh)
{
    if (sh->ids_only) {
        tka_status st = tka_buf_reserve(out, e->length * 12 + 1);
        if (st != TKA_OK)
            return st;
        char *p = out->data + out->len;
        for (size_t i = 0; i < e->length; i++) {
            if (i)
                *p++ = ' ';
            cli_put_int(&p, e->input_ids[i]);
        }
        *p++ = '\n';
        out->len = (size_t)(p - out->data);
        out->data[out->len] = '\0';
        return TKA_OK;
    }
    tka_status st = tka_buf_append_char(out, '{');
    if (st == TKA_OK)
        st = append_fields(out, e, sh);
    if (st == TKA_OK && sh->o.overflow && e->overflowing_tokens) {
        st = tka_buf_append_str(out, ", \"overflowing_tokens\": ");
        if (st == TKA_OK)
            st = append_ints(out, e->overflowing_tokens, e->n_overflowing_tokens);
        if (st == TKA_OK)
            st = tka_buf_append_str(out, ", \"num_truncated_tokens\": ");
        if (st == TKA_OK)
            st = tka_json_append_int(out, e->num_truncated_tokens);
    }
    /* A tokenizer.json: the Rust overflow list always (its own truncation section too). */
    if (st == TKA_OK && sh->o.overflow && tka_tokenizer_get_compat(sh->tok) == TKA_COMPAT_FAST &&
        ((tka_tokenizer_get_kind(sh->tok) == TKA_TOKENIZER_WORDPIECE && sh->o.max_length >= 0 &&
          sh->o.truncation != TKA_TRUNCATE_NONE) ||
         tka_tokenizer_get_kind(sh->tok) == TKA_TOKENIZER_JSON)) {
        st = tka_buf_append_str(out, ", \"overflowing\": [");
        for (size_t k = 0; k < e->n_overflowing && st == TKA_OK; k++) {
            st = tka_buf_append_str(out, k ? ", {" : "{");
            if (st == TKA_OK)
                st = append_fields(out, &e->overflowing[k], sh);
            if (st == TKA_OK)
                st = tka_buf_append_char(out, '}');
        }
        if (st == TKA_OK)
            st = tka_buf_append_char(out, ']');
    }
    if (st == TKA_OK)
        st = tka_buf_append(out, "}\n", 2);
    return st;
}

static tka_status run_encode(void *p, const cli_record *rec, tka_buf *out, void **chunk_user,
                             tka_error *err)
{
    state *s = p;
    const shared *sh = s->sh;
    bool keep = sh->o.padding == TKA_PAD_LONGEST;
    tka_arena *arena = s->arena;
    kept *k = NULL;
    if (keep) {
        k = *chunk_user;
        if (!k) {
            k = calloc(1, sizeof *k);
            if (!k || !(k->arena = tka_arena_new(1 << 20))) {
                free(k);
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
            }
            *chunk_user = k;
        }
        if (k->n == k->cap) {
            size_t cap = k->cap ? k->cap * 2 : 256;
            tka_encoding *v = realloc(k->v, cap * sizeof *v);
            if (!v)
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
            k->v = v;
            k->cap = cap;
        }
        arena = k->arena;
    } else {
        tka_arena_reset(arena);
    }
    tka_encoding e;
    tka_status st =
        tka_encoder_encode(s->enc, rec->text, rec->len, rec->pair, rec->pair_len, arena, &e, err);
    if (st != TKA_OK)
        return st;
    if (keep) {
        k->v[k->n++] = e;
        return TKA_OK;
    }
    st = format(out, &e, sh);
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory");
    return TKA_OK;
}

/* --padding longest, streamed: chunks come in input order (take_chunk);
 * each complete batch of batch_size records is padded to its longest,
 * written, and the chunks it used are freed, so memory holds about one
 * batch plus the chunks in flight. finish_longest writes the last batch. */
static int write_batches(shared *sh, FILE *out, bool final)
{
    batcher *q = &sh->q;
    size_t bs = (size_t)sh->batch_size;
    while (q->pending >= bs || (final && q->pending > 0)) {
        size_t m = q->pending < bs ? q->pending : bs;
        if (!q->batch && !(q->batch = malloc(bs * sizeof *q->batch)))
            goto nomem;
        if (!q->arena && !(q->arena = tka_arena_new(0)))
            goto nomem;
        size_t ci = 0, ki = q->first;
        for (size_t j = 0; j < m;) {
            if (ki >= q->chunks[ci]->n) {
                ci++;
                ki = 0;
                continue;
            }
            q->batch[j++] = q->chunks[ci]->v[ki++];
        }
        tka_arena_reset(q->arena);
        tka_error err;
        if (tka_encoder_pad(sh->padder, q->batch, m, q->arena, &err) != TKA_OK)
            return cli_report("encode", &err);
        q->buf.len = 0;
        for (size_t j = 0; j < m; j++)
            if (format(&q->buf, &q->batch[j], sh) != TKA_OK)
                goto nomem;
        if (q->buf.len && fwrite(q->buf.data, 1, q->buf.len, out) != q->buf.len) {
            fprintf(stderr, "tokalign encode: error: write failed: %s\n", strerror(errno));
            return CLI_EXIT_ERROR;
        }
        q->pending -= m;
        if (ci < q->n && ki >= q->chunks[ci]->n) {
            ci++;
            ki = 0;
        }
        for (size_t i = 0; i < ci; i++)
            free_kept(q->chunks[i]);
        memmove(q->chunks, q->chunks + ci, (q->n - ci) * sizeof(kept *));
        q->n -= ci;
        q->first = ki;
    }
    return CLI_EXIT_OK;
nomem:
    fprintf(stderr, "tokalign encode: error: out of memory\n");
    return CLI_EXIT_ERROR;
}

static int take_chunk(void *p, void *user, FILE *out)
{
    shared *sh = p;
    batcher *q = &sh->q;
    kept *k = user;
    if (!k)
        return CLI_EXIT_OK;
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 8;
        kept **c = realloc(q->chunks, cap * sizeof(kept *));
        if (!c) {
            free_kept(k);
            fprintf(stderr, "tokalign encode: error: out of memory\n");
            return CLI_EXIT_ERROR;
        }
        q->chunks = c;
        q->cap = cap;
    }
    q->chunks[q->n++] = k;
    q->pending += k->n;
    return write_batches(sh, out, false);
}

static int finish_longest(void *p, void **users, size_t n, FILE *out)
{
    (void)users; /* take_chunk had them all */
    (void)n;
    return write_batches(p, out, true);
}

static void batcher_free(batcher *q)
{
    for (size_t i = 0; i < q->n; i++)
        free_kept(q->chunks[i]);
    free(q->chunks);
    free(q->batch);
    tka_arena_free(q->arena);
    tka_buf_free(&q->buf);
}

static bool parse_count(const char *cmd, const char *opt, const char *v, int64_t *out)
{
    return cli_parse_int64(cmd, opt, v, 0, INT32_MAX, out);
}

int cmd_encode(int argc, char **argv)
{
    const char *cmd = "encode";
    cli_tok_args a;
    cli_tok_args_init(&a);
    shared sh;
    memset(&sh, 0, sizeof sh);
    tka_encode_options_init(&sh.o);
    const char *pad_token = NULL;
    bool truncation_given = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return CLI_EXIT_OK;
        }
        int r = cli_tok_arg(cmd, argc, argv, &i, &a);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        const char *arg = argv[i];
        if (strcmp(arg, "--offsets") == 0) {
            sh.o.offsets = true;
            continue;
        }
        if (strcmp(arg, "--word-ids") == 0) {
            sh.o.word_ids = true;
            continue;
        }
        if (strcmp(arg, "--overflow") == 0) {
            sh.o.overflow = true;
            continue;
        }
        if (strcmp(arg, "--pad-to-max-seq-len") == 0) {
            sh.o.padding = TKA_PAD_MAX_LENGTH;
            continue;
        }
        if (strcmp(arg, "--no-special-tokens") == 0) {
            sh.o.add_special_tokens = false;
            continue;
        }
        static const char *const opts[] = {
            "--pair-field", "--max-length",         "--truncation",   "--stride",
            "--padding",    "--pad-to-multiple-of", "--padding-side", "--pad-id",
            "--pad-token",  "--output-format",      "--batch-size",   "--max-seq-len"};
        int which = -1;
        const char *v = NULL;
        for (int k = 0; k < (int)(sizeof opts / sizeof *opts) && which < 0; k++) {
            bool missing;
            v = cli_option_value(argc, argv, &i, opts[k], &missing);
            if (missing)
                return cli_usage_error(cmd, "%s needs a value", opts[k]);
            if (v)
                which = k;
        }
        if (which < 0)
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        int64_t n;
        switch (which) {
        case 0: a.in.pair_field = v; break;
        case 1:
        case 11:
            if (!parse_count(cmd, opts[which], v, &n))
                return CLI_EXIT_USAGE;
            sh.o.max_length = n;
            break;
        case 2:
            truncation_given = true;
            if (strcmp(v, "longest_first") == 0)
                sh.o.truncation = TKA_TRUNCATE_LONGEST_FIRST;
            else if (strcmp(v, "only_first") == 0)
                sh.o.truncation = TKA_TRUNCATE_ONLY_FIRST;
            else if (strcmp(v, "only_second") == 0)
                sh.o.truncation = TKA_TRUNCATE_ONLY_SECOND;
            else if (strcmp(v, "none") == 0 || strcmp(v, "do_not_truncate") == 0)
                sh.o.truncation = TKA_TRUNCATE_NONE;
            else
                return cli_usage_error(cmd,
                                       "--truncation is longest_first, only_first, "
                                       "only_second or none, not '%s'",
                                       v);
            break;
        case 3:
            if (!parse_count(cmd, opts[which], v, &n))
                return CLI_EXIT_USAGE;
            sh.o.stride = n;
            break;
        case 4:
            if (strcmp(v, "none") == 0 || strcmp(v, "do_not_pad") == 0)
                sh.o.padding = TKA_PAD_NONE;
            else if (strcmp(v, "longest") == 0)
                sh.o.padding = TKA_PAD_LONGEST;
            else if (strcmp(v, "max_length") == 0)
                sh.o.padding = TKA_PAD_MAX_LENGTH;
            else
                return cli_usage_error(cmd, "--padding is none, longest or max_length, not '%s'",
                                       v);
            break;
        case 5:
            if (!parse_count(cmd, opts[which], v, &n))
                return CLI_EXIT_USAGE;
            sh.o.pad_to_multiple_of = n;
            break;
        case 6:
            if (strcmp(v, "right") == 0)
                sh.o.padding_side = TKA_PAD_RIGHT;
            else if (strcmp(v, "left") == 0)
                sh.o.padding_side = TKA_PAD_LEFT;
            else
                return cli_usage_error(cmd, "--padding-side is right or left, not '%s'", v);
            break;
        case 7:
            if (!parse_count(cmd, opts[which], v, &n))
                return CLI_EXIT_USAGE;
            sh.o.pad_id = (int32_t)n;
            break;
        case 8: pad_token = v; break;
        case 9:
            if (strcmp(v, "jsonl") == 0)
                sh.ids_only = false;
            else if (strcmp(v, "ids") == 0)
                sh.ids_only = true;
            else
                return cli_usage_error(cmd, "--output-format is jsonl or ids, not '%s'", v);
            break;
        case 10:
            if (!cli_parse_int64(cmd, opts[which], v, 1, INT32_MAX, &n))
                return CLI_EXIT_USAGE;
            sh.batch_size = n;
            break;
        }
    }
    if (!a.tokenizer)
        return cli_usage_error(cmd, "--tokenizer is required");
    if (a.in.pair_field && a.in.format != CLI_INPUT_JSONL)
        return cli_usage_error(cmd, "--pair-field needs --input-format jsonl");
    if (truncation_given && sh.o.truncation != TKA_TRUNCATE_NONE && sh.o.max_length < 0)
        return cli_usage_error(cmd, "--truncation needs --max-length (tokalign does not guess "
                                    "the model's model_max_length)");
    if (!truncation_given)
        tka_encode_options_apply_hf_defaults(&sh.o);
    if (cli_check_not_input(cmd, a.output, a.in.path) != CLI_EXIT_OK)
        return CLI_EXIT_ERROR;
    tka_tokenizer *tok = cli_open_tokenizer(cmd, &a);
    if (!tok)
        return CLI_EXIT_ERROR;
    if (pad_token) {
        int32_t id = tka_tokenizer_token_to_id(tok, pad_token, strlen(pad_token));
        if (id < 0) {
            fprintf(stderr, "tokalign encode: error: --pad-token '%s' is not in the vocabulary\n",
                    pad_token);
            tka_tokenizer_free(tok);
            return CLI_EXIT_ERROR;
        }
        sh.o.pad_id = id;
    }
    if (sh.o.pad_id >= 0 && (size_t)sh.o.pad_id >= tka_tokenizer_vocab_size(tok)) {
        fprintf(stderr, "tokalign encode: error: --pad-id %d is outside the vocabulary (%zu ids)\n",
                sh.o.pad_id, tka_tokenizer_vocab_size(tok));
        tka_tokenizer_free(tok);
        return CLI_EXIT_ERROR;
    }
    /* A tokenizer.json's BatchLongest padding section: batches pad to their longest. */
    tka_encode_options_apply_file_padding(tok, &sh.o);
    if (sh.batch_size && sh.o.padding != TKA_PAD_LONGEST) {
        tka_tokenizer_free(tok);
        return cli_usage_error(cmd, "--batch-size only applies to --padding longest (or a "
                                    "tokenizer.json whose padding is BatchLongest)");
    }
    if (!sh.batch_size) /* bounded memory: never the whole input as one batch */
        sh.batch_size = 1000;
    sh.tok = tok;
    tka_encoder *padder = NULL;
    tka_error err;
    if (tka_encoder_new(tok, &sh.o, &padder, &err) != TKA_OK) {
        tka_tokenizer_free(tok);
        return cli_report(cmd, &err);
    }
    sh.padder = padder;
    FILE *out = cli_open_output(cmd, a.output);
    int rc = CLI_EXIT_ERROR;
    if (out) {
        cli_job job = {make_state,
                       free_state,
                       run_encode,
                       sh.o.padding == TKA_PAD_LONGEST ? finish_longest : NULL,
                       free_kept,
                       &sh,
                       sh.o.padding == TKA_PAD_LONGEST ? take_chunk : NULL};
        rc = cli_run_records(cmd, &a.in, a.threads, &job, out);
        batcher_free(&sh.q);
        rc = cli_close_output(cmd, out, rc);
    }
    tka_encoder_free(padder);
    tka_tokenizer_free(tok);
    return rc;
}
