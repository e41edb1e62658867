/* Rust tokenizer character classes: the search in the generated Unicode 8.0 / 9.0 table. */
#include <stddef.h>
#include <stdint.h>

typedef struct rust8_range {
    int32_t first, last;
    unsigned char flags; /* RUST8_* in Unicode 8.0, RUST9_MARK in 9.0 */
} rust8_range;

#define RUST8_TABLE_DATA /* rust_unicode8_table.h: the arrays too, in this file only */
#include "tokenize/rust_unicode8.h"

unsigned rust8_lookup(int32_t cp, int category)
{
    size_t lo = 0, hi = sizeof rust8_ranges / sizeof *rust8_ranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < rust8_ranges[mid].first)
            hi = mid;
        else if (cp > rust8_ranges[mid].last)
            lo = mid + 1;
        else
            return rust8_ranges[mid].flags;
    }
    return rust8_from_category(category);
}

bool rust8_has(int32_t cp, unsigned flag)
{
    return rust8_is(cp, utf8proc_category(cp), flag);
}

const rust16_range *rust16_new_ranges(size_t *n)
{
    *n = sizeof rust16_ranges / sizeof *rust16_ranges;
    return rust16_ranges;
}

const rust16_range *rust16_find(int32_t cp)
{
    size_t lo = 0, hi = sizeof rust16_ranges / sizeof *rust16_ranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < rust16_ranges[mid].first)
            hi = mid;
        else if (cp > rust16_ranges[mid].last)
            lo = mid + 1;
        else
            return &rust16_ranges[mid];
    }
    return NULL;
}

const char *rust8_table_unicode_version(void)
{
    return RUST8_UTF8PROC_UNICODE;
}
