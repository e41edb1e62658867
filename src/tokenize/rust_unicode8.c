/* Rust tokenizer character classes: utf8proc's category corrected by the generated table. */
#include "tokenize/rust_unicode8.h"

#include <stddef.h>
#include <utf8proc.h>

typedef struct rust8_range {
    int32_t first, last;
    unsigned char flags; /* RUST8_* in Unicode 8.0 */
} rust8_range;

#include "tokenize/rust_unicode8_table.h"

static unsigned from_category(int category)
{
    switch (category) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO: return RUST8_OTHER;
    case UTF8PROC_CATEGORY_MN: return RUST8_MN;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: return RUST8_PUNCT;
    default: return 0;
    }
}

unsigned rust8_class(int32_t cp, int category)
{
    /* Only characters of a category that occurs in the table can be in it: letters,
     * digits, ASCII and most text never reach the search. */
    if (category >= 0 && category < 32 && (RUST8_CATEGORY_MASK >> category & 1u)) {
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
    }
    return from_category(category);
}

const char *rust8_table_unicode_version(void)
{
    return RUST8_UTF8PROC_UNICODE;
}
