/* Test driver for test_spm_live.py: runs the SentencePiece backend through
 * the public C API on JSON-lines requests and answers one JSON line each.
 *   driver_spm MODEL < requests > answers
 * Requests: {"text": S, "full": B} -> {"ids", "pieces"} + with B {"offsets", "decoded"}
 *           {"decode": [ids]}      -> {"text"} or {"error"}
 *           {"info": true}         -> {"unk", "bos", "eos", "pad", "pieces", "types"} */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_write.h"
#include "tokalign/spm.h"
#include "tokalign/tokenizer.h"
#include "tokenize/backend.h"

/* The backend's ids -> text step (the generic decode API lives in encode.h,
 * outside this module). */
static tka_status decode_ids(const tka_tokenizer *tok, const int32_t *ids, size_t n, tka_buf *out,
                             tka_error *err)
{
    return tok->backend->tokens_to_string(tok->model, ids, n, out, err);
}

static int fail(const char *what)
{
    fprintf(stderr, "driver_spm: %s\n", what);
    return 1;
}

static tka_status answer_text(const tka_tokenizer *tok, const char *s, size_t len, bool full,
                              tka_tokens *t, tka_buf *out)
{
    tka_error err;
    tka_status st = tka_tokenize(tok, s, len, TKA_TOKENS_STRINGS | TKA_TOKENS_OFFSETS, t, &err);
    if (st != TKA_OK) {
        tka_buf_append_str(out, "{\"error\": ");
        tka_json_append_string(out, err.message, strlen(err.message));
        return tka_buf_append_str(out, "}");
    }
    tka_buf_append_str(out, "{\"ids\": ");
    tka_json_append_int32_array(out, t->ids, t->count);
    tka_buf_append_str(out, ", \"pieces\": [");
    for (size_t i = 0; i < t->count; i++) {
        if (i)
            tka_buf_append_str(out, ", ");
        tka_json_append_string(out, t->text + t->text_start[i], t->text_len[i]);
    }
    if (!full)
        return tka_buf_append_str(out, "]}");
    tka_buf_append_str(out, "], \"offsets\": [");
    for (size_t i = 0; i < t->count; i++)
        tka_buf_printf(out, "%s[%u, %u]", i ? ", " : "", t->starts[i], t->ends[i]);
    tka_buf_append_str(out, "], \"decoded\": ");
    tka_buf decoded = {0};
    st = decode_ids(tok, t->ids, t->count, &decoded, &err);
    if (st == TKA_OK)
        tka_json_append_string(out, decoded.data ? decoded.data : "", decoded.len);
    else
        tka_buf_append_str(out, "null");
    tka_buf_free(&decoded);
    return tka_buf_append_str(out, "}");
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return fail("usage: driver_spm MODEL < requests");
    tka_tokenizer *tok;
    tka_error err;
    if (tka_tokenizer_open(argv[1], NULL, &tok, &err) != TKA_OK) {
        printf("{\"open_error\": ");
        tka_buf b = {0};
        tka_json_append_string(&b, err.message, strlen(err.message));
        printf("%s}\n", b.data);
        tka_buf_free(&b);
        return 0;
    }
    tka_tokens toks = {0};
    tka_buf out = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        json_error_t jerr;
        json_t *req = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &jerr);
        if (!req)
            return fail(jerr.text);
        out.len = 0;
        json_t *text = json_object_get(req, "text");
        json_t *dec = json_object_get(req, "decode");
        if (json_is_string(text)) {
            answer_text(tok, json_string_value(text), json_string_length(text),
                        json_is_true(json_object_get(req, "full")), &toks, &out);
        } else if (json_is_array(dec)) {
            size_t k = json_array_size(dec);
            int32_t *ids = malloc((k ? k : 1) * sizeof *ids);
            for (size_t i = 0; i < k; i++)
                ids[i] = (int32_t)json_integer_value(json_array_get(dec, i));
            tka_buf txt = {0};
            if (decode_ids(tok, ids, k, &txt, &err) == TKA_OK) {
                tka_buf_append_str(&out, "{\"text\": ");
                tka_json_append_string(&out, txt.data ? txt.data : "", txt.len);
            } else {
                tka_buf_append_str(&out, "{\"error\": ");
                tka_json_append_string(&out, err.message, strlen(err.message));
            }
            tka_buf_append_str(&out, "}");
            tka_buf_free(&txt);
            free(ids);
        } else {
            tka_buf_printf(&out,
                           "{\"unk\": %d, \"bos\": %d, \"eos\": %d, \"pad\": %d, \"pieces\": [",
                           tka_tokenizer_special_id(tok, TKA_SPECIAL_UNK),
                           tka_tokenizer_special_id(tok, TKA_SPECIAL_BOS),
                           tka_tokenizer_special_id(tok, TKA_SPECIAL_EOS),
                           tka_tokenizer_special_id(tok, TKA_SPECIAL_PAD));
            size_t v = tka_tokenizer_vocab_size(tok);
            for (size_t i = 0; i < v; i++) {
                size_t len;
                const char *p = tka_tokenizer_id_to_token(tok, (int32_t)i, &len);
                if (i)
                    tka_buf_append_str(&out, ", ");
                tka_json_append_string(&out, p, len);
            }
            tka_buf_append_str(&out, "], \"lookup\": [");
            for (size_t i = 0; i < v; i++) {
                size_t len;
                const char *p = tka_tokenizer_id_to_token(tok, (int32_t)i, &len);
                tka_buf_printf(&out, "%s%d", i ? ", " : "", tka_tokenizer_token_to_id(tok, p, len));
            }
            tka_buf_append_str(&out, "], \"types\": [");
            for (size_t i = 0; i < v; i++)
                tka_buf_printf(&out, "%s%d", i ? ", " : "",
                               (int)tka_spm_get_piece_type(tok, (int32_t)i));
            tka_buf_append_str(&out, "]}");
        }
        json_decref(req);
        fwrite(out.data, 1, out.len, stdout);
        fputc('\n', stdout);
    }
    free(line);
    tka_buf_free(&out);
    tka_tokens_free(&toks);
    tka_tokenizer_free(tok);
    return 0;
}
