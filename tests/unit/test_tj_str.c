/* Unit tests of the tokenizer.json aligned string (Rust's NormalizedString): transform with
 * removals, prepend, replace, slices and every split behaviour, on the examples of the Rust
 * tokenizer's own tests (tokenizers/src/tokenizer/normalizer.rs), and a tokenizer built from
 * an inline tokenizer.json (added tokens with lstrip / rstrip / single_word, errors). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "tokenize/tj_str.h"
#include "tokenize/tj_tokenizer.h"

static tka_arena *arena;
static tj_ctx cx;

static void setup(void)
{
    arena = tka_arena_new(0);
    memset(&cx, 0, sizeof cx);
    cx.arena = arena;
}

static void teardown(void)
{
    free(cx.chg);
    tka_arena_free(arena);
}

TestSuite(tj_str, .init = setup, .fini = teardown);

static void expect_al(const tj_str *s, const char *norm, const uint32_t (*al)[2], size_t n)
{
    cr_assert_eq(s->len, strlen(norm));
    cr_assert(memcmp(s->s, norm, s->len) == 0, "normalized %.*s, want %s", (int)s->len, s->s, norm);
    cr_assert_eq(s->len, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(s->al[i].s == al[i][0] && s->al[i].e == al[i][1],
                  "byte %zu aligned to (%u, %u), want (%u, %u)", i, s->al[i].s, s->al[i].e,
                  al[i][0], al[i][1]);
}

static tj_str from(const char *t)
{
    tj_str s;
    cr_assert_eq(tj_str_from(&cx, t, (uint32_t)strlen(t), 0, &s), TKA_OK);
    return s;
}

Test(tj_str, removing_at_the_beginning)
{
    /* Rust: transform_range(Original(0..4), [('Y', 0)], 3) on "Hello friend" */
    tj_str s = from("Hello friend");
    tj_chg ch[] = {{'Y', 0}, {'o', 0}, {' ', 0}, {'f', 0}, {'r', 0},
                   {'i', 0}, {'e', 0}, {'n', 0}, {'d', 0}};
    cr_assert_eq(tj_str_transform(&cx, &s, ch, 9, 3), TKA_OK);
    static const uint32_t al[][2] = {{3, 4}, {4, 5},  {5, 6},   {6, 7},  {7, 8},
                                     {8, 9}, {9, 10}, {10, 11}, {11, 12}};
    expect_al(&s, "Yo friend", al, 9);
}

Test(tj_str, removing_in_the_middle)
{
    /* Rust: transform_range(Original(3..10), [('_', 0), ('F', 0), ('R', -2)], 2) */
    tj_str s = from("Hello friend");
    tj_chg ch[] = {{'H', 0}, {'e', 0},  {'l', -2}, {'_', 0},
                   {'F', 0}, {'R', -2}, {'n', 0},  {'d', 0}};
    cr_assert_eq(tj_str_transform(&cx, &s, ch, 8, 0), TKA_OK);
    static const uint32_t al[][2] = {{0, 1}, {1, 2}, {2, 3},   {5, 6},
                                     {6, 7}, {7, 8}, {10, 11}, {11, 12}};
    expect_al(&s, "Hel_FRnd", al, 8);
}

Test(tj_str, inserted_chars_share_the_previous_alignment)
{
    tj_str s = from("ab");
    tj_chg ch[] = {{'a', 0}, {'x', 1}, {'b', 0}};
    cr_assert_eq(tj_str_transform(&cx, &s, ch, 3, 0), TKA_OK);
    static const uint32_t al[][2] = {{0, 1}, {0, 1}, {1, 2}};
    expect_al(&s, "axb", al, 3);
}

Test(tj_str, prepend_takes_the_first_char_alignment)
{
    tj_str s = from("2024 ");
    cr_assert_eq(tj_str_prepend(&cx, &s, "\xe2\x96\x81", 3), TKA_OK);
    static const uint32_t al[][2] = {{0, 1}, {0, 1}, {0, 1}, {0, 1},
                                     {1, 2}, {2, 3}, {3, 4}, {4, 5}};
    expect_al(&s,
              "\xe2\x96\x81"
              "2024 ",
              al, 8);
}

Test(tj_str, replace_aligns_content_to_the_match_end)
{
    tj_str s = from("a   b c");
    uint32_t m[] = {1, 4, 5, 6};
    cr_assert_eq(tj_str_replace(&cx, &s, m, 2, "__", 2), TKA_OK);
    static const uint32_t al[][2] = {{0, 1}, {3, 4}, {3, 4}, {4, 5}, {5, 6}, {5, 6}, {6, 7}};
    expect_al(&s, "a__b__c", al, 7);
    uint32_t os, oe;
    tj_str_orig(&s, 1, 4, &os, &oe); /* "__b": first start .. last end */
    cr_assert(os == 3 && oe == 5);
}

/* "The-final--countdown" split on '-' under each behaviour (Rust's own expectations). */
static void split_case(tj_behavior b, const char *const *want, size_t n)
{
    const char *t = "The-final--countdown";
    tj_str s = from(t);
    tj_matches m = {0};
    uint32_t last = 0;
    for (uint32_t i = 0; i < s.len; i++)
        if (t[i] == '-') {
            if (last < i)
                tj_matches_push(&m, last, i, 0);
            tj_matches_push(&m, i, i + 1, 1);
            last = i + 1;
        }
    tj_matches_push(&m, last, s.len, 0);
    tj_splits out = {0};
    cr_assert_eq(tj_split_by(&s, &m, b, &out), TKA_OK);
    cr_assert_eq(out.n, n, "behaviour %d: %zu pieces, want %zu", (int)b, out.n, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(out.v[i].str.len == strlen(want[i]) &&
                      !memcmp(out.v[i].str.s, want[i], out.v[i].str.len),
                  "piece %zu: %.*s, want %s", i, (int)out.v[i].str.len, out.v[i].str.s, want[i]);
    tj_matches_free(&m);
    tj_splits_free(&out);
}

Test(tj_str, split_behaviours)
{
    static const char *removed[] = {"The", "final", "countdown"};
    static const char *isolated[] = {"The", "-", "final", "-", "-", "countdown"};
    static const char *prev[] = {"The-", "final-", "-", "countdown"};
    static const char *next[] = {"The", "-final", "-", "-countdown"};
    static const char *contiguous[] = {"The", "-", "final", "--", "countdown"};
    split_case(TJ_REMOVED, removed, 3);
    split_case(TJ_ISOLATED, isolated, 6);
    split_case(TJ_MERGED_WITH_PREVIOUS, prev, 4);
    split_case(TJ_MERGED_WITH_NEXT, next, 4);
    split_case(TJ_CONTIGUOUS, contiguous, 5);
}

/* ------------------------------------------------------------ a small pipeline */

static tj_tokenizer *build(const char *json, tka_error *err)
{
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    cr_assert(root, "%s", je.text);
    tj_tokenizer *t = NULL;
    tj_tokenizer_from_json(root, "inline.json", &t, err);
    json_decref(root);
    return t;
}

static const char wl[] =
    "{\"model\": {\"type\": \"WordLevel\", \"unk_token\": \"?\", \"vocab\": {\"?\": 0, \"a\": 1,"
    " \"b\": 2, \"x\": 3}}, \"pre_tokenizer\": {\"type\": \"WhitespaceSplit\"},"
    " \"added_tokens\": [{\"id\": 9, \"content\": \"<m>\", \"special\": true, \"lstrip\": true,"
    " \"rstrip\": true, \"normalized\": false}, {\"id\": 8, \"content\": \"x\", \"special\": false,"
    " \"single_word\": true, \"normalized\": true}]}";

Test(tj_str, added_tokens_lstrip_rstrip_single_word)
{
    tka_error err = {0};
    tj_tokenizer *t = build(wl, &err);
    cr_assert(t, "%s", err.message);
    tj_enc e = {0};
    const char *text = "a  <m>  b ax x";
    cr_assert_eq(
        tj_tokenizer_encode(t, text, strlen(text), NULL, 0, true, -1, TKA_TRUNCATE_NONE, &e, &err),
        TKA_OK);
    /* "<m>" takes the spaces around it; "x" inside "ax" is not a single word. Ids as Rust
     * assigns them (npm tokenizers@0.23.2 on the same file): "<m>" the next after the
     * vocabulary (4, not the file's 9), "x" the model's 3 (not 8). */
    static const int32_t ids[] = {1, 4, 2, 0, 3};
    static const uint32_t s[] = {0, 1, 8, 10, 13}, en[] = {1, 8, 9, 12, 14};
    cr_assert_eq(e.n, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert(e.ids[i] == ids[i] && e.s[i] == s[i] && e.e[i] == en[i], "token %zu: %d [%u, %u)",
                  i, e.ids[i], e.s[i], e.e[i]);
    cr_assert(e.tok_len[1] == 7 && !memcmp(e.tok[1], "  <m>  ", 7));
    tj_enc_free(&e);
    tj_tokenizer_free(t);
}

Test(tj_str, errors_name_file_and_path)
{
    tka_error err = {0};
    cr_assert_null(
        build("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}, \"unk_token\": \"?\"},"
              " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\":"
              " \"NoSuchPreTokenizer\"}]}}",
              &err));
    cr_assert_eq(err.status, TKA_ERR_UNSUPPORTED);
    cr_assert(strstr(err.message, "inline.json: pre_tokenizer.pretokenizers[0]") &&
                  strstr(err.message, "NoSuchPreTokenizer"),
              "%s", err.message);
    cr_assert_null(
        build("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}, \"unk_token\": \"?\"},"
              " \"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"(\"},"
              " \"content\": \"\"}}",
              &err));
    cr_assert(strstr(err.message, "inline.json: normalizer.pattern") &&
                  strstr(err.message, "PCRE2"),
              "%s", err.message);
}
