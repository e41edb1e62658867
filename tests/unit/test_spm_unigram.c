/* Unit tests of SentencePiece Unigram on hand-made models: Viterbi best path,
 * ties resolved as EncodeOptimized does, unknown runs, the user-defined score
 * (which does not always win), UNUSED pieces skipped, and the golden
 * ".......".  Expected values were produced by libsentencepiece 0.1.97 on
 * the same models (test_spm_live.py keeps checking them). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "spm_builder.h"
#include "tokalign/tokenizer.h"
#include "tokenize/spm_encode.h"
#include "tokenize/spm_model.h"

#define WS "\xe2\x96\x81"

/* ids: 0..2 specials, 3 _ 4 a 5 aa 6 b 7 ab 8 abc(unused) 9 c 10 xy(user)
 * 11 x 12 y 13 _x */
static spm_model *uni_model(void)
{
    tka_buf m = {0};
    pbw_specials(&m);
    pbw_piece(&m, WS, -2, 0);
    pbw_piece(&m, "a", -1, 0);
    pbw_piece(&m, "aa", -2, 0);
    pbw_piece(&m, "b", -3, 0);
    pbw_piece(&m, "ab", -2.5f, 0);
    pbw_piece(&m, "abc", 0, 5);
    pbw_piece(&m, "c", -4, 0);
    pbw_piece(&m, "xy", -50, 4);
    pbw_piece(&m, "x", -1, 0);
    pbw_piece(&m, "y", -1, 0);
    pbw_piece(&m, WS "x", -0.5f, 0);
    pbw_trainer(&m, 1, 0);
    spm_model *model;
    tka_error err;
    cr_assert_eq(spm_model_load_bytes(m.data, m.len, "uni.model", &model, &err), TKA_OK, "%s",
                 err.message);
    tka_buf_free(&m);
    return model;
}

Test(spm_unigram, best_path_and_ties)
{
    spm_model *m = uni_model();
    /* a+aa, aa+a and a+a+a all score -3: the last piece starting earliest wins */
    EXPECT(m, "aaa", {WS, 3, 0, 0}, {"a", 4, 0, 1}, {"aa", 5, 1, 3});
    EXPECT(m, "aaaa", {WS, 3, 0, 0}, {"aa", 5, 0, 2}, {"aa", 5, 2, 4});
    EXPECT(m, "ab", {WS, 3, 0, 0}, {"ab", 7, 0, 2});
    EXPECT(m, "ba", {WS, 3, 0, 0}, {"b", 6, 0, 1}, {"a", 4, 1, 2});
    EXPECT(m, "cab", {WS, 3, 0, 0}, {"c", 9, 0, 1}, {"ab", 7, 1, 3});
    spm_model_free(m);
}

Test(spm_unigram, unused_unknown_and_user_defined)
{
    spm_model *m = uni_model();
    /* abc is UNUSED (score 0): skipped */
    EXPECT(m, "abc", {WS, 3, 0, 0}, {"ab", 7, 0, 2}, {"c", 9, 2, 3});
    EXPECT(m, "zzab", {WS, 3, 0, 0}, {"zz", 0, 0, 2}, {"ab", 7, 2, 4});
    EXPECT(m, "zz z", {WS, 3, 0, 0}, {"zz", 0, 0, 2}, {WS, 3, 2, 3}, {"z", 0, 3, 4});
    /* user-defined xy scores 2 * max_score - 0.1 = -1.1 */
    EXPECT(m, "axyb", {WS, 3, 0, 0}, {"a", 4, 0, 1}, {"xy", 10, 1, 3}, {"b", 6, 3, 4});
    /* ... which loses to _x + y (-1.5) against _ + xy (-3.1) */
    /* xy is kept whole by the normalizer, so both pieces map to its span */
    EXPECT(m, "xy", {WS "x", 13, 0, 0}, {"y", 12, 0, 2});
    EXPECT(m, "x y", {WS "x", 13, 0, 1}, {WS, 3, 1, 2}, {"y", 12, 2, 3});
    spm_model_free(m);
}

/* Runs of dots segment in several ways of exactly equal score; the golden
 * rows (botchan lines 1539 and 1569) record libsentencepiece's choice. */
Test(spm_unigram, golden_dot_runs)
{
    const char *shared = getenv("TKA_SHARED") ? getenv("TKA_SHARED") : "../shared";
    char path[4096];
    snprintf(path, sizeof path, "%s/data/spm/sentencepiece_test_model.model", shared);
    tka_tokenizer *tok;
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(path, NULL, &tok, &err), TKA_OK, "%s", err.message);
    struct {
        const char *text;
        const char *pieces[10];
    } cases[] = {
        {"he hears.......,\" and", {WS "he", WS "he", "ar", "s", ".", "......", ",\"", WS "and"}},
        {"be.......\"", {WS "be", "......", ".\""}},
    };
    tka_tokens t = {0};
    for (size_t c = 0; c < 2; c++) {
        cr_assert_eq(
            tka_tokenize(tok, cases[c].text, strlen(cases[c].text), TKA_TOKENS_STRINGS, &t, &err),
            TKA_OK);
        size_t n = 0;
        while (n < 10 && cases[c].pieces[n])
            n++;
        cr_assert_eq(t.count, n, "%s", cases[c].text);
        for (size_t i = 0; i < n; i++)
            cr_expect(t.text_len[i] == strlen(cases[c].pieces[i]) &&
                          memcmp(t.text + t.text_start[i], cases[c].pieces[i], t.text_len[i]) == 0,
                      "%s: piece %zu", cases[c].text, i);
    }
    tka_tokens_free(&t);
    tka_tokenizer_free(tok);
}
