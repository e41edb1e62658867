/* Strict scanner of a BPE tokenizer.json's vocab and merges (see tj_bulk.h): no jansson
 * value per token or merge, strings kept where they lie in the file. */
#include "tokenize/tj_bulk.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"
#include "tokenize/tj_json.h"

/* jansson allows 2048; real files nest 5 deep. Deeper: jansson decides. */
#define MAX_DEPTH 64

typedef struct scanner {
    const uint8_t *p, *end, *base;
    tj_bulk *b;
} scanner;

#define X16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
/* A string byte needing no check: printable ASCII but '"' and '\\'. */
/* clang-format off */
static const uint8_t plain[256] = {
    X16(0), X16(0),                                 /* 0x00-0x1F: control characters */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2F: '"' */
    X16(1), X16(1),                                 /* 0x30-0x4F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50-0x5F: '\\' */
    X16(1), X16(1),                                 /* 0x60-0x7F */
    X16(0), X16(0), X16(0), X16(0),                 /* 0x80-0xFF: UTF-8, checked apart */
    X16(0), X16(0), X16(0), X16(0),
};
/* clang-format on */

static inline void ws(scanner *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\n' || *sc->p == '\r' || *sc->p == '\t'))
        sc->p++;
}

/* Skips whitespace, then true when the next byte is c (consumed). */
static inline bool eat(scanner *sc, uint8_t c)
{
    ws(sc);
    if (sc->p < sc->end && *sc->p == c) {
        sc->p++;
        return true;
    }
    return false;
}

static inline bool at(scanner *sc, uint8_t c)
{
    ws(sc);
    return sc->p < sc->end && *sc->p == c;
}

/* The end of the well-formed UTF-8 sequence at p (lead byte >= 0x80), or NULL: jansson's
 * utf8_check_first / utf8_check_full (no overlong form, surrogate or code point above
 * U+10FFFF). */
static const uint8_t *utf8_seq(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t n = c >= 0xC2 && c <= 0xDF   ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || (size_t)(end - p) < n)
        return NULL;
    uint32_t cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return NULL;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return NULL;
    return p + n;
}

/* The 4 hex digits at p (case-insensitive), or -1. */
static int32_t hex4(const uint8_t *p, const uint8_t *end)
{
    if (end - p < 4)
        return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = tj_hex_digit(p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* Decodes the escapes of the (checked) string body s[0..n) into out; returns the length. */
static size_t unescape(const uint8_t *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            out[o++] = (char)s[i++];
            continue;
        }
        uint8_t e = s[i + 1];
        i += 2;
        if (e != 'u') {
            out[o++] = e == 'b'   ? '\b'
                       : e == 'f' ? '\f'
                       : e == 'n' ? '\n'
                       : e == 'r' ? '\r'
                       : e == 't' ? '\t'
                                  : (char)e; /* '"', '\\', '/' */
            continue;
        }
        int32_t cp = hex4(s + i, s + n);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = ((cp - 0xD800) << 10) + (hex4(s + i + 2, s + n) - 0xDC00) + 0x10000;
            i += 6;
        }
        o += tka_utf8_encode(cp, (uint8_t *)out + o);
    }
    return o;
}

/* The string at sc->p (its opening quote), checked as jansson's lex_scan_string checks it
 * and refused where jansson would refuse its value (\u0000); decoded into *out unless
 * out is NULL. */
static bool string(scanner *sc, tj_bulk_str *out)
{
    const uint8_t *p = sc->p + 1, *end = sc->end, *start = p;
    bool escaped = false;
    for (;;) {
        while (p < end && plain[*p])
            p++;
        if (p >= end)
            return false;
        uint8_t c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            if (end - p < 2)
                return false;
            escaped = true;
            uint8_t e = p[1];
            if (e != 'u') {
                if (!strchr("\"\\/bfnrt", e) || e == 0)
                    return false;
                p += 2;
                continue;
            }
            int32_t v = hex4(p + 2, end);
            p += 6;
            if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF)) /* bad digits, NUL, lone low half */
                return false;
            if (v >= 0xD800 && v <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
                    return false;
                int32_t w = hex4(p + 2, end);
                if (w < 0xDC00 || w > 0xDFFF)
                    return false;
                p += 6;
            }
            continue;
        }
        if (c < 0x80 || !(p = utf8_seq(p, end))) /* a control character, bad UTF-8 */
            return false;
    }
    size_t n = (size_t)(p - start);
    sc->p = p + 1;
    if (!out)
        return true;
    if (n >= UINT32_MAX)
        return false;
    if (!escaped) {
        *out = (tj_bulk_str){(const char *)start, (uint32_t)n};
        return true;
    }
    tj_bulk *b = sc->b;
    if (!b->side) {
        /* every decoded string is at most its source: the buffer's size is enough */
        b->side = malloc((size_t)(end - sc->base) + 1);
        if (!b->side)
            return false;
    }
    char *o = b->side + b->side_len;
    size_t len = unescape(start, n, o);
    b->side_len += len;
    *out = (tj_bulk_str){o, (uint32_t)len};
    return true;
}

static bool literal(scanner *sc, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
        return false;
    sc->p += n;
    return true;
}

static inline bool digit(const scanner *sc)
{
    return sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9';
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(scanner *sc)
{
    if (sc->p < sc->end && *sc->p == '-')
        sc->p++;
    if (!digit(sc))
        return false;
    if (*sc->p++ != '0')
        while (digit(sc))
            sc->p++;
    else if (digit(sc))
        return false;
    if (sc->p < sc->end && *sc->p == '.') {
        sc->p++;
        if (!digit(sc))
            return false;
        while (digit(sc))
            sc->p++;
    }
    if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
        sc->p++;
        if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
            sc->p++;
        if (!digit(sc))
            return false;
        while (digit(sc))
            sc->p++;
    }
    return true;
}

static bool value(scanner *sc, int depth)
{
    if (depth > MAX_DEPTH)
        return false;
    ws(sc);
    if (sc->p >= sc->end)
        return false;
    switch (*sc->p) {
    case '"': return string(sc, NULL);
    case 't': return literal(sc, "true");
    case 'f': return literal(sc, "false");
    case 'n': return literal(sc, "null");
    case '{':
        sc->p++;
        if (eat(sc, '}'))
            return true;
        do {
            if (!at(sc, '"') || !string(sc, NULL) || !eat(sc, ':') || !value(sc, depth + 1))
                return false;
        } while (eat(sc, ','));
        return eat(sc, '}');
    case '[':
        sc->p++;
        if (eat(sc, ']'))
            return true;
        do {
            if (!value(sc, depth + 1))
                return false;
        } while (eat(sc, ','));
        return eat(sc, ']');
    default: return number(sc);
    }
}

/* Room for item `count` (one more entry) in an array of *cap items of `size` bytes. */
static bool grow(void **items, size_t *cap, size_t count, size_t size)
{
    return tka_grow_array(items, cap, count + 1, size, 1024);
}

/* A vocab id: an integer JSON number from 0 to INT32_MAX - 1. Anything else (negative,
 * fractional, too large) goes to jansson and the loader's own message. */
static bool vocab_id(scanner *sc, int32_t *id)
{
    ws(sc);
    if (!digit(sc))
        return false;
    const uint8_t *s = sc->p;
    uint64_t v = 0;
    while (digit(sc) && sc->p - s < 11)
        v = v * 10 + (uint64_t)(*sc->p++ - '0');
    if ((*s == '0' && sc->p - s > 1) || digit(sc) || v >= INT32_MAX)
        return false;
    if (sc->p < sc->end && (*sc->p == '.' || *sc->p == 'e' || *sc->p == 'E'))
        return false;
    *id = (int32_t)v;
    return true;
}

/* Room for one more vocab entry in the three parallel arrays (a failure ends the scan, and
 * the file goes through jansson). */
static bool vocab_room(tj_bulk *b)
{
    size_t cap_len = b->vocab_cap, cap_id = b->vocab_cap;
    return grow((void **)&b->vocab_len, &cap_len, b->n_vocab, sizeof *b->vocab_len) &&
           grow((void **)&b->vocab_id, &cap_id, b->n_vocab, sizeof *b->vocab_id) &&
           grow((void **)&b->vocab_tok, &b->vocab_cap, b->n_vocab, sizeof *b->vocab_tok);
}

static bool vocab(scanner *sc)
{
    tj_bulk *b = sc->b;
    sc->p++; /* '{' */
    if (eat(sc, '}'))
        return true;
    do {
        tj_bulk_str tok;
        int32_t id;
        if (!at(sc, '"') || !string(sc, &tok) || !eat(sc, ':') || !vocab_id(sc, &id))
            return false;
        if (!vocab_room(b))
            return false;
        b->vocab_tok[b->n_vocab] = tok.s;
        b->vocab_len[b->n_vocab] = tok.len;
        b->vocab_id[b->n_vocab++] = id;
    } while (eat(sc, ','));
    return eat(sc, '}');
}

/* Appends string k (0 or 1) of the current entry. */
static bool push_merge(tj_bulk *b, int k, tj_bulk_str s)
{
    size_t at = b->merge_pairs ? 2 * b->n_merges + (size_t)k : b->n_merges;
    if (!grow((void **)&b->merges, &b->merges_cap, at, sizeof *b->merges))
        return false;
    b->merges[at] = s;
    return true;
}

static bool merges(scanner *sc)
{
    tj_bulk *b = sc->b;
    sc->p++; /* '[' */
    if (eat(sc, ']'))
        return true;
    b->merge_pairs = at(sc, '[');
    do {
        tj_bulk_str x, y;
        if (b->merge_pairs) {
            if (!eat(sc, '[') || !at(sc, '"') || !string(sc, &x) || !eat(sc, ',') || !at(sc, '"') ||
                !string(sc, &y) || !eat(sc, ']') || !push_merge(b, 0, x) || !push_merge(b, 1, y))
                return false;
        } else if (!at(sc, '"') || !string(sc, &x) || !push_merge(b, 0, x)) {
            return false;
        }
        b->n_merges++;
    } while (eat(sc, ','));
    return eat(sc, ']');
}

static bool key_is(tj_bulk_str k, const char *s)
{
    return k.len == strlen(s) && !memcmp(k.s, s, k.len);
}

/* The "model" object: its type, vocab and merges; every other member checked and skipped. */
static bool model(scanner *sc)
{
    bool bpe = false, seen_type = false, seen_vocab = false, seen_merges = false;
    sc->p++; /* '{' */
    if (eat(sc, '}'))
        return false;
    do {
        tj_bulk_str k, type;
        if (!at(sc, '"') || !string(sc, &k) || !eat(sc, ':'))
            return false;
        ws(sc);
        if (sc->p >= sc->end)
            return false;
        /* a key given twice is jansson's error to report */
        if (key_is(k, "type")) {
            if (seen_type || *sc->p != '"' || !string(sc, &type))
                return false;
            seen_type = true;
            bpe = key_is(type, "BPE");
        } else if (key_is(k, "vocab")) {
            if (seen_vocab || *sc->p != '{')
                return false;
            seen_vocab = true;
            sc->b->vocab_at[0] = (size_t)(sc->p - sc->base);
            if (!vocab(sc))
                return false;
            sc->b->vocab_at[1] = (size_t)(sc->p - sc->base);
        } else if (key_is(k, "merges")) {
            if (seen_merges || *sc->p != '[')
                return false;
            seen_merges = true;
            sc->b->merges_at[0] = (size_t)(sc->p - sc->base);
            if (!merges(sc))
                return false;
            sc->b->merges_at[1] = (size_t)(sc->p - sc->base);
        } else if (!value(sc, 3)) {
            return false;
        }
    } while (eat(sc, ','));
    return eat(sc, '}') && bpe && seen_vocab && seen_merges;
}

static bool document(scanner *sc)
{
    bool seen_model = false;
    if (!eat(sc, '{') || eat(sc, '}'))
        return false;
    do {
        tj_bulk_str k;
        if (!at(sc, '"') || !string(sc, &k) || !eat(sc, ':'))
            return false;
        if (key_is(k, "model")) {
            if (seen_model || !at(sc, '{') || !model(sc))
                return false;
            seen_model = true;
        } else if (!value(sc, 2)) {
            return false;
        }
    } while (eat(sc, ','));
    if (!eat(sc, '}'))
        return false;
    ws(sc);
    return seen_model && sc->p == sc->end;
}

bool tj_bulk_scan(const char *buf, size_t n, tj_bulk *b)
{
    memset(b, 0, sizeof *b);
    scanner sc = {(const uint8_t *)buf, (const uint8_t *)buf + n, (const uint8_t *)buf, b};
    tka_error err = {0};
    /* a token listed twice is jansson's "duplicate object key" (the trie refuses it); a
     * vocabulary the loader refuses gets its message through jansson too */
    if (!document(&sc) ||
        tj_vocab_build_dups(&b->vocab, (const char *const *)b->vocab_tok, b->vocab_len, b->vocab_id,
                            b->n_vocab, TKA_TRIE_DUPS_ERROR, &err) != TKA_OK) {
        tj_bulk_free(b);
        return false;
    }
    return true;
}

char *tj_bulk_splice(const char *buf, size_t n, const tj_bulk *b, size_t *len)
{
    const size_t *first = b->vocab_at, *second = b->merges_at;
    const char *with[2] = {"{}", "[]"};
    if (second[0] < first[0]) {
        first = b->merges_at;
        second = b->vocab_at;
        with[0] = "[]";
        with[1] = "{}";
    }
    size_t total = n - (first[1] - first[0]) - (second[1] - second[0]) + 4;
    char *out = malloc(total + 1);
    if (!out)
        return NULL;
    char *o = out;
    memcpy(o, buf, first[0]);
    o += first[0];
    memcpy(o, with[0], 2);
    o += 2;
    memcpy(o, buf + first[1], second[0] - first[1]);
    o += second[0] - first[1];
    memcpy(o, with[1], 2);
    o += 2;
    memcpy(o, buf + second[1], n - second[1]);
    *len = total;
    out[total] = 0;
    return out;
}

void tj_bulk_free(tj_bulk *b)
{
    if (!b)
        return;
    free(b->vocab_tok);
    free(b->vocab_len);
    free(b->vocab_id);
    tj_vocab_free(&b->vocab);
    free(b->merges);
    free(b->side);
    memset(b, 0, sizeof *b);
}
