/* The ids-only path of Metaspace pipelines (text normalized without alignments, cut before
 * each space or replacement char, words straight to the model) gives the ids of the full
 * encode: the real t5-style-unigram tokenizer.json and variants of it (every prepend_scheme,
 * split false, no normalizer), on tricky text (added tokens, non-ASCII, charsmap-mapped chars,
 * whitespace runs, the replacement char itself, empty, very long words) and with the
 * model's truncation limit. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "random_text.h"
#include "tokenize/tj_tokenizer.h"

static json_t *load_root(void)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED is not set");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/tokenizers/t5-style-unigram/tokenizer.json", shared);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    cr_assert_not_null(root, "%s: %s", path, je.text);
    return root;
}

static tj_tokenizer *build(json_t *root)
{
    tj_tokenizer *t = NULL;
    tka_error err = {0};
    cr_assert_eq(tj_tokenizer_from_json(root, "t5.json", &t, &err), TKA_OK, "%s", err.message);
    return t;
}

/* The encodings, reused call after call (each keeps its scratch, word cache included). */
static tj_enc full, ids;

/* Both paths on text; ids (and their count) must agree. */
static void agree(const tj_tokenizer *t, const char *text, size_t len, int64_t max_length)
{
    tka_error e1 = {0}, e2 = {0};
    tka_truncation tr = max_length < 0 ? TKA_TRUNCATE_NONE : TKA_TRUNCATE_LONGEST_FIRST;
    tka_status s1 = tj_tokenizer_encode_ovf(t, text, len, NULL, 0, true, max_length, tr, false, 0,
                                            &full, NULL, &e1);
    tka_status s2 =
        tj_tokenizer_encode_ids(t, text, len, NULL, 0, true, max_length, tr, false, 0, &ids, &e2);
    cr_assert_eq(s1, s2, "\"%.*s\": status %d, want %d", (int)len, text, s2, s1);
    cr_assert_eq(ids.n, full.n, "\"%.*s\" (max %lld): %zu ids, want %zu", (int)len, text,
                 (long long)max_length, ids.n, full.n);
    for (size_t i = 0; i < full.n; i++)
        cr_assert_eq(ids.ids[i], full.ids[i], "\"%.*s\": id %zu is %d, want %d", (int)len, text, i,
                     ids.ids[i], full.ids[i]);
}

static const char *const cases[] = {
    "",
    " ",
    "   ",
    "Hello world",
    "  leading and trailing  ",
    "runs   of    spaces\tand\ttabs\n",
    "cr lf\r\nline\rend\n",
    "\xe2\x96\x81",
    "\xe2\x96\x81"
    "word\xe2\x96\x81\xe2\x96\x81"
    "two \xe2\x96\x81 three\xe2\x96\x81",
    "e\xcc\x81"
    "t\xc3\xa9 Caf\xc3\xa9",
    "A\xef\xbc\xa1\xef\xbc\xa2 \xef\xac\x81"
    "nance",
    "x\xc2\xa0y\xe3\x80\x80z",
    "ctl\x01\x7f\x1f"
    " end",
    "\xf0\x9f\x98\x80\xe2\x80\x8d\xf0\x9f\x98\x80"
    " emoji \xf0\x9f\x87\xaf\xf0\x9f\x87\xb5",
    "\xe7\x8c\xab\xe3\x81\x8c\xe5\xa5\xbd\xe3\x81\x8d\xe3\x81\xa7\xe3\x81\x99",
    "with <s> and </s> and <unk> tokens",
    "a<b c>d <",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
};

static void all_cases(const tj_tokenizer *t)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int64_t max = -1; max < 6; max++)
            agree(t, cases[i], strlen(cases[i]), max);
    size_t n = 20000;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = i % 997 == 996 ? ' ' : (char)('a' + i % 26);
    agree(t, big, n, -1);
    memset(big, 'z', n);
    agree(t, big, n, -1);
    agree(t, big, n, 3);
    free(big);
    /* random text over a pool of tricky chars */
    static const uint32_t pool[] = {'a',  'Z',    'q',    ' ',    ' ',    '\t',   '\n',
                                    '<',  's',    '>',    '.',    '0',    0xa0,   0x301,
                                    0xe9, 0x2581, 0x3000, 0xff21, 0xfb01, 0x4e00, 0x1f600};
    unsigned seed = 99;
    for (int iter = 0; iter < 3000; iter++) {
        char text[256];
        size_t len = random_text(&seed, pool, sizeof pool / sizeof *pool, 20, text);
        agree(t, text, len, (int64_t)(seed % 8) - 1);
    }
    tj_enc_free(&full); /* before the tokenizer */
    tj_enc_free(&ids);
    memset(&full, 0, sizeof full);
    memset(&ids, 0, sizeof ids);
}

Test(tj_ids_only, metaspace_always_split)
{
    json_t *root = load_root();
    tj_tokenizer *t = build(root);
    all_cases(t);
    tj_tokenizer_free(t);
    json_decref(root);
}

/* Every prepend scheme, split or not, with the file's normalizer and with none (then the
 * replacement char reaches the pre-tokenizer: the normalizer maps it to a space). */
Test(tj_ids_only, metaspace_variants)
{
    static const char *const schemes[] = {"never", "always", "first"};
    for (int k = 0; k < 6; k++)
        for (int split = 0; split < 2; split++) {
            json_t *root = load_root();
            if (k >= 3)
                json_object_set_new(root, "normalizer", json_null());
            json_t *pre = json_object_get(root, "pre_tokenizer");
            json_object_set_new(pre, "prepend_scheme", json_string(schemes[k % 3]));
            json_object_set_new(pre, "split", json_boolean(split));
            tj_tokenizer *t = build(root);
            all_cases(t);
            tj_tokenizer_free(t);
            json_decref(root);
        }
}
