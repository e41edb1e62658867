/* Golden: every row of ../shared/golden/tokenizer_json (HF's Rust tokenizer through npm
 * tokenizers@0.23.2) on every field — ids, tokens, offsets, type ids, special tokens
 * mask, attention mask, decode with and without special tokens — through the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tokenize/tj_tokenizer.h"

typedef struct ctx {
    tj_tokenizer *tok;
    golden_tally tally;
    const char *file;
    tj_enc enc, ids_enc;
    tka_buf buf;
    size_t field_bad[9];
} ctx;

static const char *fields[9] = {"ids",
                                "tokens",
                                "offsets",
                                "type_ids",
                                "special_tokens_mask",
                                "attention_mask",
                                "decoded",
                                "decoded_skip",
                                "ids, type_ids and special_tokens_mask by the ids-only encode"};

static bool ints_equal(const json_t *a, const int32_t *v, size_t n)
{
    if (!json_is_array(a) || json_array_size(a) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (json_integer_value(json_array_get(a, i)) != v[i])
            return false;
    return true;
}

static bool row(json_t *r, size_t line, void *vc)
{
    ctx *c = vc;
    json_t *text = json_object_get(r, "text"), *pair = json_object_get(r, "pair");
    bool add = json_is_true(json_object_get(r, "add_special_tokens"));
    tka_error err = {0};
    tka_status st = tj_tokenizer_encode(c->tok, json_string_value(text), json_string_length(text),
                                        json_is_string(pair) ? json_string_value(pair) : NULL,
                                        json_is_string(pair) ? json_string_length(pair) : 0, add,
                                        -1, TKA_TRUNCATE_NONE, &c->enc, &err);
    bool ok[9] = {0};
    /* the ids-only path (tokalign encode --output-format ids) gives the same ids */
    if (tj_tokenizer_encode_ids(c->tok, json_string_value(text), json_string_length(text),
                                json_is_string(pair) ? json_string_value(pair) : NULL,
                                json_is_string(pair) ? json_string_length(pair) : 0, add, -1,
                                TKA_TRUNCATE_NONE, false, 0, &c->ids_enc, &err) == TKA_OK)
        ok[8] =
            ints_equal(json_object_get(r, "ids"), c->ids_enc.ids, c->ids_enc.n) &&
            ints_equal(json_object_get(r, "type_ids"), c->ids_enc.type_ids, c->ids_enc.n) &&
            ints_equal(json_object_get(r, "special_tokens_mask"), c->ids_enc.special, c->ids_enc.n);
    if (st == TKA_OK) {
        tj_enc *e = &c->enc;
        ok[0] = ints_equal(json_object_get(r, "ids"), e->ids, e->n);
        json_t *toks = json_object_get(r, "tokens"), *offs = json_object_get(r, "offsets");
        ok[1] = json_array_size(toks) == e->n;
        for (size_t i = 0; ok[1] && i < e->n; i++) {
            json_t *s = json_array_get(toks, i);
            ok[1] = json_string_length(s) == e->tok_len[i] &&
                    !memcmp(json_string_value(s), e->tok[i], e->tok_len[i]);
        }
        ok[2] = json_array_size(offs) == e->n;
        for (size_t i = 0; ok[2] && i < e->n; i++) {
            json_t *o = json_array_get(offs, i);
            ok[2] = json_integer_value(json_array_get(o, 0)) == e->s[i] &&
                    json_integer_value(json_array_get(o, 1)) == e->e[i];
        }
        ok[3] = ints_equal(json_object_get(r, "type_ids"), e->type_ids, e->n);
        ok[4] = ints_equal(json_object_get(r, "special_tokens_mask"), e->special, e->n);
        json_t *am = json_object_get(r, "attention_mask");
        ok[5] = json_array_size(am) == e->n;
        for (size_t i = 0; ok[5] && i < e->n; i++)
            ok[5] = json_integer_value(json_array_get(am, i)) == 1;
        for (int skip = 0; skip < 2; skip++) {
            c->buf.len = 0;
            json_t *want = json_object_get(r, skip ? "decoded_skip" : "decoded");
            if (tj_tokenizer_decode(c->tok, e->ids, e->n, skip, &c->buf, &err) == TKA_OK)
                ok[6 + skip] =
                    json_string_length(want) == c->buf.len &&
                    !memcmp(json_string_value(want), c->buf.data ? c->buf.data : "", c->buf.len);
        }
    }
    bool all = true;
    char what[1400] = "";
    for (int f = 0; f < 9; f++)
        if (!ok[f]) {
            c->field_bad[f]++;
            if (all)
                snprintf(what, sizeof what, "%s%s%.1100s", fields[f], st != TKA_OK ? ": " : "",
                         st != TKA_OK ? err.message : "");
            all = false;
        }
    golden_record(&c->tally, all, c->file, line, what);
    return true;
}

int main(int argc, char **argv)
{
    const char *shared = argc > 1 ? argv[1] : "../shared";
    static const char *models[] = {"bert-base-uncased-fast", "gpt2", "qwen3", "llama3", "llama2",
                                   "t5-style-unigram"};
    static const char *sets[] = {"botchan", "cjk_heavy", "edge_cases",
                                 "pairs",   "special",   "wagahaiwa"};
    bool pass = true;
    size_t total = 0, total_ok = 0;
    for (size_t m = 0; m < sizeof models / sizeof *models; m++) {
        char rel[256];
        snprintf(rel, sizeof rel, "data/tokenizers/%s/tokenizer.json", models[m]);
        tka_error err = {0};
        ctx c;
        memset(&c, 0, sizeof c);
        if (tj_tokenizer_load(golden_path(shared, rel), &c.tok, &err) != TKA_OK) {
            printf("%s: cannot load: %s\n", models[m], err.message);
            pass = false;
            continue;
        }
        for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
            snprintf(rel, sizeof rel, "golden/tokenizer_json/%s.%s.jsonl", models[m], sets[s]);
            const char *path = golden_path(shared, rel);
            memset(&c.tally, 0, sizeof c.tally);
            c.file = rel;
            if (!golden_each_row(path, row, &c))
                pass = false;
            char label[256];
            snprintf(label, sizeof label, "tokenizer_json %s.%s", models[m], sets[s]);
            pass &= golden_report(&c.tally, label);
            total += c.tally.checked;
            total_ok += c.tally.matched;
        }
        for (int f = 0; f < 9; f++)
            if (c.field_bad[f])
                printf("  %s: %zu rows differ on %s\n", models[m], c.field_bad[f], fields[f]);
        tj_enc_free(&c.enc);
        tj_enc_free(&c.ids_enc);
        tka_buf_free(&c.buf);
        tj_tokenizer_free(c.tok);
    }
    printf("tokenizer_json total: checked %zu, matched %zu\n", total, total_ok);
    return pass && total == 17934 && total_ok == total ? 0 : 1;
}
