/* Double-array trie construction: keys grouped byte by byte with a stable radix partition
 * (no comparison sort), each node's children placed first-fit, iteratively so a hostile
 * vocabulary with a very long key cannot exhaust the stack. */
#include "tokenize/trie.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/try.h"

#define FREE_SLOT (-1)
#define ROOT_CHECK (-2)
/* Free slots tried for a node's children before it goes after the last used slot: keeps
 * the build linear in practice for large vocabularies at little cost in density. */
#define PLACE_BUDGET 256

typedef struct frame {
    int32_t node;
    uint32_t lo, hi, depth; /* order[lo..hi): the keys below `node`, `depth` bytes deep */
} frame;

typedef struct builder {
    tka_trie_node *nodes;
    int32_t *value;
    size_t size;
    /* jump[i]: a slot at or after i to look at next when i is used (a path-compressed
     * "next free slot" forest), so the first-fit search skips runs of used slots. */
    uint32_t *jump;
    const char *what;
    tka_error *err;
} builder;

static tka_status nomem(builder *b)
{
    /* The status is returned as a constant, not as tka_error_set's result,
     * so a reader (or the analyzer) sees every failed allocation end the build. */
    tka_error_set(b->err, TKA_ERR_NOMEM, "out of memory building the %s trie", b->what);
    return TKA_ERR_NOMEM;
}

/* Makes slots [0, need) exist, new ones free. */
static tka_status ensure(builder *b, size_t need)
{
    if (need <= b->size)
        return TKA_OK;
    if (need > (size_t)INT32_MAX - 512)
        return tka_error_set(b->err, TKA_ERR_LIMIT, "%s trie exceeds 2^31 nodes", b->what);
    size_t cap;
    if (!tka_grow_capacity(b->size, need, sizeof *b->nodes, 1024, &cap))
        return nomem(b);
    if (cap > (size_t)INT32_MAX)
        cap = (size_t)INT32_MAX;
    if (!tka_resize_array((void **)&b->nodes, cap, sizeof *b->nodes) ||
        !tka_resize_array((void **)&b->value, cap, sizeof *b->value) ||
        !tka_resize_array((void **)&b->jump, cap, sizeof *b->jump))
        return nomem(b);
    tka_trie_node *u = b->nodes;
    int32_t *v = b->value;
    uint32_t *j = b->jump;
    for (size_t i = b->size; i < cap; i++) {
        u[i] = (tka_trie_node){0, FREE_SLOT};
        v[i] = -1;
        j[i] = (uint32_t)i;
    }
    b->size = cap;
    return TKA_OK;
}

/* The first free slot at or after i (growing the array when needed). */
static tka_status find_free(builder *b, size_t i, size_t *out)
{
    size_t root = i;
    for (;;) {
        if (root + 257 > b->size)
            TKA_TRY(ensure(b, root + 257));
        if (b->nodes[root].check == FREE_SLOT)
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

/* A base at which the slots of all nl labels (ascending) are free. */
static tka_status place(builder *b, const uint8_t *labels, size_t nl, size_t max_used, size_t *base)
{
    size_t p = (size_t)labels[0] + 1; /* base >= 1: slot 0 is the root */
    for (int budget = PLACE_BUDGET; budget > 0; budget--, p++) {
        TKA_TRY(find_free(b, p, &p));
        size_t cand = p - labels[0], k = 1;
        while (k < nl && b->nodes[cand + labels[k]].check == FREE_SLOT)
            k++;
        if (k == nl) {
            *base = cand;
            return TKA_OK;
        }
    }
    /* everything after the last used slot is free */
    *base = max_used + 1 > (size_t)labels[0] ? max_used + 1 - labels[0] : 1;
    return ensure(b, *base + 257);
}

typedef struct partition {
    uint32_t count[256]; /* keys per next byte; zero between calls */
    uint64_t seen[4];    /* bytes with count > 0 */
} partition;

/* Groups order[lo..hi) (keys sharing their first `depth` bytes, in input order) stably:
 * the keys that end at `depth` first (*n_end of them), then by the byte at `depth`.
 * labels[0..*nl) are those bytes ascending, starts[k] where the keys of labels[k] begin. */
static void group(const tka_trie_key *keys, uint32_t *order, uint32_t *tmp, uint32_t lo,
                  uint32_t hi, uint32_t depth, partition *pt, uint8_t *labels, uint32_t *starts,
                  size_t *nl, uint32_t *n_end)
{
    uint32_t ends = 0;
    size_t distinct = 0;
    for (uint32_t i = lo; i < hi; i++) {
        const tka_trie_key *k = &keys[order[i]];
        if (k->len == depth) {
            ends++;
            continue;
        }
        uint8_t c = (uint8_t)k->data[depth];
        if (pt->count[c]++ == 0) {
            pt->seen[c >> 6] |= (uint64_t)1 << (c & 63);
            distinct++;
        }
    }
    uint32_t at = lo + ends;
    size_t n = 0;
    for (int w = 0; w < 4; w++)
        for (uint64_t bits = pt->seen[w]; bits; bits &= bits - 1) {
            uint8_t c = (uint8_t)(w * 64 + __builtin_ctzll(bits));
            labels[n] = c;
            starts[n++] = at;
            uint32_t cnt = pt->count[c];
            pt->count[c] = at; /* from here on: the next slot of byte c */
            at += cnt;
        }
    starts[n] = hi;
    if (distinct + (ends > 0) > 1) { /* more than one group: scatter, keeping input order */
        uint32_t end_at = lo;
        for (uint32_t i = lo; i < hi; i++) {
            const tka_trie_key *k = &keys[order[i]];
            if (k->len == depth)
                tmp[end_at++] = order[i];
            else
                tmp[pt->count[(uint8_t)k->data[depth]]++] = order[i];
        }
        memcpy(order + lo, tmp + lo, (hi - lo) * sizeof *order);
    }
    for (size_t k = 0; k < n; k++)
        pt->count[labels[k]] = 0;
    memset(pt->seen, 0, sizeof pt->seen);
    *nl = n;
    *n_end = ends;
}

tka_status tka_trie_build(tka_trie *trie, const tka_trie_key *keys, size_t n, tka_trie_dups dups,
                          const char *what, tka_error *err)
{
    memset(trie, 0, sizeof *trie);
    builder b = {NULL, NULL, 0, NULL, what, err};
    if (n > (size_t)INT32_MAX)
        return tka_error_set(err, TKA_ERR_LIMIT, "too many %s entries (%zu)", what, n);
    for (size_t i = 0; i < n; i++) {
        if (keys[i].value < 0)
            return tka_error_set(err, TKA_ERR_ARGUMENT, "%s %zu has a negative value", what, i);
        if (keys[i].len >= UINT32_MAX)
            return tka_error_set(err, TKA_ERR_LIMIT, "%s %zu is longer than 4 GiB", what, i);
    }
    tka_status st = TKA_OK;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    partition *pt = calloc(1, sizeof *pt);
    frame *stack = NULL;
    size_t top = 0, cap = 0, max_used = 0;
    if (!order || !tmp || !pt) {
        st = nomem(&b);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    TKA_TRY_GOTO(st, ensure(&b, 512), done);
    b.nodes[0].check = ROOT_CHECK;
    b.jump[0] = 1;

    uint8_t labels[256];
    uint32_t starts[257];
    frame f = {TKA_TRIE_ROOT, 0, (uint32_t)n, 0};
    for (;;) {
        size_t nl;
        uint32_t n_end;
        if (f.hi - f.lo == 1) { /* one key: the rest of its bytes is a chain of nodes */
            const tka_trie_key *k = &keys[order[f.lo]];
            n_end = k->len == f.depth;
            nl = !n_end;
            if (nl) {
                labels[0] = (uint8_t)k->data[f.depth];
                starts[0] = f.lo;
                starts[1] = f.hi;
            }
        } else {
            group(keys, order, tmp, f.lo, f.hi, f.depth, pt, labels, starts, &nl, &n_end);
        }
        if (n_end > 1 && dups == TKA_TRIE_DUPS_ERROR) {
            const tka_trie_key *k = &keys[order[f.lo + 1]];
            st = tka_error_set(err, TKA_ERR_FORMAT, "%s \"%.*s\" is defined twice", what,
                               (int)(k->len < 64 ? k->len : 64), k->data);
            goto done;
        }
        if (n_end > 0) /* in input order: the last one wins */
            b.value[f.node] = keys[order[f.lo + n_end - 1]].value;
        if (nl > 0) {
            size_t base;
            TKA_TRY_GOTO(st, place(&b, labels, nl, max_used, &base), done);
            b.nodes[f.node].base = (int32_t)base;
            for (size_t k = 0; k < nl; k++) {
                size_t slot = base + labels[k];
                b.nodes[slot].check = f.node;
                b.jump[slot] = (uint32_t)(slot + 1);
                if (slot > max_used)
                    max_used = slot;
            }
            if (top + nl > cap) {
                size_t c2 = (cap ? cap * 2 : 256) + nl;
                frame *s2 = realloc(stack, c2 * sizeof *s2);
                if (!s2) {
                    st = nomem(&b);
                    goto done;
                }
                stack = s2;
                cap = c2;
            }
            /* pushed in reverse, so children are laid out in byte order */
            for (size_t k = nl; k-- > 0;)
                stack[top++] =
                    (frame){(int32_t)(base + labels[k]), starts[k], starts[k + 1], f.depth + 1};
        }
        if (top == 0)
            break;
        f = stack[--top];
    }
    /* base <= max_used for every node, so max_used + 256 slots keep base + 255 in range */
    size_t keep = max_used + 257;
    TKA_TRY_GOTO(st, ensure(&b, keep), done);
    tka_trie_node *shrunk = realloc(b.nodes, keep * sizeof *shrunk);
    if (shrunk)
        b.nodes = shrunk;
    int32_t *shrunk_value = realloc(b.value, keep * sizeof *shrunk_value);
    if (shrunk_value)
        b.value = shrunk_value;
    trie->nodes = b.nodes;
    trie->value = b.value;
    trie->size = keep;
    b.nodes = NULL;
    b.value = NULL;
done:
    free(stack);
    free(pt);
    free(tmp);
    free(order);
    free(b.jump);
    free(b.nodes);
    free(b.value);
    return st;
}

void tka_trie_free(tka_trie *trie)
{
    if (!trie)
        return;
    free(trie->nodes);
    free(trie->value);
    trie->nodes = NULL;
    trie->value = NULL;
    trie->size = 0;
}
