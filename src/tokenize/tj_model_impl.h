/* Internals shared by the tokenizer.json models: the vocabulary, the scratch space and the
 * per-model structures behind the opaque tj_model. */
#ifndef TKA_TOKENIZE_TJ_MODEL_IMPL_H
#define TKA_TOKENIZE_TJ_MODEL_IMPL_H

#include <stdbool.h>

#include "tokenize/trie.h"
#include "tokenize/tj_model.h"

/* token <-> id of a "vocab" section. */
typedef struct tj_vocab {
    char *text;        /* every token, NUL-terminated, back to back */
    uint32_t *tok_off; /* per id: offset into text, UINT32_MAX when no token has the id */
    uint32_t *tok_len; /* per id: byte length */
    size_t n_ids;      /* largest id + 1 */
    size_t size;       /* entries given (Rust: vocab.len()) */
    tka_trie trie;     /* token -> id */
} tj_vocab;

static inline int32_t tj_vocab_find(const tj_vocab *v, const char *s, size_t len)
{
    return tka_trie_find(&v->trie, s, len);
}

/* Builds a vocabulary from n (token, length, id) triples; a token listed twice keeps its
 * last id, an id listed twice names its last token. */
tka_status tj_vocab_build(tj_vocab *v, const char *const *toks, const uint32_t *lens,
                          const int32_t *ids, size_t n, tka_error *err);
/* The same, where a token listed twice is as `dups` says (tj_vocab_build: the last). */
tka_status tj_vocab_build_dups(tj_vocab *v, const char *const *toks, const uint32_t *lens,
                               const int32_t *ids, size_t n, tka_trie_dups dups, tka_error *err);
void tj_vocab_free(tj_vocab *v);

/* Reads a {"token": id, ...} object (BPE, WordPiece, WordLevel). */
tka_status tj_vocab_from_object(tj_vocab *v, const json_t *obj, const char *path, const char *where,
                                tka_error *err);

typedef enum tj_model_kind { TJ_BPE, TJ_WORDPIECE, TJ_UNIGRAM, TJ_WORDLEVEL } tj_model_kind;

/* One merge: the pair (a, b) -> rank and the id of the merged token. */
typedef struct tj_merge {
    uint64_t key; /* (uint64_t)a << 32 | b; UINT64_MAX marks an empty slot */
    uint32_t rank;
    int32_t new_id;
} tj_merge;

typedef struct tj_bpe {
    tj_merge *merges; /* open-addressing hash table, power-of-two size */
    size_t mask;
    int shift;       /* 64 - log2(table size): the hash takes the product's high bits */
    char *unk_token; /* NULL when none */
    size_t unk_len;
    char *prefix, *suffix; /* continuing_subword_prefix, end_of_word_suffix (NULL when none) */
    size_t prefix_len, suffix_len;
    bool fuse_unk, byte_fallback, ignore_merges;
    bool meta_chunks;     /* words may be cut before each "▁" (tj_bpe_tokenize) */
    int32_t byte_id[256]; /* id of "<0xXX>", -1 when absent */
    int32_t char_id[256]; /* id of the one-byte token b (no prefix/suffix), -1 when absent */
} tj_bpe;

typedef struct tj_wordpiece {
    char *unk_token;
    size_t unk_len;
    char *prefix;
    size_t prefix_len;
    size_t max_chars;
    int32_t prefix_node; /* trie node reached by the prefix, -1 when no token starts with it */
} tj_wordpiece;

typedef struct tj_unigram {
    double *score;  /* per id */
    int32_t unk_id; /* -1 when none */
    bool byte_fallback;
    double min_score;
    int32_t byte_id[256];
} tj_unigram;

typedef struct tj_wordlevel {
    char *unk_token;
    size_t unk_len;
} tj_wordlevel;

struct tj_model {
    tj_model_kind kind;
    uint64_t serial; /* unique per loaded model: names the owner of a tj_work's word cache */
    tj_vocab vocab;
    union {
        tj_bpe bpe;
        tj_wordpiece wp;
        tj_unigram uni;
        tj_wordlevel wl;
    } u;
};

/* Scratch memory: a few growable arrays, each reused call after call. */
#define TJ_WORK_SLOTS 4
struct tj_work {
    void *slot[TJ_WORK_SLOTS];
    size_t cap[TJ_WORK_SLOTS];
    void *cache;          /* the cache of short words (tj_cache_*), NULL until first used */
    uint64_t cache_owner; /* serial of the model the cache holds words of */
};
/* At least `bytes` bytes of slot i (contents not kept), or NULL when out of memory. */
void *tj_work_get(tj_work *w, int i, size_t bytes);

/* Room for `extra` more pieces. */
tka_status tj_pieces_reserve(tj_pieces *p, size_t extra, tka_error *err);

/* Optional string field: NULL/null/absent -> *out NULL; a string -> a copy. */
tka_status tj_json_opt_string(const json_t *obj, const char *key, const char *path, char **out,
                              size_t *len, tka_error *err);
/* Optional boolean field (absent or null -> dflt). */
tka_status tj_json_opt_bool(const json_t *obj, const char *key, const char *path, bool dflt,
                            bool *out, tka_error *err);

/* bulk: NULL, or the scanned vocab and merges (tj_bulk.h) standing for the {} and [] of j */
tka_status tj_bpe_load(tj_model *m, const json_t *j, const char *path, struct tj_bulk *bulk,
                       tka_error *err);
void tj_bpe_free(tj_bpe *b);
tka_status tj_bpe_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                           tj_pieces *out, tka_error *err);

tka_status tj_wordpiece_load(tj_model *m, const json_t *j, const char *path, tka_error *err);
void tj_wordpiece_free(tj_wordpiece *wp);
tka_status tj_wordpiece_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                                 tj_pieces *out, tka_error *err);

/* The pieces of recent short words, per tj_work (Rust's BPE and Unigram keep such a cache
 * too): in running text most words repeat, and a hit skips the model's work. Two-way set
 * associative (a new word goes in way 0, pushing the old one to way 1), one cache line per
 * word. Only words of at most TJ_CACHE_WORD bytes and pieces that tile the word are kept. */
#define TJ_CACHE_BITS 16
#define TJ_CACHE_WORD 24
#define TJ_CACHE_PIECES 6

typedef struct tj_cache_slot {
    uint64_t hash; /* 0: empty */
    uint8_t len, n;
    uint8_t end[TJ_CACHE_PIECES];
    char word[TJ_CACHE_WORD];
    int32_t id[TJ_CACHE_PIECES];
} tj_cache_slot;

/* Looks word up: on a hit appends its pieces to out, sets *st and returns true; on a miss
 * returns false with *slot (NULL: not cacheable) and *hash for tj_cache_store. */
bool tj_cache_find(const tj_model *m, tj_work *w, const char *word, size_t len, tj_pieces *out,
                   tj_cache_slot **slot, uint64_t *hash, tka_status *st, tka_error *err);
/* Keeps the pieces out->items[first..] of word (when they fit and tile it). */
void tj_cache_store(tj_cache_slot *slot, uint64_t hash, const char *word, size_t len,
                    const tj_pieces *out, size_t first);

tka_status tj_unigram_load(tj_model *m, const json_t *j, const char *path, tka_error *err);
void tj_unigram_free(tj_unigram *u);
tka_status tj_unigram_tokenize(const tj_model *m, tj_work *w, const char *word, size_t len,
                               tj_pieces *out, tka_error *err);

tka_status tj_wordlevel_load(tj_model *m, const json_t *j, const char *path, tka_error *err);
void tj_wordlevel_free(tj_wordlevel *wl);
tka_status tj_wordlevel_tokenize(const tj_model *m, const char *word, size_t len, tj_pieces *out,
                                 tka_error *err);

#endif
