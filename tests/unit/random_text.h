/* Random UTF-8 strings over a pool of chosen code points, from a seed the caller keeps
 * (a fixed LCG, so every run tests the same strings): the fuzz-like loops of the unit tests
 * that compare a fast path with the general one. */
#ifndef TKA_TEST_RANDOM_TEXT_H
#define TKA_TEST_RANDOM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/utf8.h"

/* Writes fewer than max_chars code points of pool into out (room for 4 * max_chars bytes);
 * returns the byte length. */
static inline size_t random_text(unsigned *seed, const uint32_t *pool, size_t n_pool,
                                 unsigned max_chars, char *out)
{
    size_t len = 0;
    *seed = *seed * 1103515245u + 12345u;
    unsigned n = (*seed >> 16) % max_chars;
    for (unsigned k = 0; k < n; k++) {
        *seed = *seed * 1103515245u + 12345u;
        len += tka_utf8_encode((int32_t)pool[(*seed >> 8) % n_pool], (uint8_t *)out + len);
    }
    return len;
}

#endif
