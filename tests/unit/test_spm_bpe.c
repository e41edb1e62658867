/* Unit tests of SentencePiece BPE on hand-made models: merge order by score,
 * leftmost on ties, unknown runs, frozen user-defined symbols, UNUSED pieces
 * resegmented, a CONTROL piece reached by merging, byte fallback, decode.
 * Expected values were produced by libsentencepiece 0.1.97 on the same
 * models (see test_spm_live.py, which keeps checking them). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "spm_builder.h"
#include "tokenize/spm_encode.h"
#include "tokenize/spm_model.h"

#define WS "\xe2\x96\x81"

/* ids: 0 <unk> 1 <s> 2 </s> 3 _ 4 a 5 b 6 c 7 ab 8 ba 9 bc 10 abc 11 xy(user)
 * 12 ax 13 x 14 cc(unused) 15 ccc(unused) 16 cb 17 _d(control) 18 _d 19 d */
static spm_model *bpe_model(void)
{
    tka_buf m = {0};
    pbw_specials(&m);
    pbw_piece(&m, WS, -1, 0);
    pbw_piece(&m, "a", -2, 0);
    pbw_piece(&m, "b", -2, 0);
    pbw_piece(&m, "c", -2, 0);
    pbw_piece(&m, "ab", -1, 0);
    pbw_piece(&m, "ba", -1, 0);
    pbw_piece(&m, "bc", -0.5f, 0);
    pbw_piece(&m, "abc", -0.7f, 0);
    pbw_piece(&m, "xy", 0, 4);
    pbw_piece(&m, "ax", 5, 0);
    pbw_piece(&m, "x", -2, 0);
    pbw_piece(&m, "cc", -0.1f, 5);
    pbw_piece(&m, "ccc", -0.05f, 5);
    pbw_piece(&m, "cb", -3, 0);
    pbw_piece(&m, WS "d", -1, 3);
    pbw_piece(&m, WS "d", -1, 0);
    pbw_piece(&m, "d", -1, 0);
    pbw_trainer(&m, 2, 0);
    spm_model *model;
    tka_error err;
    cr_assert_eq(spm_model_load_bytes(m.data, m.len, "bpe.model", &model, &err), TKA_OK, "%s",
                 err.message);
    tka_buf_free(&m);
    return model;
}

Test(spm_bpe, merges_by_score_then_leftmost)
{
    spm_model *m = bpe_model();
    EXPECT(m, "aba", {WS, 3, 0, 0}, {"ab", 7, 0, 2}, {"a", 4, 2, 3});
    EXPECT(m, "bab", {WS, 3, 0, 0}, {"ba", 8, 0, 2}, {"b", 5, 2, 3});
    /* bc (-0.5) merges before ab (-1), then a+bc = abc */
    EXPECT(m, "abc", {WS, 3, 0, 0}, {"abc", 10, 0, 3});
    EXPECT(m, "cbc", {WS, 3, 0, 0}, {"c", 6, 0, 1}, {"bc", 9, 1, 3});
    spm_model_free(m);
}

Test(spm_bpe, unknown_runs_and_user_defined_symbols)
{
    spm_model *m = bpe_model();
    EXPECT(m, "zzab", {WS, 3, 0, 0}, {"zz", 0, 0, 2}, {"ab", 7, 2, 4});
    EXPECT(m, "zaz", {WS, 3, 0, 0}, {"z", 0, 0, 1}, {"a", 4, 1, 2}, {"z", 0, 2, 3});
    EXPECT(m, "zz z", {WS, 3, 0, 0}, {"zz", 0, 0, 2}, {WS, 3, 2, 3}, {"z", 0, 3, 4});
    /* xy is frozen: a+x (score 5) is never tried across it */
    EXPECT(m, "axyb", {WS, 3, 0, 0}, {"a", 4, 0, 1}, {"xy", 11, 1, 3}, {"b", 5, 3, 4});
    EXPECT(m, "axb", {WS, 3, 0, 0}, {"ax", 12, 0, 2}, {"b", 5, 2, 3});
    spm_model_free(m);
}

Test(spm_bpe, unused_pieces_are_resegmented)
{
    spm_model *m = bpe_model();
    EXPECT(m, "cc", {WS, 3, 0, 0}, {"c", 6, 0, 1}, {"c", 6, 1, 2});
    EXPECT(m, "ccc", {WS, 3, 0, 0}, {"c", 6, 0, 1}, {"c", 6, 1, 2}, {"c", 6, 2, 3});
    EXPECT(m, "cccc", {WS, 3, 0, 0}, {"c", 6, 0, 1}, {"c", 6, 1, 2}, {"c", 6, 2, 3},
           {"c", 6, 3, 4});
    spm_model_free(m);
}

Test(spm_bpe, control_piece_reached_by_merging_gives_nothing)
{
    /* "_d" is both NORMAL (merge target) and CONTROL (wins in PieceToId):
     * libsentencepiece fails and sp.encode returns []. */
    spm_model *m = bpe_model();
    tka_tokens t = {0};
    tka_error err;
    cr_assert_eq(spm_encode(m, "a d", 3, TKA_TOKENS_STRINGS, &t, &err), TKA_OK);
    cr_assert_eq(t.count, 0);
    cr_assert_eq(spm_encode(m, "ab", 2, TKA_TOKENS_STRINGS, &t, &err), TKA_OK);
    cr_assert_eq(t.count, 2);
    tka_tokens_free(&t);
    spm_model_free(m);
}

/* ids: 0..2 specials, 3..258 <0x00>..<0xFF>, 259 _, 260 a, 261 b, 262 ab */
static spm_model *byte_model(void)
{
    tka_buf m = {0};
    pbw_specials(&m);
    for (int i = 0; i < 256; i++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", i);
        pbw_piece(&m, name, 0, 6);
    }
    pbw_piece(&m, WS, -1, 0);
    pbw_piece(&m, "a", -2, 0);
    pbw_piece(&m, "b", -2, 0);
    pbw_piece(&m, "ab", -1, 0);
    pbw_trainer(&m, 2, 1);
    spm_model *model;
    tka_error err;
    cr_assert_eq(spm_model_load_bytes(m.data, m.len, "bytes.model", &model, &err), TKA_OK, "%s",
                 err.message);
    tka_buf_free(&m);
    return model;
}

Test(spm_bpe, byte_fallback_pieces_and_offsets)
{
    spm_model *m = byte_model();
    EXPECT(m, "z", {WS, 259, 0, 0}, {"<0x7A>", 125, 0, 1});
    EXPECT(m, "abz\xc3\xa9", {WS, 259, 0, 0}, {"ab", 262, 0, 2}, {"<0x7A>", 125, 2, 3},
           {"<0xC3>", 198, 3, 3}, {"<0xA9>", 172, 3, 4});
    EXPECT(m,
           "a\xe6\x97\xa5"
           "b",
           {WS, 259, 0, 0}, {"a", 260, 0, 1}, {"<0xE6>", 233, 1, 1}, {"<0x97>", 154, 1, 1},
           {"<0xA5>", 168, 1, 2}, {"b", 261, 2, 3});
    spm_model_free(m);
}

static void expect_decode(const spm_model *m, const int32_t *ids, size_t n, const char *want)
{
    tka_buf out = {0};
    tka_error err;
    cr_assert_eq(spm_decode_ids(m, ids, n, &out, &err), TKA_OK, "%s", err.message);
    cr_expect(out.len == strlen(want) && (out.len == 0 || memcmp(out.data, want, out.len) == 0),
              "decoded \"%.*s\", want \"%s\"", (int)out.len, out.data ? out.data : "", want);
    tka_buf_free(&out);
}

Test(spm_bpe, decode_bytes_unknown_and_controls)
{
    spm_model *m = byte_model();
    int32_t a[] = {259, 262, 125, 198, 172};
    expect_decode(m, a, 5, "abz\xc3\xa9");
    int32_t b[] = {3 + 0xe6};
    expect_decode(m, b, 1, "\xef\xbf\xbd");
    int32_t c[] = {3 + 0xe6, 3 + 0x97};
    expect_decode(m, c, 2, "\xef\xbf\xbd\xef\xbf\xbd");
    int32_t d[] = {3 + 0x20, 259, 260}; /* a byte space keeps the next piece's space */
    expect_decode(m, d, 3, "  a");
    int32_t e[] = {1, 259, 260, 0, 2};
    expect_decode(m, e, 5, "a \xe2\x81\x87 ");
    int32_t bad[] = {0, 263};
    tka_buf out = {0};
    tka_error err;
    cr_assert_eq(spm_decode_ids(m, bad, 2, &out, &err), TKA_ERR_ARGUMENT);
    cr_assert(strstr(err.message, "263"), "%s", err.message);
    tka_buf_free(&out);
    spm_model_free(m);
}
