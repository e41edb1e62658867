/* SentencePiece's normalizer: precompiled charsmap lookups and the
 * whitespace rules of Normalizer::Normalize, with an exact ASCII fast path. */
#include "tokenize/spm_normalize.h"
#include "core/grow.h"
#include "core/try.h"

#include <stdlib.h>
#include <string.h>

/* ---- Darts-clone unit layout (darts.h, DoubleArrayUnit) ---- */
static inline bool da_has_leaf(uint32_t u)
{
    return (u >> 8) & 1;
}
static inline uint32_t da_value(uint32_t u)
{
    return u & 0x7fffffffu;
}
static inline uint32_t da_label(uint32_t u)
{
    return u & 0x800000ffu;
}
static inline uint32_t da_offset(uint32_t u)
{
    return (u >> 10) << ((u & (1u << 9)) >> 6);
}

/* Fills cm->plain: cp is plain when the Darts walk along its UTF-8 bytes leaves the
 * trie inside the character without passing a rule. */
static bool charsmap_plain(spm_charsmap *cm)
{
    cm->plain = calloc(65536 / 64, sizeof *cm->plain);
    if (!cm->plain)
        return false;
    const uint32_t *u = cm->units;
    size_t nu = cm->n_units;
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        if (cp >= 0xd800 && cp < 0xe000)
            continue;
        unsigned char b[3];
        size_t len;
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            len = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xc0 | cp >> 6);
            b[1] = (unsigned char)(0x80 | (cp & 0x3f));
            len = 2;
        } else {
            b[0] = (unsigned char)(0xe0 | cp >> 12);
            b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp & 0x3f));
            len = 3;
        }
        bool plain = false;
        size_t id = da_offset(u[0]);
        for (size_t i = 0; i < len; i++) {
            id ^= b[i];
            if (id >= nu || da_label(u[id]) != b[i]) {
                plain = true; /* left the trie before any rule matched */
                break;
            }
            if (da_has_leaf(u[id]))
                break; /* a rule ends inside or at this character */
            id ^= da_offset(u[id]);
        }
        if (plain)
            cm->plain[cp >> 6] |= (uint64_t)1 << (cp & 63);
    }
    return true;
}

tka_status spm_charsmap_init(spm_charsmap *cm, spm_bytes blob, const char *what, tka_error *err)
{
    memset(cm, 0, sizeof *cm);
    if (blob.len <= 4)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: corrupt SentencePiece model: precompiled_charsmap of %zu bytes "
                             "is too short to hold its trie size",
                             what, blob.len);
    const unsigned char *p = (const unsigned char *)blob.data;
    uint32_t trie_size =
        (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if ((size_t)trie_size >= blob.len || (size_t)trie_size > blob.len - 4)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: corrupt SentencePiece model: precompiled_charsmap trie size %u "
                             "exceeds the %zu-byte blob",
                             what, trie_size, blob.len);
    size_t n_units = trie_size / 4;
    if (n_units == 0)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: corrupt SentencePiece model: precompiled_charsmap trie is empty",
                             what);
    cm->pool = blob.data + 4 + trie_size;
    cm->pool_len = blob.len - 4 - trie_size;
    /* Replacements are NUL-terminated strings; one ending the pool keeps
     * every lookup inside it. */
    if (cm->pool_len == 0 || cm->pool[cm->pool_len - 1] != '\0')
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: corrupt SentencePiece model: precompiled_charsmap replacement "
                             "strings do not end with a NUL byte",
                             what);
    cm->units = malloc(n_units * sizeof *cm->units);
    if (!cm->units)
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", what);
    for (size_t i = 0; i < n_units; i++) {
        const unsigned char *q = p + 4 + 4 * i;
        cm->units[i] =
            (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
    }
    cm->n_units = n_units;
    if (!charsmap_plain(cm)) {
        spm_charsmap_free(cm);
        tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", what);
        return TKA_ERR_NOMEM;
    }
    for (unsigned b = 0; b < 128; b++) {
        char one = (char)b;
        uint32_t value;
        if (spm_charsmap_shortest(cm, &one, 1, &value))
            cm->one_byte_rule[b >> 6] |= (uint64_t)1 << (b & 63);
    }
    return TKA_OK;
}

void spm_charsmap_free(spm_charsmap *cm)
{
    if (!cm)
        return;
    free(cm->units);
    free(cm->plain);
    memset(cm, 0, sizeof *cm);
}

/* Darts' commonPrefixSearch: the length of the last (longest) hit, or with
 * `first` of the first (shortest); 0 when none. Every index is checked
 * against the array, which a well-formed trie never leaves. */
static size_t charsmap_walk(const spm_charsmap *cm, const char *s, size_t len, uint32_t *value,
                            bool first)
{
    const uint32_t *u = cm->units;
    size_t n = cm->n_units, best = 0;
    size_t id = da_offset(u[0]);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        id ^= c;
        if (id >= n)
            break;
        uint32_t unit = u[id];
        if (da_label(unit) != c)
            break;
        id ^= da_offset(unit);
        if (da_has_leaf(unit)) {
            if (id >= n)
                break;
            best = i + 1;
            *value = da_value(u[id]);
            if (first)
                break;
        }
    }
    return best;
}

size_t spm_charsmap_longest(const spm_charsmap *cm, const char *s, size_t len, uint32_t *value)
{
    return charsmap_walk(cm, s, len, value, false);
}

size_t spm_charsmap_shortest(const spm_charsmap *cm, const char *s, size_t len, uint32_t *value)
{
    return charsmap_walk(cm, s, len, value, true);
}

size_t spm_utf8_valid_len(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0)
        return 0;
    if (u[0] < 0x80)
        return 1;
#define TRAIL(x) (((x)&0xc0) == 0x80)
    if (len >= 2 && (u[0] & 0xe0) == 0xc0) {
        uint32_t cp = ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
        return TRAIL(u[1]) && cp >= 0x80 ? 2 : 0;
    }
    if (len >= 3 && (u[0] & 0xf0) == 0xe0) {
        uint32_t cp =
            ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
        return TRAIL(u[1]) && TRAIL(u[2]) && cp >= 0x800 && (cp < 0xd800 || cp >= 0xe000) ? 3 : 0;
    }
    if (len >= 4 && (u[0] & 0xf8) == 0xf0) {
        uint32_t cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3f) << 12) |
                      ((uint32_t)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
        return TRAIL(u[1]) && TRAIL(u[2]) && TRAIL(u[3]) && cp >= 0x10000 && cp <= 0x10ffff ? 4 : 0;
    }
#undef TRAIL
    return 0;
}

static const char ascii_identity[128] = {
    0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,  14,  15,  16,  17,  18,
    19,  20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,
    38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,  56,
    57,  58,  59,  60,  61,  62,  63,  64,  65,  66,  67,  68,  69,  70,  71,  72,  73,  74,  75,
    76,  77,  78,  79,  80,  81,  82,  83,  84,  85,  86,  87,  88,  89,  90,  91,  92,  93,  94,
    95,  96,  97,  98,  99,  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113,
    114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127};

/* Fills the ASCII tables. A byte gets no fast path (ext all ones) when a
 * user-defined symbol starts with it or its rule points outside the pool. */
static void init_ascii(spm_normalizer *n)
{
    for (unsigned b = 0; b < 128; b++) {
        n->ascii_repl[b] = &ascii_identity[b];
        n->ascii_repl_len[b] = 1;
        n->ascii_ext[b][0] = n->ascii_ext[b][1] = 0;
        if (n->has_user && (n->user_first[b >> 3] >> (b & 7) & 1)) {
            n->ascii_ext[b][0] = n->ascii_ext[b][1] = ~(uint64_t)0;
            continue;
        }
        if (!n->has_charsmap)
            continue;
        const uint32_t *u = n->charsmap.units;
        size_t nu = n->charsmap.n_units;
        size_t id = da_offset(u[0]) ^ b;
        if (id >= nu || da_label(u[id]) != b)
            continue; /* no rule starts with b: copied as is */
        uint32_t unit = u[id];
        id ^= da_offset(unit);
        if (da_has_leaf(unit)) {
            uint32_t v = id < nu ? da_value(u[id]) : UINT32_MAX;
            if (v >= n->charsmap.pool_len) {
                n->ascii_ext[b][0] = n->ascii_ext[b][1] = ~(uint64_t)0;
                continue;
            }
            const char *r = n->charsmap.pool + v;
            size_t rl = strlen(r);
            if (rl > 255) {
                n->ascii_ext[b][0] = n->ascii_ext[b][1] = ~(uint64_t)0;
                continue;
            }
            n->ascii_repl[b] = r;
            n->ascii_repl_len[b] = (uint8_t)rl;
        }
        for (unsigned c = 0; c < 128; c++) {
            size_t id2 = id ^ c;
            if (id2 < nu && da_label(u[id2]) == c)
                n->ascii_ext[b][c >> 6] |= (uint64_t)1 << (c & 63);
        }
    }
}

tka_status spm_normalizer_init(spm_normalizer *n, const spm_proto_normalizer *spec,
                               bool treat_whitespace_as_suffix, const spm_bytes *user,
                               size_t n_user, const char *path, tka_error *err)
{
    memset(n, 0, sizeof *n);
    n->path = path;
    n->add_dummy_prefix = spec->add_dummy_prefix;
    n->remove_extra_whitespaces = spec->remove_extra_whitespaces;
    n->escape_whitespaces = spec->escape_whitespaces;
    n->treat_whitespace_as_suffix = treat_whitespace_as_suffix;
    tka_status st;
    if (spec->precompiled_charsmap.len > 0) {
        TKA_TRY(spm_charsmap_init(&n->charsmap, spec->precompiled_charsmap, path, err));
        n->has_charsmap = true;
    }
    if (n_user > 0) {
        tka_trie_key *keys = malloc(n_user * sizeof *keys);
        if (!keys) {
            spm_normalizer_free(n);
            return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", path);
        }
        for (size_t i = 0; i < n_user; i++) {
            keys[i] = (tka_trie_key){user[i].data, user[i].len, 0};
            unsigned char b = (unsigned char)user[i].data[0];
            n->user_first[b >> 3] |= (uint8_t)(1u << (b & 7));
        }
        st =
            tka_trie_build(&n->user, keys, n_user, TKA_TRIE_DUPS_ERROR, "user-defined symbol", err);
        free(keys);
        if (st != TKA_OK) {
            spm_normalizer_free(n);
            return tka_error_prefix(err, "%s: user-defined symbols: ", path);
        }
        n->has_user = true;
    }
    init_ascii(n);
    return TKA_OK;
}

void spm_normalizer_free(spm_normalizer *n)
{
    if (!n)
        return;
    spm_charsmap_free(&n->charsmap);
    tka_trie_free(&n->user);
    n->has_charsmap = n->has_user = false;
}

void spm_normalized_init(spm_normalized *out, char *text, size_t text_cap, uint32_t *map,
                         size_t map_cap)
{
    memset(out, 0, sizeof *out);
    out->text = text;
    out->cap = text ? text_cap : 0;
    out->map = map;
    out->map_cap = map ? map_cap : 0;
}

void spm_normalized_free(spm_normalized *out)
{
    if (!out)
        return;
    if (out->text_heap)
        free(out->text);
    if (out->map_heap)
        free(out->map);
    memset(out, 0, sizeof *out);
}

size_t spm_user_prefix(const spm_normalizer *n, const char *s, size_t len)
{
    const tka_trie *t = &n->user;
    if (!n->has_user || !(n->user_first[(unsigned char)s[0] >> 3] >> ((unsigned char)s[0] & 7) & 1))
        return 0;
    size_t best;
    tka_trie_longest(t, TKA_TRIE_ROOT, s, len, &best);
    return best;
}

typedef struct norm_piece {
    const char *text; /* normalized form of the consumed input */
    size_t len;
    size_t consumed; /* input bytes */
} norm_piece;

/* Normalizer::NormalizePrefix: user-defined symbol, else the longest charsmap
 * rule, else one character as is (U+FFFD for one ill-formed byte). */
static tka_status norm_prefix(const spm_normalizer *n, const char *s, size_t len, norm_piece *p,
                              tka_error *err)
{
    unsigned char b = (unsigned char)s[0];
    if (b < 0x80) {
        unsigned char c = len > 1 ? (unsigned char)s[1] : 0;
        if (len == 1 ? n->ascii_ext[b][0] != ~(uint64_t)0
                     : c < 0x80 && !(n->ascii_ext[b][c >> 6] >> (c & 63) & 1)) {
            p->text = n->ascii_repl[b];
            p->len = n->ascii_repl_len[b];
            p->consumed = 1;
            return TKA_OK;
        }
    }
    if (b >= 0xc2 && b < 0xf0 && !(n->has_user && (n->user_first[b >> 3] >> (b & 7) & 1))) {
        /* A well-formed 2- or 3-byte character that starts no rule. */
        const unsigned char *q = (const unsigned char *)s;
        uint32_t cp = 0;
        size_t cl = 0;
        if (b < 0xe0) {
            if (len >= 2 && (q[1] & 0xc0) == 0x80) {
                cp = (uint32_t)(b & 0x1f) << 6 | (q[1] & 0x3f);
                cl = 2;
            }
        } else if (len >= 3 && (q[1] & 0xc0) == 0x80 && (q[2] & 0xc0) == 0x80) {
            cp = (uint32_t)(b & 0x0f) << 12 | (uint32_t)(q[1] & 0x3f) << 6 | (q[2] & 0x3f);
            cl = cp >= 0x800 && (cp < 0xd800 || cp >= 0xe000) ? 3 : 0;
        }
        if (cl && (!n->has_charsmap || spm_charsmap_plain(&n->charsmap, cp))) {
            p->text = s;
            p->len = p->consumed = cl;
            return TKA_OK;
        }
    }
    if (n->has_user) {
        size_t m = spm_user_prefix(n, s, len);
        if (m) {
            p->text = s;
            p->len = p->consumed = m;
            return TKA_OK;
        }
    }
    if (n->has_charsmap) {
        uint32_t v = 0;
        size_t m = spm_charsmap_longest(&n->charsmap, s, len, &v);
        if (m) {
            if (v >= n->charsmap.pool_len)
                return tka_error_set(err, TKA_ERR_FORMAT,
                                     "%s: corrupt SentencePiece model: a precompiled_charsmap "
                                     "rule points at offset %u outside the %zu-byte replacement "
                                     "pool",
                                     n->path, v, n->charsmap.pool_len);
            p->text = n->charsmap.pool + v;
            p->len = strlen(p->text);
            p->consumed = m;
            return TKA_OK;
        }
    }
    size_t cl = spm_utf8_valid_len(s, len);
    if (cl == 0) {
        p->text = "\xEF\xBF\xBD";
        p->len = 3;
        p->consumed = 1;
    } else {
        p->text = s;
        p->len = p->consumed = cl;
    }
    return TKA_OK;
}

static tka_status reserve(spm_normalized *out, size_t extra, bool want_map)
{
    if (extra > SIZE_MAX / 8 - out->len)
        return TKA_ERR_NOMEM;
    size_t need = out->len + extra + 1;
    if (need > out->cap && !tka_grow_array_keep((void **)&out->text, &out->cap, &out->text_heap,
                                                need, out->len, 1, 256))
        return TKA_ERR_NOMEM;
    /* The map always covers the text capacity, so one check guards both. */
    if (want_map && out->map_cap < out->cap &&
        !tka_grow_array_keep((void **)&out->map, &out->map_cap, &out->map_heap, out->cap, out->len,
                             sizeof *out->map, 256))
        return TKA_ERR_NOMEM;
    return TKA_OK;
}

#define SPACE_SYMBOL "\xe2\x96\x81"

tka_status spm_normalize(const spm_normalizer *n, const char *in, size_t len, bool want_map,
                         spm_normalized *out, tka_error *err)
{
    out->len = 0;
    if (len == 0)
        return TKA_OK;
    if (len > UINT32_MAX)
        return tka_error_set(err, TKA_ERR_LIMIT, "text of %zu bytes exceeds the 4 GiB limit", len);
    tka_status st;
    norm_piece p;
    size_t consumed = 0;

    if (n->remove_extra_whitespaces) {
        /* Leading input whose normalized form is exactly one space is dropped. */
        while (consumed < len) {
            TKA_TRY(norm_prefix(n, in + consumed, len - consumed, &p, err));
            if (!(p.len == 1 && p.text[0] == ' '))
                break;
            consumed += p.consumed;
        }
        if (consumed == len)
            return TKA_OK;
    }
    if (reserve(out, (len - consumed) * 3 + 8, want_map) != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory normalizing text");
    char *t = out->text;
    uint32_t *map = out->map;
    size_t o = 0;

#define ADD_SPACE()                                                    \
    do {                                                               \
        if (n->escape_whitespaces) {                                   \
            memcpy(t + o, SPACE_SYMBOL, 3);                            \
            if (want_map)                                              \
                map[o] = map[o + 1] = map[o + 2] = (uint32_t)consumed; \
            o += 3;                                                    \
        } else {                                                       \
            t[o] = ' ';                                                \
            if (want_map)                                              \
                map[o] = (uint32_t)consumed;                           \
            o += 1;                                                    \
        }                                                              \
    } while (0)

    if (!n->treat_whitespace_as_suffix && n->add_dummy_prefix)
        ADD_SPACE();

    bool is_prev_space = n->remove_extra_whitespaces;
    while (consumed < len) {
        st = norm_prefix(n, in + consumed, len - consumed, &p, err);
        if (st != TKA_OK) {
            out->len = 0;
            return st;
        }
        const char *sp = p.text;
        size_t sl = p.len;
        if (is_prev_space)
            while (sl > 0 && *sp == ' ') {
                sp++;
                sl--;
            }
        if (sl > 0) {
            if (out->cap - o < sl * 3 + 8) {
                out->len = o;
                if (reserve(out, sl * 3 + 8, want_map) != TKA_OK)
                    return tka_error_set(err, TKA_ERR_NOMEM, "out of memory normalizing text");
                t = out->text;
                map = out->map;
            }
            for (size_t k = 0; k < sl; k++) {
                if (sp[k] == ' ' && n->escape_whitespaces) {
                    memcpy(t + o, SPACE_SYMBOL, 3);
                    if (want_map)
                        map[o] = map[o + 1] = map[o + 2] = (uint32_t)consumed;
                    o += 3;
                } else {
                    t[o] = sp[k];
                    if (want_map)
                        map[o] = (uint32_t)consumed;
                    o++;
                }
            }
            is_prev_space = sp[sl - 1] == ' ';
        }
        consumed += p.consumed;
        if (!n->remove_extra_whitespaces)
            is_prev_space = false;
    }

    if (n->remove_extra_whitespaces) {
        /* COMPAT: Normalizer::Normalize strips every trailing space symbol,
         * including U+2581 characters that were in the input itself. */
        const char *space = n->escape_whitespaces ? SPACE_SYMBOL : " ";
        size_t sl = n->escape_whitespaces ? 3 : 1;
        while (o >= sl && memcmp(t + o - sl, space, sl) == 0) {
            o -= sl;
            if (want_map)
                consumed = map[o];
        }
    }
    if (n->treat_whitespace_as_suffix && n->add_dummy_prefix)
        ADD_SPACE();
#undef ADD_SPACE
    if (want_map)
        map[o] = (uint32_t)consumed;
    t[o] = '\0';
    out->len = o;
    return TKA_OK;
}
