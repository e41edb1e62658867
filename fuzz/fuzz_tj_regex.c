/* libFuzzer target: the hand-written ASCII scanners of GPT-2's, llama3's and qwen's
 * pre-tokenizer patterns (tj_regex.c) against PCRE2 on the same pattern. Every byte is
 * folded to ASCII (the scanners only see ASCII text; other text goes to PCRE2 anyway); the
 * matches of the two must be identical, for both values of invert. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/tj_regex.h"

static const char *const patterns[] = {
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};
#define NP (sizeof patterns / sizeof *patterns)

static tj_regex *re[NP];
static tj_regex_work *work;
static tj_matches ma, mb;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!work) {
        tka_error err = {0};
        for (size_t i = 0; i < NP; i++)
            if (tj_regex_new(patterns[i], strlen(patterns[i]), false, "fuzz", &re[i], &err) !=
                    TKA_OK ||
                !tj_regex_has_scanner(re[i]))
                abort();
        if (!(work = tj_regex_work_new()))
            abort();
    }
    if (size > 4096)
        size = 4096;
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    for (size_t i = 0; i < size; i++)
        s[i] = (char)(data[i] & 0x7F);
    for (size_t i = 0; i < NP; i++)
        for (int inv = 0; inv < 2; inv++) {
            tka_error err = {0};
            ma.n = mb.n = 0;
            if (tj_regex_find(re[i], work, s, size, inv, &ma, &err) != TKA_OK ||
                tj_regex_find_pcre2(re[i], work, s, size, inv, &mb, &err) != TKA_OK)
                abort();
            if (ma.n != mb.n)
                abort();
            for (size_t k = 0; k < ma.n; k++)
                if (ma.v[k].s != mb.v[k].s || ma.v[k].e != mb.v[k].e ||
                    ma.v[k].is_match != mb.v[k].is_match)
                    abort();
        }
    free(s);
    return 0;
}
