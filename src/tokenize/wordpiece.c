/* WordPiece: greedy longest-match-first over the vocabulary tries, one walk
 * per piece, nothing allocated per token. */
#include "tokenize/bert_model.h"
#include "tokenize/backend.h"

const char *bert_id_to_token(const bert_model *m, int32_t id, size_t *len)
{
    const tka_vocab *v = &m->vocab;
    if (id < 0)
        return NULL;
    if ((size_t)id < v->n_ids) {
        if (v->shadowed[id] && m->unk_id >= 0 && !v->shadowed[m->unk_id])
            id = m->unk_id; /* COMPAT: ids_to_tokens.get(index, unk_token) */
        if (len)
            *len = v->len[id];
        return v->text + v->start[id];
    }
    for (size_t i = 0; i < m->n_specials; i++) {
        if (m->specials[i].id == id) {
            if (len)
                *len = m->specials[i].len;
            return m->specials[i].text;
        }
    }
    return NULL;
}

/* Requires room for one more token (tka_tokens_reserve). */
static inline tka_status push(const bert_model *m, int32_t id, uint32_t start, uint32_t end,
                              unsigned flags, tka_tokens *out)
{
    const char *s = NULL;
    size_t n = 0;
    if (flags & TKA_TOKENS_STRINGS) {
        if ((size_t)id < m->vocab.n_ids) {
            s = m->vocab.text + m->vocab.start[id];
            n = m->vocab.len[id];
        } else {
            s = bert_id_to_token(m, id, &n);
        }
    }
    return tka_tokens_push(out, flags, id, start, end, s, n);
}

tka_status bert_push(const bert_model *m, int32_t id, uint32_t start, uint32_t end, unsigned flags,
                     tka_tokens *out)
{
    tka_status st = tka_tokens_reserve(out, 1, flags);
    if (st == TKA_OK)
        st = push(m, id, start, end, flags, out);
    tka_tokens_end_word(out, flags); /* a special or never_split token is a word */
    return st;
}

static inline bool is_continuation(uint8_t b)
{
    return (b & 0xC0) == 0x80;
}

/* [start, end) in the input of characters first..last (inclusive). */
static void span(const uint32_t *orig, uint32_t orig_base, size_t first, size_t last,
                 uint32_t *start, uint32_t *end)
{
    if (!orig) {
        *start = orig_base + (uint32_t)first;
        *end = orig_base + (uint32_t)last + 1;
        return;
    }
    /* Canonical reordering can move a mark before the one of an earlier
     * character, so take the extremes rather than the ends. */
    uint32_t lo = orig[first], hi = orig[first];
    for (size_t k = first + 1; k <= last; k++) {
        if (orig[k] < lo)
            lo = orig[k];
        if (orig[k] > hi)
            hi = orig[k];
    }
    *start = lo;
    *end = hi + 1;
}

static tka_status whole_word_unknown(const bert_model *m, size_t mark, size_t text_mark,
                                     size_t nchars, const uint32_t *orig, uint32_t orig_base,
                                     unsigned flags, tka_tokens *out)
{
    /* Pieces already pushed for this word are dropped: like HF, a word with
     * any unmatched rest becomes one [UNK] covering the whole word. */
    out->count = mark;
    out->text_used = text_mark;
    uint32_t s, e;
    span(orig, orig_base, 0, nchars - 1, &s, &e);
    tka_status st = push(m, m->unk_id, s, e, flags, out);
    tka_tokens_end_word(out, flags);
    return st;
}

tka_status bert_wordpiece(const bert_model *m, const uint8_t *word, size_t nbytes, size_t nchars,
                          const uint32_t *orig, uint32_t orig_base, unsigned flags, tka_tokens *out)
{
    if (nchars == 0)
        return TKA_OK;
    tka_status st = tka_tokens_reserve(out, nchars, flags);
    if (st != TKA_OK)
        return st;
    size_t mark = out->count, text_mark = out->text_used;
    /* COMPAT: max_input_chars_per_word counts characters of the normalized
     * word and turns a longer word into a single [UNK]. */
    if (nchars > m->max_chars)
        return whole_word_unknown(m, mark, text_mark, nchars, orig, orig_base, flags, out);
    size_t k = 0, b = 0;
    while (k < nchars) {
        const tka_trie *d = k == 0 ? &m->vocab.whole : &m->vocab.cont;
        int32_t s = TKA_TRIE_ROOT, best = -1;
        size_t best_b = 0, best_k = 0, kk = k;
        for (size_t bb = b; bb < nbytes;) {
            s = tka_trie_child(d, s, word[bb++]);
            if (s < 0)
                break;
            if (bb < nbytes && is_continuation(word[bb]))
                continue; /* vocabulary strings end on character boundaries */
            kk++;
            if (tka_trie_value(d, s) >= 0) {
                best = tka_trie_value(d, s);
                best_b = bb;
                best_k = kk;
            }
        }
        if (best < 0)
            return whole_word_unknown(m, mark, text_mark, nchars, orig, orig_base, flags, out);
        uint32_t ts, te;
        span(orig, orig_base, k, best_k - 1, &ts, &te);
        if ((st = push(m, best, ts, te, flags, out)) != TKA_OK)
            return st;
        k = best_k;
        b = best_b;
    }
    tka_tokens_end_word(out, flags);
    return TKA_OK;
}

tka_status bert_wordpiece_ascii(const bert_model *m, const uint8_t *word, size_t n,
                                uint32_t orig_base, unsigned flags, tka_tokens *out)
{
    /* the caller reserved room for one token per input byte */
    tka_status st;
    size_t mark = out->count, text_mark = out->text_used;
    if (n > m->max_chars)
        return whole_word_unknown(m, mark, text_mark, n, NULL, orig_base, flags, out);
    const uint8_t *lower = m->ascii_lower;
    size_t k = 0;
    while (k < n) {
        const tka_trie *d = k == 0 ? &m->vocab.whole : &m->vocab.cont;
        const tka_trie_node *nodes = d->nodes;
        const int32_t *value = d->value;
        int32_t s = TKA_TRIE_ROOT, best = -1;
        size_t best_k = 0;
        for (size_t kk = k; kk < n;) {
            /* tka_trie_child with the lowering folded in */
            int32_t t = nodes[s].base + lower[word[kk++]];
            if (nodes[t].check != s)
                break;
            s = t;
            if (value[s] >= 0) {
                best = value[s];
                best_k = kk;
            }
        }
        if (best < 0)
            return whole_word_unknown(m, mark, text_mark, n, NULL, orig_base, flags, out);
        if ((st = push(m, best, orig_base + (uint32_t)k, orig_base + (uint32_t)best_k, flags,
                       out)) != TKA_OK)
            return st;
        k = best_k;
    }
    tka_tokens_end_word(out, flags);
    return TKA_OK;
}
