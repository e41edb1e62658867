/* SentencePiece BPE encoding (bpe::Model::SampleEncode without dropout):
 * repeatedly merge the adjacent pair whose concatenation is the best-scoring
 * piece, leftmost first on ties, then resegment UNUSED pieces. */
#include <string.h>

#include "tokenize/spm_model.h"

typedef struct bpe_symbol {
    int32_t prev, next;  /* neighbours in the current segmentation, -1 at the ends */
    uint32_t start, len; /* bytes of the normalized text; len 0 once merged away */
    int32_t node;        /* trie node reached by the text, -1 when no piece starts so */
    int32_t freeze;      /* user-defined symbols never merge */
} bpe_symbol;

typedef struct bpe_pair {
    uint64_t key; /* pair_key(score, left): larger pops first */
    int32_t right;
    uint32_t size; /* bytes of left + right when the pair was found */
    int32_t node;  /* trie node of the merged text */
} bpe_pair;

/* Last split seen for an UNUSED piece (rev_merge). */
typedef struct bpe_rev {
    int32_t id;
    uint32_t split;
} bpe_rev;

/* COMPAT: the order of bpe::Model's agenda (a std::priority_queue): higher
 * score first, then the smaller left index. Both go into one integer: the
 * float's bits made order-preserving, then the complemented index. */
static inline uint64_t pair_key(float score, int32_t left)
{
    uint32_t u;
    memcpy(&u, &score, sizeof u);
    u = (u & 0x80000000u) ? ~u : u | 0x80000000u;
    if (score == 0.0f)
        u = 0x80000000u; /* -0.0 == +0.0 */
    return (uint64_t)u << 32 | (uint32_t) ~(uint32_t)left;
}

static inline int32_t pair_left(const bpe_pair *p)
{
    return (int32_t) ~(uint32_t)p->key;
}

static void heap_push(bpe_pair *heap, size_t *n, bpe_pair p)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (p.key <= heap[parent].key)
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = p;
}

static bpe_pair heap_pop(bpe_pair *heap, size_t *n)
{
    bpe_pair top = heap[0];
    bpe_pair last = heap[--(*n)];
    size_t i = 0, count = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= count)
            break;
        if (c + 1 < count && heap[c + 1].key > heap[c].key)
            c++;
        if (heap[c].key <= last.key)
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (count > 0)
        heap[i] = last;
    return top;
}

typedef struct bpe_state {
    const spm_model *m;
    const char *text;
    bpe_symbol *sym;
    bpe_pair *heap;
    size_t n_heap;
    bpe_rev *rev;
    size_t n_rev;
} bpe_state;

/* MaybeAddNewSymbolPair: queue (left, right) when their concatenation is a
 * piece of pieces_ (NORMAL, USER_DEFINED or UNUSED). */
static void add_pair(bpe_state *s, int32_t left, int32_t right)
{
    if (left < 0 || right < 0)
        return;
    const bpe_symbol *l = &s->sym[left], *r = &s->sym[right];
    if (l->freeze || r->freeze || l->node < 0)
        return;
    const tka_trie *t = &s->m->pieces_trie;
    int32_t node = tka_trie_walk(t, l->node, s->text + r->start, r->len);
    int32_t id = node >= 0 ? tka_trie_value(t, node) : -1;
    if (id < 0)
        return;
    heap_push(s->heap, &s->n_heap,
              (bpe_pair){pair_key(s->m->pieces[id].score, left), right, l->len + r->len, node});
    if (s->m->has_unused && s->m->pieces[id].type == SPM_PIECE_UNUSED) {
        /* COMPAT: rev_merge[piece] keeps the last pair queued for the piece. */
        size_t i = 0;
        while (i < s->n_rev && s->rev[i].id != id)
            i++;
        if (i == s->n_rev)
            s->n_rev++;
        s->rev[i] = (bpe_rev){id, l->len};
    }
}

/* The resegment step for one final symbol: PieceToId, and for an UNUSED
 * piece its recorded halves, recursively (with an explicit stack). */
static void emit(const bpe_state *s, uint32_t start, uint32_t len, int32_t node, spm_result *out,
                 size_t *n_out, uint32_t *stack)
{
    const spm_model *m = s->m;
    size_t top = 0;
    for (;;) {
        int32_t id = -1;
        if (node >= 0 && tka_trie_value(&m->pieces_trie, node) >= 0)
            id = m->out_id[tka_trie_value(&m->pieces_trie, node)];
        else
            id = spm_piece_to_id(m, s->text + start, len);
        size_t split = 0;
        if (m->has_unused && m->pieces[id].type == SPM_PIECE_UNUSED)
            for (size_t i = 0; i < s->n_rev; i++)
                if (s->rev[i].id == id)
                    split = s->rev[i].split;
        if (split > 0 && split < len) {
            stack[top++] = start + (uint32_t)split;
            stack[top++] = len - (uint32_t)split;
            len = (uint32_t)split;
            node = tka_trie_walk(&m->pieces_trie, TKA_TRIE_ROOT, s->text + start, len);
            continue;
        }
        out[(*n_out)++] = (spm_result){start, len, id};
        if (top == 0)
            return;
        len = stack[--top];
        start = stack[--top];
        node = tka_trie_walk(&m->pieces_trie, TKA_TRIE_ROOT, s->text + start, len);
    }
}

tka_status spm_bpe_encode(const spm_model *m, const char *text, size_t len, spm_scratch *scratch,
                          spm_result **results, size_t *n_results, tka_error *err)
{
    *n_results = 0;
    *results = NULL;
    if (len == 0)
        return TKA_OK;
    /* At most len symbols; the agenda gets len - 1 pairs up front and at
     * most two per merge. */
    size_t n_pairs = 3 * len;
    size_t bytes = len * sizeof(bpe_symbol) + n_pairs * sizeof(bpe_pair) + len * sizeof(spm_result);
    if (m->has_unused)
        bytes += n_pairs * sizeof(bpe_rev) + 2 * len * sizeof(uint32_t);
    void *mem;
    if (len > SIZE_MAX / 256 || !(mem = spm_scratch_get(scratch, bytes)))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding %zu bytes", len);
    /* The 8-aligned agenda first, then the 4-aligned arrays. */
    bpe_state s = {m, text, NULL, (bpe_pair *)mem, 0, NULL, 0};
    s.sym = (bpe_symbol *)(s.heap + n_pairs);
    spm_result *out = *results = (spm_result *)(s.sym + len);
    s.rev = (bpe_rev *)(out + len);
    uint32_t *stack = (uint32_t *)(s.rev + (m->has_unused ? n_pairs : 0));

    /* Split into characters, user-defined symbols kept whole and frozen. */
    const tka_trie *t = &m->pieces_trie;
    int32_t n_sym = 0;
    for (size_t pos = 0; pos < len;) {
        size_t mb = spm_user_prefix(&m->normalizer, text + pos, len - pos);
        int32_t freeze = mb > 0;
        if (!mb) {
            mb = spm_one_char_len(text + pos);
            if (mb > len - pos)
                mb = len - pos;
        }
        bpe_symbol *sy = &s.sym[n_sym];
        sy->prev = n_sym - 1;
        sy->next = pos + mb < len ? n_sym + 1 : -1;
        sy->start = (uint32_t)pos;
        sy->len = (uint32_t)mb;
        sy->freeze = freeze;
        sy->node = tka_trie_walk(t, TKA_TRIE_ROOT, text + pos, mb);
        n_sym++;
        pos += mb;
    }
    for (int32_t i = 1; i < n_sym; i++)
        add_pair(&s, i - 1, i);

    while (s.n_heap > 0) {
        bpe_pair top = heap_pop(s.heap, &s.n_heap);
        int32_t left = pair_left(&top);
        bpe_symbol *l = &s.sym[left], *r = &s.sym[top.right];
        if (l->len == 0 || r->len == 0 || l->len + r->len != top.size)
            continue; /* stale: one side changed since the pair was queued */
        l->len += r->len;
        l->node = top.node;
        l->next = r->next;
        if (r->next >= 0)
            s.sym[r->next].prev = left;
        r->len = 0;
        add_pair(&s, l->prev, left);
        add_pair(&s, left, l->next);
    }

    size_t n_out = 0;
    for (int32_t i = 0; i != -1; i = s.sym[i].next)
        emit(&s, s.sym[i].start, s.sym[i].len, s.sym[i].node, out, &n_out, stack);
    *n_results = n_out;
    return TKA_OK;
}
