/* tokenizer.json models: the shared vocabulary, scratch space and the dispatch by "type". */
#define _DEFAULT_SOURCE /* madvise */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/grow.h"
#include "tokenize/tj_model_impl.h"

#define NO_TOKEN UINT32_MAX
/* An id far beyond the number of tokens would make the id -> token table huge: a file whose
 * largest id exceeds this many slots per token is refused (real files are dense). */
#define MAX_ID_SLACK 65536u

void tj_pieces_free(tj_pieces *p)
{
    if (!p)
        return;
    free(p->items);
    p->items = NULL;
    p->count = p->capacity = 0;
}

tka_status tj_pieces_reserve(tj_pieces *p, size_t extra, tka_error *err)
{
    if (extra > SIZE_MAX - p->count ||
        !tka_grow_array((void **)&p->items, &p->capacity, p->count + extra, sizeof *p->items, 16))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for the tokens of a word");
    return TKA_OK;
}

tj_work *tj_work_new(void)
{
    return calloc(1, sizeof(tj_work));
}

void tj_work_free(tj_work *w)
{
    if (!w)
        return;
    for (int i = 0; i < TJ_WORK_SLOTS; i++)
        free(w->slot[i]);
    free(w->cache);
    free(w);
}

void *tj_work_get(tj_work *w, int i, size_t bytes)
{
    if (bytes <= w->cap[i])
        return w->slot[i];
    size_t cap = w->cap[i] ? w->cap[i] : 4096;
    while (cap < bytes)
        cap *= 2;
    void *p = malloc(cap);
    if (!p)
        return NULL;
    free(w->slot[i]);
    w->slot[i] = p;
    w->cap[i] = cap;
    return p;
}

tka_status tj_vocab_build(tj_vocab *v, const char *const *toks, const uint32_t *lens,
                          const int32_t *ids, size_t n, tka_error *err)
{
    return tj_vocab_build_dups(v, toks, lens, ids, n, TKA_TRIE_DUPS_LAST, err);
}

tka_status tj_vocab_build_dups(tj_vocab *v, const char *const *toks, const uint32_t *lens,
                               const int32_t *ids, size_t n, tka_trie_dups dups, tka_error *err)
{
    memset(v, 0, sizeof *v);
    size_t total = 0, max_id = 0;
    for (size_t i = 0; i < n; i++) {
        total += (size_t)lens[i] + 1;
        if ((size_t)ids[i] > max_id)
            max_id = (size_t)ids[i];
    }
    if (max_id >= (size_t)INT32_MAX || max_id > 4 * n + MAX_ID_SLACK)
        return tka_error_set(err, TKA_ERR_LIMIT,
                             "id %zu is far beyond the %zu tokens of the vocabulary", max_id, n);
    if (total >= UINT32_MAX)
        return tka_error_set(err, TKA_ERR_LIMIT, "vocabulary text too large (%zu bytes)", total);
    v->n_ids = n ? max_id + 1 : 0;
    v->text = malloc(total ? total : 1);
    v->tok_off = malloc((v->n_ids ? v->n_ids : 1) * sizeof *v->tok_off);
    v->tok_len = calloc(v->n_ids ? v->n_ids : 1, sizeof *v->tok_len);
    if (!v->text || !v->tok_off || !v->tok_len) {
        tj_vocab_free(v);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for the vocabulary");
    }
    for (size_t i = 0; i < v->n_ids; i++)
        v->tok_off[i] = NO_TOKEN;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(v->text + at, toks[i], lens[i]);
        v->text[at + lens[i]] = 0;
        v->tok_off[ids[i]] = (uint32_t)at;
        v->tok_len[ids[i]] = lens[i];
        at += (size_t)lens[i] + 1;
    }
    tka_trie_key *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) {
        tj_vocab_free(v);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory for the vocabulary");
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (tka_trie_key){toks[i], lens[i], ids[i]};
    tka_status st = tka_trie_build(&v->trie, keys, n, dups, "vocabulary", err);
    free(keys);
    if (st != TKA_OK) {
        tj_vocab_free(v);
        return st;
    }
    v->size = n; /* an object's keys are distinct; Unigram counts its list's entries */
    return TKA_OK;
}

void tj_vocab_free(tj_vocab *v)
{
    free(v->text);
    free(v->tok_off);
    free(v->tok_len);
    tka_trie_free(&v->trie);
    memset(v, 0, sizeof *v);
}

tka_status tj_vocab_from_object(tj_vocab *v, const json_t *obj, const char *path, const char *where,
                                tka_error *err)
{
    if (!json_is_object(obj))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: %s: expected an object of token -> id", path,
                             where);
    size_t n = json_object_size(obj);
    const char **toks = malloc((n ? n : 1) * sizeof *toks);
    uint32_t *lens = malloc((n ? n : 1) * sizeof *lens);
    int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    tka_status st = TKA_OK;
    if (!toks || !lens || !ids) {
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s: %s", path, where);
        goto done;
    }
    size_t i = 0;
    const char *key;
    size_t key_len;
    json_t *value;
    void *it = json_object_iter((json_t *)obj);
    for (; it && i < n; it = json_object_iter_next((json_t *)obj, it), i++) {
        key = json_object_iter_key(it);
        key_len = json_object_iter_key_len(it);
        value = json_object_iter_value(it);
        json_int_t id = json_is_integer(value) ? json_integer_value(value) : -1;
        if (id < 0 || id > (json_int_t)UINT32_MAX) {
            st = tka_error_set(err, TKA_ERR_FORMAT,
                               "%s: %s[\"%.*s\"]: expected an id (an integer from 0 to %u)", path,
                               where, (int)(key_len > 64 ? 64 : key_len), key, UINT32_MAX);
            goto done;
        }
        if (key_len >= UINT32_MAX || id >= INT32_MAX) {
            st = tka_error_set(err, TKA_ERR_LIMIT, "%s: %s[\"%.*s\"]: token or id too large", path,
                               where, (int)(key_len > 64 ? 64 : key_len), key);
            goto done;
        }
        toks[i] = key;
        lens[i] = (uint32_t)key_len;
        ids[i] = (int32_t)id;
    }
    st = tj_vocab_build(v, toks, lens, ids, i, err);
    if (st != TKA_OK)
        tka_error_prefix(err, "%s: %s: ", path, where);
done:
    free(toks);
    free(lens);
    free(ids);
    return st;
}

tka_status tj_json_opt_string(const json_t *obj, const char *key, const char *path, char **out,
                              size_t *len, tka_error *err)
{
    *out = NULL;
    if (len)
        *len = 0;
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return TKA_OK;
    if (!json_is_string(v))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: model.%s: expected a string or null", path,
                             key);
    size_t n = json_string_length(v);
    *out = malloc(n + 1);
    if (!*out)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", path);
    memcpy(*out, json_string_value(v), n);
    (*out)[n] = 0;
    if (len)
        *len = n;
    return TKA_OK;
}

tka_status tj_json_opt_bool(const json_t *obj, const char *key, const char *path, bool dflt,
                            bool *out, tka_error *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = dflt;
    if (!v || json_is_null(v))
        return TKA_OK;
    if (!json_is_boolean(v))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: model.%s: expected true or false", path,
                             key);
    *out = json_is_true(v);
    return TKA_OK;
}

/* COMPAT: a model without "type" is tried by Rust's ModelUntagged as BPE (vocab + merges),
 * then WordPiece, WordLevel, Unigram (a list vocab). */
static int kind_of(const json_t *j, const char *path, tka_error *err)
{
    const json_t *t = json_object_get(j, "type");
    if (t) {
        const char *s = json_string_value(t);
        if (!s) {
            tka_error_set(err, TKA_ERR_FORMAT, "%s: model.type: expected a string", path);
            return -1;
        }
        if (!strcmp(s, "BPE"))
            return TJ_BPE;
        if (!strcmp(s, "WordPiece"))
            return TJ_WORDPIECE;
        if (!strcmp(s, "Unigram"))
            return TJ_UNIGRAM;
        if (!strcmp(s, "WordLevel"))
            return TJ_WORDLEVEL;
        tka_error_set(err, TKA_ERR_UNSUPPORTED,
                      "%s: model.type: unknown model \"%.64s\" (expected BPE, WordPiece, "
                      "Unigram or WordLevel)",
                      path, s);
        return -1;
    }
    if (json_object_get(j, "merges"))
        return TJ_BPE;
    if (json_is_array(json_object_get(j, "vocab")))
        return TJ_UNIGRAM;
    if (json_object_get(j, "continuing_subword_prefix") ||
        json_object_get(j, "max_input_chars_per_word"))
        return TJ_WORDPIECE;
    return TJ_WORDLEVEL;
}

tka_status tj_model_from_json(const json_t *j, const char *path, tj_model **out, tka_error *err)
{
    return tj_model_from_json_bulk(j, path, NULL, out, err);
}

tka_status tj_model_from_json_bulk(const json_t *j, const char *path, struct tj_bulk *bulk,
                                   tj_model **out, tka_error *err)
{
    *out = NULL;
    if (!path)
        path = "tokenizer.json";
    if (!json_is_object(j))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: model: expected an object", path);
    int kind = kind_of(j, path, err);
    if (kind < 0)
        return err ? err->status : TKA_ERR_FORMAT;
    if (bulk && kind != TJ_BPE) /* tj_bulk_scan reads BPE models only */
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "%s: model: scanned sections of a non-BPE model", path);
    tj_model *m = calloc(1, sizeof *m);
    if (!m)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", path);
    static atomic_uint_fast64_t next_serial = 1;
    m->kind = (tj_model_kind)kind;
    m->serial = (uint64_t)atomic_fetch_add(&next_serial, 1);
    tka_status st;
    switch (m->kind) {
    case TJ_BPE: st = tj_bpe_load(m, j, path, bulk, err); break;
    case TJ_WORDPIECE: st = tj_wordpiece_load(m, j, path, err); break;
    case TJ_UNIGRAM: st = tj_unigram_load(m, j, path, err); break;
    default: st = tj_wordlevel_load(m, j, path, err); break;
    }
    if (st != TKA_OK) {
        tj_model_free(m);
        return st;
    }
    *out = m;
    return TKA_OK;
}

void tj_model_free(tj_model *m)
{
    if (!m)
        return;
    switch (m->kind) {
    case TJ_BPE: tj_bpe_free(&m->u.bpe); break;
    case TJ_WORDPIECE: tj_wordpiece_free(&m->u.wp); break;
    case TJ_UNIGRAM: tj_unigram_free(&m->u.uni); break;
    default: tj_wordlevel_free(&m->u.wl); break;
    }
    tj_vocab_free(&m->vocab);
    free(m);
}

/* ------------------------------------------------------------ word cache */

static inline uint64_t word_hash(const char *s, size_t len)
{
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t c = 0;
        memcpy(&c, s + i, len - i < 8 ? len - i : 8);
        h = (h ^ c) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    return h | 1;
}

static tj_cache_slot *cache_for(const tj_model *m, tj_work *w)
{
    if (!w->cache) {
        /* 4 MiB touched at random: on 2 MiB pages (where the system gives them on request)
         * the look-ups stop missing the TLB */
        size_t bytes = ((size_t)1 << TJ_CACHE_BITS) * sizeof(tj_cache_slot);
        void *p = NULL;
        if (posix_memalign(&p, (size_t)2 << 20, bytes))
            return NULL;
#ifdef MADV_HUGEPAGE
        madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
        memset(p, 0, bytes);
        w->cache = p;
        w->cache_owner = m->serial;
    } else if (w->cache_owner != m->serial) {
        memset(w->cache, 0, ((size_t)1 << TJ_CACHE_BITS) * sizeof(tj_cache_slot));
        w->cache_owner = m->serial;
    }
    return w->cache;
}

bool tj_cache_find(const tj_model *m, tj_work *w, const char *word, size_t len, tj_pieces *out,
                   tj_cache_slot **slot, uint64_t *hash, tka_status *st, tka_error *err)
{
    *slot = NULL;
    if (len > TJ_CACHE_WORD)
        return false;
    tj_cache_slot *cache = cache_for(m, w); /* NULL (out of memory): no caching */
    if (!cache)
        return false;
    uint64_t h = word_hash(word, len);
    tj_cache_slot *set = &cache[(h >> (64 - TJ_CACHE_BITS)) & ~(uint64_t)1];
    *slot = set;
    *hash = h;
    for (int k = 0; k < 2; k++) {
        tj_cache_slot *x = &set[k];
        if (x->hash != h || x->len != len || memcmp(x->word, word, len) != 0)
            continue;
        if ((*st = tj_pieces_reserve(out, x->n, err)) != TKA_OK)
            return true;
        uint32_t start = 0;
        for (int i = 0; i < x->n; i++) {
            out->items[out->count++] = (tj_piece){x->id[i], start, x->end[i]};
            start = x->end[i];
        }
        return true;
    }
    return false;
}

void tj_cache_store(tj_cache_slot *slot, uint64_t hash, const char *word, size_t len,
                    const tj_pieces *out, size_t first)
{
    size_t made = out->count - first;
    if (!slot || made > TJ_CACHE_PIECES)
        return;
    /* pieces that do not tile the word (byte fallback's clamped or shared offsets) are
     * not kept: the slot stores ends only */
    for (size_t k = 0; k < made; k++)
        if (out->items[first + k].start != (k ? out->items[first + k - 1].end : 0) ||
            out->items[first + k].end > len)
            return;
    if (made && out->items[first + made - 1].end != len)
        return;
    slot[1] = slot[0];
    slot->hash = hash;
    slot->len = (uint8_t)len;
    slot->n = (uint8_t)made;
    memcpy(slot->word, word, len);
    for (size_t k = 0; k < made; k++) {
        slot->id[k] = out->items[first + k].id;
        slot->end[k] = (uint8_t)out->items[first + k].end;
    }
}

tka_status tj_model_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                             tj_pieces *out, tka_error *err)
{
    if (len >= UINT32_MAX)
        return tka_error_set(err, TKA_ERR_LIMIT, "word of %zu bytes is too long", len);
    switch (m->kind) {
    case TJ_BPE: return tj_bpe_tokenize(m, w, word, len, out, err);
    case TJ_WORDPIECE: return tj_wordpiece_tokenize(m, w, word, len, out, err);
    case TJ_UNIGRAM: return tj_unigram_tokenize(m, w, word, len, out, err);
    default: return tj_wordlevel_tokenize(m, word, len, out, err);
    }
}

size_t tj_model_vocab_size(const tj_model *m)
{
    return m->vocab.size;
}

const char *tj_model_id_to_token(const tj_model *m, int32_t id, size_t *len)
{
    const tj_vocab *v = &m->vocab;
    if (id < 0 || (size_t)id >= v->n_ids || v->tok_off[id] == NO_TOKEN)
        return NULL;
    if (len)
        *len = v->tok_len[id];
    return v->text + v->tok_off[id];
}

int32_t tj_model_token_to_id(const tj_model *m, const char *tok, size_t len)
{
    return tj_vocab_find(&m->vocab, tok, len);
}

const char *tj_model_type(const tj_model *m)
{
    static const char *const names[] = {"BPE", "WordPiece", "Unigram", "WordLevel"};
    return names[m->kind];
}
