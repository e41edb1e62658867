/* Double-array trie over byte strings: the vocabulary structure WordPiece
 * walks once per word for its greedy longest match, without allocating. */
#ifndef TKA_TOKENIZE_DAT_H
#define TKA_TOKENIZE_DAT_H

#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"

typedef struct tka_dat_node {
    int32_t base;  /* children of this node live at base + byte */
    int32_t check; /* parent node of this slot, or -1 when the slot is free */
} tka_dat_node;

typedef struct tka_dat {
    tka_dat_node *nodes; /* node 0 is the root; 256 spare slots follow the last used one */
    int32_t *value;      /* per node: id of the key ending here, or -1 */
    size_t size;         /* slots, spare slots included */
} tka_dat;

/* Builds the trie of keys[i] (lens[i] bytes) -> values[i]. When a key occurs
 * more than once the value listed last wins (Python dict assignment order). */
tka_status tka_dat_build(tka_dat *dat, const char *const *keys, const uint32_t *lens,
                         const int32_t *values, size_t n, tka_error *err);
void tka_dat_free(tka_dat *dat);

/* The child of node s along byte c, or -1. The spare slots make the index
 * always valid, so no bounds check is needed. */
static inline int32_t tka_dat_child(const tka_dat *d, int32_t s, uint8_t c)
{
    int32_t t = d->nodes[s].base + c;
    return d->nodes[t].check == s ? t : -1;
}

/* Value of an exact key, or -1. */
int32_t tka_dat_find(const tka_dat *dat, const char *key, size_t len);

#endif
