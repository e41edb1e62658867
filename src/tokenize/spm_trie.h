/* A byte-wise double-array trie over piece strings: exact lookups and the
 * prefix walk of the Unigram lattice, one array access per input byte. */
#ifndef TKA_SPM_TRIE_H
#define TKA_SPM_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"

typedef struct spm_trie_unit {
    int32_t base;  /* children of this node live at base + byte */
    int32_t check; /* index of the parent node, -1 for a free slot */
    int32_t value; /* value of the key ending here, -1 when none */
} spm_trie_unit;

typedef struct spm_trie {
    spm_trie_unit *units; /* node 0 is the root; every base + 255 is in range */
    size_t size;
} spm_trie;

typedef struct spm_trie_key {
    const char *data;
    size_t len;
    int32_t value; /* >= 0 */
} spm_trie_key;

/* Builds the trie of keys[0..n) (distinct strings; reordered in place).
 * An empty key set gives a trie that matches nothing. */
tka_status spm_trie_build(spm_trie *trie, spm_trie_key *keys, size_t n, tka_error *err);

/* Accepts a zeroed struct. */
void spm_trie_free(spm_trie *trie);

/* The child of `node` along byte c, or -1. */
static inline int32_t spm_trie_child(const spm_trie *t, int32_t node, unsigned char c)
{
    int32_t next = t->units[node].base + (int32_t)c;
    return t->units[next].check == node ? next : -1;
}

/* The value of the key s[0..len), or -1. */
static inline int32_t spm_trie_find(const spm_trie *t, const char *s, size_t len)
{
    if (!t->units)
        return -1;
    int32_t node = 0;
    for (size_t i = 0; i < len; i++) {
        node = spm_trie_child(t, node, (unsigned char)s[i]);
        if (node < 0)
            return -1;
    }
    return t->units[node].value;
}

#endif
