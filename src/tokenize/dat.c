/* Double-array trie construction (iterative, so a hostile vocabulary with a
 * very long line cannot exhaust the stack) and exact lookup. */
#include "tokenize/dat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FREE_SLOT (-1)
#define ROOT_CHECK (-2)
#define SPARE 256

typedef struct sort_ctx {
    const char *const *keys;
    const uint32_t *lens;
} sort_ctx;

/* qsort has no context argument in C11; the build is not reentrant-critical
 * (vocabularies are opened one at a time per thread), so a thread-local
 * pointer carries it. */
static _Thread_local const sort_ctx *current_sort;

static int compare_keys(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    const sort_ctx *c = current_sort;
    uint32_t la = c->lens[a], lb = c->lens[b];
    int r = memcmp(c->keys[a], c->keys[b], la < lb ? la : lb);
    if (r)
        return r;
    if (la != lb)
        return la < lb ? -1 : 1;
    return a < b ? -1 : a > b; /* equal keys keep input order: the last one wins */
}

static int grow(tka_dat *d, size_t need)
{
    if (need <= d->size)
        return 1;
    size_t cap = d->size ? d->size : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > (size_t)INT32_MAX)
        return 0;
    tka_dat_node *nodes = realloc(d->nodes, cap * sizeof *nodes);
    if (!nodes)
        return 0;
    d->nodes = nodes;
    int32_t *value = realloc(d->value, cap * sizeof *value);
    if (!value)
        return 0;
    d->value = value;
    for (size_t i = d->size; i < cap; i++) {
        d->nodes[i].base = 0;
        d->nodes[i].check = FREE_SLOT;
        d->value[i] = -1;
    }
    d->size = cap;
    return 1;
}

typedef struct frame {
    int32_t node;
    uint32_t lo, hi, depth;
} frame;

tka_status tka_dat_build(tka_dat *d, const char *const *keys, const uint32_t *lens,
                         const int32_t *values, size_t n, tka_error *err)
{
    memset(d, 0, sizeof *d);
    if (n > UINT32_MAX / 2)
        return tka_error_set(err, TKA_ERR_LIMIT, "too many vocabulary entries (%zu)", n);
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    frame *stack = NULL;
    size_t depth_cap = 0, top = 0;
    if (!order || !grow(d, SPARE + 1)) {
        free(order);
        tka_dat_free(d);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory building the vocabulary trie");
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    sort_ctx ctx = {keys, lens};
    current_sort = &ctx;
    qsort(order, n, sizeof *order, compare_keys);
    current_sort = NULL;

    d->nodes[0].check = ROOT_CHECK;
    size_t next_check = 1;
    size_t used_top = 1; /* one past the highest used slot */
    tka_status st = TKA_OK;

    depth_cap = 64;
    stack = malloc(depth_cap * sizeof *stack);
    if (!stack)
        st = TKA_ERR_NOMEM;
    else
        stack[top++] = (frame){0, 0, (uint32_t)n, 0};

    uint8_t labels[256];
    uint32_t starts[257];
    while (st == TKA_OK && top > 0) {
        frame f = stack[--top];
        uint32_t k = f.lo;
        while (k < f.hi && lens[order[k]] == f.depth)
            d->value[f.node] = values[order[k++]];
        if (k == f.hi)
            continue; /* leaf: base 0 never points at a child of this node */
        int nl = 0;
        while (k < f.hi) {
            uint8_t c = (uint8_t)keys[order[k]][f.depth];
            labels[nl] = c;
            starts[nl++] = k;
            while (k < f.hi && (uint8_t)keys[order[k]][f.depth] == c)
                k++;
        }
        starts[nl] = f.hi;
        /* A base whose slots for every label are free: scan free slots for
         * the first label from next_check, and move next_check forward
         * once the region behind it is nearly full (the heuristic of
         * darts-clone, which keeps construction close to linear). */
        size_t pos = next_check > (size_t)labels[0] ? next_check : (size_t)labels[0] + 1;
        size_t occupied = 0;
        bool first_free_seen = false;
        size_t b = 0;
        for (;; pos++) {
            if (pos + 256 + SPARE + 1 > d->size && !grow(d, pos + 256 + SPARE + 1)) {
                st = TKA_ERR_NOMEM;
                break;
            }
            if (d->nodes[pos].check != FREE_SLOT) {
                occupied++;
                continue;
            }
            if (!first_free_seen) {
                next_check = pos;
                first_free_seen = true;
            }
            b = pos - labels[0];
            if (b < 1)
                continue;
            int ok = 1;
            for (int i = 1; i < nl && ok; i++)
                ok = d->nodes[b + labels[i]].check == FREE_SLOT;
            if (ok)
                break;
        }
        if (st != TKA_OK)
            break;
        if (first_free_seen && pos >= next_check &&
            (double)occupied / (double)(pos - next_check + 1) >= 0.95)
            next_check = pos;
        if (b + 256 > (size_t)INT32_MAX - SPARE) {
            st = TKA_ERR_LIMIT;
            break;
        }
        d->nodes[f.node].base = (int32_t)b;
        for (int i = 0; i < nl; i++) {
            size_t t = b + labels[i];
            d->nodes[t].check = f.node;
            if (t + 1 > used_top)
                used_top = t + 1;
        }
        if (top + (size_t)nl > depth_cap) {
            size_t cap = depth_cap * 2 + (size_t)nl;
            frame *s2 = realloc(stack, cap * sizeof *s2);
            if (!s2) {
                st = TKA_ERR_NOMEM;
                break;
            }
            stack = s2;
            depth_cap = cap;
        }
        /* Push in reverse so children are laid out in byte order. */
        for (int i = nl - 1; i >= 0; i--)
            stack[top++] = (frame){(int32_t)(b + labels[i]), starts[i], starts[i + 1], f.depth + 1};
    }
    free(stack);
    free(order);
    if (st == TKA_OK && !grow(d, used_top + SPARE))
        st = TKA_ERR_NOMEM;
    if (st != TKA_OK) {
        tka_dat_free(d);
        return tka_error_set(err, st, st == TKA_ERR_NOMEM
                                          ? "out of memory building the vocabulary trie"
                                          : "vocabulary too large for the trie");
    }
    return TKA_OK;
}

void tka_dat_free(tka_dat *d)
{
    if (!d)
        return;
    free(d->nodes);
    free(d->value);
    memset(d, 0, sizeof *d);
}

int32_t tka_dat_find(const tka_dat *d, const char *key, size_t len)
{
    if (!d->nodes)
        return -1;
    int32_t s = 0;
    for (size_t i = 0; i < len; i++) {
        s = tka_dat_child(d, s, (uint8_t)key[i]);
        if (s < 0)
            return -1;
    }
    return d->value[s];
}
