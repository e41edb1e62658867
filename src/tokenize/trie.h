/* The one double-array trie over byte strings: the vocabulary index of WordPiece,
 * SentencePiece and tokenizer.json models, one array access per input byte. */
#ifndef TKA_TOKENIZE_TRIE_H
#define TKA_TOKENIZE_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"

/* A walk starts at the root; every node is an index >= 0, -1 means "no such node". */
#define TKA_TRIE_ROOT 0

/* 8 bytes, so a node's address is one scaled index: the walk's critical path. */
typedef struct tka_trie_node {
    int32_t base;  /* children of this node live at base + byte */
    int32_t check; /* parent of the node in this slot; -1 free, -2 the root */
} tka_trie_node;

/* Read-only once built, so one trie may be walked by many threads at once. */
typedef struct tka_trie {
    tka_trie_node *nodes; /* node 0 is the root; base + 255 is in range for every node */
    int32_t *value;       /* per slot: value of the key ending at the node, -1 when none */
    size_t size;          /* slots of both arrays */
} tka_trie;

typedef struct tka_trie_key {
    const char *data;
    size_t len;    /* any bytes, NUL included; the empty key is the root */
    int32_t value; /* >= 0 */
} tka_trie_key;

/* What a key listed more than once means. */
typedef enum tka_trie_dups {
    TKA_TRIE_DUPS_ERROR, /* a bad input: TKA_ERR_FORMAT naming the key */
    TKA_TRIE_DUPS_LAST,  /* the value listed last wins (Python dict assignment order) */
} tka_trie_dups;

/* Builds the trie of keys[0..n) in any order (keys is not modified). `what` names a key in
 * messages ("piece", "token"). An empty key set gives a trie that matches only nothing.
 * On error *trie is left empty (tka_trie_free is still allowed). */
tka_status tka_trie_build(tka_trie *trie, const tka_trie_key *keys, size_t n, tka_trie_dups dups,
                          const char *what, tka_error *err);

/* Accepts NULL and a zeroed struct; leaves the struct zeroed. */
void tka_trie_free(tka_trie *trie);

/* The child of `node` along byte c, or -1. The spare slots after the last used one keep
 * base + c inside the array, so there is no bounds check. */
static inline int32_t tka_trie_child(const tka_trie *t, int32_t node, uint8_t c)
{
    int32_t next = t->nodes[node].base + (int32_t)c;
    return t->nodes[next].check == node ? next : -1;
}

/* Value of the key ending at `node` (>= 0), or -1. */
static inline int32_t tka_trie_value(const tka_trie *t, int32_t node)
{
    return t->value[node];
}

/* The node reached from `node` by the bytes s[0..len), or -1 when the walk falls off. */
static inline int32_t tka_trie_walk(const tka_trie *t, int32_t node, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        node = tka_trie_child(t, node, (uint8_t)s[i]);
        if (node < 0)
            return -1;
    }
    return node;
}

/* Value of the key s[0..len), or -1 (also for a trie never built). */
static inline int32_t tka_trie_find(const tka_trie *t, const char *s, size_t len)
{
    if (!t->nodes)
        return -1;
    int32_t node = TKA_TRIE_ROOT;
    for (size_t i = 0; i < len; i++) {
        node = tka_trie_child(t, node, (uint8_t)s[i]);
        if (node < 0)
            return -1;
    }
    return t->value[node];
}

/* Longest match: the value of the longest non-empty key k such that the path of `from`
 * followed by k is a key and k is a prefix of s[0..len); its length in *match. -1 (and
 * *match 0) when there is none. Common-prefix search (every such key, shortest first) is
 * the same loop written out: tka_trie_child, then tka_trie_value at each step. */
static inline int32_t tka_trie_longest(const tka_trie *t, int32_t from, const char *s, size_t len,
                                       size_t *match)
{
    int32_t node = from, best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < len; i++) {
        node = tka_trie_child(t, node, (uint8_t)s[i]);
        if (node < 0)
            break;
        if (t->value[node] >= 0) {
            best = t->value[node];
            best_len = i + 1;
        }
    }
    *match = best_len;
    return best;
}

#endif
