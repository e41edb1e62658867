/* Unit tests of the Reformer model's never-split tokens (transformers 4.9.1 tokenize()):
 * cutting, Python-whitespace stripping on both sides, offsets into the whole text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/tokenizer.h"

static tka_tokenizer *open_model(bool bare)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED must point at the shared directory");
    char path[600];
    snprintf(path, sizeof path, "%s/data/spm/reformer-crime-and-punishment%s", shared,
             bare ? "/spiece.model" : "");
    tka_tokenizer *tok = NULL;
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(path, NULL, &tok, &err), TKA_OK, "%s", err.message);
    return tok;
}

typedef struct want {
    const char *piece;
    int32_t id;
    uint32_t start, end;
} want;

static void expect(const tka_tokenizer *tok, const char *text, const want *w, size_t n)
{
    tka_tokens t = {0};
    tka_error err;
    cr_assert_eq(
        tka_tokenize(tok, text, strlen(text), TKA_TOKENS_STRINGS | TKA_TOKENS_OFFSETS, &t, &err),
        TKA_OK, "%s", err.message);
    cr_assert_eq(t.count, n, "'%s': %zu tokens, expected %zu", text, t.count, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t.text_len[i], strlen(w[i].piece), "'%s' token %zu", text, i);
        cr_assert(memcmp(t.text + t.text_start[i], w[i].piece, t.text_len[i]) == 0,
                  "'%s' token %zu: '%.*s', expected '%s'", text, i, (int)t.text_len[i],
                  t.text + t.text_start[i], w[i].piece);
        cr_assert_eq(t.ids[i], w[i].id, "'%s' token %zu", text, i);
        cr_assert_eq(t.starts[i], w[i].start, "'%s' token %zu start", text, i);
        cr_assert_eq(t.ends[i], w[i].end, "'%s' token %zu end", text, i);
    }
    tka_tokens_free(&t);
}

Test(no_split, tokens_cut_whitespace_stripped_offsets_in_the_whole_text)
{
    tka_tokenizer *tok = open_model(false);
    const char *const *names;
    cr_assert_eq(tka_tokenizer_no_split_tokens(tok, &names), 2);
    cr_assert_str_eq(names[0], "</s>");
    cr_assert_str_eq(names[1], "<unk>");
    /* "x<unk>y  </s> é": é is 2 bytes, offsets count code points; each piece is
     * sentencepiece alone (its own "▁" prefix, zero-width) shifted into the text */
    static const want w1[] = {{"\xe2\x96\x81", 258, 0, 0}, {"x", 297, 0, 1},
                              {"<unk>", 0, 1, 6},          {"\xe2\x96\x81y", 36, 6, 7},
                              {"</s>", 2, 9, 13},          {"\xe2\x96\x81", 258, 14, 14},
                              {"\xc3\xa9", 0, 14, 15}};
    expect(tok, "x<unk>y  </s> \xc3\xa9", w1, sizeof w1 / sizeof *w1);
    /* Python whitespace (U+3000, NBSP, tab) next to a token is stripped; adjacent tokens stay */
    static const want w2[] = {{"</s>", 2, 2, 6},
                              {"</s>", 2, 6, 10},
                              {"<unk>", 0, 12, 17},
                              {"\xe2\x96\x81", 258, 19, 19},
                              {"x", 297, 19, 20}};
    expect(tok, "\xe3\x80\x80\t</s></s>\xc2\xa0 <unk> \xc2\xa0x", w2, sizeof w2 / sizeof *w2);
    /* only whitespace: no tokens at all (split_on_tokens: not text.strip()) */
    expect(tok, " \xe3\x80\x80\t\n", NULL, 0);
    expect(tok, "", NULL, 0);
    /* a text without a whole token is the model's own segmentation */
    tka_tokenizer *bare = open_model(true);
    cr_assert_eq(tka_tokenizer_no_split_tokens(bare, NULL), 0);
    const char *plain[] = {"It is a nice day.", "<unk", "unk>", "</S> <UNK>", "x</sy"};
    for (size_t k = 0; k < sizeof plain / sizeof *plain; k++) {
        tka_tokens a = {0}, b = {0};
        tka_error err;
        cr_assert_eq(tka_tokenize(tok, plain[k], strlen(plain[k]), TKA_TOKENS_OFFSETS, &a, &err),
                     TKA_OK);
        cr_assert_eq(tka_tokenize(bare, plain[k], strlen(plain[k]), TKA_TOKENS_OFFSETS, &b, &err),
                     TKA_OK);
        cr_assert_eq(a.count, b.count, "'%s'", plain[k]);
        for (size_t i = 0; i < a.count; i++)
            cr_assert(a.ids[i] == b.ids[i] && a.starts[i] == b.starts[i] && a.ends[i] == b.ends[i],
                      "'%s' token %zu", plain[k], i);
        tka_tokens_free(&a);
        tka_tokens_free(&b);
    }
    tka_tokenizer_free(bare);
    tka_tokenizer_free(tok);
}
