/* Arena allocator: batch outputs live here and are freed in one call. */
#ifndef TOKALIGN_ARENA_H
#define TOKALIGN_ARENA_H

#include <stddef.h>

#include "tokalign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership and threads: owned by the caller of tka_arena_new, freed with
 * tka_arena_free (with everything allocated in it); one thread at a time. */
typedef struct tka_arena tka_arena;

/* block_size 0 picks a default (64 KiB). Returns NULL when out of memory. */
TKA_API tka_arena *tka_arena_new(size_t block_size);

/* Frees every block. Accepts NULL. */
TKA_API void tka_arena_free(tka_arena *arena);

/* Returns `size` bytes aligned to `align` (a power of two), or NULL when out
 * of memory or on overflow. Memory is not zeroed. */
TKA_API void *tka_arena_alloc(tka_arena *arena, size_t size, size_t align);

/* Like tka_arena_alloc for count * size bytes, zeroed, overflow-checked. */
TKA_API void *tka_arena_calloc(tka_arena *arena, size_t count, size_t size);

/* Copies len bytes and appends a NUL; NULL when out of memory. */
TKA_API char *tka_arena_strndup(tka_arena *arena, const char *s, size_t len);

/* Forgets all allocations but keeps the first block for reuse. */
TKA_API void tka_arena_reset(tka_arena *arena);

/* Bytes handed out since creation or the last reset. */
TKA_API size_t tka_arena_used(const tka_arena *arena);

#ifdef __cplusplus
}
#endif
#endif
