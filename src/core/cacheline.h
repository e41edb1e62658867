/* Allocation of per-thread state on cache lines of its own. */
#ifndef TKA_CORE_CACHELINE_H
#define TKA_CORE_CACHELINE_H

#include <stdlib.h>
#include <string.h>

#define TKA_CACHE_LINE 64

/* Zeroed memory for `size` bytes that starts and ends on a cache-line
 * boundary (free() releases it). For small structs that a worker thread
 * writes on every item (an encoder's token arrays, an arena's bump pointer):
 * malloc packs small blocks together, and a block that shares a cache line
 * with data another thread writes as often (false sharing) makes the two
 * cores take the line from each other. In the two-thread pipeline (1M rows)
 * this took it from about 0.60 s to about 0.48 s. */
static inline void *tka_calloc_cache_lines(size_t size)
{
    size_t rounded = (size + TKA_CACHE_LINE - 1) / TKA_CACHE_LINE * TKA_CACHE_LINE;
    if (rounded < size)
        return NULL;
    void *p = aligned_alloc(TKA_CACHE_LINE, rounded ? rounded : TKA_CACHE_LINE);
    if (p)
        memset(p, 0, rounded ? rounded : TKA_CACHE_LINE);
    return p;
}

#endif
