/* Rust tokenizer character classes: the search in the generated Unicode 8.0 / 9.0 table. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rust8_range {
    int32_t first, last;
    unsigned char flags; /* RUST8_* in Unicode 8.0, RUST9_MARK in 9.0 */
} rust8_range;

#define RUST8_TABLE_DATA /* rust_unicode8_table.h: the arrays too, in this file only */
#include "tokenize/rust_unicode8.h"

/* The index of the range holding cp in a sorted array of n ranges of `size` bytes, each
 * starting with `int32_t first, last` (both tables' structs do); n when none does. */
static size_t find_range(const void *ranges, size_t n, size_t size, int32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int32_t bounds[2]; /* first, last */
        memcpy(bounds, (const char *)ranges + mid * size, sizeof bounds);
        if (cp < bounds[0])
            hi = mid;
        else if (cp > bounds[1])
            lo = mid + 1;
        else
            return mid;
    }
    return n;
}

unsigned rust8_lookup(int32_t cp, int category)
{
    size_t n = sizeof rust8_ranges / sizeof *rust8_ranges;
    size_t i = find_range(rust8_ranges, n, sizeof *rust8_ranges, cp);
    return i < n ? rust8_ranges[i].flags : rust8_from_category(category);
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
    size_t n = sizeof rust16_ranges / sizeof *rust16_ranges;
    size_t i = find_range(rust16_ranges, n, sizeof *rust16_ranges, cp);
    return i < n ? &rust16_ranges[i] : NULL;
}

const char *rust8_table_unicode_version(void)
{
    return RUST8_UTF8PROC_UNICODE;
}
