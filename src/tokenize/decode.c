/* Decoding for any tokenizer family: transformers 4.9.1 _decode around the
 * model's tokens -> text step, and clean_up_tokenization. */
#include <stdlib.h>
#include <string.h>

#include "tokalign/encode.h"
#include "tokenize/backend.h"

void tka_decode_options_init(tka_decode_options *o)
{
    o->skip_special_tokens = false;
    o->clean_up_tokenization_spaces = true;
}

/* Python's str.replace(pat, rep): left to right, non-overlapping. */
static tka_status replace_all(const char *s, size_t len, const char *pat, const char *rep,
                              tka_buf *out)
{
    size_t pl = strlen(pat), rl = strlen(rep);
    if (!s)
        s = "";
    out->len = 0;
    tka_status st = tka_buf_reserve(out, len);
    size_t run = 0;
    for (size_t i = 0; st == TKA_OK && i + pl <= len;) {
        if (memcmp(s + i, pat, pl) != 0) {
            i++;
            continue;
        }
        st = tka_buf_append(out, s + run, i - run);
        if (st == TKA_OK)
            st = tka_buf_append(out, rep, rl);
        i += pl;
        run = i;
    }
    if (st == TKA_OK)
        st = tka_buf_append(out, s + run, len - run);
    return st;
}

tka_status tka_clean_up_tokenization(const char *s, size_t len, tka_buf *out)
{
    /* COMPAT: PreTrainedTokenizerBase.clean_up_tokenization, in its order. */
    static const char *const rules[][2] = {
        {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
        {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
    };
    tka_buf a = {0}, b = {0};
    tka_status st = tka_buf_append(&a, s, len);
    for (size_t r = 0; st == TKA_OK && r < sizeof rules / sizeof *rules; r++) {
        st = replace_all(a.data, a.len, rules[r][0], rules[r][1], &b);
        tka_buf t = a;
        a = b;
        b = t;
    }
    if (st == TKA_OK)
        st = tka_buf_append(out, a.data ? a.data : "", a.len);
    tka_buf_free(&a);
    tka_buf_free(&b);
    return st;
}

static bool is_special(const tka_tokenizer *tok, int32_t id)
{
    for (int w = 0; w < TKA_SPECIAL_COUNT; w++)
        if (tka_tokenizer_special_id(tok, (tka_special)w) == id)
            return true;
    return false;
}

tka_status tka_decode(const tka_tokenizer *tok, const int32_t *ids, size_t n,
                      const tka_decode_options *options, tka_buf *out, tka_error *err)
{
    tka_decode_options defaults;
    if (!options) {
        tka_decode_options_init(&defaults);
        options = &defaults;
    }
    if (tok->backend->decode) {
        /* COMPAT: tokenizer.json decodes as the Rust Tokenizer::decode: its decoder chain,
         * specials skipped by the added vocabulary's flag, no clean_up_tokenization. */
        tka_status st =
            tok->backend->decode(tok->model, ids, n, options->skip_special_tokens, out, err);
        return st;
    }
    int32_t *kept = malloc((n ? n : 1) * sizeof *kept);
    if (!kept)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory decoding");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!(options->skip_special_tokens && is_special(tok, ids[i])))
            kept[k++] = ids[i];
    tka_buf text = {0};
    tka_status st = tok->backend->tokens_to_string(tok->model, kept, k, &text, err);
    free(kept);
    if (st == TKA_OK) {
        if (options->clean_up_tokenization_spaces)
            st = tka_clean_up_tokenization(text.data ? text.data : "", text.len, out);
        else
            st = tka_buf_append(out, text.data ? text.data : "", text.len);
        if (st != TKA_OK)
            tka_error_set(err, st, "out of memory decoding");
    }
    tka_buf_free(&text);
    return st;
}
