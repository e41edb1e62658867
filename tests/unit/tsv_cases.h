/* Generated tricky TSVs for the tests of the dataset and the pipeline: the
 * token mix of interop/test_tsv_pandas.py (quotes, line ends, NA strings,
 * numbers at the edges of int64 / uint64 / double, NUL, BOM, UTF-8), from a
 * fixed pseudo-random sequence so a failure names a reproducible case. */
#ifndef TKA_TEST_TSV_CASES_H
#define TKA_TEST_TSV_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "tokalign/text.h"

/* splitmix64 */
static inline uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static inline size_t pick(uint64_t *state, size_t n)
{
    return (size_t)(next_random(state) % n);
}

/* The token mix of interop/test_tsv_pandas.py (quotes, line ends, NA strings,
 * numbers at the edges of int64 / uint64 / double, NUL, BOM, UTF-8). */
static const char *const tokens[] = {
    "a",
    "b c",
    "word",
    " ",
    "  ",
    "\t",
    "\"",
    "\"\"",
    "\"x\"",
    "\"a\tb\"",
    "\"line\nbreak\"",
    "1",
    "0",
    "-1",
    "+1",
    " 1",
    "1 ",
    "01",
    "1.5",
    "1e3",
    ".5",
    "1.",
    "-0",
    "1e",
    "1e+",
    "nan",
    "NaN",
    "NA",
    "null",
    "NULL",
    "n/a",
    "#N/A",
    "None",
    "",
    "True",
    "false",
    "TRUE",
    "tRuE",
    "inf",
    "-inf",
    "Infinity",
    "+inf",
    "99999999999999999999",
    "18446744073709551615",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "\xef\xbb\xbf",
    "#",
    "\\",
    "1_0",
    "0x1",
    "e5",
    "1e400",
    "1e-400",
    "12345678901234567.5",
    "0.1",
    "123456789012345678901234",
    " 2.5 ",
    "\x0b"
    "3",
    "4\x0c",
    "\xc3\xa9t\xc3\xa9",
    "\xe4\xb8\xad\xe6\x96\x87",
    "-9223372036854775296",
};
static const char *const line_ends[] = {"\n", "\n", "\n",   "\n", "\n", "\n",
                                        "\n", "\n", "\r\n", "\r", ""};
static const char *const headers[] = {"sentence\tlabel", "s\tl",    "a\tb\tc",          "x",
                                      "\tlabel",         "x\tx\tx", "\"q\"\tl",         "s \t l",
                                      "a\ta.1\ta",       "\t",      "sentence\tlabel\t"};

static inline void random_number(uint64_t *st, tka_buf *b)
{
    static const char *const signs[] = {"", "-", "+", " "};
    tka_buf_append_str(b, signs[pick(st, 4)]);
    for (size_t n = pick(st, 25); n; n--)
        tka_buf_append_char(b, (char)('0' + pick(st, 10)));
    if (pick(st, 10) < 6) {
        tka_buf_append_char(b, '.');
        for (size_t n = pick(st, 25); n; n--)
            tka_buf_append_char(b, (char)('0' + pick(st, 10)));
    }
    if (pick(st, 10) < 4)
        tka_buf_printf(b, "%c%s%zu", "eE"[pick(st, 2)], signs[pick(st, 3)], pick(st, 331));
}

static inline void random_token(uint64_t *st, tka_buf *b)
{
    if (pick(st, 100) < 15)
        random_number(st, b);
    else if (pick(st, 100) < 3) {
        /* NUL bytes: pandas cuts the value there */
        static const struct {
            const char *s;
            size_t len;
        } nul[] = {{"\0", 1}, {"a\0b", 3}, {"NA\0x", 4}};
        size_t k = pick(st, 3);
        tka_buf_append(b, nul[k].s, nul[k].len);
    } else
        tka_buf_append_str(b, tokens[pick(st, sizeof tokens / sizeof *tokens)]);
}

static inline void random_case(uint64_t *st, tka_buf *b)
{
    b->len = 0;
    if (pick(st, 10) < 9)
        tka_buf_append_str(b, headers[pick(st, sizeof headers / sizeof *headers)]);
    else
        random_token(st, b);
    tka_buf_append_str(b, line_ends[pick(st, 9)]);
    for (size_t lines = pick(st, 9); lines; lines--) {
        if (pick(st, 10) == 0) {
            static const char *const blanks[] = {"", " ", "   "};
            tka_buf_append_str(b, blanks[pick(st, 3)]);
        } else {
            static const size_t widths[] = {1, 2, 2, 2, 2, 3};
            size_t nf = widths[pick(st, 6)];
            for (size_t f = 0; f < nf; f++) {
                if (f)
                    tka_buf_append_char(b, '\t');
                random_token(st, b);
            }
        }
        tka_buf_append_str(b, line_ends[pick(st, sizeof line_ends / sizeof *line_ends)]);
    }
    if (pick(st, 50) == 0)
        b->len = pick(st, b->len + 1); /* may cut a UTF-8 sequence */
    if (pick(st, 50) == 0)
        tka_buf_append_char(b, (char)0xff);
}

#endif
