/* tokenizer.json BPE model: vocab + ranked merges, applied as Rust's Word::merge_all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "tokenize/tj_bulk.h"
#include "tokenize/tj_model_impl.h"

#define EMPTY_KEY UINT64_MAX
#define META "\xE2\x96\x81" /* U+2581, SentencePiece's word boundary mark */

static inline size_t merge_hash(uint64_t key, int shift)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> shift);
}

static inline const tj_merge *merge_find(const tj_bpe *b, int32_t left, int32_t right)
{
    uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
    for (size_t i = merge_hash(key, b->shift);; i = (i + 1) & b->mask) {
        const tj_merge *e = &b->merges[i];
        if (e->key == key)
            return e;
        if (e->key == EMPTY_KEY)
            return NULL;
    }
}

/* COMPAT: the merges become a HashMap, so a pair listed twice keeps its last rank. */
static void merge_insert(tj_bpe *b, int32_t left, int32_t right, uint32_t rank, int32_t new_id)
{
    uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
    size_t i = merge_hash(key, b->shift);
    while (b->merges[i].key != EMPTY_KEY && b->merges[i].key != key)
        i = (i + 1) & b->mask;
    b->merges[i] = (tj_merge){key, rank, new_id};
}

/* One merge "a b" (or ["a", "b"]) at `rank`: both tokens and a + b (with b's
 * continuing_subword_prefix cut off) must be in the vocabulary, as BpeBuilder::build
 * requires. */
static tka_status add_merge(tj_model *m, const char *a, size_t la, const char *bs, size_t lb,
                            uint32_t rank, size_t index, char **buf, size_t *cap, const char *path,
                            tka_error *err)
{
    tj_bpe *b = &m->u.bpe;
    const tka_trie *trie = &m->vocab.trie;
    /* a + b without a prefix: the walk of b goes on from a's node */
    int32_t na = trie->nodes ? tka_trie_walk(trie, TKA_TRIE_ROOT, a, la) : -1;
    int32_t ia = na < 0 ? -1 : tka_trie_value(trie, na), ib = tj_vocab_find(&m->vocab, bs, lb);
    if (ia < 0 || ib < 0) {
        const char *t = ia < 0 ? a : bs;
        size_t lt = ia < 0 ? la : lb;
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: model.merges[%zu]: token \"%.*s\" is not in the vocabulary", path,
                             index, (int)(lt > 64 ? 64 : lt), t);
    }
    if (lb < b->prefix_len)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: model.merges[%zu]: \"%.*s\" is shorter than the "
                             "continuing_subword_prefix",
                             path, index, (int)(lb > 64 ? 64 : lb), bs);
    int32_t id;
    if (b->prefix_len == 0) {
        int32_t nab = tka_trie_walk(trie, na, bs, lb);
        id = nab < 0 ? -1 : tka_trie_value(trie, nab);
    } else {
        size_t ln = la + lb - b->prefix_len;
        if (ln > *cap) {
            char *p = realloc(*buf, ln);
            if (!p)
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", path);
            *buf = p;
            *cap = ln;
        }
        memcpy(*buf, a, la);
        memcpy(*buf + la, bs + b->prefix_len, lb - b->prefix_len);
        id = tj_vocab_find(&m->vocab, *buf, ln);
    }
    if (id < 0) {
        int lx = (int)(la > 64 ? 64 : la),
            ly = (int)(lb - b->prefix_len > 64 ? 64 : lb - b->prefix_len);
        if (lx + ly > 64)
            ly = 64 - lx;
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: model.merges[%zu]: merged token \"%.*s%.*s\" is not in the "
                             "vocabulary",
                             path, index, lx, a, ly, bs + b->prefix_len);
    }
    merge_insert(b, ia, ib, rank, id);
    return TKA_OK;
}

/* The entries of model.merges: jansson values, or the strings tj_bulk_scan read. */
typedef struct merge_list {
    const json_t *json;
    const tj_bulk *bulk;
} merge_list;

static size_t list_size(const merge_list *l)
{
    return l->bulk ? l->bulk->n_merges : json_array_size(l->json);
}

/* COMPAT: serde's untagged MergeType tries a list of pairs first, then a list of "a b"
 * strings; a mixed list is neither. */
static bool list_pairs(const merge_list *l)
{
    return l->bulk ? l->bulk->merge_pairs : json_is_array(json_array_get(l->json, 0));
}

/* Entry i: 2 for a pair of strings (*x, *y), 1 for a string (*x), 0 for anything else. */
static int list_entry(const merge_list *l, size_t i, tj_bulk_str *x, tj_bulk_str *y)
{
    if (l->bulk) {
        if (!l->bulk->merge_pairs) {
            *x = l->bulk->merges[i];
            return 1;
        }
        *x = l->bulk->merges[2 * i];
        *y = l->bulk->merges[2 * i + 1];
        return 2;
    }
    const json_t *e = json_array_get(l->json, i);
    if (json_is_string(e)) {
        *x = (tj_bulk_str){json_string_value(e), (uint32_t)json_string_length(e)};
        return 1;
    }
    const json_t *a = json_array_get(e, 0), *b = json_array_get(e, 1);
    if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(a) || !json_is_string(b))
        return 0;
    *x = (tj_bulk_str){json_string_value(a), (uint32_t)json_string_length(a)};
    *y = (tj_bulk_str){json_string_value(b), (uint32_t)json_string_length(b)};
    return 2;
}

static tka_status load_merges(tj_model *m, const merge_list *list, const char *path, tka_error *err)
{
    tj_bpe *b = &m->u.bpe;
    if (!list->bulk && !json_is_array(list->json))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: model.merges: expected a list", path);
    size_t n = list_size(list);
    size_t slots = 16;
    int bits = 4;
    while (slots < 2 * n)
        slots *= 2, bits++;
    b->shift = 64 - bits;
    b->merges = malloc(slots * sizeof *b->merges);
    if (!b->merges)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for %zu merges", n);
    for (size_t i = 0; i < slots; i++)
        b->merges[i].key = EMPTY_KEY;
    b->mask = slots - 1;
    bool pairs = n > 0 && list_pairs(list);
    char *buf = NULL;
    size_t cap = 0;
    uint32_t rank = 0;
    tka_status st = TKA_OK;
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        tj_bulk_str x = {0}, y = {0};
        int kind = list_entry(list, i, &x, &y);
        if (pairs) {
            if (kind != 2) {
                st = tka_error_set(err, TKA_ERR_FORMAT,
                                   "%s: model.merges[%zu]: expected a pair of strings like the "
                                   "entries before it",
                                   path, i);
                break;
            }
            st = add_merge(m, x.s, x.len, y.s, y.len, rank++, i, &buf, &cap, path, err);
            continue;
        }
        if (kind != 1) {
            st = tka_error_set(err, TKA_ERR_FORMAT,
                               "%s: model.merges[%zu]: expected a string \"a b\" like the "
                               "entries before it",
                               path, i);
            break;
        }
        const char *s = x.s;
        size_t len = x.len;
        /* COMPAT: convert_merges_to_hashmap skips "#version" lines before ranking */
        if (len >= 8 && !memcmp(s, "#version", 8))
            continue;
        const char *sp = memchr(s, ' ', len);
        if (!sp || memchr(sp + 1, ' ', len - (size_t)(sp + 1 - s))) {
            st = tka_error_set(err, TKA_ERR_FORMAT,
                               "%s: model.merges[%zu]: \"%.*s\" is not two tokens separated "
                               "by one space",
                               path, i, (int)(len > 64 ? 64 : len), s);
            break;
        }
        st = add_merge(m, s, (size_t)(sp - s), sp + 1, len - (size_t)(sp + 1 - s), rank++, i, &buf,
                       &cap, path, err);
    }
    free(buf);
    return st;
}

/* True when s[k] (a "▁") follows another "▁". */
static bool after_meta(const char *s, size_t k)
{
    return k >= 3 && !memcmp(s + k - 3, META, 3);
}

tka_status tj_bpe_load(tj_model *m, const json_t *j, const char *path, tj_bulk *bulk,
                       tka_error *err)
{
    tj_bpe *b = &m->u.bpe;
    const json_t *dropout = json_object_get(j, "dropout");
    if (dropout && !json_is_null(dropout)) {
        if (!json_is_number(dropout))
            return tka_error_set(err, TKA_ERR_FORMAT, "%s: model.dropout: expected a number", path);
        double p = json_number_value(dropout);
        if (!(p >= 0.0 && p <= 1.0))
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: model.dropout: %g is not a probability in [0, 1]", path, p);
        /* COMPAT: BPE::tokenize treats Some(0.0) as no dropout. */
        if (p != 0.0)
            return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                                 "%s: model.dropout: %g: BPE dropout is random (a training "
                                 "option); set it to null to tokenize deterministically",
                                 path, p);
    }
    tka_status st;
    if ((st = tj_json_opt_string(j, "unk_token", path, &b->unk_token, &b->unk_len, err)) ||
        (st = tj_json_opt_string(j, "continuing_subword_prefix", path, &b->prefix, &b->prefix_len,
                                 err)) ||
        (st = tj_json_opt_string(j, "end_of_word_suffix", path, &b->suffix, &b->suffix_len, err)) ||
        (st = tj_json_opt_bool(j, "fuse_unk", path, false, &b->fuse_unk, err)) ||
        (st = tj_json_opt_bool(j, "byte_fallback", path, false, &b->byte_fallback, err)) ||
        (st = tj_json_opt_bool(j, "ignore_merges", path, false, &b->ignore_merges, err)))
        return st;
    /* an empty prefix or suffix changes nothing but the cost of every char */
    if (b->prefix_len == 0) {
        free(b->prefix);
        b->prefix = NULL;
    }
    if (b->suffix_len == 0) {
        free(b->suffix);
        b->suffix = NULL;
    }
    const json_t *vocab = json_object_get(j, "vocab"), *merges = json_object_get(j, "merges");
    if (!vocab || !merges)
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: model: BPE needs \"vocab\" and \"merges\"",
                             path);
    if (bulk) {
        m->vocab = bulk->vocab; /* built by tj_bulk_scan from the same entries */
        memset(&bulk->vocab, 0, sizeof bulk->vocab);
    } else if ((st = tj_vocab_from_object(&m->vocab, vocab, path, "model.vocab", err))) {
        return st;
    }
    for (int c = 0; c < 256; c++) {
        char code[8];
        snprintf(code, sizeof code, "<0x%02X>", c);
        b->byte_id[c] = tj_vocab_find(&m->vocab, code, 6);
        char one = (char)c;
        b->char_id[c] = c < 0x80 ? tj_vocab_find(&m->vocab, &one, 1) : -1;
    }
    if ((st = load_merges(m, &(merge_list){merges, bulk}, path, err)))
        return st;
    /* see tj_bpe_tokenize: chunking before a run of "▁" is exact when "▁" is a token, no
     * token has a "▁" right after another char ("▁▁" is fine), and no prefix or suffix is
     * added to chunk starts or ends */
    b->meta_chunks = !b->prefix && !b->suffix && tj_vocab_find(&m->vocab, META, 3) >= 0;
    const tj_vocab *vv = &m->vocab;
    for (size_t id = 0; id < vv->n_ids && b->meta_chunks; id++) {
        if (vv->tok_off[id] == UINT32_MAX || vv->tok_len[id] < 4)
            continue;
        const char *t = vv->text + vv->tok_off[id];
        for (size_t k = 1; k + 3 <= vv->tok_len[id] && b->meta_chunks; k++)
            b->meta_chunks = memcmp(t + k, META, 3) != 0 || after_meta(t, k);
    }
    return TKA_OK;
}

void tj_bpe_free(tj_bpe *b)
{
    free(b->merges);
    free(b->unk_token);
    free(b->prefix);
    free(b->suffix);
}

typedef struct symbol {
    int32_t id;
    int32_t prev, next;
    uint32_t len; /* bytes of the word; 0 once merged into its left neighbour */
} symbol;

typedef struct queued {
    uint64_t key; /* rank << 32 | position: the smallest pops first, as Rust's Merge order */
    int32_t new_id;
    int32_t left, right; /* the pair's ids when queued */
} queued;

static inline void heap_push(queued *h, size_t *n, queued q)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p].key <= q.key)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = q;
}

static inline queued heap_pop(queued *h, size_t *n)
{
    queued top = h[0], last = h[--(*n)];
    size_t i = 0, count = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= count)
            break;
        if (c + 1 < count && h[c + 1].key < h[c].key)
            c++;
        if (h[c].key >= last.key)
            break;
        h[i] = h[c];
        i = c;
    }
    if (count > 0)
        h[i] = last;
    return top;
}

static inline void queue_pair(const tj_bpe *b, const symbol *sym, int32_t pos, queued *heap,
                              size_t *n)
{
    const tj_merge *e = merge_find(b, sym[pos].id, sym[sym[pos].next].id);
    if (e)
        heap_push(heap, n,
                  (queued){(uint64_t)e->rank << 32 | (uint32_t)pos, e->new_id, sym[pos].id,
                           sym[sym[pos].next].id});
}

/* Word::merge_all without dropout. */
static size_t merge_all(const tj_bpe *b, symbol *sym, size_t n, queued *heap)
{
    size_t nh = 0;
    for (size_t i = 0; i + 1 < n; i++)
        queue_pair(b, sym, (int32_t)i, heap, &nh);
    while (nh > 0) {
        queued top = heap_pop(heap, &nh);
        int32_t pos = (int32_t)(uint32_t)top.key;
        symbol *s = &sym[pos];
        if (s->len == 0 || s->next < 0)
            continue;
        int32_t next = s->next;
        /* COMPAT: an entry is stale unless the pair now at pos merges into the same id
         * (its rank is not compared). The same pair of ids needs no second look-up. */
        if (s->id != top.left || sym[next].id != top.right) {
            const tj_merge *e = merge_find(b, s->id, sym[next].id);
            if (!e || e->new_id != top.new_id)
                continue;
        }
        s->id = top.new_id;
        s->len += sym[next].len;
        s->next = sym[next].next;
        sym[next].len = 0;
        if (s->next >= 0)
            sym[s->next].prev = pos;
        if (s->prev >= 0)
            queue_pair(b, sym, s->prev, heap, &nh);
        if (s->next >= 0)
            queue_pair(b, sym, pos, heap, &nh);
    }
    return n;
}

static inline void add_symbol(symbol *sym, size_t *n, int32_t id, uint32_t len)
{
    size_t i = (*n)++;
    sym[i] = (symbol){id, (int32_t)i - 1, -1, len};
    if (i > 0)
        sym[i - 1].next = (int32_t)i;
}

/* merge_word + merge_all on one word (or one independent chunk of it), through the cache. */
static tka_status bpe_word(const tj_model *m, tj_work *w, const char *word, size_t len,
                           tj_pieces *out, tka_error *err)
{
    const tj_bpe *b = &m->u.bpe;
    const tj_vocab *v = &m->vocab;
    tka_status st;
    tj_cache_slot *slot = NULL;
    uint64_t h = 0;
    if (tj_cache_find(m, w, word, len, out, &slot, &h, &st, err))
        return st;
    /* at most one symbol per byte, plus prefix and suffix bytes under byte fallback */
    size_t max_sym = len * (1 + b->prefix_len + b->suffix_len) + 4;
    symbol *sym = tj_work_get(w, 0, max_sym * sizeof *sym);
    /* each merge queues at most two entries, after the n - 1 initial ones */
    queued *heap = tj_work_get(w, 1, 3 * max_sym * sizeof *heap);
    bool affix = b->prefix || b->suffix;
    char *tmp = affix ? tj_work_get(w, 2, 4 + b->prefix_len + b->suffix_len) : NULL;
    if (!sym || !heap || (affix && !tmp))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for a word of %zu bytes", len);
    size_t n = 0;
    int32_t unk_id = -1;
    uint32_t unk_len = 0;
    const uint8_t *u = (const uint8_t *)word;
    for (size_t i = 0; i < len;) {
        size_t cl = tka_utf8_seq_len(u[i]);
        if (cl > len - i)
            cl = len - i;
        const char *s = word + i;
        size_t sl = cl;
        bool first = i == 0, last = i + cl == len;
        int32_t id;
        if (!affix && cl == 1) {
            id = b->char_id[u[i]];
        } else {
            if (affix && ((!first && b->prefix) || (last && b->suffix))) {
                sl = 0;
                if (!first && b->prefix) {
                    memcpy(tmp, b->prefix, b->prefix_len);
                    sl = b->prefix_len;
                }
                memcpy(tmp + sl, s, cl);
                sl += cl;
                if (last && b->suffix) {
                    memcpy(tmp + sl, b->suffix, b->suffix_len);
                    sl += b->suffix_len;
                }
                s = tmp;
            }
            id = tj_vocab_find(v, s, sl);
        }
        i += cl;
        if (id >= 0) {
            if (unk_id >= 0) {
                add_symbol(sym, &n, unk_id, unk_len);
                unk_id = -1;
            }
            add_symbol(sym, &n, id, (uint32_t)cl);
            continue;
        }
        if (b->byte_fallback) {
            bool all = true;
            for (size_t k = 0; k < sl && all; k++)
                all = b->byte_id[(uint8_t)s[k]] >= 0;
            if (all) {
                /* COMPAT: the byte tokens go in before a pending unk, one byte each, prefix
                 * and suffix bytes included (merge_word adds them with length 1). */
                for (size_t k = 0; k < sl; k++)
                    add_symbol(sym, &n, b->byte_id[(uint8_t)s[k]], 1);
                continue;
            }
        }
        if (b->unk_token) {
            if (unk_id >= 0 && b->fuse_unk) {
                unk_len += (uint32_t)cl;
                continue;
            }
            if (unk_id >= 0)
                add_symbol(sym, &n, unk_id, unk_len);
            unk_id = tj_vocab_find(v, b->unk_token, b->unk_len);
            if (unk_id < 0)
                return tka_error_set(err, TKA_ERR_REFERENCE,
                                     "unk_token \"%.64s\" is not in the vocabulary (the Rust "
                                     "tokenizer raises UnkTokenOutOfVocabulary)",
                                     b->unk_token);
            unk_len = (uint32_t)cl;
        }
    }
    if (unk_id >= 0)
        add_symbol(sym, &n, unk_id, unk_len);
    merge_all(b, sym, n, heap);
    if ((st = tj_pieces_reserve(out, n, err)))
        return st;
    size_t first = out->count;
    uint32_t at = 0;
    for (int32_t i = n ? 0 : -1; i >= 0; i = sym[i].next) {
        /* COMPAT: offsets are the running sum of the symbol lengths; byte-fallback prefix or
         * suffix bytes can push it past the word, where Rust's offsets stop making sense:
         * they are kept within the word here. */
        uint32_t start = at < len ? at : (uint32_t)len;
        at += sym[i].len;
        uint32_t end = at < len ? at : (uint32_t)len;
        out->items[out->count++] = (tj_piece){sym[i].id, start, end};
    }
    tj_cache_store(slot, h, word, len, out, first);
    return TKA_OK;
}

tka_status tj_bpe_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                           tj_pieces *out, tka_error *err)
{
    const tj_bpe *b = &m->u.bpe;
    if (len == 0)
        return TKA_OK;
    tka_status st;
    if (b->ignore_merges) {
        int32_t id = tj_vocab_find(&m->vocab, word, len);
        if (id >= 0) {
            if ((st = tj_pieces_reserve(out, 1, err)))
                return st;
            out->items[out->count++] = (tj_piece){id, 0, (uint32_t)len};
            return TKA_OK;
        }
    }
    if (!b->meta_chunks)
        return bpe_word(m, w, word, len, out, err);
    /* A SentencePiece-style word (a whole line with "▁" for spaces) in chunks that each start
     * at a run of "▁": when no token has a "▁" right after another char, no merge joins two
     * chunks and "▁" is never unknown, so each chunk merges alone exactly as inside the whole
     * word (merges of different chunks never touch the same symbols), and short chunks hit
     * the cache. */
    size_t start = 0;
    while (start < len) {
        size_t end = start + 1;
        while (end + 3 <= len && (memcmp(word + end, META, 3) != 0 || after_meta(word, end)))
            end++;
        if (end + 3 > len)
            end = len;
        size_t first = out->count;
        if ((st = bpe_word(m, w, word + start, end - start, out, err)))
            return st;
        for (size_t k = first; k < out->count; k++) {
            out->items[k].start += (uint32_t)start;
            out->items[k].end += (uint32_t)start;
        }
        start = end;
    }
    return TKA_OK;
}
