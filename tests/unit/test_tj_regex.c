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
#include "tokenize/rust_unicode8.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

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

/* COMPAT: \p{..} classes take utf8proc's categories (Unicode 15.0) and, for the characters
 * new in 15.1 and 16.0, the generated Unicode 16.0 table's (the Rust tokenizer's Oniguruma
 * has 16.0), not PCRE2 10.42's (14.0): over every code point, each category class, its
 * one-letter groups, negations, classes holding them and Oniguruma's \w (spelled out:
 * PCRE2's lacks marks) match exactly what that category says. Cn is PCRE2's own (not
 * widened, see docs/tokenizer_json.md); since every other category agrees, PCRE2 and
 * utf8proc differ only on characters PCRE2 has as unassigned, which the widening covers. */
static const char *const category_names[] = {
    "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps",
    "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co"};

static uint32_t group_of(char letter)
{
    uint32_t mask = 0;
    for (unsigned i = 1; i < 30; i++)
        if (category_names[i][0] == letter)
            mask |= 1u << i;
    return mask;
}

/* utf8proc's category, or Unicode 16.0's for a character utf8proc does not know */
static int reference_category(utf8proc_int32_t cp)
{
    int cat = utf8proc_category(cp);
    const rust16_range *r = cat == UTF8PROC_CATEGORY_CN ? rust16_find(cp) : NULL;
    return r ? r->category : cat;
}

Test(tj_regex, unicode_classes_follow_utf8proc)
{
    /* every code point but the surrogates, one after the other */
    char *text = malloc((size_t)4 * 0x110000);
    cr_assert(text);
    size_t len = 0;
    for (utf8proc_int32_t cp = 0; cp < 0x110000; cp++)
        if (cp < 0xD800 || cp > 0xDFFF)
            len += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)text + len);
    struct {
        char pattern[32];
        uint32_t mask;    /* utf8proc categories that must match */
        uint32_t unknown; /* categories not checked */
    } cases[64];
    memset(cases, 0, sizeof cases);
    size_t n = 0;
    for (unsigned i = 1; i < 30; i++)
        if (i != UTF8PROC_CATEGORY_CS) {
            snprintf(cases[n].pattern, sizeof cases[n].pattern, "\\p{%s}", category_names[i]);
            cases[n++].mask = 1u << i;
        }
    static const char letters[] = "LMNPSZ";
    for (const char *l = letters; *l; l++) {
        snprintf(cases[n].pattern, sizeof cases[n].pattern, "\\p{%c}", *l);
        cases[n++].mask = group_of(*l);
    }
    uint32_t all = (1u << 30) - 1, L = group_of('L'), N = group_of('N');
    /* Oniguruma's \w: Alphabetic, marks, Nd, Pc; of No, So, Cf, Co only some characters are
     * Alphabetic (or Latin-1 word chars): those categories are not checked */
    uint32_t word = L | group_of('M') | 1u << UTF8PROC_CATEGORY_ND | 1u << UTF8PROC_CATEGORY_NL |
                    1u << UTF8PROC_CATEGORY_PC;
    uint32_t mixed = 1u << UTF8PROC_CATEGORY_NO | 1u << UTF8PROC_CATEGORY_SO |
                     1u << UTF8PROC_CATEGORY_CF | 1u << UTF8PROC_CATEGORY_CO;
    const struct {
        const char *pattern;
        uint32_t mask, unknown;
    } more[] = {
        {"\\pL", L, 0},
        {"\\PN", all & ~N, 0},
        {"\\P{L}", all & ~L, 0},
        {"\\p{^N}", all & ~N, 0},
        {"\\p{L&}",
         1u << UTF8PROC_CATEGORY_LU | 1u << UTF8PROC_CATEGORY_LL | 1u << UTF8PROC_CATEGORY_LT, 0},
        {"[\\p{L}\\p{N}]", L | N, 0},
        {"[^\\s\\p{L}\\p{N}]", all & ~(L | N | group_of('Z')), 0},
        {"\\d", 1u << UTF8PROC_CATEGORY_ND, 0},
        {"[\\d]", 1u << UTF8PROC_CATEGORY_ND, 0},
        {"\\D", all & ~(1u << UTF8PROC_CATEGORY_ND), 0},
        {"\\w", word, mixed},
        {"[\\w]", word, mixed},
        {"\\W", all & ~word, mixed},
        {"[^\\w]", all & ~word, mixed},
    };
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
        snprintf(cases[n].pattern, sizeof cases[n].pattern, "%s", more[i].pattern);
        cases[n].unknown = more[i].unknown;
        cases[n++].mask = more[i].mask;
    }
    size_t checked = 0, widened = 0, new16 = 0;
    for (size_t c = 0; c < n; c++) {
        tj_regex *r = NULL;
        tka_error err = {0};
        cr_assert_eq(
            tj_regex_new(cases[c].pattern, strlen(cases[c].pattern), false, "test", &r, &err),
            TKA_OK, "%s", err.message);
        ma.n = 0;
        cr_assert_eq(tj_regex_find_pcre2(r, work, text, len, false, &ma, &err), TKA_OK);
        for (size_t k = 0; k < ma.n; k++)
            for (size_t i = ma.v[k].s; i < ma.v[k].e;) {
                utf8proc_int32_t cp = 0;
                i += (size_t)utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                              (utf8proc_ssize_t)(ma.v[k].e - i), &cp);
                int cat = reference_category(cp);
                if (cases[c].unknown >> cat & 1)
                    continue;
                /* \s is White_Space: the Cc among it are tab..CR and U+0085 */
                bool space = cp == 0x85 || (cp >= 9 && cp <= 13);
                bool want =
                    (cases[c].mask >> cat & 1) && !(space && strstr(cases[c].pattern, "\\s"));
                cr_assert_eq(ma.v[k].is_match, want, "/%s/ on U+%04X (utf8proc %s): %s",
                             cases[c].pattern, (unsigned)cp, category_names[cat],
                             want ? "no match" : "matched");
                checked++;
            }
        tj_regex_free(r);
    }
    /* how many characters the widening added: \p{L} etc. against the unassigned of PCRE2 */
    tj_regex *cn = NULL;
    tka_error err = {0};
    cr_assert_eq(tj_regex_new("\\p{Cn}", 6, false, "test", &cn, &err), TKA_OK);
    ma.n = 0;
    cr_assert_eq(tj_regex_find_pcre2(cn, work, text, len, false, &ma, &err), TKA_OK);
    for (size_t k = 0; k < ma.n; k++)
        for (size_t i = ma.v[k].s; ma.v[k].is_match && i < ma.v[k].e;) {
            utf8proc_int32_t cp = 0;
            i += (size_t)utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                          (utf8proc_ssize_t)(ma.v[k].e - i), &cp);
            widened += reference_category(cp) != UTF8PROC_CATEGORY_CN;
            new16 += utf8proc_category(cp) == UTF8PROC_CATEGORY_CN &&
                     reference_category(cp) != UTF8PROC_CATEGORY_CN;
        }
    tj_regex_free(cn);
    free(text);
    char pcre2_unicode[32] = "";
    pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, pcre2_unicode);
    printf("tj_regex: %zu class spellings agree with utf8proc (Unicode %s) and the Unicode 16.0 "
           "table on every code point (%zu checks); %zu characters PCRE2's Unicode %s leaves "
           "unassigned are in them, %zu of them new in 15.1/16.0\n",
           n, utf8proc_unicode_version(), checked, widened, pcre2_unicode, new16);
    cr_assert_gt(new16, 5000);
    cr_assert_gt(checked, (size_t)40 * 0x100000);
}
