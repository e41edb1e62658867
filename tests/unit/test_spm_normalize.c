/* Unit tests of the SentencePiece normalizer: the Darts charsmap (longest
 * match, deletions, corrupt blobs), the whitespace rules and norm_to_orig,
 * user-defined symbols, ill-formed UTF-8, the fast paths against the slow
 * path, and the real nmt_nfkc / nfkc maps. Expected strings were produced by
 * libsentencepiece 0.1.97 on the same inputs (join of the encoded pieces). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "spm_builder.h"
#include "core/io.h"
#include "tokenize/spm_normalize.h"
#include "tokenize/spm_proto.h"

#define WS "\xe2\x96\x81"

static const darts_rule rules[] = {{"a", "b"},      {"ab", "X"},    {"c", ""},
                                   {"d", " "},      {"e", "  e  "}, {"\xef\xbd\xb1", "A"},
                                   {"abc", "[abc]"}};

typedef struct fixture {
    tka_buf blob;
    spm_proto_normalizer spec;
    spm_normalizer n;
} fixture;

static void make(fixture *f, bool dummy, bool extra, const spm_bytes *user, size_t n_user)
{
    memset(f, 0, sizeof *f);
    darts_charsmap(&f->blob, rules, sizeof rules / sizeof *rules);
    f->spec.present = true;
    f->spec.precompiled_charsmap = (spm_bytes){f->blob.data, f->blob.len};
    f->spec.add_dummy_prefix = dummy;
    f->spec.remove_extra_whitespaces = extra;
    f->spec.escape_whitespaces = true;
    tka_error err;
    cr_assert_eq(spm_normalizer_init(&f->n, &f->spec, false, user, n_user, "t.model", &err), TKA_OK,
                 "%s", err.message);
}

static void unmake(fixture *f)
{
    spm_normalizer_free(&f->n);
    tka_buf_free(&f->blob);
}

static void expect_norm(const spm_normalizer *n, const char *in, const char *want)
{
    spm_normalized out;
    spm_normalized_init(&out, NULL, 0, NULL, 0);
    tka_error err;
    cr_assert_eq(spm_normalize(n, in, strlen(in), true, &out, &err), TKA_OK, "%s", err.message);
    cr_expect(out.len == strlen(want) && (out.len == 0 || memcmp(out.text, want, out.len) == 0),
              "normalize(\"%s\") = \"%.*s\", want \"%s\"", in, (int)out.len,
              out.text ? out.text : "", want);
    spm_normalized_free(&out);
}

Test(spm_normalize, charsmap_longest_match_and_whitespace_rules)
{
    fixture f;
    make(&f, true, true, NULL, 0);
    expect_norm(&f.n, "ab", WS "X");
    expect_norm(&f.n, "aab", WS "bX");
    expect_norm(&f.n, "abc", WS "[abc]");
    expect_norm(&f.n, "abab", WS "XX");
    expect_norm(&f.n, "abcd", WS "[abc]");
    expect_norm(&f.n, "c", "");
    expect_norm(&f.n, "xcx", WS "xx");
    expect_norm(&f.n, "d", "");
    expect_norm(&f.n, "xdy", WS "x" WS "y");
    expect_norm(&f.n, "xddy", WS "x" WS "y");
    expect_norm(&f.n, "e", WS "e");
    expect_norm(&f.n, "xe", WS "x" WS WS "e");
    expect_norm(&f.n, "x e", WS "x" WS "e");
    expect_norm(&f.n, "\xef\xbd\xb1", WS "A");
    expect_norm(&f.n, "  x  ", WS "x");
    expect_norm(&f.n, "x" WS " ", WS "x");
    expect_norm(&f.n, "", "");
    unmake(&f);

    make(&f, false, false, NULL, 0);
    expect_norm(&f.n, "ab", "X");
    expect_norm(&f.n, "d", WS);
    expect_norm(&f.n, "xddy", "x" WS WS "y");
    expect_norm(&f.n, "e", WS WS "e" WS WS);
    expect_norm(&f.n, "x e", "x" WS WS WS "e" WS WS);
    expect_norm(&f.n, "  x  ", WS WS "x" WS WS);
    expect_norm(&f.n, "abcd", "[abc]" WS);
    unmake(&f);
}

Test(spm_normalize, norm_to_orig_map)
{
    fixture f;
    make(&f, true, true, NULL, 0);
    spm_normalized out;
    spm_normalized_init(&out, NULL, 0, NULL, 0);
    tka_error err;
    /* "  x  " -> "_x": the dummy prefix and x both map after the leading spaces */
    cr_assert_eq(spm_normalize(&f.n, "  x  ", 5, true, &out, &err), TKA_OK);
    cr_assert_eq(out.len, 4);
    uint32_t want1[] = {2, 2, 2, 2, 3};
    for (size_t i = 0; i <= out.len; i++)
        cr_expect_eq(out.map[i], want1[i], "map[%zu]", i);
    /* "aab" -> "_bX": X comes from input bytes 1..3 */
    cr_assert_eq(spm_normalize(&f.n, "aab", 3, true, &out, &err), TKA_OK);
    uint32_t want2[] = {0, 0, 0, 0, 1, 3};
    cr_assert_eq(out.len, 5);
    for (size_t i = 0; i <= out.len; i++)
        cr_expect_eq(out.map[i], want2[i], "map[%zu]", i);
    /* "xddy": the second space is dropped, y maps to byte 3, the end to 4 */
    cr_assert_eq(spm_normalize(&f.n, "xddy", 4, true, &out, &err), TKA_OK);
    uint32_t want3[] = {0, 0, 0, 0, 1, 1, 1, 3, 4};
    cr_assert_eq(out.len, 8);
    for (size_t i = 0; i <= out.len; i++)
        cr_expect_eq(out.map[i], want3[i], "map[%zu]", i);
    spm_normalized_free(&out);
    unmake(&f);
}

Test(spm_normalize, suffix_and_unescaped_spaces)
{
    spm_proto_normalizer spec = {0};
    spec.add_dummy_prefix = true;
    spec.remove_extra_whitespaces = true;
    spec.escape_whitespaces = true;
    spm_normalizer n;
    tka_error err;
    cr_assert_eq(spm_normalizer_init(&n, &spec, true, NULL, 0, "t", &err), TKA_OK);
    expect_norm(&n, " hello  world ", "hello" WS "world" WS);
    spm_normalizer_free(&n);
    spec.escape_whitespaces = false;
    cr_assert_eq(spm_normalizer_init(&n, &spec, false, NULL, 0, "t", &err), TKA_OK);
    expect_norm(&n, " hello  world ", " hello world");
    spm_normalizer_free(&n);
}

Test(spm_normalize, user_defined_symbols_are_kept_verbatim)
{
    spm_bytes user[] = {{"\xef\xbd\xb1\xef\xbd\xb1", 6}, {"ab", 2}};
    fixture f;
    make(&f, true, true, user, 2);
    expect_norm(&f.n, "\xef\xbd\xb1", WS "A");
    expect_norm(&f.n, "\xef\xbd\xb1\xef\xbd\xb1", WS "\xef\xbd\xb1\xef\xbd\xb1");
    expect_norm(&f.n, "\xef\xbd\xb1\xef\xbd\xb1\xef\xbd\xb1",
                WS "\xef\xbd\xb1\xef\xbd\xb1"
                   "A");
    expect_norm(&f.n, "aab", WS "bab");
    unmake(&f);
}

Test(spm_normalize, ill_formed_utf8_becomes_one_replacement_per_byte)
{
    spm_proto_normalizer spec = {0};
    spec.add_dummy_prefix = true;
    spec.remove_extra_whitespaces = true;
    spec.escape_whitespaces = true;
    spm_normalizer n;
    tka_error err;
    cr_assert_eq(spm_normalizer_init(&n, &spec, false, NULL, 0, "t", &err), TKA_OK);
    expect_norm(&n, "a\xe3\x81z", WS "a\xef\xbf\xbd\xef\xbf\xbdz");
    expect_norm(&n, "\xc0\xaf", WS "\xef\xbf\xbd\xef\xbf\xbd");                 /* overlong */
    expect_norm(&n, "\xed\xa0\x80", WS "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    expect_norm(&n, "\xf4\x90\x80\x80", WS "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    expect_norm(&n, "\xef\xbf\xbd", WS "\xef\xbf\xbd");
    spm_normalizer_free(&n);
}

Test(spm_normalize, corrupt_charsmaps_are_errors)
{
    tka_buf good = {0};
    darts_charsmap(&good, rules, sizeof rules / sizeof *rules);
    spm_charsmap cm;
    tka_error err;
    cr_assert_eq(spm_charsmap_init(&cm, (spm_bytes){good.data, good.len}, "m", &err), TKA_OK);
    spm_charsmap_free(&cm);
    cr_assert_eq(spm_charsmap_init(&cm, (spm_bytes){good.data, 4}, "m", &err), TKA_ERR_FORMAT);
    cr_assert(strstr(err.message, "m:"), "%s", err.message);
    /* trie size past the blob */
    tka_buf bad = {0};
    tka_buf_append(&bad, good.data, good.len);
    bad.data[3] = 0x7f;
    cr_assert_eq(spm_charsmap_init(&cm, (spm_bytes){bad.data, bad.len}, "m", &err), TKA_ERR_FORMAT);
    /* empty trie */
    memcpy(bad.data, "\x00\x00\x00\x00", 4);
    cr_assert_eq(spm_charsmap_init(&cm, (spm_bytes){bad.data, bad.len}, "m", &err), TKA_ERR_FORMAT);
    /* pool without a final NUL */
    cr_assert_eq(spm_charsmap_init(&cm, (spm_bytes){good.data, good.len - 1}, "m", &err),
                 TKA_ERR_FORMAT);
    /* a rule pointing past the pool: an error when it is used, not a crash */
    tka_buf_free(&bad);
    tka_buf_append(&bad, good.data, good.len - 8); /* cut the pool short */
    bad.data[bad.len - 1] = '\0';
    spm_proto_normalizer spec = {0};
    spec.present = true;
    spec.precompiled_charsmap = (spm_bytes){bad.data, bad.len};
    spec.add_dummy_prefix = spec.remove_extra_whitespaces = spec.escape_whitespaces = true;
    spm_normalizer n;
    cr_assert_eq(spm_normalizer_init(&n, &spec, false, NULL, 0, "m", &err), TKA_OK, "%s",
                 err.message);
    spm_normalized out;
    spm_normalized_init(&out, NULL, 0, NULL, 0);
    cr_assert_eq(spm_normalize(&n, "x abc", 5, false, &out, &err), TKA_ERR_FORMAT);
    cr_assert(strstr(err.message, "outside"), "%s", err.message);
    spm_normalized_free(&out);
    spm_normalizer_free(&n);
    tka_buf_free(&bad);
    tka_buf_free(&good);
}

/* Normalizer of a shared model, read through the model reader. */
static void shared_normalizer(const char *model, tka_buf *file, spm_proto *proto, spm_normalizer *n)
{
    const char *shared = getenv("TKA_SHARED") ? getenv("TKA_SHARED") : "../shared";
    char path[4096];
    snprintf(path, sizeof path, "%s/data/spm/%s.model", shared, model);
    tka_error err;
    cr_assert_eq(tka_read_file(path, 0, file, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(spm_proto_parse(file->data, file->len, path, proto, &err), TKA_OK);
    cr_assert_eq(spm_normalizer_init(n, &proto->normalizer, false, NULL, 0, path, &err), TKA_OK,
                 "%s", err.message);
}

Test(spm_normalize, real_nmt_nfkc_and_nfkc_maps)
{
    struct {
        const char *in, *nmt, *nfkc;
    } cases[] = {
        {"Hello  World", WS "Hello" WS "World", WS "Hello" WS "World"},
        {"\xef\xbd\xb1\xef\xbd\xb2 \xef\xbd\xb6\xef\xbe\x9e",
         WS "\xe3\x82\xa2\xe3\x82\xa4" WS "\xe3\x82\xac",
         WS "\xe3\x82\xa2\xe3\x82\xa4" WS "\xe3\x82\xac"},
        {"\xe2\x91\xa0\xe2\x91\xa1 \xef\xac\x81", WS "12" WS "fi", WS "12" WS "fi"},
        {"\xe2\x84\xab A\xcc\x8a", WS "\xc3\x85" WS "\xc3\x85", WS "\xc3\x85" WS "\xc3\x85"},
        {"x\ty\xe3\x80\x80z\xc2\xa0w", WS "x" WS "y" WS "z" WS "w", WS "x\ty" WS "z" WS "w"},
        {"a\xe2\x80\x8b"
         "b\xef\xbb\xbf"
         "c",
         WS "a" WS "b" WS "c",
         WS "a\xe2\x80\x8b"
            "b\xef\xbb\xbf"
            "c"},
        {WS "a " WS, WS "a", WS WS "a"},
        {"\x01x\x7fy", WS "xy", WS "\x01x\x7fy"},
        {"\xe3\x8d\xbf \xe2\x84\x83",
         WS "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe" WS "\xc2\xb0"
            "C",
         WS "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe" WS "\xc2\xb0"
            "C"},
        {"\xe1\xba\x9b\xcc\xa3", WS "\xe1\xb9\xa1\xcc\xa3", WS "\xe1\xb9\xa1\xcc\xa3"},
    };
    tka_buf f1 = {0}, f2 = {0};
    spm_proto p1, p2;
    spm_normalizer nmt, nfkc;
    shared_normalizer("bpe320_republic", &f1, &p1, &nmt);
    shared_normalizer("sentencepiece_test_model", &f2, &p2, &nfkc);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        expect_norm(&nmt, cases[i].in, cases[i].nmt);
        expect_norm(&nfkc, cases[i].in, cases[i].nfkc);
    }
    spm_normalizer_free(&nmt);
    spm_normalizer_free(&nfkc);
    spm_proto_free(&p1);
    spm_proto_free(&p2);
    tka_buf_free(&f1);
    tka_buf_free(&f2);
}

/* The ASCII and plain-BMP shortcuts must give what the full trie walk gives. */
Test(spm_normalize, fast_paths_agree_with_the_trie_walk)
{
    tka_buf file = {0};
    spm_proto proto;
    spm_normalizer fast, slow;
    shared_normalizer("bpe320_republic", &file, &proto, &fast);
    tka_error err;
    cr_assert_eq(spm_normalizer_init(&slow, &proto.normalizer, false, NULL, 0, "slow", &err),
                 TKA_OK);
    for (int b = 0; b < 128; b++)
        slow.ascii_ext[b][0] = slow.ascii_ext[b][1] = ~(uint64_t)0;
    cr_assert_not_null(slow.charsmap.plain);
    memset(slow.charsmap.plain, 0, 65536 / 8);
    static const uint32_t pool[] = {
        'a',    'Z',    ' ',    '\t',    '\r',    0x01,   0x7f,   '.',    '0',    0xa0,   0x301,
        0x3099, 0x309a, 0x304b, 0x30a6,  0xff76,  0xff9e, 0x4e00, 0x2581, 0x3000, 0x200b, 0xfeff,
        0x2460, 0xfb01, 0x212b, 0x1d400, 0x1f600, 0xe9,   0x65,   0xac00, 0x1100, 0x1161};
    unsigned seed = 12345;
    spm_normalized a, b;
    spm_normalized_init(&a, NULL, 0, NULL, 0);
    spm_normalized_init(&b, NULL, 0, NULL, 0);
    for (int iter = 0; iter < 3000; iter++) {
        char text[256];
        size_t len = 0;
        int n = (int)(seed % 12);
        for (int k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t cp = pool[(seed >> 8) % (sizeof pool / sizeof *pool)];
            if (cp < 0x80) {
                text[len++] = (char)cp;
            } else if (cp < 0x800) {
                text[len++] = (char)(0xc0 | cp >> 6);
                text[len++] = (char)(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                text[len++] = (char)(0xe0 | cp >> 12);
                text[len++] = (char)(0x80 | (cp >> 6 & 0x3f));
                text[len++] = (char)(0x80 | (cp & 0x3f));
            } else {
                text[len++] = (char)(0xf0 | cp >> 18);
                text[len++] = (char)(0x80 | (cp >> 12 & 0x3f));
                text[len++] = (char)(0x80 | (cp >> 6 & 0x3f));
                text[len++] = (char)(0x80 | (cp & 0x3f));
            }
        }
        seed = seed * 1103515245u + 12345u;
        cr_assert_eq(spm_normalize(&fast, text, len, true, &a, &err), TKA_OK);
        cr_assert_eq(spm_normalize(&slow, text, len, true, &b, &err), TKA_OK);
        cr_assert_eq(a.len, b.len, "iteration %d", iter);
        cr_assert(a.len == 0 || memcmp(a.text, b.text, a.len) == 0, "iteration %d", iter);
        cr_assert(a.len == 0 || memcmp(a.map, b.map, (a.len + 1) * sizeof *a.map) == 0);
    }
    spm_normalized_free(&a);
    spm_normalized_free(&b);
    spm_normalizer_free(&fast);
    spm_normalizer_free(&slow);
    spm_proto_free(&proto);
    tka_buf_free(&file);
}
