/* The fast paths of the tokenizer.json normalizers equal the general path: the real
 * t5-style-unigram normalizer (Precompiled charsmap, Strip, Replace) and a Precompiled
 * charsmap made here (ASCII rules of one byte, CR LF, a cluster rule starting with ASCII,
 * a removal, an expansion) with and without their fast paths, on tricky text (non-ASCII,
 * charsmap-mapped chars, grapheme clusters that start with ASCII, CR LF, whitespace runs,
 * empty, very long words). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "random_text.h"
#include "spm_builder.h"
#include "tokenize/tj_normalizer.h"

static tj_normalizer *fast, *slow, *hand_fast, *hand_slow;
static json_t *root;
static tka_arena *arena;
static tj_ctx cx;
static tj_regex_work *rw;

static void b64(tka_buf *out, const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {a[v >> 18], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=',
                     i + 2 < n ? a[v & 63] : '='};
        tka_buf_append(out, q, 4);
    }
}

/* A Precompiled normalizer over a charsmap made here, with and without its fast paths. */
static void hand_made(tj_normalizer **f, tj_normalizer **sl)
{
    static const darts_rule rules[] = {
        {"a", "A"},                /* an ASCII char with a rule of its own */
        {"q", "qu"},               /* ... that grows */
        {"\t", " "},               /* ... whitespace */
        {"\r\n", "\n"},            /* CR LF, one cluster */
        {"x\xcc\x81", "X"},        /* a cluster rule starting with ASCII ('x' alone: none) */
        {"ab", "Z"},               /* across clusters: never applies */
        {"\xef\xbc\xa1", "A"},     /* full-width A */
        {"\xe2\x80\x8b", ""},      /* zero-width space removed */
        {"\xc3\xa9", "e\xcc\x81"}, /* decomposed */
    };
    tka_buf blob = {0}, enc = {0};
    darts_charsmap(&blob, rules, sizeof rules / sizeof *rules);
    b64(&enc, (const unsigned char *)blob.data, blob.len);
    json_t *j =
        json_pack("{s:s, s:s%}", "type", "Precompiled", "precompiled_charsmap", enc.data, enc.len);
    cr_assert_not_null(j);
    tj_where w = {"hand-made", "normalizer"};
    tka_error err = {0};
    cr_assert_eq(tj_normalizer_from_json(j, &w, f, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(tj_normalizer_from_json(j, &w, sl, &err), TKA_OK, "%s", err.message);
    tj_normalizer_drop_fast_paths(*sl);
    json_decref(j);
    tka_buf_free(&blob);
    tka_buf_free(&enc);
}

static void setup(void)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED is not set");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/tokenizers/t5-style-unigram/tokenizer.json", shared);
    json_error_t je;
    root = json_load_file(path, 0, &je);
    cr_assert_not_null(root, "%s: %s", path, je.text);
    tj_where w = {path, "normalizer"};
    tka_error err = {0};
    const json_t *nj = json_object_get(root, "normalizer");
    cr_assert_eq(tj_normalizer_from_json(nj, &w, &fast, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(tj_normalizer_from_json(nj, &w, &slow, &err), TKA_OK, "%s", err.message);
    tj_normalizer_drop_fast_paths(slow);
    hand_made(&hand_fast, &hand_slow);
    arena = tka_arena_new(0);
    memset(&cx, 0, sizeof cx);
    cx.arena = arena;
    rw = tj_regex_work_new();
}

static void teardown(void)
{
    tj_normalizer_free(fast);
    tj_normalizer_free(slow);
    tj_normalizer_free(hand_fast);
    tj_normalizer_free(hand_slow);
    json_decref(root);
    free(cx.chg);
    tka_arena_free(arena);
    tj_regex_work_free(rw);
}

TestSuite(tj_normalizer, .init = setup, .fini = teardown);

/* Normalizes text both ways; the bytes and every byte's alignment must agree. Returns
 * whether the normalizer changed the text. */
static bool agree_with(const tj_normalizer *f, const tj_normalizer *sl, const char *text,
                       size_t len)
{
    tj_str a, b;
    cr_assert_eq(tj_str_from(&cx, text, (uint32_t)len, 0, &a), TKA_OK);
    cr_assert_eq(tj_str_from(&cx, text, (uint32_t)len, 0, &b), TKA_OK);
    cr_assert_eq(tj_normalize(f, &cx, rw, &a), TKA_OK);
    cr_assert_eq(tj_normalize(sl, &cx, rw, &b), TKA_OK);
    cr_assert_eq(a.len, b.len, "\"%.*s\": %u bytes, want %u", (int)len, text, a.len, b.len);
    cr_assert(memcmp(a.s, b.s, a.len) == 0, "\"%.*s\" -> \"%.*s\", want \"%.*s\"", (int)len, text,
              (int)a.len, a.s, (int)b.len, b.s);
    for (uint32_t i = 0; i < a.len; i++)
        cr_assert(a.al[i].s == b.al[i].s && a.al[i].e == b.al[i].e,
                  "\"%.*s\": byte %u aligned to (%u, %u), want (%u, %u)", (int)len, text, i,
                  a.al[i].s, a.al[i].e, b.al[i].s, b.al[i].e);
    bool changed = a.len != len || memcmp(a.s, text, len) != 0; /* a.s lives in the arena */
    tka_arena_reset(arena);
    return changed;
}

static bool agree(const char *text, size_t len)
{
    return agree_with(fast, slow, text, len);
}

static bool agree_str(const char *text)
{
    return agree(text, strlen(text));
}

/* The ASCII fast path takes an ASCII char followed by another as a cluster of its own:
 * utf8proc (the general path's segmentation) breaks between any two, but CR LF. */
Test(tj_normalizer, ascii_pairs_are_separate_clusters_but_cr_lf)
{
    for (int a = 0; a < 128; a++)
        for (int b = 0; b < 128; b++) {
            utf8proc_int32_t state = 0;
            bool brk = utf8proc_grapheme_break_stateful(a, b, &state);
            cr_assert_eq(brk, !(a == '\r' && b == '\n'), "U+%04X U+%04X", a, b);
        }
}

Test(tj_normalizer, fast_path_equals_the_general_one_on_tricky_text)
{
    static const char *const cases[] = {
        "",
        " ",
        "a",
        "Hello world",
        "  leading and trailing  ",
        "runs   of    spaces\tand\ttabs",
        "cr lf\r\nline\rend\n",
        "\r\n",
        "e\xcc\x81"
        "t\xc3\xa9", /* e + combining acute, then precomposed */
        "a\xcc\x81\xcc\x82"
        "b",                         /* ASCII starting a 5-byte cluster */
        "A\xef\xbc\xa1\xef\xbc\xa2", /* full-width letters (mapped) */
        "\xef\xac\x81"
        "nance", /* the fi ligature */
        "x\xc2\xa0"
        "y\xe3\x80\x80"
        "z", /* NBSP, ideographic space */
        "\xe2\x96\x81"
        "word\xe2\x96\x81", /* the Metaspace replacement itself */
        "ctl\x01\x7f\x1f"
        " end", /* control chars */
        "\xf0\x9f\x98\x80\xe2\x80\x8d\xf0\x9f\x98\x80"
        " emoji", /* emoji ZWJ sequence */
        "\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5"
        " flag", /* regional indicators */
        "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8"
        " jamo", /* Hangul L V T */
        "\xe2\x91\xa0"
        " circled, \xe2\x84\xab"
        " angstrom",
        "Caf\xc3\xa9"
        " na\xc3\xaf"
        "ve r\xc3\xa9"
        "sum\xc3\xa9",
        "\xe3\x81\x8b\xe3\x82\x99"
        " kana + voiced mark",
    };
    size_t changed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        changed += agree_str(cases[i]);
    cr_assert_gt(changed, 5, "the cases must exercise the charsmap (%zu changed)", changed);

    /* a very long word, and one with a mapped char at its end */
    char *big = malloc(100003);
    memset(big, 'a', 100000);
    agree(big, 100000);
    memcpy(big + 100000, "\xef\xbc\xa1", 3);
    cr_assert(agree(big, 100003));
    free(big);
}

/* Random strings of chars from pool through both pairs; returns how many changed. */
static size_t random_agree(const tj_normalizer *f, const tj_normalizer *sl, const uint32_t *pool,
                           size_t n_pool, unsigned seed)
{
    size_t changed = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char text[256];
        size_t len = random_text(&seed, pool, n_pool, 16, text);
        changed += agree_with(f, sl, text, len);
    }
    return changed;
}

Test(tj_normalizer, hand_made_charsmap_fast_path_equals_the_general_one)
{
    static const uint32_t pool[] = {'a',     'b',    'q',    'x',    'y',    ' ',   '\t',
                                    '\r',    '\n',   0x301,  0xff21, 0x200b, 0xe9,  0x65,
                                    0x1f600, 0x200d, 0x4e00, 0x1100, 0x1161, 0x2581};
    cr_assert(agree_with(hand_fast, hand_slow, "a", 1));
    cr_assert(agree_with(hand_fast, hand_slow, "x\xcc\x81", 3));
    cr_assert(agree_with(hand_fast, hand_slow, "\r\n", 2));
    cr_assert_not(agree_with(hand_fast, hand_slow, "bbb\r", 4));
    size_t changed = random_agree(hand_fast, hand_slow, pool, sizeof pool / sizeof *pool, 7);
    cr_assert_gt(changed, 10000, "the random text must exercise the charsmap (%zu)", changed);
}

Test(tj_normalizer, fast_path_equals_the_general_one_on_random_text)
{
    static const uint32_t pool[] = {
        'a',    'Z',    ' ',    ' ',    '\t',   '\r',   '\n',    0x01,    0x7f,    '.',    '0',
        '<',    0xa0,   0x301,  0x308,  0x3099, 0x304b, 0xff76,  0xff9e,  0x4e00,  0x2581, 0x3000,
        0x200b, 0x200d, 0xfeff, 0x2460, 0xfb01, 0x212b, 0x1d400, 0x1f600, 0x1f1ef, 0xe9,   0x65,
        0xac00, 0x1100, 0x1161, 0x11a8, 0x0e33, 0x0915, 0x094d,  0xff21,  0x2028};
    size_t changed = random_agree(fast, slow, pool, sizeof pool / sizeof *pool, 2026);
    cr_assert_gt(changed, 1000, "the random text must exercise the charsmap");
}
