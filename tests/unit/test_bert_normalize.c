/* Unit tests of the BERT character rules (classes, lower-casing, NFD),
 * all derived from utf8proc. */
#include <criterion/criterion.h>

#include "tokenize/bert_normalize.h"

#define SLOW TKA_COMPAT_SLOW
#define FAST TKA_COMPAT_FAST

Test(bert_normalize, clean_text_classes)
{
    cr_assert_eq(bert_char_class(0, SLOW, true), BERT_DROP);
    cr_assert_eq(bert_char_class(0xFFFD, SLOW, true), BERT_DROP);
    cr_assert_eq(bert_char_class(0x07, SLOW, true), BERT_DROP);   /* Cc */
    cr_assert_eq(bert_char_class(0x0B, SLOW, true), BERT_DROP);   /* \v is Cc, not whitespace */
    cr_assert_eq(bert_char_class(0x85, SLOW, true), BERT_DROP);   /* NEL: Cc */
    cr_assert_eq(bert_char_class(0x200B, SLOW, true), BERT_DROP); /* Cf */
    cr_assert_eq(bert_char_class(0xFEFF, SLOW, true), BERT_DROP); /* BOM: Cf */
    cr_assert_eq(bert_char_class(0xE000, SLOW, true), BERT_DROP); /* Co */
    cr_assert_eq(bert_char_class('\t', SLOW, true), BERT_SPACE);
    cr_assert_eq(bert_char_class('\r', SLOW, true), BERT_SPACE);
    cr_assert_eq(bert_char_class(0xA0, SLOW, true), BERT_SPACE);   /* Zs */
    cr_assert_eq(bert_char_class(0x3000, SLOW, true), BERT_SPACE); /* Zs */
    cr_assert_eq(bert_char_class(0x2028, SLOW, true), BERT_SPACE); /* Zl: str.split() */
    cr_assert_eq(bert_char_class(0x2029, FAST, true), BERT_SPACE);
}

Test(bert_normalize, unassigned_code_points)
{
    /* COMPAT: Python's _is_control drops Cn; the Rust side keeps it */
    cr_assert_eq(bert_char_class(0x0378, SLOW, true), BERT_DROP);
    cr_assert_eq(bert_char_class(0x0378, FAST, true), BERT_WORD);
    cr_assert_eq(bert_char_class(0xFFFE, SLOW, true), BERT_DROP);
    cr_assert_eq(bert_char_class(0xFFFE, FAST, true), BERT_WORD);
    cr_assert_eq(bert_char_class(0xFDD0, FAST, true), BERT_WORD);
}

Test(bert_normalize, punctuation)
{
    const char *ascii = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    for (const char *p = ascii; *p; p++)
        cr_assert_eq(bert_char_class(*p, SLOW, true), BERT_PUNCT, "'%c'", *p);
    cr_assert_eq(bert_char_class('a', SLOW, true), BERT_WORD);
    cr_assert_eq(bert_char_class('0', SLOW, true), BERT_WORD);
    cr_assert_eq(bert_char_class(0x00A1, SLOW, true), BERT_PUNCT); /* ¡ Po */
    cr_assert_eq(bert_char_class(0x2014, SLOW, true), BERT_PUNCT); /* — Pd */
    cr_assert_eq(bert_char_class(0x3002, SLOW, true), BERT_PUNCT); /* 。 Po */
    cr_assert_eq(bert_char_class(0x00A7, SLOW, true), BERT_PUNCT); /* § Po */
    cr_assert_eq(bert_char_class(0x00A9, SLOW, true), BERT_WORD);  /* © So */
    cr_assert_eq(bert_char_class(0x20AC, SLOW, true), BERT_WORD);  /* € Sc */
    cr_assert_eq(bert_char_class(0x2E55, SLOW, true), BERT_PUNCT); /* Unicode 14 Ps */
}

Test(bert_normalize, cjk_ranges)
{
    cr_assert_eq(bert_char_class(0x4E2D, SLOW, true), BERT_CJK);
    cr_assert_eq(bert_char_class(0x4E2D, SLOW, false), BERT_WORD);
    cr_assert_eq(bert_char_class(0x3400, SLOW, true), BERT_CJK);
    cr_assert_eq(bert_char_class(0xF900, SLOW, true), BERT_CJK);
    cr_assert_eq(bert_char_class(0x3042, SLOW, true), BERT_WORD); /* hiragana is not CJK here */
    cr_assert_eq(bert_char_class(0xAC00, SLOW, true), BERT_WORD); /* hangul neither */
    /* COMPAT: the Rust range starts at U+2B920, the Python one at U+2B820 */
    cr_assert_eq(bert_char_class(0x2B849, SLOW, true), BERT_CJK);
    cr_assert_eq(bert_char_class(0x2B849, FAST, true), BERT_WORD);
    cr_assert_eq(bert_char_class(0x2B920, FAST, true), BERT_CJK);
    cr_assert_eq(bert_char_class(0x2CEB0, SLOW, true), BERT_WORD); /* Ext F: outside */
}

Test(bert_normalize, full_lower_case)
{
    int32_t out[4];
    cr_assert_eq(bert_lower('A', out), 1);
    cr_assert_eq(out[0], 'a');
    cr_assert_eq(bert_lower(0x0130, out), 2); /* İ -> i + U+0307 */
    cr_assert(out[0] == 'i' && out[1] == 0x0307);
    cr_assert_eq(bert_lower(0x03A3, out), 1); /* Σ -> σ (no context: never ς) */
    cr_assert_eq(out[0], 0x03C3);
    cr_assert_eq(bert_lower(0x212A, out), 1); /* Kelvin sign -> k */
    cr_assert_eq(out[0], 'k');
    cr_assert_eq(bert_lower(0x1E9E, out), 1); /* ẞ -> ß (simple; its folding is "ss") */
    cr_assert_eq(out[0], 0xDF);
    cr_assert_eq(bert_lower(0x1F88, out), 1); /* ᾈ -> ᾀ (its folding is two code points) */
    cr_assert_eq(out[0], 0x1F80);
    cr_assert_eq(bert_lower(0xDF, out), 1);
    cr_assert_eq(out[0], 0xDF);
}

Test(bert_normalize, decomposition)
{
    int32_t out[8];
    cr_assert_eq(bert_decompose(0xE9, out, 8), 2); /* é */
    cr_assert(out[0] == 'e' && out[1] == 0x0301);
    cr_assert_eq(bert_decompose(0xAC01, out, 8), 3); /* 각: hangul LVT */
    cr_assert(out[0] == 0x1100 && out[1] == 0x1161 && out[2] == 0x11A8);
    cr_assert_eq(bert_decompose(0x1F82, out, 8), 4); /* ᾂ */
    cr_assert_eq(bert_decompose('a', out, 8), 1);
    cr_assert_eq(bert_decompose(0xF900, out, 8), 1); /* compatibility ideograph: singleton */
    cr_assert_eq(out[0], 0x8C48);
    cr_assert_eq(bert_decompose(0x212B, out, 8), 2); /* Angstrom sign -> A + ring */
    cr_assert_eq(bert_combining_class(0x0301), 230);
    cr_assert_eq(bert_combining_class(0x0323), 220);
    cr_assert(bert_is_mn(0x0301, SLOW));
    cr_assert(bert_is_mn(0x0301, FAST));
    cr_assert(!bert_is_mn('a', SLOW));
    cr_assert(!bert_is_mn('a', FAST));
}

/* COMPAT: the Rust side sees Unicode 8.0 categories (rust_unicode8.h); the
 * slow side keeps utf8proc's. One character of each kind of difference. */
Test(bert_normalize, rust_unicode8_classes)
{
    /* assigned after 8.0: unassigned for Rust, so a word character */
    cr_assert_eq(bert_char_class(0x2E55, FAST, true), BERT_WORD); /* Ps, 14.0 */
    cr_assert_eq(bert_char_class(0x061D, FAST, true), BERT_WORD); /* Po, 14.0 */
    cr_assert_eq(bert_char_class(0x061D, SLOW, true), BERT_PUNCT);
    cr_assert_eq(bert_char_class(0x0890, FAST, true), BERT_WORD); /* Cf, 14.0 */
    cr_assert_eq(bert_char_class(0x0890, SLOW, true), BERT_DROP);
    cr_assert_eq(bert_char_class(0x11F00, FAST, true), BERT_WORD); /* Mn, 15.0 */
    cr_assert(!bert_is_mn(0x07FD, FAST));                          /* Mn, 11.0 */
    cr_assert(bert_is_mn(0x07FD, SLOW));
    /* category changed since 8.0: Rust keeps the old one */
    cr_assert_eq(bert_char_class(0x166D, FAST, true), BERT_PUNCT); /* So, Po in 8.0 */
    cr_assert_eq(bert_char_class(0x166D, SLOW, true), BERT_WORD);
    cr_assert_eq(bert_produced_class(0x166D, FAST), BERT_PUNCT);
    cr_assert_eq(bert_produced_class(0x166D, SLOW), BERT_WORD);
    cr_assert(bert_is_mn(0x1734, FAST)); /* Mc, Mn in 8.0 */
    cr_assert(!bert_is_mn(0x1734, SLOW));
    cr_assert_eq(bert_char_class(0x111C9, FAST, true), BERT_PUNCT); /* Mn, Po in 8.0 */
    cr_assert(!bert_is_mn(0x111C9, FAST));
    cr_assert(bert_is_mn(0x111C9, SLOW));
    /* unchanged characters of the same categories */
    cr_assert_eq(bert_char_class(0x00A1, FAST, true), BERT_PUNCT);
    cr_assert_eq(bert_char_class(0x200B, FAST, true), BERT_DROP);
    cr_assert(bert_is_mn(0x0300, FAST));
}
