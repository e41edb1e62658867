/* Unit tests of the Rust tokenizer's Unicode 8.0 / 9.0 character classes (rust_unicode8.c). */
#include <criterion/criterion.h>
#include <string.h>
#include <utf8proc.h>

#include "tokenize/rust_unicode8.h"

static unsigned cls(int32_t cp)
{
    return rust8_class(cp, utf8proc_category(cp));
}

/* The generated table is a difference against one utf8proc: linked against
 * another Unicode version it would be wrong, so say so here (regenerate it
 * with scripts/gen_rust_unicode8.py). */
Test(rust_unicode8, table_matches_linked_utf8proc)
{
    cr_assert_str_eq(rust8_table_unicode_version(), utf8proc_unicode_version());
}

Test(rust_unicode8, unchanged_characters_follow_utf8proc)
{
    cr_assert_eq(cls('a'), 0u);
    cr_assert_eq(cls('!'), RUST8_PUNCT);
    cr_assert_eq(cls(0x07), RUST8_OTHER);
    cr_assert_eq(cls(0x200B), RUST8_OTHER); /* Cf */
    cr_assert_eq(cls(0xE000), RUST8_OTHER); /* Co */
    cr_assert_eq(cls(0x10FFFD), RUST8_OTHER);
    cr_assert_eq(cls(0x0301), RUST8_MN | RUST9_MARK);
    cr_assert_eq(cls(0x0903), RUST9_MARK); /* Mc */
    cr_assert_eq(cls(0x20DD), RUST9_MARK); /* Me */
    cr_assert_eq(cls(0x3002), RUST8_PUNCT);
    cr_assert_eq(cls(0x0378), 0u);          /* Cn then and now */
    cr_assert_eq(cls(0x4E2D), 0u);          /* Lo */
    cr_assert_eq(cls(0x1F600), 0u);         /* So, 6.1 */
    cr_assert_eq(cls(0xD800), RUST8_OTHER); /* a surrogate: Cs, as before the table */
}

Test(rust_unicode8, assigned_after_8_0_are_unassigned)
{
    cr_assert_eq(cls(0x2E55), 0u);  /* Ps, 14.0 */
    cr_assert_eq(cls(0x2E5D), 0u);  /* Pd, 14.0 */
    cr_assert_eq(cls(0x061D), 0u);  /* Po, 14.0 */
    cr_assert_eq(cls(0x0890), 0u);  /* Cf, 14.0 */
    cr_assert_eq(cls(0x07FD), 0u);  /* Mn, 11.0 */
    cr_assert_eq(cls(0x11F00), 0u); /* Mn, 15.0 */
    cr_assert_eq(cls(0x1E95E), 0u); /* Po, 9.0: the last range */
    cr_assert_eq(cls(0x1E95D), 0u); /* Cn then and now, between ranges */
    cr_assert_eq(cls(0x2E42),
                 RUST8_PUNCT); /* Ps, 7.0: just before 8.0's end of Supplemental Punctuation */
}

Test(rust_unicode8, categories_changed_since_8_0)
{
    cr_assert_eq(cls(0x166D), RUST8_PUNCT);           /* So now, Po in 8.0 */
    cr_assert_eq(cls(0x1734), RUST8_MN | RUST9_MARK); /* Mc now, Mn in 8.0 */
    cr_assert_eq(cls(0x111C9), RUST8_PUNCT);          /* Mn now, Po in 8.0 */
    cr_assert_eq(cls(0x1885), RUST9_MARK);            /* Mn now and in 9.0, Lo in 8.0 */
    cr_assert_eq(cls(0xA9BD), RUST9_MARK);            /* Mn now, Mc in 8.0 */
}

/* is_combining_mark of unicode-normalization-alignments: General Category M of 9.0 */
Test(rust_unicode8, combining_marks_are_unicode_9_0)
{
    cr_assert_eq(cls(0x11C3A), RUST9_MARK);           /* Mn, 9.0 (Bhaiksuki): unassigned in 8.0 */
    cr_assert_eq(cls(0x1E944), RUST9_MARK);           /* Mn, 9.0 (Adlam) */
    cr_assert_eq(cls(0x1DFB), RUST9_MARK);            /* Mn, 9.0 */
    cr_assert_eq(cls(0x1DFA), 0u);                    /* Mn, 14.0 */
    cr_assert_eq(cls(0x0AFA), 0u);                    /* Mn, 10.0 */
    cr_assert_eq(cls(0x11F00), 0u);                   /* Mn, 15.0 */
    cr_assert_eq(cls(0x1715), 0u);                    /* Mc, 14.0 */
    cr_assert_eq(cls(0x1CF2), RUST9_MARK);            /* Lo since 10.0, Mc in 9.0 */
    cr_assert_eq(cls(0x1CF4), RUST8_MN | RUST9_MARK); /* Mn, 8.0 */
}
