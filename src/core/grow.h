/* Growth of malloc'd arrays by doubling, with overflow-checked sizes: the one
 * realloc-doubling policy of the library (tka_buf, the tokenizers' scratch
 * arrays, the readers' tables). Internal to the library. */
#ifndef TOKALIGN_CORE_GROW_H
#define TOKALIGN_CORE_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* The capacity that holds `need` items: `cap` (or `first` when cap is 0)
 * doubled until it does. False when need items of `elem` bytes would not fit
 * in size_t. Several arrays sharing one capacity grow with this and then
 * tka_resize_array each. */
bool tka_grow_capacity(size_t cap, size_t need, size_t elem, size_t first, size_t *out);

/* realloc of *items to count items of `elem` bytes (count * elem checked);
 * false, *items untouched, when that overflows or memory runs out. */
bool tka_resize_array(void **items, size_t count, size_t elem);

/* tka_grow_array's growth, out of line. */
bool tka_grow_array_slow(void **items, size_t *cap, size_t need, size_t elem, size_t first);

/* Makes the malloc'd array *items (*cap items of `elem` bytes) hold at least
 * `need` items, the capacity growing as tka_grow_capacity says. False, with
 * *items and *cap untouched, on overflow or when memory runs out. Inline
 * because pushes call it per item: the common case is one compare. */
static inline bool tka_grow_array(void **items, size_t *cap, size_t need, size_t elem, size_t first)
{
    return need <= *cap || tka_grow_array_slow(items, cap, need, elem, first);
}

/* tka_grow_array for an array that may start in caller storage (a stack
 * buffer; *heap false): its first growth moves it to malloc'd memory, copying
 * the first `keep` items, and sets *heap. */
bool tka_grow_array_keep(void **items, size_t *cap, bool *heap, size_t need, size_t keep,
                         size_t elem, size_t first);

#endif
