/* Helpers of the BERT unit tests: temporary vocabularies and configuration
 * files (in a fresh directory under the working directory), and opening
 * tokenizers from them or from the shared mirror. */
#ifndef TKA_BERT_TEST_UTIL_H
#define TKA_BERT_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokalign/tokenizer.h"

/* Files and directories made by the test process, removed at exit. */
static char test_made[16][256];
static int test_n_made;

static void test_cleanup(void)
{
    for (int i = test_n_made - 1; i >= 0; i--)
        remove(test_made[i]);
    test_n_made = 0;
}

static inline void test_remember(const char *path)
{
    if (test_n_made == 0)
        atexit(test_cleanup);
    if (test_n_made < 16)
        snprintf(test_made[test_n_made++], sizeof test_made[0], "%s", path);
}

/* A fresh directory (static buffer) for one test's files. */
static inline const char *test_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "tka_bert_test_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    test_remember(dir);
    return dir;
}

/* Writes bytes to dir/name; returns the path (static buffer). */
static inline const char *write_file(const char *dir, const char *name, const char *data,
                                     size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    bool known = false;
    for (int i = 0; i < test_n_made; i++)
        known |= strcmp(test_made[i], path) == 0;
    if (!known)
        test_remember(path);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

/* A small BERT vocabulary: ids are line numbers. */
static const char SMALL_VOCAB[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
                                  "hello\nworld\n,\n!\n.\nun\n##aff\n##able\na\nb\nab\n##b\n"
                                  "the\n##s\nσ\ni\ncafe\n中\n文\n'\n";
/* ids:  0 [PAD] 1 [UNK] 2 [CLS] 3 [SEP] 4 [MASK] 5 hello 6 world 7 , 8 ! 9 .
 *       10 un 11 ##aff 12 ##able 13 a 14 b 15 ab 16 ##b 17 the 18 ##s 19 σ
 *       20 i 21 cafe 22 中 23 文 24 ' */

static inline tka_tokenizer *open_vocab_text(const char *vocab, size_t len, int lower,
                                             tka_compat compat, const char **dir_out)
{
    const char *dir = test_dir();
    if (dir_out)
        *dir_out = dir;
    const char *path = write_file(dir, "vocab.txt", vocab, len);
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    o.do_lower_case = lower;
    o.compat = compat;
    tka_tokenizer *tok = NULL;
    tka_error err;
    tka_status st = tka_tokenizer_open(path, &o, &tok, &err);
    cr_assert_eq(st, TKA_OK, "open failed: %s", err.message);
    return tok;
}

static inline tka_tokenizer *open_small(int lower, tka_compat compat)
{
    return open_vocab_text(SMALL_VOCAB, sizeof SMALL_VOCAB - 1, lower, compat, NULL);
}

/* A model of the shared mirror ($TKA_SHARED/data), or NULL when absent. */
static inline tka_tokenizer *open_mirror(const char *name, tka_compat compat)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED is not set (ctest sets it)");
    char mirror[1024];
    snprintf(mirror, sizeof mirror, "%s/data", shared);
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    o.compat = compat;
    o.mirror_dir = mirror;
    tka_tokenizer *tok = NULL;
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(name, &o, &tok, &err), TKA_OK, "%s", err.message);
    return tok;
}

/* Tokens of text joined by single spaces (static buffer), for compact asserts. */
static inline const char *joined(const tka_tokenizer *tok, const char *text)
{
    static char buf[4096];
    tka_tokens t = {0};
    tka_error err;
    tka_status st = tka_tokenize(tok, text, strlen(text), TKA_TOKENS_STRINGS, &t, &err);
    cr_assert_eq(st, TKA_OK, "%s", err.message);
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t.count && n + t.text_len[i] + 2 < sizeof buf; i++) {
        if (i)
            buf[n++] = ' ';
        memcpy(buf + n, t.text + t.text_start[i], t.text_len[i]);
        n += t.text_len[i];
        buf[n] = '\0';
    }
    tka_tokens_free(&t);
    return buf;
}

#endif
