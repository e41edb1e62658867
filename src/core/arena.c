/* Bump allocator over a chain of blocks; one free releases a whole batch. */
#include "tokalign/arena.h"

#include "core/cacheline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    max_align_t data[]; /* aligned start of the block's payload */
} arena_block;

struct tka_arena {
    arena_block *head; /* current block; older ones follow via next */
    size_t block_size;
    size_t total_used;
};

static arena_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(arena_block))
        return NULL;
    arena_block *b = malloc(sizeof(arena_block) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

tka_arena *tka_arena_new(size_t block_size)
{
    tka_arena *a = tka_calloc_cache_lines(sizeof *a); /* arenas are per thread */
    if (!a)
        return NULL;
    a->block_size = block_size ? block_size : (size_t)64 * 1024;
    return a;
}

void tka_arena_free(tka_arena *arena)
{
    if (!arena)
        return;
    arena_block *b = arena->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(arena);
}

void *tka_arena_alloc(tka_arena *arena, size_t size, size_t align)
{
    if (!arena || align == 0 || (align & (align - 1)) != 0)
        return NULL;
    if (size == 0)
        size = 1; /* distinct non-NULL pointers even for empty arrays */
    arena_block *b = arena->head;
    if (b) {
        uintptr_t base = (uintptr_t)b->data;
        uintptr_t p = (base + b->used + (align - 1)) & ~(uintptr_t)(align - 1);
        size_t offset = (size_t)(p - base);
        if (offset <= b->size && size <= b->size - offset) {
            b->used = offset + size;
            arena->total_used += size;
            return (void *)p;
        }
    }
    if (size > SIZE_MAX - align)
        return NULL;
    size_t need = size + align;
    size_t bsize = need > arena->block_size ? need : arena->block_size;
    arena_block *nb = block_new(bsize);
    if (!nb)
        return NULL;
    /* An oversized request gets its own block behind the current one, so the
     * current block's free space stays usable. */
    if (b && need > arena->block_size) {
        nb->next = b->next;
        b->next = nb;
    } else {
        nb->next = b;
        arena->head = nb;
    }
    uintptr_t base = (uintptr_t)nb->data;
    uintptr_t p = (base + (align - 1)) & ~(uintptr_t)(align - 1);
    nb->used = (size_t)(p - base) + size;
    arena->total_used += size;
    return (void *)p;
}

void *tka_arena_calloc(tka_arena *arena, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    void *p = tka_arena_alloc(arena, bytes, _Alignof(max_align_t));
    if (p && bytes)
        memset(p, 0, bytes);
    return p;
}

char *tka_arena_strndup(tka_arena *arena, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = tka_arena_alloc(arena, len + 1, 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void tka_arena_reset(tka_arena *arena)
{
    if (!arena || !arena->head)
        return;
    /* Keep the most recently allocated regular block, free the rest. */
    arena_block *keep = arena->head;
    arena_block *b = keep->next;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    keep->next = NULL;
    keep->used = 0;
    arena->total_used = 0;
}

size_t tka_arena_used(const tka_arena *arena)
{
    return arena ? arena->total_used : 0;
}
