/* tokenizer.json pre-tokenizers as Rust's PreTokenizedString::split over the aligned
 * string; character-class splits are written out, regex splits go through PCRE2. */
#include "tokenize/tj_pretok.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <utf8proc.h>

#include "core/utf8.h"
#include "tokalign/text.h"
#include "tokenize/rust_unicode8.h"
#include "tokenize/tj_bytelevel.h"
#include "tokenize/tj_normalizer.h"

typedef enum {
    P_BERT,
    P_BYTELEVEL,
    P_WHITESPACE,
    P_WHITESPACE_SPLIT,
    P_METASPACE,
    P_SPLIT,
    P_PUNCTUATION,
    P_DIGITS,
    P_UNICODE_SCRIPTS,
    P_CHAR_DELIMITER,
    P_FIXED_LENGTH
} ptype;

typedef struct pstep {
    ptype type;
    bool add_prefix_space, use_regex; /* ByteLevel */
    tj_regex *re;                     /* ByteLevel (GPT-2 pattern), Split */
    tj_behavior behavior;             /* Split, Punctuation */
    bool invert;                      /* Split */
    bool individual_digits;           /* Digits */
    tj_metaspace meta;                /* Metaspace */
    uint32_t delimiter;               /* CharDelimiterSplit */
    size_t length;                    /* FixedLength: chars per piece */
} pstep;

struct tj_pretok {
    pstep *steps;
    size_t n;
};

static tka_status behavior_of(const json_t *j, const tj_where *w, tj_behavior *b, tka_error *err)
{
    json_t *v = json_object_get(j, "behavior");
    if (!v)
        return TKA_OK;
    const char *s = json_string_value(v);
    static const struct {
        const char *name;
        tj_behavior b;
    } names[] = {{"Removed", TJ_REMOVED},
                 {"Isolated", TJ_ISOLATED},
                 {"MergedWithPrevious", TJ_MERGED_WITH_PREVIOUS},
                 {"MergedWithNext", TJ_MERGED_WITH_NEXT},
                 {"Contiguous", TJ_CONTIGUOUS}};
    for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
        if (!strcmp(s, names[i].name)) {
            *b = names[i].b;
            return TKA_OK;
        }
    tj_where bw = tj_at_key(w, "behavior");
    return tj_bad(err, &bw,
                  "expected Removed, Isolated, MergedWithPrevious, MergedWithNext or "
                  "Contiguous");
}

tka_status tj_metaspace_from_json(const json_t *j, const tj_where *w, tj_metaspace *m,
                                  tka_error *err)
{
    static const struct {
        const char *name;
        tj_prepend_scheme scheme;
    } schemes[] = {
        {"always", TJ_PREPEND_ALWAYS}, {"first", TJ_PREPEND_FIRST}, {"never", TJ_PREPEND_NEVER}};
    memset(m, 0, sizeof *m);
    tka_status st = tj_get_char(j, "replacement", w, &m->rep_cp, err);
    if (st != TKA_OK)
        return st;
    m->rep_len = tka_utf8_encode((int32_t)m->rep_cp, (uint8_t *)m->rep);
    /* COMPAT: serde's default ("always") only for a missing key: null is refused. */
    m->scheme = TJ_PREPEND_ALWAYS;
    json_t *ps = json_object_get(j, "prepend_scheme");
    if (ps) {
        const char *v = json_string_value(ps);
        size_t i = 0;
        while (i < sizeof schemes / sizeof *schemes && !(v && !strcmp(v, schemes[i].name)))
            i++;
        if (i == sizeof schemes / sizeof *schemes) {
            tj_where pw = tj_at_key(w, "prepend_scheme");
            return tj_bad(err, &pw, "expected \"always\", \"first\" or \"never\"");
        }
        m->scheme = schemes[i].scheme;
    }
    bool aps = true;
    if ((st = tj_get_bool(j, "add_prefix_space", w, &aps, err)) != TKA_OK)
        return st;
    /* COMPAT: Metaspace's deserializer: add_prefix_space false means "never" and contradicts
     * any other scheme, the default "always" included. */
    if (!aps && m->scheme != TJ_PREPEND_NEVER) {
        tj_where aw = tj_at_key(w, "add_prefix_space");
        return tj_bad(err, &aw, "add_prefix_space does not match declared prepend_scheme");
    }
    m->split = true;
    return tj_get_bool(j, "split", w, &m->split, err);
}

static tka_status parse_step(tj_pretok *p, const json_t *j, const tj_where *w, tka_error *err)
{
    const char *type;
    tka_status st = tj_get_type(j, w, &type, err);
    if (st != TKA_OK)
        return st;
    pstep s;
    memset(&s, 0, sizeof s);
    char where[300];
    snprintf(where, sizeof where, "%s: %s", w->file, w->path);
    if (!strcmp(type, "Sequence")) {
        json_t *list = json_object_get(j, "pretokenizers");
        tj_where lw = tj_at_key(w, "pretokenizers");
        if (!json_is_array(list))
            return tj_bad(err, &lw, "expected an array");
        for (size_t i = 0; i < json_array_size(list); i++) {
            tj_where iw = tj_at_index(&lw, i);
            if ((st = parse_step(p, json_array_get(list, i), &iw, err)) != TKA_OK)
                return st;
        }
        return TKA_OK;
    } else if (!strcmp(type, "BertPreTokenizer"))
        s.type = P_BERT;
    else if (!strcmp(type, "Whitespace"))
        s.type = P_WHITESPACE;
    else if (!strcmp(type, "WhitespaceSplit"))
        s.type = P_WHITESPACE_SPLIT;
    else if (!strcmp(type, "ByteLevel")) {
        s.type = P_BYTELEVEL;
        s.add_prefix_space = s.use_regex = true;
        if ((st = tj_get_bool(j, "add_prefix_space", w, &s.add_prefix_space, err)) != TKA_OK ||
            (st = tj_get_bool(j, "use_regex", w, &s.use_regex, err)) != TKA_OK)
            return st;
        if (s.use_regex && (st = tj_regex_new(tj_gpt2_pattern, strlen(tj_gpt2_pattern), false,
                                              where, &s.re, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "Metaspace")) {
        s.type = P_METASPACE;
        if ((st = tj_metaspace_from_json(j, w, &s.meta, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "Split")) {
        s.type = P_SPLIT;
        if ((st = behavior_of(j, w, &s.behavior, err)) != TKA_OK ||
            (st = tj_get_bool(j, "invert", w, &s.invert, err)) != TKA_OK)
            return st;
        if (!json_object_get(j, "behavior")) {
            tj_where bw = tj_at_key(w, "behavior");
            return tj_bad(err, &bw, "missing");
        }
        if ((st = tj_regex_from_json(j, "pattern", w, &s.re, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "Punctuation")) {
        s.type = P_PUNCTUATION;
        s.behavior = TJ_ISOLATED;
        if ((st = behavior_of(j, w, &s.behavior, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "Digits")) {
        s.type = P_DIGITS;
        if ((st = tj_get_bool(j, "individual_digits", w, &s.individual_digits, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "UnicodeScripts")) {
        s.type = P_UNICODE_SCRIPTS;
    } else if (!strcmp(type, "CharDelimiterSplit")) {
        s.type = P_CHAR_DELIMITER;
        if ((st = tj_get_char(j, "delimiter", w, &s.delimiter, err)) != TKA_OK)
            return st;
    } else if (!strcmp(type, "FixedLength")) {
        s.type = P_FIXED_LENGTH;
        s.length = 5; /* Rust's default_length */
        json_t *l = json_object_get(j, "length");
        tj_where lw = tj_at_key(w, "length");
        if (l && !json_is_integer(l))
            return tj_bad(err, &lw, "expected a positive integer");
        if (l) {
            json_int_t v = json_integer_value(l);
            /* Rust's slice::chunks(0) panics: refused here. */
            if (v <= 0)
                return tj_bad(err, &lw, "expected a positive integer");
            s.length = (uint64_t)v > SIZE_MAX ? SIZE_MAX : (size_t)v;
        }
    } else
        return tj_unsupported(err, w, type);
    pstep *q = realloc(p->steps, (p->n + 1) * sizeof *q);
    if (!q) {
        tj_regex_free(s.re);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    p->steps = q;
    p->steps[p->n++] = s;
    return TKA_OK;
}

tka_status tj_pretok_from_json(const json_t *j, const tj_where *w, tj_pretok **out, tka_error *err)
{
    *out = NULL;
    if (!j || json_is_null(j))
        return TKA_OK;
    tj_pretok *p = calloc(1, sizeof *p);
    if (!p)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = parse_step(p, j, w, err);
    if (st != TKA_OK) {
        tj_pretok_free(p);
        return st;
    }
    *out = p;
    return TKA_OK;
}

void tj_pretok_free(tj_pretok *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        tj_regex_free(p->steps[i].re);
    free(p->steps);
    free(p);
}

const tj_regex *tj_pretok_bytelevel_regex(const tj_pretok *p)
{
    if (!p || p->n == 0 || p->n > 2)
        return NULL;
    const pstep *bl = &p->steps[p->n - 1];
    if (bl->type != P_BYTELEVEL || bl->add_prefix_space)
        return NULL;
    if (p->n == 1)
        return bl->use_regex ? bl->re : NULL;
    const pstep *sp = &p->steps[0];
    return !bl->use_regex && sp->type == P_SPLIT && sp->behavior == TJ_ISOLATED && !sp->invert
               ? sp->re
               : NULL;
}

const tj_metaspace *tj_pretok_metaspace(const tj_pretok *p)
{
    /* "first" reads where the normalized text starts in the original: not known here */
    if (!p || p->n != 1 || p->steps[0].type != P_METASPACE ||
        p->steps[0].meta.scheme == TJ_PREPEND_FIRST)
        return NULL;
    return &p->steps[0].meta;
}

/* ------------------------------------------------------------ char patterns */

/* A char predicate and what it reads (the delimiter of CharDelimiterSplit, ...). */
typedef bool (*charpred)(uint32_t c, const void *ctx);

/* Rust's Pattern for a char or an Fn(char) -> bool: each matching char is one match. The
 * one splitter of every char-class pre-tokenizer (BERT, WhitespaceSplit, Punctuation, Digits,
 * CharDelimiterSplit, Metaspace). */
static tka_status char_matches(const tj_str *s, charpred f, const void *ctx, tj_matches *m)
{
    m->n = 0;
    if (s->len == 0)
        return tj_matches_push(m, 0, 0, 0);
    uint32_t last = 0;
    tka_status st = TKA_OK;
    for (size_t i = 0; i < s->len && st == TKA_OK;) {
        size_t b = i;
        uint32_t c = (uint32_t)tka_utf8_decode((const uint8_t *)s->s, &i);
        if (f(c, ctx)) {
            if (last < b)
                st = tj_matches_push(m, last, (uint32_t)b, 0);
            if (st == TKA_OK)
                st = tj_matches_push(m, (uint32_t)b, (uint32_t)i, 1);
            last = (uint32_t)i;
        }
    }
    if (st == TKA_OK && last < s->len)
        st = tj_matches_push(m, last, s->len, 0);
    return st;
}

static bool is_numeric(uint32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    if (k == UTF8PROC_CATEGORY_CN) {
        /* COMPAT: Rust's char::is_numeric has Unicode 16.0 tables (Garay's digits U+10D40...
         * are new): the generated Unicode 16.0 table gives their category */
        const rust16_range *r = rust16_find((int32_t)c);
        k = r ? (utf8proc_category_t)r->category : k;
    }
    return k == UTF8PROC_CATEGORY_ND || k == UTF8PROC_CATEGORY_NL || k == UTF8PROC_CATEGORY_NO;
}

bool tj_is_word_char(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_';
    /* Alphabetic is the letters, Nl and Other_Alphabetic (some So, e.g. circled letters):
     * ICU has the property, utf8proc only the categories. */
    utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    if (k == UTF8PROC_CATEGORY_CN) {
        /* COMPAT: Rust's `regex` crate has Unicode 16.0 tables; utf8proc 2.8 and ICU 72 have
         * 15.0: the characters new since come from the generated Unicode 16.0 table */
        const rust16_range *r = rust16_find((int32_t)c);
        if (!r)
            return false;
        k = (utf8proc_category_t)r->category;
        if (r->alphabetic)
            return true;
    }
    return (k >= UTF8PROC_CATEGORY_MN && k <= UTF8PROC_CATEGORY_ME) || k == UTF8PROC_CATEGORY_ND ||
           k == UTF8PROC_CATEGORY_PC || u_hasBinaryProperty((UChar32)c, UCHAR_ALPHABETIC) ||
           u_hasBinaryProperty((UChar32)c, UCHAR_JOIN_CONTROL);
}

/* The predicates char_matches takes. */
static bool whitespace_pred(uint32_t c, const void *ctx)
{
    (void)ctx;
    return tj_is_whitespace(c);
}

static bool punctuation_pred(uint32_t c, const void *ctx)
{
    (void)ctx;
    return tj_is_punctuation(c);
}

static bool numeric_pred(uint32_t c, const void *ctx)
{
    (void)ctx;
    return is_numeric(c);
}

/* ctx: the uint32_t char to split on */
static bool char_pred(uint32_t c, const void *ctx)
{
    return c == *(const uint32_t *)ctx;
}

/* Rust's fixed_script: the script of c as the Unicode 9.0 table the Rust tokenizer ships
 * (scripts.rs, from sentencepiece's generator), with ' ' as "Any" (joins either side),
 * U+30FC, Hiragana and Katakana as Han. ICU gives the script; code points not assigned in
 * Unicode 9.0 are absent from Rust's table, which answers Any for them. */
#define SCRIPT_ANY (-1)
static int fixed_script(uint32_t c)
{
    if (c == 0x30FC)
        return USCRIPT_HAN;
    if (c == ' ')
        return SCRIPT_ANY;
    UVersionInfo age;
    u_charAge((UChar32)c, age);
    if (age[0] == 0 || age[0] > 9) /* COMPAT: unassigned in Unicode 9.0 -> Script::Any */
        return SCRIPT_ANY;
    /* COMPAT: the Script values Unicode changed after 9.0 for chars assigned by then (ICU 72
     * is Unicode 15; every code point to U+31FFF and the tags were compared with the Rust
     * tokenizer, these are the only differences). */
    if (c == 0x0589 || c == 0x061C)
        return USCRIPT_COMMON;
    if (c == 0x0953 || c == 0x0954)
        return USCRIPT_DEVANAGARI;
    UErrorCode e = U_ZERO_ERROR;
    UScriptCode k = uscript_getScript((UChar32)c, &e);
    if (U_FAILURE(e) || k == USCRIPT_UNKNOWN)
        return SCRIPT_ANY;
    if (k == USCRIPT_HIRAGANA || k == USCRIPT_KATAKANA || k == USCRIPT_KATAKANA_OR_HIRAGANA)
        return USCRIPT_HAN;
    return (int)k;
}

/* UnicodeScripts: a cut before each char whose script differs from the last non-Any one.
 * COMPAT: as in Rust, the text before the first cut (leading spaces) is dropped, and a
 * string of only spaces gives no split. */
static tka_status script_matches(const tj_str *s, tj_matches *m)
{
    m->n = 0;
    int last = SCRIPT_ANY;
    bool have_last = false;
    uint32_t from = 0;
    bool started = false;
    tka_status st = TKA_OK;
    for (size_t i = 0; i < s->len && st == TKA_OK;) {
        size_t b = i;
        int k = fixed_script((uint32_t)tka_utf8_decode((const uint8_t *)s->s, &i));
        if (k == SCRIPT_ANY)
            continue;
        if (!have_last || last != k) {
            if (b > from || (!started && b > 0))
                st = tj_matches_push(m, from, (uint32_t)b, started ? 0 : 1);
            from = (uint32_t)b;
            started = true;
        }
        last = k;
        have_last = true;
    }
    if (st == TKA_OK && from < s->len)
        st = tj_matches_push(m, from, s->len, started ? 0 : 1);
    return st;
}

/* FixedLength: consecutive pieces of `length` chars (the last one shorter), as Rust's
 * chunks over the char positions of the normalized string; nothing for an empty string. */
static tka_status fixed_length_split(const tj_str *s, size_t length, tj_splits *out)
{
    tka_status st = TKA_OK;
    size_t i = 0;
    while (i < s->len && st == TKA_OK) {
        size_t b = i;
        for (size_t k = 0; k < length && i < s->len; k++) {
            size_t l = tka_utf8_seq_len((uint8_t)s->s[i]);
            i = l > s->len - i ? s->len : i + l;
        }
        tj_split sp = {tj_str_slice(s, (uint32_t)b, (uint32_t)i), -1};
        st = tj_splits_push(out, &sp);
    }
    return st;
}

/* Whitespace: Invert(\w+|[^\w\s]+) with Removed, i.e. keep runs of word chars and runs of
 * other non-space chars. */
static tka_status whitespace_matches(const tj_str *s, tj_matches *m)
{
    m->n = 0;
    if (s->len == 0)
        return tj_matches_push(m, 0, 0, 0);
    uint32_t prev = 0;
    tka_status st = TKA_OK;
    size_t i = 0;
    while (i < s->len && st == TKA_OK) {
        size_t b = i, j = i;
        uint32_t c = (uint32_t)tka_utf8_decode((const uint8_t *)s->s, &j);
        int cls = tj_is_word_char(c) ? 1 : tj_is_whitespace(c) ? 0 : 2;
        if (cls == 0) {
            i = j;
            continue;
        }
        size_t e = j;
        while (e < s->len) {
            size_t t = e;
            uint32_t d = (uint32_t)tka_utf8_decode((const uint8_t *)s->s, &t);
            int dc = tj_is_word_char(d) ? 1 : tj_is_whitespace(d) ? 0 : 2;
            if (dc != cls)
                break;
            e = t;
        }
        /* inverted: the gaps are the matches (removed), the runs are kept */
        if (prev < b)
            st = tj_matches_push(m, prev, (uint32_t)b, 1);
        if (st == TKA_OK)
            st = tj_matches_push(m, (uint32_t)b, (uint32_t)e, 0);
        prev = (uint32_t)e;
        i = e;
    }
    if (st == TKA_OK && prev < s->len)
        st = tj_matches_push(m, prev, s->len, 1);
    return st;
}

/* ------------------------------------------------------------ steps */

tka_status tj_bytelevel_chars(tj_ctx *cx, tj_str *str)
{
    /* COMPAT: each byte of a char becomes its GPT-2 char; the first replaces the char (its
     * alignment), the others are inserted (the alignment of the byte before the insertion
     * point: the char's last byte). Written out instead of going through tj_str_transform
     * with those changes (same bytes, same alignments; the goldens' offsets check it):
     * this runs on every byte of byte-level text. */
    size_t len = str->len, cap = 2 * len; /* GPT-2 chars have one or two UTF-8 bytes */
    char *s = tka_arena_alloc(cx->arena, cap + 1, 8);
    tj_al *al = tka_arena_alloc(cx->arena, (cap ? cap : 1) * sizeof *al, 8);
    if (!s || !al)
        return TKA_ERR_NOMEM;
    const uint8_t *in = (const uint8_t *)str->s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t l = tka_utf8_seq_len(in[i]);
        if (l > len - i)
            l = len - i;
        for (size_t k = 0; k < l; k++) {
            size_t cl;
            const char *u = tj_bytelevel_char(in[i + k], &cl);
            tj_al a = str->al[k ? i + l - 1 : i];
            s[o] = u[0];
            al[o++] = a;
            if (cl == 2) {
                s[o] = u[1];
                al[o++] = a;
            }
        }
        i += l;
    }
    s[o] = 0;
    str->s = s;
    str->al = al;
    str->len = (uint32_t)o;
    return TKA_OK;
}

static tka_status apply(const pstep *s, tj_ctx *cx, tj_pretok_work *w, tj_split *in, tj_splits *out)
{
    tka_status st = TKA_OK;
    tj_str str = in->str;
    switch (s->type) {
    case P_BERT: {
        tj_splits *tmp = &w->tmp;
        tmp->n = 0;
        if ((st = char_matches(&str, whitespace_pred, NULL, &w->m)) == TKA_OK)
            st = tj_split_by(&str, &w->m, TJ_REMOVED, tmp);
        for (size_t i = 0; i < tmp->n && st == TKA_OK; i++)
            if ((st = char_matches(&tmp->v[i].str, punctuation_pred, NULL, &w->m)) == TKA_OK)
                st = tj_split_by(&tmp->v[i].str, &w->m, TJ_ISOLATED, out);
        return st;
    }
    case P_WHITESPACE:
        if ((st = whitespace_matches(&str, &w->m)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, TJ_REMOVED, out);
    case P_WHITESPACE_SPLIT:
        if ((st = char_matches(&str, whitespace_pred, NULL, &w->m)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, TJ_REMOVED, out);
    case P_PUNCTUATION:
        if ((st = char_matches(&str, punctuation_pred, NULL, &w->m)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, s->behavior, out);
    case P_DIGITS:
        if ((st = char_matches(&str, numeric_pred, NULL, &w->m)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, s->individual_digits ? TJ_ISOLATED : TJ_CONTIGUOUS, out);
    case P_UNICODE_SCRIPTS:
        if ((st = script_matches(&str, &w->m)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, TJ_REMOVED, out);
    case P_CHAR_DELIMITER:
        if ((st = char_matches(&str, char_pred, &s->delimiter, &w->m)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, TJ_REMOVED, out);
    case P_FIXED_LENGTH: return fixed_length_split(&str, s->length, out);
    case P_SPLIT:
        w->m.n = 0;
        if ((st = tj_regex_find(s->re, w->rw, str.s, str.len, s->invert, &w->m, cx->err)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, s->behavior, out);
    case P_METASPACE: {
        /* replace ' ' by the replacement */
        uint32_t *r = NULL;
        size_t k = 0;
        for (uint32_t i = 0; i < str.len; i++)
            k += str.s[i] == ' ';
        if (k) {
            r = malloc(2 * k * sizeof *r);
            if (!r)
                return TKA_ERR_NOMEM;
            k = 0;
            for (uint32_t i = 0; i < str.len; i++)
                if (str.s[i] == ' ') {
                    r[2 * k] = i;
                    r[2 * k + 1] = i + 1;
                    k++;
                }
            st = tj_str_replace(cx, &str, r, k, s->meta.rep, s->meta.rep_len);
            free(r);
            if (st != TKA_OK)
                return st;
        }
        const tj_metaspace *ms = &s->meta;
        bool starts = str.len >= ms->rep_len && !memcmp(str.s, ms->rep, ms->rep_len);
        if (!starts &&
            (ms->scheme == TJ_PREPEND_ALWAYS || (ms->scheme == TJ_PREPEND_FIRST && str.shift == 0)))
            if ((st = tj_str_prepend(cx, &str, ms->rep, ms->rep_len)) != TKA_OK)
                return st;
        if (!ms->split) {
            tj_split sp = {str, -1};
            return str.len ? tj_splits_push(out, &sp) : TKA_OK;
        }
        if ((st = char_matches(&str, char_pred, &ms->rep_cp, &w->m)) != TKA_OK)
            return st;
        return tj_split_by(&str, &w->m, TJ_MERGED_WITH_NEXT, out);
    }
    case P_BYTELEVEL: {
        if (s->add_prefix_space && !(str.len && str.s[0] == ' '))
            if ((st = tj_str_prepend(cx, &str, " ", 1)) != TKA_OK)
                return st;
        size_t first = out->n;
        if (s->use_regex) {
            w->m.n = 0;
            if ((st = tj_regex_find(s->re, w->rw, str.s, str.len, false, &w->m, cx->err)) !=
                    TKA_OK ||
                (st = tj_split_by(&str, &w->m, TJ_ISOLATED, out)) != TKA_OK)
                return st;
        } else if (str.len) {
            tj_split sp = {str, -1};
            if ((st = tj_splits_push(out, &sp)) != TKA_OK)
                return st;
        }
        for (size_t i = first; i < out->n && st == TKA_OK; i++)
            st = tj_bytelevel_chars(cx, &out->v[i].str);
        return st;
    }
    }
    return TKA_OK;
}

tka_status tj_pretokenize(const tj_pretok *p, tj_ctx *cx, tj_pretok_work *w, tj_splits *sp)
{
    if (!p)
        return TKA_OK;
    for (size_t k = 0; k < p->n; k++) {
        tj_splits *out = &w->spare;
        out->n = 0;
        tka_status st = TKA_OK;
        for (size_t i = 0; i < sp->n && st == TKA_OK; i++) {
            if (sp->v[i].added >= 0)
                st = tj_splits_push(out, &sp->v[i]);
            else
                st = apply(&p->steps[k], cx, w, &sp->v[i], out);
        }
        if (st != TKA_OK)
            return st;
        tj_splits t = *sp;
        *sp = *out;
        *out = t;
    }
    return TKA_OK;
}
