/* The one realloc-doubling policy (core/grow.h). */
#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool tka_grow_capacity(size_t cap, size_t need, size_t elem, size_t first, size_t *out)
{
    if (elem == 0 || need > SIZE_MAX / elem)
        return false;
    size_t c = cap ? cap : (first ? first : 1);
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : c * 2;
    if (c > SIZE_MAX / elem)
        c = need; /* doubling overshot what size_t holds: exactly enough instead */
    *out = c;
    return true;
}

bool tka_resize_array(void **items, size_t count, size_t elem)
{
    if (elem && count > SIZE_MAX / elem)
        return false;
    size_t bytes = count * elem;
    void *p = realloc(*items, bytes ? bytes : 1); /* realloc(p, 0) may free p */
    if (!p)
        return false;
    *items = p;
    return true;
}

bool tka_grow_array_slow(void **items, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return true;
    size_t c;
    if (!tka_grow_capacity(*cap, need, elem, first, &c) || !tka_resize_array(items, c, elem))
        return false;
    *cap = c;
    return true;
}

bool tka_grow_array_keep(void **items, size_t *cap, bool *heap, size_t need, size_t keep,
                         size_t elem, size_t first)
{
    if (*heap)
        return tka_grow_array(items, cap, need, elem, first);
    if (need <= *cap)
        return true;
    size_t c;
    if (!tka_grow_capacity(*cap, need, elem, first, &c))
        return false;
    void *q = malloc(c * elem);
    if (!q)
        return false;
    if (keep)
        memcpy(q, *items, keep * elem);
    *items = q;
    *cap = c;
    *heap = true;
    return true;
}
