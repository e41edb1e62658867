/* Unit tests of BERT tokenization: BasicTokenizer steps, WordPiece, special
 * tokens, offsets, and the ASCII fast path against the generic path. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bert_test_util.h"
#include "tokenize/backend.h"
#include "tokenize/bert_model.h"

#define SLOW TKA_COMPAT_SLOW
#define FAST TKA_COMPAT_FAST

Test(bert_tokenize, wordpiece_greedy_longest_match)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    cr_assert_str_eq(joined(tok, "unaffable"), "un ##aff ##able");
    cr_assert_str_eq(joined(tok, "ab"), "ab"); /* longest first, not a ##b */
    cr_assert_str_eq(joined(tok, "abb"), "ab ##b");
    cr_assert_str_eq(joined(tok, "unaffablex"), "[UNK]"); /* any unmatched rest: whole word */
    cr_assert_str_eq(joined(tok, "Hello, World!"), "hello , world !");
    cr_assert_str_eq(joined(tok, ""), "");
    cr_assert_str_eq(joined(tok, " \t\r\n "), "");
    tka_tokenizer_free(tok);
}

Test(bert_tokenize, word_length_limit)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    char word[102];
    memset(word, 'a', sizeof word);
    word[100] = '\0'; /* 100 characters: split into pieces */
    tka_tokens t = {0};
    cr_assert_eq(tka_tokenize(tok, word, 100, 0, &t, NULL), TKA_OK);
    cr_assert_eq(t.count, 1, "a + 99 x ##a: no ##a in the vocabulary -> [UNK]");
    word[101] = '\0';
    cr_assert_eq(tka_tokenize(tok, word, 101, 0, &t, NULL), TKA_OK);
    cr_assert_eq(t.count, 1);
    cr_assert_eq(t.ids[0], 1);
    tka_tokens_free(&t);
    tka_tokenizer_free(tok);

    /* with "##a" pieces: 100 characters split, 101 are one [UNK] */
    static const char v[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n##a\n";
    tok = open_vocab_text(v, sizeof v - 1, 1, SLOW, NULL);
    memset(word, 'a', 101);
    t = (tka_tokens){0};
    cr_assert_eq(tka_tokenize(tok, word, 100, 0, &t, NULL), TKA_OK);
    cr_assert_eq(t.count, 100);
    cr_assert_eq(tka_tokenize(tok, word, 101, 0, &t, NULL), TKA_OK);
    cr_assert_eq(t.count, 1);
    tka_tokens_free(&t);
    tka_tokenizer_free(tok);
}

Test(bert_tokenize, clean_text_and_accents)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    cr_assert_str_eq(joined(tok, "a\xe2\x80\x8b"
                                 "b"),
                     "ab"); /* ZWSP removed, word joined */
    cr_assert_str_eq(joined(tok, "a\x01"
                                 "b"),
                     "ab"); /* control removed */
    cr_assert_str_eq(joined(tok, "a\xc2\xa0"
                                 "b"),
                     "a b");                               /* NBSP separates */
    cr_assert_str_eq(joined(tok, "caf\xc3\xa9"), "cafe");  /* é -> e */
    cr_assert_str_eq(joined(tok, "cafe\xcc\x81"), "cafe"); /* e + U+0301 */
    cr_assert_str_eq(joined(tok, "\xe4\xb8\xad\xe6\x96\x87"), "中 文");
    cr_assert_str_eq(joined(tok, "a\xe4\xb8\xad"
                                 "b"),
                     "a 中 b"); /* CJK isolated */
    tka_tokenizer_free(tok);
    tok = open_small(0, SLOW); /* cased: no lower-casing, no accent stripping */
    cr_assert_str_eq(joined(tok, "caf\xc3\xa9 Hello"), "[UNK] [UNK]");
    tka_tokenizer_free(tok);
}

Test(bert_tokenize, greek_final_sigma)
{
    /* COMPAT: tokenize() lowers one character at a time: final Σ -> σ */
    static const char v[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nσ\nς\n##σ\n##ς\nο\n##ο\n";
    tka_tokenizer *tok = open_vocab_text(v, sizeof v - 1, 1, SLOW, NULL);
    cr_assert_str_eq(joined(tok, "\xce\x9f\xce\xa3"), "ο ##σ"); /* ΟΣ */
    /* next to a special token the text goes through the lower-casing regex
     * (PCRE2): the special stays as it is, Σ is still lowered on its own */
    cr_assert_str_eq(joined(tok, "\xce\x9f\xce\xa3[MASK]\xce\x9f\xce\xa3 [CLS]"),
                     "ο ##σ [MASK] ο ##σ [CLS]");
    tka_tokenizer_free(tok);
}

Test(bert_tokenize, special_tokens_slow_and_fast)
{
    tka_tokenizer *s = open_small(1, SLOW);
    tka_tokenizer *f = open_small(1, FAST);
    cr_assert_str_eq(joined(s, "[CLS] hello [SEP]"), "[CLS] hello [SEP]");
    cr_assert_str_eq(joined(s, "a[MASK]b"), "a [MASK] b");
    cr_assert_str_eq(joined(s, "[[CLS]]"), "[UNK] [CLS] [UNK]"); /* '[' is not in the vocab */
    cr_assert_str_eq(joined(s, "[cls]"), "[UNK] [UNK] [UNK]");
    cr_assert_str_eq(joined(f, "a[MASK]b"), "a [MASK] b");
    tka_tokenizer_free(s);
    tka_tokenizer_free(f);
    /* cased: "[MASK\u200b]" becomes "[MASK]" after clean_text and stays
     * whole in slow mode only */
    static const char v[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n[\n]\nMASK\n";
    s = open_vocab_text(v, sizeof v - 1, 0, SLOW, NULL);
    f = open_vocab_text(v, sizeof v - 1, 0, FAST, NULL);
    cr_assert_str_eq(joined(s, "[MASK\xe2\x80\x8b]"), "[MASK]");
    cr_assert_str_eq(joined(f, "[MASK\xe2\x80\x8b]"), "[ MASK ]");
    tka_tokenizer_free(s);
    tka_tokenizer_free(f);
}

Test(bert_tokenize, offsets_are_code_points_of_the_input)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    tka_tokens t = {0};
    /* "İ" lowers to two code points, both mapped to the one input character */
    const char *text = "\xc3\xa9 caf\xc3\xa9 \xc4\xb0 \xe4\xb8\xad!";
    cr_assert_eq(
        tka_tokenize(tok, text, strlen(text), TKA_TOKENS_OFFSETS | TKA_TOKENS_STRINGS, &t, NULL),
        TKA_OK);
    /* é -> "e" is not in the vocab: [UNK]; cafe; i; 中; ! */
    cr_assert_eq(t.count, 5);
    uint32_t want[5][2] = {{0, 1}, {2, 6}, {7, 8}, {9, 10}, {10, 11}};
    for (size_t i = 0; i < t.count; i++) {
        cr_assert_eq(t.starts[i], want[i][0], "token %zu", i);
        cr_assert_eq(t.ends[i], want[i][1], "token %zu", i);
    }
    /* special tokens in a lowered text keep their input offsets */
    text = "\xc4\xb0[MASK]a";
    cr_assert_eq(tka_tokenize(tok, text, strlen(text), TKA_TOKENS_OFFSETS, &t, NULL), TKA_OK);
    cr_assert_eq(t.count, 3);
    cr_assert(t.ids[1] == 4 && t.starts[1] == 1 && t.ends[1] == 7);
    cr_assert(t.starts[2] == 7 && t.ends[2] == 8);
    tka_tokens_free(&t);
    tka_tokenizer_free(tok);
}

Test(bert_tokenize, invalid_utf8_is_refused)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    tka_tokens t = {0};
    tka_error err;
    cr_assert_eq(tka_tokenize(tok, "ab\xc3", 3, 0, &t, &err), TKA_ERR_UTF8);
    cr_assert_not_null(strstr(err.message, "byte offset 2"), "%s", err.message);
    tka_tokens_free(&t);
    tka_tokenizer_free(tok);
}

/* The ASCII fast path and the generic path agree on random ASCII text. */
Test(bert_tokenize, ascii_fast_path_equals_generic)
{
    tka_tokenizer *tok = open_mirror("bert-base-uncased", SLOW);
    const bert_model *m = tok->model;
    const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
                            " .,;:!?'\"()-#$%&*+/<=>@\\^_`{|}~\t\r\n\x01\x7f[]";
    srand(12345);
    tka_tokens a = {0}, b = {0};
    char text[200];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)(rand() % 120);
        for (size_t i = 0; i < n; i++) {
            /* mostly letters so that words form */
            int r = rand() % 100;
            text[i] = r < 70 ? "etaoinshrdlucmfw"[rand() % 16]
                             : alphabet[rand() % (int)(sizeof alphabet - 1)];
        }
        if (iter % 7 == 0 && n > 10)
            memcpy(text + n / 2, "[MASK]", 6);
        unsigned flags = TKA_TOKENS_OFFSETS | TKA_TOKENS_STRINGS;
        tka_tokens_clear(&a);
        tka_tokens_clear(&b);
        cr_assert_eq(bert_tokenize(m, text, n, flags, &a, NULL), TKA_OK);
        cr_assert_eq(bert_tokenize_generic(m, text, n, flags, &b, NULL), TKA_OK);
        cr_assert_eq(a.count, b.count, "iteration %d: '%.*s'", iter, (int)n, text);
        for (size_t i = 0; i < a.count; i++) {
            cr_assert_eq(a.ids[i], b.ids[i]);
            cr_assert_eq(a.starts[i], b.starts[i]);
            cr_assert_eq(a.ends[i], b.ends[i]);
            cr_assert_eq(a.text_len[i], b.text_len[i]);
        }
    }
    tka_tokens_free(&a);
    tka_tokens_free(&b);
    tka_tokenizer_free(tok);
}

/* tka_tokenize_as(tok, other compat) must be exactly what a tokenizer
 * opened in that mode gives (the encoder's slow-mode offsets rely on it),
 * ASCII fast path included: every edge-case line and some ASCII text. */
Test(bert_tokenize, tokenize_as_equals_a_tokenizer_opened_in_that_mode)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared);
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/tokenize/edge_cases.txt", shared);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char lines[1 << 16];
    size_t nl = fread(lines, 1, sizeof lines - 1, f);
    fclose(f);
    cr_assert_lt(nl, sizeof lines - 1, "edge_cases.txt grew past the buffer");
    static const char *const extra[] = {"Hello, world! [MASK] x", "a b\tc\r\nd", ""};
    static const char *const models[] = {"bert-base-uncased", "bert-base-cased",
                                         "bert-base-chinese"};
    unsigned flags = TKA_TOKENS_OFFSETS | TKA_TOKENS_STRINGS;
    tka_tokens a = {0}, b = {0};
    for (size_t m = 0; m < 3; m++) {
        tka_tokenizer *tok[2] = {open_mirror(models[m], SLOW), open_mirror(models[m], FAST)};
        size_t compared = 0, differ = 0;
        for (int mode = 0; mode < 2; mode++) {
            tka_compat other = mode ? SLOW : FAST;
            size_t start = 0;
            for (size_t k = 0; start < nl || k < 3;) {
                const char *text;
                size_t n;
                if (start < nl) {
                    const char *end = memchr(lines + start, '\n', nl - start);
                    n = end ? (size_t)(end - (lines + start)) : nl - start;
                    text = lines + start;
                    start += n + 1;
                } else {
                    text = extra[k];
                    n = strlen(text);
                    k++;
                }
                tka_status sa = tka_tokenize_as(tok[mode], other, text, n, flags, &a, NULL);
                tka_status sb = tka_tokenize(tok[!mode], text, n, flags, &b, NULL);
                cr_assert_eq(sa, sb);
                if (sa != TKA_OK)
                    continue;
                cr_assert_eq(a.count, b.count, "%s: '%.*s'", models[m], (int)n, text);
                for (size_t i = 0; i < a.count; i++) {
                    cr_assert_eq(a.ids[i], b.ids[i], "%s: '%.*s'", models[m], (int)n, text);
                    cr_assert_eq(a.starts[i], b.starts[i]);
                    cr_assert_eq(a.ends[i], b.ends[i]);
                }
                compared++;
                /* the opened mode's own result differs on some lines, so the
                 * compat argument is really what decides */
                tka_tokenize(tok[mode], text, n, flags, &b, NULL);
                bool same = a.count == b.count;
                for (size_t i = 0; same && i < a.count; i++)
                    same = a.ids[i] == b.ids[i] && a.starts[i] == b.starts[i];
                differ += !same;
            }
        }
        cr_assert_gt(compared, 700);
        cr_assert_gt(differ, 10, "%s: only %zu lines differ between the modes", models[m], differ);
        tka_tokenizer_free(tok[0]);
        tka_tokenizer_free(tok[1]);
    }
    tka_tokens_free(&a);
    tka_tokens_free(&b);
}

Test(bert_tokenize, huge_word_and_text)
{
    /* a 1 MB word goes to the heap scratch and becomes one [UNK] */
    tka_tokenizer *tok = open_small(1, SLOW);
    size_t n = 1 << 20;
    char *text = malloc(n);
    cr_assert_not_null(text);
    for (size_t i = 0; i < n; i += 2) {
        text[i] = (char)0xc3; /* é repeated: non-ASCII, generic path */
        text[i + 1] = (char)0xa9;
    }
    tka_tokens t = {0};
    cr_assert_eq(tka_tokenize(tok, text, n, TKA_TOKENS_OFFSETS, &t, NULL), TKA_OK);
    cr_assert_eq(t.count, 1);
    cr_assert_eq(t.ids[0], 1);
    cr_assert_eq(t.ends[0], n / 2);
    tka_tokens_free(&t);
    free(text);
    tka_tokenizer_free(tok);
}
