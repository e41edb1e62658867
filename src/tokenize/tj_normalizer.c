/* tokenizer.json normalizers, each written as the (char, change) transformation the Rust
 * tokenizer applies, so alignments come out as Rust's. */
#include "tokenize/tj_normalizer.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/utf8.h"
#include "tokalign/text.h"
#include "tokenize/rust_unicode8.h"
#include "tokenize/spm_normalize.h"
#include "tokenize/tj_pretok.h"

typedef enum {
    N_BERT,
    N_NFC,
    N_NFD,
    N_NFKC,
    N_NFKD,
    N_LOWERCASE,
    N_STRIP,
    N_STRIP_ACCENTS,
    N_REPLACE,
    N_PREPEND,
    N_PRECOMPILED,
    N_BYTELEVEL
} ntype;

typedef struct nstep {
    ntype type;
    bool clean_text, chinese, strip_accents, lowercase; /* Bert */
    bool left, right;                                   /* Strip */
    tj_regex *re;                                       /* Replace */
    char *content, *prepend;                            /* Replace / Prepend */
    size_t content_len, prepend_len;
    spm_charsmap cm; /* Precompiled */
    bool slow;       /* Precompiled without its fast paths (tests) */
    unsigned char *blob;
} nstep;

struct tj_normalizer {
    nstep *steps;
    size_t n;
};

bool tj_is_whitespace(uint32_t c)
{
    return (c >= 9 && c <= 13) || c == ' ' || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

bool tj_is_punctuation(uint32_t c)
{
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
               (c >= 123 && c <= 126);
    /* COMPAT: unicode_categories' is_punctuation, Unicode 8.0 (rust_unicode8.h) */
    return rust8_has((int32_t)c, RUST8_PUNCT);
}

/* ------------------------------------------------------------ loading */

static tka_status b64(const char *s, size_t len, unsigned char **out, size_t *n)
{
    unsigned char *o = malloc(len / 4 * 3 + 4);
    if (!o)
        return TKA_ERR_NOMEM;
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                : c == '='             ? -2
                                       : -1;
        if (v == -2)
            break;
        if (v < 0) {
            free(o);
            return TKA_ERR_FORMAT;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (unsigned char)(acc >> bits);
        }
    }
    *out = o;
    *n = k;
    return TKA_OK;
}

static tka_status parse_step(tj_normalizer *nz, const json_t *j, const tj_where *w, tka_error *err);

static tka_status push(tj_normalizer *nz, const nstep *s, tka_error *err)
{
    nstep *p = realloc(nz->steps, (nz->n + 1) * sizeof *p);
    if (!p)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    nz->steps = p;
    nz->steps[nz->n++] = *s;
    return TKA_OK;
}

static tka_status parse_step(tj_normalizer *nz, const json_t *j, const tj_where *w, tka_error *err)
{
    const char *type;
    tka_status st = tj_get_type(j, w, &type, err);
    if (st != TKA_OK)
        return st;
    nstep s;
    memset(&s, 0, sizeof s);
    if (!strcmp(type, "Sequence")) {
        json_t *list = json_object_get(j, "normalizers");
        tj_where lw = tj_at_key(w, "normalizers");
        if (!json_is_array(list))
            return tj_bad(err, &lw, "expected an array");
        for (size_t i = 0; i < json_array_size(list); i++) {
            tj_where iw = tj_at_index(&lw, i);
            if ((st = parse_step(nz, json_array_get(list, i), &iw, err)) != TKA_OK)
                return st;
        }
        return TKA_OK;
    }
    if (!strcmp(type, "BertNormalizer")) {
        s.type = N_BERT;
        s.clean_text = s.chinese = s.lowercase = true;
        if ((st = tj_get_bool(j, "clean_text", w, &s.clean_text, err)) != TKA_OK ||
            (st = tj_get_bool(j, "handle_chinese_chars", w, &s.chinese, err)) != TKA_OK ||
            (st = tj_get_bool(j, "lowercase", w, &s.lowercase, err)) != TKA_OK)
            return st;
        /* COMPAT: strip_accents null follows lowercase */
        s.strip_accents = s.lowercase;
        if ((st = tj_get_bool(j, "strip_accents", w, &s.strip_accents, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "NFC"))
        s.type = N_NFC;
    else if (!strcmp(type, "NFD"))
        s.type = N_NFD;
    else if (!strcmp(type, "NFKC"))
        s.type = N_NFKC;
    else if (!strcmp(type, "NFKD"))
        s.type = N_NFKD;
    else if (!strcmp(type, "Lowercase"))
        s.type = N_LOWERCASE;
    else if (!strcmp(type, "ByteLevel"))
        s.type = N_BYTELEVEL;
    else if (!strcmp(type, "StripAccents"))
        s.type = N_STRIP_ACCENTS;
    else if (!strcmp(type, "Strip")) {
        s.type = N_STRIP;
        s.left = s.right = true;
        if ((st = tj_get_bool(j, "strip_left", w, &s.left, err)) != TKA_OK ||
            (st = tj_get_bool(j, "strip_right", w, &s.right, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "Prepend")) {
        s.type = N_PREPEND;
        const char *p;
        if ((st = tj_get_string(j, "prepend", w, &p, &s.prepend_len, err)) != TKA_OK)
            return st;
        if (!(s.prepend = strndup(p, s.prepend_len)))
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    } else if (!strcmp(type, "Replace")) {
        s.type = N_REPLACE;
        const char *c;
        if ((st = tj_get_string(j, "content", w, &c, &s.content_len, err)) != TKA_OK)
            return st;
        if ((st = tj_regex_from_json(j, "pattern", w, &s.re, err)) != TKA_OK)
            return st;
        if (!(s.content = strndup(c, s.content_len))) {
            tj_regex_free(s.re);
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        }
    } else if (!strcmp(type, "Precompiled")) {
        s.type = N_PRECOMPILED;
        const char *b;
        size_t bl, n = 0;
        if ((st = tj_get_string(j, "precompiled_charsmap", w, &b, &bl, err)) != TKA_OK)
            return st;
        tj_where bw = tj_at_key(w, "precompiled_charsmap");
        if (b64(b, bl, &s.blob, &n) != TKA_OK)
            return tj_bad(err, &bw, "not valid base64");
        char what[300];
        snprintf(what, sizeof what, "%s: %s", bw.file, bw.path);
        if ((st = spm_charsmap_init(&s.cm, (spm_bytes){(const char *)s.blob, n}, what, err)) !=
            TKA_OK) {
            free(s.blob);
            return st;
        }
    } else
        return tj_unsupported(err, w, type);
    st = push(nz, &s, err);
    if (st != TKA_OK) {
        tj_regex_free(s.re);
        free(s.content);
        free(s.prepend);
        spm_charsmap_free(&s.cm);
        free(s.blob);
    }
    return st;
}

tka_status tj_normalizer_from_json(const json_t *j, const tj_where *w, tj_normalizer **out,
                                   tka_error *err)
{
    *out = NULL;
    if (!j || json_is_null(j))
        return TKA_OK;
    tj_normalizer *nz = calloc(1, sizeof *nz);
    if (!nz)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = parse_step(nz, j, w, err);
    if (st != TKA_OK) {
        tj_normalizer_free(nz);
        return st;
    }
    *out = nz;
    return TKA_OK;
}

void tj_normalizer_free(tj_normalizer *nz)
{
    if (!nz)
        return;
    for (size_t i = 0; i < nz->n; i++) {
        nstep *s = &nz->steps[i];
        tj_regex_free(s->re);
        free(s->content);
        free(s->prepend);
        if (s->type == N_PRECOMPILED)
            spm_charsmap_free(&s->cm);
        free(s->blob);
    }
    free(nz->steps);
    free(nz);
}

bool tj_normalizer_text_only(const tj_normalizer *nz)
{
    for (size_t i = 0; nz && i < nz->n; i++)
        if (nz->steps[i].type == N_BYTELEVEL)
            return false;
    return true;
}

void tj_normalizer_drop_fast_paths(tj_normalizer *nz)
{
    for (size_t i = 0; nz && i < nz->n; i++)
        nz->steps[i].slow = true;
}

/* ------------------------------------------------------------ transformations */

static size_t count_chars(const tj_str *s)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->len; i++)
        n += ((unsigned char)s->s[i] & 0xC0) != 0x80;
    return n;
}

/* Rust's NormalizedString::filter. */
static tka_status filter(tj_ctx *cx, tj_str *str, bool (*keep)(uint32_t))
{
    tka_status st = tj_chg_reserve(cx, count_chars(str) + 1);
    if (st != TKA_OK)
        return st;
    size_t n = 0, removed = 0, removed_start = 0;
    bool have_last = false;
    uint32_t last = 0;
    bool any = false;
    for (size_t i = 0; i < str->len;) {
        uint32_t c = (uint32_t)tka_utf8_decode((const uint8_t *)str->s, &i);
        if (keep(c)) {
            if (have_last)
                cx->chg[n++] = (tj_chg){last, -(int32_t)removed};
            else
                removed_start = removed;
            last = c;
            have_last = true;
            removed = 0;
        } else {
            removed++;
            any = true;
        }
    }
    if (!any)
        return TKA_OK;
    if (have_last)
        cx->chg[n++] = (tj_chg){last, -(int32_t)removed};
    else
        removed_start = removed;
    return tj_str_transform(cx, str, cx->chg, n, removed_start);
}

static bool keep_clean(uint32_t c)
{
    if (c == 0 || c == 0xFFFD)
        return false;
    if (c == '\t' || c == '\n' || c == '\r')
        return true;
    if (c < 0x80)
        return c >= 0x20 && c != 0x7F; /* ASCII's Cc: 0x00-0x1F, 0x7F */
    /* COMPAT: Rust's is_other (unicode_categories, Unicode 8.0: rust_unicode8.h) has no
     * Cn entry: unassigned code points, noncharacters and characters assigned since 8.0
     * stay (as in bert_normalize.c's fast rules). */
    return !rust8_is((int32_t)c, utf8proc_category((utf8proc_int32_t)c), RUST8_OTHER);
}

static bool keep_not_mn(uint32_t c)
{
    /* COMPAT: is_mark_nonspacing, Unicode 8.0 (rust_unicode8.h); ASCII has no Mn */
    return c < 0x80 || !rust8_is((int32_t)c, utf8proc_category((utf8proc_int32_t)c), RUST8_MN);
}

static bool keep_not_mark(uint32_t c)
{
    /* COMPAT: StripAccents drops unicode-normalization-alignments' is_combining_mark,
     * General Category M of Unicode 9.0 (rust_unicode8.h); ASCII has no mark */
    return c < 0x80 || !rust8_is((int32_t)c, utf8proc_category((utf8proc_int32_t)c), RUST9_MARK);
}

static bool is_chinese(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Per-char map with 1..3 output chars: first replaces (0), the rest are inserted (1). */
typedef size_t (*charmap)(uint32_t c, uint32_t out[3]);

static tka_status map_chars(tj_ctx *cx, tj_str *str, charmap f)
{
    tka_status st = tj_chg_reserve(cx, 3 * count_chars(str) + 1);
    if (st != TKA_OK)
        return st;
    size_t n = 0;
    bool changed = false;
    for (size_t i = 0; i < str->len;) {
        uint32_t c = (uint32_t)tka_utf8_decode((const uint8_t *)str->s, &i), o[3];
        size_t m = f(c, o);
        changed |= m != 1 || o[0] != c;
        for (size_t k = 0; k < m; k++)
            cx->chg[n++] = (tj_chg){o[k], k > 0};
    }
    return changed ? tj_str_transform(cx, str, cx->chg, n, 0) : TKA_OK;
}

static size_t map_space(uint32_t c, uint32_t o[3])
{
    o[0] = (c == '\t' || c == '\n' || c == '\r' || tj_is_whitespace(c)) ? ' ' : c;
    return 1;
}

static size_t map_lower(uint32_t c, uint32_t o[3])
{
    /* COMPAT: char::to_lowercase; U+0130 is the one unconditional multi-char mapping. */
    if (c == 0x130) {
        o[0] = 'i';
        o[1] = 0x307;
        return 2;
    }
    if (c < 0x80) {
        o[0] = c >= 'A' && c <= 'Z' ? c + 32 : c;
        return 1;
    }
    o[0] = (uint32_t)utf8proc_tolower((utf8proc_int32_t)c);
    return 1;
}

static size_t map_chinese(uint32_t c, uint32_t o[3])
{
    if (!is_chinese(c)) {
        o[0] = c;
        return 1;
    }
    o[0] = ' ';
    o[1] = c;
    o[2] = ' ';
    return 3;
}

/* Unicode normalization form on chunks (a starter and its non-starters): a chunk of k
 * chars becoming m chars gets changes 0.. then +1 for extra chars, or a first -(k-m). */
static tka_status unicode_nf(tj_ctx *cx, tj_str *str, utf8proc_option_t opts)
{
    bool ascii = true;
    for (uint32_t i = 0; i < str->len && ascii; i++)
        ascii = (unsigned char)str->s[i] < 0x80;
    if (ascii)
        return TKA_OK;
    utf8proc_uint8_t *whole = NULL;
    utf8proc_ssize_t wl =
        utf8proc_map((const utf8proc_uint8_t *)str->s, str->len, &whole, opts | UTF8PROC_STABLE);
    if (wl < 0)
        return TKA_ERR_NOMEM;
    bool same = (size_t)wl == str->len && memcmp(whole, str->s, str->len) == 0;
    free(whole);
    if (same)
        return TKA_OK;
    tka_status st = tj_chg_reserve(cx, 18 * count_chars(str) + 16);
    if (st != TKA_OK)
        return st;
    size_t n = 0;
    for (size_t i = 0; i < str->len;) {
        size_t start = i;
        size_t k = 0;
        tka_utf8_decode((const uint8_t *)str->s, &i);
        k++;
        while (i < str->len) {
            size_t j = i;
            uint32_t c = (uint32_t)tka_utf8_decode((const uint8_t *)str->s, &j);
            const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)c);
            bool jamo_vt = (c >= 0x1161 && c <= 0x1175) || (c >= 0x11A8 && c <= 0x11C2);
            if (p->combining_class == 0 && !jamo_vt)
                break;
            i = j;
            k++;
        }
        utf8proc_uint8_t *o = NULL;
        utf8proc_ssize_t ol = utf8proc_map((const utf8proc_uint8_t *)str->s + start, i - start, &o,
                                           opts | UTF8PROC_STABLE);
        if (ol < 0)
            return TKA_ERR_NOMEM;
        size_t m = 0;
        for (size_t b = 0; b < (size_t)ol;) {
            uint32_t c = (uint32_t)tka_utf8_decode(o, &b);
            if (n + 1 >= cx->chg_cap && (st = tj_chg_reserve(cx, cx->chg_cap * 2)) != TKA_OK) {
                free(o);
                return st;
            }
            int32_t ch = m < k ? 0 : 1;
            cx->chg[n++] = (tj_chg){c, ch};
            m++;
        }
        free(o);
        /* COMPAT: composition folds marks into the starter, which carries the removal
         * (unicode_normalization_alignments: "é" from "e" U+0301 has change -1). */
        if (m < k && m > 0)
            cx->chg[n - m].change -= (int32_t)(k - m);
    }
    return tj_str_transform(cx, str, cx->chg, n, 0);
}

static tka_status strip(tj_ctx *cx, tj_str *str, bool left, bool right)
{
    /* Only the ends are read: a string with no whitespace there is left as it is. */
    const uint8_t *u = (const uint8_t *)str->s;
    size_t lead = 0, lb = 0, trail = 0, tb = str->len; /* chars and bytes stripped */
    if (left)
        while (lb < str->len) {
            size_t i = lb;
            if (!tj_is_whitespace((uint32_t)tka_utf8_decode(u, &i)))
                break;
            lb = i;
            lead++;
        }
    if (right) /* all whitespace: stripped from the left only */
        while (tb > lb) {
            size_t b = tb - 1, i;
            while (b > lb && (u[b] & 0xC0) == 0x80)
                b--;
            i = b;
            if (!tj_is_whitespace((uint32_t)tka_utf8_decode(u, &i)))
                break;
            tb = b;
            trail++;
        }
    if (lead == 0 && trail == 0)
        return TKA_OK;
    tka_status st = tj_chg_reserve(cx, tb - lb + 1);
    if (st != TKA_OK)
        return st;
    size_t n = 0;
    for (size_t i = lb; i < tb;)
        cx->chg[n++] = (tj_chg){(uint32_t)tka_utf8_decode(u, &i), 0};
    /* The changes of the kept chars are 0 (Rust's -trailing lands on no later char). */
    return tj_str_transform(cx, str, cx->chg, n, lead);
}

/* Whether cp starts no charsmap rule (known from the table, so no walk is needed). */
static inline bool plain(const nstep *s, uint32_t cp)
{
    return !s->slow && spm_charsmap_plain(&s->cm, cp);
}

/* Whether u[g] is an ASCII char that is a grapheme cluster by itself (followed by the end
 * or by another ASCII char: between two ASCII chars there is always a cluster break but in
 * CR LF) and has no rule of its own. Such a char is copied as is: the rules looked up for
 * a cluster never reach past its end. */
static inline bool plain_ascii(const nstep *s, const uint8_t *u, size_t g, size_t len)
{
    uint8_t b = u[g];
    if (b >= 0x80 || s->slow || spm_charsmap_one_byte_rule(&s->cm, b))
        return false;
    return g + 1 == len || (u[g + 1] < 0x80 && !(b == '\r' && u[g + 1] == '\n'));
}

static tka_status precompiled(tj_ctx *cx, const nstep *s, tj_str *str)
{
    const uint8_t *u = (const uint8_t *)str->s;
    /* Fast path: a text of plain ASCII chars stays as it is (no cluster to find, no rule
     * to look up); the general loop starts at the first other char, a cluster start. */
    size_t g0 = 0;
    while (g0 < str->len && plain_ascii(s, u, g0, str->len))
        g0++;
    if (g0 == str->len)
        return TKA_OK;
    tka_status st = tj_chg_reserve(cx, 8 * (size_t)str->len + 8);
    if (st != TKA_OK)
        return st;
    size_t n = 0;
    bool modified = false;
    for (; n < g0; n++)
        cx->chg[n] = (tj_chg){u[n], 0};
    /* COMPAT: Precompiled::normalize: per grapheme cluster; a cluster under 6 bytes with a
     * rule is replaced whole (the rule of its SHORTEST matching prefix, Darts' first
     * result), else char by char. */
    for (size_t g = g0; g < str->len;) {
        if (plain_ascii(s, u, g, str->len)) {
            cx->chg[n++] = (tj_chg){u[g++], 0};
            continue;
        }
        size_t ge = g;
        utf8proc_int32_t state = 0;
        int32_t prev = tka_utf8_decode(u, &ge), prev0 = prev;
        while (ge < str->len) {
            size_t t = ge;
            int32_t c = tka_utf8_decode(u, &t);
            if (utf8proc_grapheme_break_stateful(prev, c, &state))
                break;
            prev = c;
            ge = t;
        }
        uint32_t v;
        bool done = false;
        /* a cluster whose first char starts no rule has no whole-cluster rule */
        if (ge - g < 6 && !plain(s, (uint32_t)prev0) &&
            spm_charsmap_shortest(&s->cm, str->s + g, ge - g, &v) > 0 && v < s->cm.pool_len) {
            const char *rep = s->cm.pool + v;
            size_t old_chars = 0;
            for (size_t b = g; b < ge; b++)
                old_chars += (u[b] & 0xC0) != 0x80;
            size_t first = n, rl = strlen(rep);
            if (!tka_utf8_valid(rep, rl, NULL))
                return TKA_ERR_FORMAT;
            for (size_t b = 0; b < rl;)
                cx->chg[n++] = (tj_chg){(uint32_t)tka_utf8_decode((const uint8_t *)rep, &b), 0};
            long diff = (long)(n - first) - (long)old_chars;
            if (diff > 0)
                for (long d = 0; d < diff; d++)
                    cx->chg[n - 1 - d].change = 1;
            else if (diff < 0 && n > 0)
                cx->chg[n - 1].change += (int32_t)diff;
            modified = true;
            done = true;
        }
        for (size_t b = g; !done && b < ge;) {
            size_t cl = tka_utf8_seq_len(u[b]), at = b;
            uint32_t cp = (uint32_t)tka_utf8_decode(u, &at);
            if (!plain(s, cp) && spm_charsmap_shortest(&s->cm, str->s + b, cl, &v) == cl &&
                v < s->cm.pool_len) {
                /* only a rule for the whole char applies (transform(part)) */
                const char *rep = s->cm.pool + v;
                size_t first = n, rl = strlen(rep);
                if (!tka_utf8_valid(rep, rl, NULL))
                    return TKA_ERR_FORMAT;
                for (size_t q = 0; q < rl;)
                    cx->chg[n++] = (tj_chg){(uint32_t)tka_utf8_decode((const uint8_t *)rep, &q), 0};
                long diff = (long)(n - first) - 1;
                if (diff > 0)
                    for (long d = 0; d < diff; d++)
                        cx->chg[n - 1 - d].change = 1;
                else if (diff < 0 && n > 0)
                    cx->chg[n - 1].change += (int32_t)diff;
                modified = true;
            } else
                cx->chg[n++] = (tj_chg){cp, 0};
            b += cl;
        }
        g = ge;
    }
    return modified ? tj_str_transform(cx, str, cx->chg, n, 0) : TKA_OK;
}

tka_status tj_normalize(const tj_normalizer *nz, tj_ctx *cx, tj_regex_work *rw, tj_str *str)
{
    tka_status st = TKA_OK;
    for (size_t i = 0; nz && i < nz->n && st == TKA_OK; i++) {
        const nstep *s = &nz->steps[i];
        switch (s->type) {
        case N_BERT:
            if (s->clean_text && (st = filter(cx, str, keep_clean)) == TKA_OK)
                st = map_chars(cx, str, map_space);
            if (st == TKA_OK && s->chinese)
                st = map_chars(cx, str, map_chinese);
            if (st == TKA_OK && s->strip_accents &&
                (st = unicode_nf(cx, str, UTF8PROC_DECOMPOSE)) == TKA_OK)
                st = filter(cx, str, keep_not_mn);
            if (st == TKA_OK && s->lowercase)
                st = map_chars(cx, str, map_lower);
            break;
        case N_NFC: st = unicode_nf(cx, str, UTF8PROC_COMPOSE); break;
        case N_NFD: st = unicode_nf(cx, str, UTF8PROC_DECOMPOSE); break;
        case N_NFKC: st = unicode_nf(cx, str, UTF8PROC_COMPOSE | UTF8PROC_COMPAT); break;
        case N_NFKD: st = unicode_nf(cx, str, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT); break;
        case N_LOWERCASE: st = map_chars(cx, str, map_lower); break;
        case N_STRIP: st = strip(cx, str, s->left, s->right); break;
        case N_STRIP_ACCENTS: st = filter(cx, str, keep_not_mark); break;
        case N_PREPEND: st = tj_str_prepend(cx, str, s->prepend, s->prepend_len); break;
        case N_REPLACE: {
            tj_matches m = {0};
            st = tj_regex_find(s->re, rw, str->s, str->len, false, &m, cx->err);
            size_t k = 0;
            uint32_t *r = NULL;
            if (st == TKA_OK && m.n) {
                r = malloc(2 * m.n * sizeof *r);
                if (!r)
                    st = TKA_ERR_NOMEM;
                for (size_t q = 0; r && q < m.n; q++)
                    if (m.v[q].is_match && m.v[q].e > m.v[q].s) {
                        r[2 * k] = m.v[q].s;
                        r[2 * k + 1] = m.v[q].e;
                        k++;
                    }
            }
            if (st == TKA_OK)
                st = tj_str_replace(cx, str, r, k, s->content, s->content_len);
            free(r);
            tj_matches_free(&m);
            break;
        }
        case N_PRECOMPILED: st = precompiled(cx, s, str); break;
        case N_BYTELEVEL:
            /* Rust's ByteLevel normalizer: the pre-tokenizer's byte-to-char transform, on the
             * whole string (no prefix space, no regex). */
            st = tj_bytelevel_chars(cx, str);
            break;
        }
    }
    return st;
}
