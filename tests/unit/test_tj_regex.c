/* The hand-written ASCII scanners of GPT-2's, llama3's and qwen's pre-tokenizer patterns
 * (tj_regex.c) against PCRE2 on the same pattern: every text and pair of the tokenizer.json
 * goldens, every line of the English corpora, adversarial strings over the characters the
 * patterns treat specially, and random ASCII. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/tj_regex.h"

static const char *const patterns[] = {
    /* GPT-2 (ByteLevel's use_regex) */
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
    /* llama3 */
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    /* qwen2 / qwen3 */
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};
#define NP (sizeof patterns / sizeof *patterns)

static tj_regex *re[NP];
static tj_regex_work *work;
static tj_matches ma, mb;
static size_t compared;

static void setup(void)
{
    tka_error err = {0};
    for (size_t i = 0; i < NP; i++) {
        cr_assert_eq(tj_regex_new(patterns[i], strlen(patterns[i]), false, "test", &re[i], &err),
                     TKA_OK, "%s", err.message);
        cr_assert(tj_regex_has_scanner(re[i]), "pattern %zu has no scanner", i);
    }
    work = tj_regex_work_new();
    cr_assert(work);
}

static void teardown(void)
{
    for (size_t i = 0; i < NP; i++)
        tj_regex_free(re[i]);
    tj_regex_work_free(work);
    tj_matches_free(&ma);
    tj_matches_free(&mb);
}

TestSuite(tj_regex, .init = setup, .fini = teardown);

/* The scanner's matches (tj_regex_find) equal PCRE2's, for every pattern and both inverts. */
static void same(const char *s, size_t len)
{
    tka_error err = {0};
    for (size_t i = 0; i < NP; i++)
        for (int inv = 0; inv < 2; inv++) {
            ma.n = mb.n = 0;
            cr_assert_eq(tj_regex_find(re[i], work, s, len, inv, &ma, &err), TKA_OK);
            cr_assert_eq(tj_regex_find_pcre2(re[i], work, s, len, inv, &mb, &err), TKA_OK);
            bool eq = ma.n == mb.n;
            for (size_t k = 0; eq && k < ma.n; k++)
                eq = ma.v[k].s == mb.v[k].s && ma.v[k].e == mb.v[k].e &&
                     ma.v[k].is_match == mb.v[k].is_match;
            if (!eq) {
                size_t k = 0;
                while (k < ma.n && k < mb.n && ma.v[k].s == mb.v[k].s && ma.v[k].e == mb.v[k].e)
                    k++;
                cr_assert_fail("pattern %zu on \"%.*s\" (%zu bytes): match %zu is [%u, %u) by "
                               "the scanner, [%u, %u) by PCRE2",
                               i, (int)(len > 80 ? 80 : len), s, len, k, k < ma.n ? ma.v[k].s : 0,
                               k < ma.n ? ma.v[k].e : 0, k < mb.n ? mb.v[k].s : 0,
                               k < mb.n ? mb.v[k].e : 0);
            }
            compared++;
        }
}

Test(tj_regex, hand_picked)
{
    static const char *const cases[] = {
        "",
        " ",
        "  ",
        "   x",
        "a",
        "'s",
        "'S",
        "'sam",
        "'ll",
        "'LL",
        "'lL",
        "'l",
        "'",
        "''s",
        "don't",
        "DON'T",
        "I've",
        "we'Re",
        "x 's",
        " 's",
        "?'s",
        "hello world",
        "  hello",
        "\t\tx",
        "\tx",
        "\nx",
        "\r\nx",
        " \n x",
        "a\n\n b",
        "a \n\n  \t",
        "  \n  x",
        "x  ",
        "x \t",
        "123456789",
        " 12345",
        "a1b2",
        "1a",
        " !!! ",
        "!!!\n\n\r",
        " (x) ",
        "(x",
        "\"Hello,\" she said.",
        "\v\f\x0b",
        "\x01\x02 \x1f\x7f",
        "a_b",
        "$100.00",
        "...\r\n\r\n",
        " \r",
        "\r",
        "\n \n",
        "x\n",
        "x\n\n",
        "x \n",
        "it's 2026!",
        "e.g. U.S.A.",
        "  '  s",
        "'\n",
        " '",
        "'s'",
        "'re've'm'd",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        same(cases[i], strlen(cases[i]));
    /* a text with non-ASCII goes to PCRE2 (and so agrees trivially); at least it runs */
    same("caf\xC3\xA9 's", 8);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

Test(tj_regex, adversarial_and_random)
{
    /* the characters the patterns distinguish: quote, the contraction letters in both
     * cases, letters, digits, each white space, other punctuation and control chars */
    static const char alpha[] = "'sStTrReEvVmMlLdDax9 0\t\n\r\v\f !.\"(-_\x01\x1f\x7f";
    char buf[64];
    for (int it = 0; it < 200000; it++) {
        size_t len = next_rand() % 24;
        bool random_ascii = it % 4 == 3;
        for (size_t k = 0; k < len; k++)
            buf[k] =
                random_ascii ? (char)(next_rand() % 128) : alpha[next_rand() % (sizeof alpha - 1)];
        same(buf, len);
    }
}

/* Every "text" and "pair" of the goldens (with their lines and the whole of each), and
 * every line of the English corpora. */
Test(tj_regex, goldens_and_corpora)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert(shared, "TKA_SHARED is not set");
    static const char *const models[] = {"gpt2", "llama3", "qwen3"};
    static const char *const sets[] = {"botchan", "cjk_heavy", "edge_cases",
                                       "pairs",   "special",   "wagahaiwa"};
    char path[4096];
    size_t texts = 0;
    for (size_t m = 0; m < 3; m++)
        for (size_t k = 0; k < 6; k++) {
            snprintf(path, sizeof path, "%s/golden/tokenizer_json/%s.%s.jsonl", shared, models[m],
                     sets[k]);
            FILE *f = fopen(path, "rb");
            cr_assert(f, "cannot open %s", path);
            char *line = NULL;
            size_t cap = 0;
            while (getline(&line, &cap, f) > 0) {
                json_t *row = json_loads(line, JSON_ALLOW_NUL, NULL);
                cr_assert(row, "%s: bad row", path);
                for (int q = 0; q < 2; q++) {
                    json_t *t = json_object_get(row, q ? "pair" : "text");
                    if (!json_is_string(t))
                        continue;
                    same(json_string_value(t), json_string_length(t));
                    texts++;
                }
                json_decref(row);
            }
            free(line);
            fclose(f);
        }
    static const char *const corpora[] = {"botchan.txt", "the_republic.txt"};
    for (size_t c = 0; c < 2; c++) {
        snprintf(path, sizeof path, "%s/data/corpora/%s", shared, corpora[c]);
        FILE *f = fopen(path, "rb");
        cr_assert(f, "cannot open %s", path);
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
            same(line, (size_t)n); /* with its newline, as a multi-line text would have it */
            same(line, (size_t)n - (line[n - 1] == '\n'));
            texts++;
        }
        free(line);
        fclose(f);
    }
    printf("tj_regex: scanner == PCRE2 on %zu golden texts and corpus lines (%zu comparisons)\n",
           texts, compared);
    cr_assert_gt(texts, 20000);
}
