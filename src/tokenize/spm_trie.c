/* Double-array trie construction (first-fit placement of each node's
 * children) for the piece vocabulary of a SentencePiece model. */
#include "tokenize/spm_trie.h"

#include <stdlib.h>
#include <string.h>

typedef struct trie_work {
    int32_t node;
    uint32_t lo, hi, depth;
} trie_work;

typedef struct trie_builder {
    spm_trie_unit *units;
    size_t size;
    /* jump[i]: a slot at or after i to look at next when i is used (a
     * path-compressed "next free slot" forest), so searches skip used runs. */
    uint32_t *jump;
    tka_error *err;
} trie_builder;

static int key_cmp(const void *a, const void *b)
{
    const spm_trie_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->data, y->data, n) : 0;
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

static tka_status nomem(trie_builder *b)
{
    return tka_error_set(b->err, TKA_ERR_NOMEM, "out of memory building the piece trie");
}

/* Makes units[0..need) exist, new slots free. */
static tka_status ensure(trie_builder *b, size_t need)
{
    if (need <= b->size)
        return TKA_OK;
    if (need > (size_t)INT32_MAX - 512)
        return tka_error_set(b->err, TKA_ERR_LIMIT, "piece trie exceeds 2^31 nodes");
    size_t cap = b->size ? b->size : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > (size_t)INT32_MAX)
        cap = (size_t)INT32_MAX;
    spm_trie_unit *u = realloc(b->units, cap * sizeof *u);
    if (!u)
        return nomem(b);
    b->units = u;
    uint32_t *j = realloc(b->jump, cap * sizeof *j);
    if (!j)
        return nomem(b);
    b->jump = j;
    for (size_t i = b->size; i < cap; i++) {
        u[i] = (spm_trie_unit){0, -1, -1};
        j[i] = (uint32_t)i;
    }
    b->size = cap;
    return TKA_OK;
}

/* The first free slot at or after i (growing the array when needed). */
static tka_status find_free(trie_builder *b, size_t i, size_t *out)
{
    size_t root = i;
    for (;;) {
        tka_status st = ensure(b, root + 257);
        if (st != TKA_OK)
            return st;
        if (b->units[root].check == -1)
            break;
        root = b->jump[root];
    }
    while (i != root) { /* path compression */
        size_t next = b->jump[i];
        b->jump[i] = (uint32_t)root;
        i = next;
    }
    *out = root;
    return TKA_OK;
}

static void mark_used(trie_builder *b, size_t slot)
{
    b->jump[slot] = (uint32_t)(slot + 1);
}

tka_status spm_trie_build(spm_trie *trie, spm_trie_key *keys, size_t n, tka_error *err)
{
    trie->units = NULL;
    trie->size = 0;
    trie_builder b = {NULL, 0, NULL, err};
    if (n > 1)
        qsort(keys, n, sizeof *keys, key_cmp);
    for (size_t i = 1; i < n; i++)
        if (key_cmp(&keys[i - 1], &keys[i]) == 0)
            return tka_error_set(err, TKA_ERR_FORMAT, "piece \"%.*s\" is defined twice",
                                 (int)(keys[i].len < 64 ? keys[i].len : 64), keys[i].data);
    if (n > UINT32_MAX)
        return tka_error_set(err, TKA_ERR_LIMIT, "too many pieces");

    tka_status st = ensure(&b, 512);
    if (st != TKA_OK)
        return st;
    b.units[0].check = -2; /* the root: used, and nobody's child */
    mark_used(&b, 0);

    trie_work *stack = NULL;
    size_t top = 0, cap = 0;
    size_t max_used = 0;
    unsigned char labels[256];
    uint32_t starts[257];
#define PUSH(w)                                                                                 \
    do {                                                                                        \
        if (top == cap) {                                                                       \
            size_t c2 = cap ? cap * 2 : 256;                                                    \
            trie_work *s2 = realloc(stack, c2 * sizeof *s2);                                    \
            if (!s2) {                                                                          \
                st = nomem(&b);                                                                 \
                goto done;                                                                      \
            }                                                                                   \
            stack = s2;                                                                         \
            cap = c2;                                                                           \
        }                                                                                       \
        stack[top++] = (w);                                                                     \
    } while (0)

    PUSH(((trie_work){0, 0, (uint32_t)n, 0}));
    while (top) {
        trie_work w = stack[--top];
        uint32_t lo = w.lo;
        if (lo < w.hi && keys[lo].len == w.depth) {
            b.units[w.node].value = keys[lo].value;
            lo++;
        }
        if (lo == w.hi)
            continue;
        /* Keys are sorted, so the byte at `depth` is non-decreasing. */
        size_t nl = 0;
        for (uint32_t i = lo; i < w.hi; i++) {
            unsigned char c = (unsigned char)keys[i].data[w.depth];
            if (nl == 0 || labels[nl - 1] != c) {
                labels[nl] = c;
                starts[nl] = i;
                nl++;
            }
        }
        starts[nl] = w.hi;

        /* First fit among a bounded number of free slots, else right after
         * the last used slot (everything beyond it is free): this keeps the
         * build linear in practice for large vocabularies. */
        size_t p = (size_t)labels[0] + 1;
        size_t base = 0;
        for (int budget = 256; budget > 0; budget--, p++) {
            st = find_free(&b, p, &p);
            if (st != TKA_OK)
                goto done;
            size_t cand = p - labels[0];
            size_t k = 1;
            while (k < nl && b.units[cand + labels[k]].check == -1)
                k++;
            if (k == nl) {
                base = cand;
                break;
            }
        }
        if (base == 0) {
            base = max_used + 1 > (size_t)labels[0] ? max_used + 1 - labels[0] : 1;
            st = ensure(&b, base + 257);
            if (st != TKA_OK)
                goto done;
        }
        b.units[w.node].base = (int32_t)base;
        for (size_t k = 0; k < nl; k++) {
            size_t slot = base + labels[k];
            b.units[slot].check = w.node;
            mark_used(&b, slot);
            if (slot > max_used)
                max_used = slot;
            PUSH(((trie_work){(int32_t)slot, starts[k], starts[k + 1], w.depth + 1}));
        }
    }
#undef PUSH
    /* Every node's base + 255 must stay inside the array (leaves have base 0). */
    st = ensure(&b, max_used + 257);
    if (st != TKA_OK)
        goto done;
    {
        size_t keep = max_used + 257;
        for (size_t i = 0; i < b.size; i++)
            if (b.units[i].check != -1 && (size_t)b.units[i].base + 256 > keep)
                keep = (size_t)b.units[i].base + 256;
        st = ensure(&b, keep);
        if (st != TKA_OK)
            goto done;
        spm_trie_unit *shrunk = realloc(b.units, keep * sizeof *shrunk);
        if (shrunk) {
            b.units = shrunk;
            b.size = keep;
        }
    }
    trie->units = b.units;
    trie->size = b.size;
    b.units = NULL;
done:
    free(stack);
    free(b.jump);
    free(b.units);
    return st;
}

void spm_trie_free(spm_trie *trie)
{
    if (!trie)
        return;
    free(trie->units);
    trie->units = NULL;
    trie->size = 0;
}
