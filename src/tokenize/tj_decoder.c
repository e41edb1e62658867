/* tokenizer.json decoders: each a step over the list of token strings (Rust's decode_chain),
 * the final list concatenated. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"
#include "tokenize/tj_bytelevel.h"
#include "tokenize/tj_decoder.h"
#include "tokenize/tj_json.h"
#include "tokenize/tj_pretok.h"
#include "tokenize/tj_regex.h"

typedef enum dec_kind {
    D_JOIN, /* no decoder: tokens joined with " " */
    D_BYTELEVEL,
    D_WORDPIECE,
    D_METASPACE,
    D_BPE,
    D_BYTEFALLBACK,
    D_FUSE,
    D_STRIP,
    D_REPLACE,
    D_CTC,
    D_SEQUENCE
} dec_kind;

struct tj_decoder {
    dec_kind kind;
    char *a, *b; /* WordPiece prefix, BPE suffix, Replace content, CTC pad + delimiter */
    size_t la, lb;
    bool flag;   /* WordPiece/CTC cleanup; Metaspace: prepend_scheme is not "never" */
    uint32_t cp; /* Metaspace replacement, Strip content */
    size_t start, stop;
    tj_regex *re; /* Replace */
    tj_decoder **seq;
    size_t n_seq;
};

/* A list of token strings, back to back in one buffer. */
typedef struct toklist {
    tka_buf text;
    size_t *off, *len;
    size_t n, cap;
} toklist;

static void list_free(toklist *l)
{
    tka_buf_free(&l->text);
    free(l->off);
    free(l->len);
}

static void list_clear(toklist *l)
{
    l->text.len = 0;
    l->n = 0;
}

/* Starts a new token at the end of the text: append its bytes to l->text afterwards. */
static tka_status list_open(toklist *l)
{
    if (l->n == l->cap) {
        size_t cap;
        if (!tka_grow_capacity(l->cap, l->n + 1, sizeof *l->off, 64, &cap) ||
            !tka_resize_array((void **)&l->off, cap, sizeof *l->off) ||
            !tka_resize_array((void **)&l->len, cap, sizeof *l->len))
            return TKA_ERR_NOMEM;
        l->cap = cap;
    }
    l->off[l->n] = l->text.len;
    l->len[l->n++] = 0;
    return TKA_OK;
}

/* Ends the token opened last. */
static void list_close(toklist *l)
{
    l->len[l->n - 1] = l->text.len - l->off[l->n - 1];
}

static tka_status list_push(toklist *l, const char *s, size_t n)
{
    tka_status st = list_open(l);
    if (st == TKA_OK && n)
        st = tka_buf_append(&l->text, s, n);
    if (st == TKA_OK)
        list_close(l);
    return st;
}

#define TOK(l, i) ((l)->text.data ? (l)->text.data + (l)->off[i] : "")

/* First occurrence of f (lf > 0 bytes) in s[0..n), or NULL. */
static const char *find(const char *s, size_t n, const char *f, size_t lf)
{
    while (n >= lf) {
        const char *c = memchr(s, f[0], n - lf + 1);
        if (!c)
            return NULL;
        if (!memcmp(c, f, lf))
            return c;
        n -= (size_t)(c + 1 - s);
        s = c + 1;
    }
    return NULL;
}

/* Rust's str::replace: every non-overlapping occurrence of `from`, left to right; an empty
 * `from` matches at every char boundary, both ends included. */
static tka_status append_replaced(tka_buf *out, const char *s, size_t n, const char *from,
                                  size_t lf, const char *to, size_t lt)
{
    tka_status st = TKA_OK;
    if (lf == 0) {
        for (size_t i = 0; i < n && st == TKA_OK;) {
            size_t cl = tka_utf8_seq_len((uint8_t)s[i]);
            if (cl > n - i)
                cl = n - i;
            st = tka_buf_append(out, to, lt);
            if (st == TKA_OK)
                st = tka_buf_append(out, s + i, cl);
            i += cl;
        }
        return st ? st : tka_buf_append(out, to, lt);
    }
    size_t i = 0;
    while (st == TKA_OK) {
        const char *hit = find(s + i, n - i, from, lf);
        if (!hit)
            break;
        size_t at = (size_t)(hit - s);
        st = tka_buf_append(out, s + i, at - i);
        if (st == TKA_OK)
            st = tka_buf_append(out, to, lt);
        i = at + lf;
    }
    return st ? st : tka_buf_append(out, s + i, n - i);
}

/* wordpiece::cleanup: a fixed series of replacements, each over the result of the last. */
static tka_status cleanup(const char *s, size_t n, tka_buf *out, tka_buf *tmp)
{
    static const char *const rules[][2] = {{" .", "."},     {" ?", "?"},           {" !", "!"},
                                           {" ,", ","},     {" ' ", "'"},          {" n't", "n't"},
                                           {" 'm", "'m"},   {" do not", " don't"}, {" 's", "'s"},
                                           {" 've", "'ve"}, {" 're", "'re"}};
    tka_buf a = {0};
    tka_status st = tka_buf_append(&a, s, n);
    for (size_t r = 0; r < sizeof rules / sizeof rules[0] && st == TKA_OK; r++) {
        tmp->len = 0;
        st = append_replaced(tmp, a.data ? a.data : "", a.len, rules[r][0], strlen(rules[r][0]),
                             rules[r][1], strlen(rules[r][1]));
        tka_buf swap = a;
        a = *tmp;
        *tmp = swap;
    }
    if (st == TKA_OK)
        st = tka_buf_append(out, a.data ? a.data : "", a.len);
    tka_buf_free(&a);
    return st;
}

static tka_status step(const tj_decoder *d, toklist *in, toklist *out, tka_buf *tmp,
                       tka_error *err);

static tka_status step_bytelevel(toklist *in, toklist *out, tka_buf *tmp)
{
    /* COMPAT: a token whose every char is one of the 256 becomes those bytes, any other
     * token stays as it is; the bytes of all tokens are then read as UTF-8 with one U+FFFD
     * per maximal ill-formed subsequence (String::from_utf8_lossy). */
    tmp->len = 0;
    tka_status st = TKA_OK;
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        const uint8_t *s = (const uint8_t *)TOK(in, i);
        size_t n = in->len[i], mark = tmp->len;
        bool all = true;
        for (size_t k = 0; k < n && all;) {
            int b = tj_bytelevel_byte((uint32_t)tka_utf8_decode(s, &k));
            if (b < 0)
                all = false;
            else
                st = tka_buf_append_char(tmp, (char)b);
        }
        if (!all) {
            tmp->len = mark;
            st = tka_buf_append(tmp, s, n);
        }
    }
    if (st == TKA_OK)
        st = list_open(out);
    if (st == TKA_OK)
        st = tka_utf8_append_replacing(&out->text, tmp->data ? tmp->data : "", tmp->len);
    if (st == TKA_OK)
        list_close(out);
    return st;
}

static tka_status step_wordpiece(const tj_decoder *d, toklist *in, toklist *out, tka_buf *tmp)
{
    tka_status st = TKA_OK;
    tka_buf t = {0};
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        const char *s = TOK(in, i);
        size_t n = in->len[i];
        t.len = 0;
        if (i != 0 && n >= d->la && !memcmp(s, d->a, d->la))
            st = tka_buf_append(&t, s + d->la, n - d->la);
        else if (i != 0)
            st = tka_buf_append_char(&t, ' ') ? TKA_ERR_NOMEM : tka_buf_append(&t, s, n);
        else
            st = tka_buf_append(&t, s, n);
        if (st == TKA_OK)
            st = list_open(out);
        if (st == TKA_OK)
            st = d->flag ? cleanup(t.data ? t.data : "", t.len, &out->text, tmp)
                         : tka_buf_append(&out->text, t.data ? t.data : "", t.len);
        if (st == TKA_OK)
            list_close(out);
    }
    tka_buf_free(&t);
    return st;
}

static tka_status step_metaspace(const tj_decoder *d, toklist *in, toklist *out)
{
    tka_status st = TKA_OK;
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        const uint8_t *s = (const uint8_t *)TOK(in, i);
        size_t n = in->len[i];
        if ((st = list_open(out)))
            break;
        for (size_t k = 0; k < n && st == TKA_OK;) {
            size_t at = k;
            uint32_t c = (uint32_t)tka_utf8_decode(s, &k);
            if (c != d->cp)
                st = tka_buf_append(&out->text, s + at, k - at);
            /* COMPAT: in the first token every replacement char goes, not only a leading
             * one, unless prepend_scheme is "never". */
            else if (!(i == 0 && d->flag))
                st = tka_buf_append_char(&out->text, ' ');
        }
        list_close(out);
    }
    return st;
}

/* One "<0xXX>" token's byte, or -1. */
static int fallback_byte(const char *s, size_t n)
{
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>')
        return -1;
    /* COMPAT: u8::from_str_radix(.., 16) takes either case, and a leading '+' */
    int v = 0;
    for (int k = 3; k < 5; k++) {
        char c = s[k];
        int x = tj_hex_digit(c);
        if (k == 3 && c == '+')
            continue;
        if (x < 0)
            return -1;
        v = v * 16 + x;
    }
    return v;
}

static tka_status flush_bytes(tka_buf *bytes, toklist *out)
{
    if (bytes->len == 0)
        return TKA_OK;
    tka_status st;
    if (tka_utf8_valid(bytes->data, bytes->len, NULL)) {
        st = list_push(out, bytes->data, bytes->len);
    } else {
        /* COMPAT: bytes that are not UTF-8 give one U+FFFD token per byte */
        st = TKA_OK;
        for (size_t k = 0; k < bytes->len && st == TKA_OK; k++)
            st = list_push(out, "\xEF\xBF\xBD", 3);
    }
    bytes->len = 0;
    return st;
}

static tka_status step_bytefallback(toklist *in, toklist *out, tka_buf *tmp)
{
    tka_status st = TKA_OK;
    tmp->len = 0;
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        int b = fallback_byte(TOK(in, i), in->len[i]);
        if (b >= 0) {
            st = tka_buf_append_char(tmp, (char)b);
            continue;
        }
        st = flush_bytes(tmp, out);
        if (st == TKA_OK)
            st = list_push(out, TOK(in, i), in->len[i]);
    }
    return st ? st : flush_bytes(tmp, out);
}

static tka_status step_strip(const tj_decoder *d, toklist *in, toklist *out, tka_error *err)
{
    tka_status st = TKA_OK;
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        const uint8_t *s = (const uint8_t *)TOK(in, i);
        size_t n = in->len[i];
        /* chars as byte offsets: starts[c] for c in 0..nc, starts[nc] = n */
        size_t nc = tka_utf8_count((const char *)s, n);
        size_t start_cut = 0, start_byte = 0, pos = 0;
        for (size_t c = 0; c < d->start && c < nc; c++) {
            size_t at = pos;
            if ((uint32_t)tka_utf8_decode(s, &pos) != d->cp)
                break;
            start_cut = c + 1;
            start_byte = pos;
            (void)at;
        }
        size_t stop_cut = nc, stop_byte = n, back = n;
        for (size_t k = 0; k < d->stop; k++) {
            if (k >= nc)
                return tka_error_set(err, TKA_ERR_REFERENCE,
                                     "decoder Strip: stop %zu reaches past the start of token "
                                     "\"%.*s\" (the Rust tokenizer panics)",
                                     d->stop, (int)(n > 64 ? 64 : n), (const char *)s);
            size_t at = back - 1;
            while (at > 0 && (s[at] & 0xC0) == 0x80)
                at--;
            size_t q = at;
            if ((uint32_t)tka_utf8_decode(s, &q) != d->cp)
                break;
            stop_cut = nc - k - 1;
            stop_byte = back = at;
        }
        if (start_cut > stop_cut)
            return tka_error_set(err, TKA_ERR_REFERENCE,
                                 "decoder Strip: start and stop overlap in token \"%.*s\" (the "
                                 "Rust tokenizer panics)",
                                 (int)(n > 64 ? 64 : n), (const char *)s);
        st = list_push(out, (const char *)s + start_byte, stop_byte - start_byte);
    }
    return st;
}

static tka_status step_replace(const tj_decoder *d, toklist *in, toklist *out, tka_error *err)
{
    tj_regex_work *w = tj_regex_work_new();
    tj_matches m = {0};
    tka_status st = w ? TKA_OK : TKA_ERR_NOMEM;
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        const char *s = TOK(in, i);
        m.n = 0;
        if ((st = tj_regex_find(d->re, w, s, in->len[i], false, &m, err)))
            break;
        if ((st = list_open(out)))
            break;
        for (size_t k = 0; k < m.n && st == TKA_OK; k++)
            st = m.v[k].is_match ? tka_buf_append(&out->text, d->a, d->la)
                                 : tka_buf_append(&out->text, s + m.v[k].s, m.v[k].e - m.v[k].s);
        list_close(out);
    }
    tj_matches_free(&m);
    tj_regex_work_free(w);
    return st;
}

static tka_status step_ctc(const tj_decoder *d, toklist *in, toklist *out, tka_buf *tmp)
{
    tka_status st = TKA_OK;
    tka_buf a = {0}, b = {0};
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        const char *s = TOK(in, i);
        size_t n = in->len[i];
        /* consecutive equal tokens count once (Itertools::dedup) */
        if (i > 0 && in->len[i - 1] == n && !memcmp(TOK(in, i - 1), s, n))
            continue;
        a.len = 0;
        st = append_replaced(&a, s, n, d->a, d->la, "", 0);
        if (st == TKA_OK && d->flag) {
            b.len = 0;
            st = cleanup(a.data ? a.data : "", a.len, &b, tmp);
            a.len = 0;
            if (st == TKA_OK)
                st = append_replaced(&a, b.data ? b.data : "", b.len, d->b, d->lb, " ", 1);
        }
        if (st == TKA_OK && a.len)
            st = list_push(out, a.data, a.len);
    }
    tka_buf_free(&a);
    tka_buf_free(&b);
    return st;
}

static tka_status step(const tj_decoder *d, toklist *in, toklist *out, tka_buf *tmp, tka_error *err)
{
    list_clear(out);
    tka_status st = TKA_OK;
    switch (d->kind) {
    case D_JOIN:
    case D_FUSE:
        if ((st = list_open(out)))
            break;
        for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
            if (i && d->kind == D_JOIN)
                st = tka_buf_append_char(&out->text, ' ');
            if (st == TKA_OK)
                st = tka_buf_append(&out->text, TOK(in, i), in->len[i]);
        }
        list_close(out);
        break;
    case D_BYTELEVEL: st = step_bytelevel(in, out, tmp); break;
    case D_WORDPIECE: st = step_wordpiece(d, in, out, tmp); break;
    case D_METASPACE: st = step_metaspace(d, in, out); break;
    case D_BPE:
        for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
            if ((st = list_open(out)))
                break;
            bool last = i + 1 == in->n;
            st = append_replaced(&out->text, TOK(in, i), in->len[i], d->a, d->la, last ? "" : " ",
                                 last ? 0 : 1);
            list_close(out);
        }
        break;
    case D_BYTEFALLBACK: st = step_bytefallback(in, out, tmp); break;
    case D_STRIP: return step_strip(d, in, out, err);
    case D_REPLACE: return step_replace(d, in, out, err);
    case D_CTC: st = step_ctc(d, in, out, tmp); break;
    case D_SEQUENCE: {
        toklist mid = {0};
        /* each child reads the last list and writes the other one (`in` is scratch too) */
        toklist *cur = in, *next = &mid;
        for (size_t k = 0; k < d->n_seq && st == TKA_OK; k++) {
            st = step(d->seq[k], cur, next, tmp, err);
            toklist *t = cur;
            cur = next;
            next = t;
        }
        if (st == TKA_OK) {
            list_clear(out);
            for (size_t i = 0; i < cur->n && st == TKA_OK; i++)
                st = list_push(out, TOK(cur, i), cur->len[i]);
        }
        list_free(&mid);
        return st;
    }
    }
    if (st)
        return tka_error_set(err, st, "out of memory decoding");
    return TKA_OK;
}

tka_status tj_decoder_decode(const tj_decoder *d, const char *const *tokens, const size_t *lens,
                             size_t n, tka_buf *out, tka_error *err)
{
    toklist in = {0}, res = {0};
    tka_buf tmp = {0};
    tka_status st = TKA_OK;
    for (size_t i = 0; i < n && st == TKA_OK; i++)
        st = list_push(&in, tokens[i], lens[i]);
    if (st)
        st = tka_error_set(err, st, "out of memory decoding");
    if (st == TKA_OK)
        st = step(d, &in, &res, &tmp, err);
    for (size_t i = 0; i < res.n && st == TKA_OK; i++)
        if (tka_buf_append(out, TOK(&res, i), res.len[i]))
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory decoding");
    if (st == TKA_OK && !out->data)
        st = tka_buf_reserve(out, 0); /* an empty result is still a (NUL-terminated) string */
    list_free(&in);
    list_free(&res);
    tka_buf_free(&tmp);
    return st;
}

/* ---- loading ---- */

/* A required string member (tj_get_string), copied: the decoder outlives the JSON. */
static tka_status copy_string(const json_t *j, const char *key, const tj_where *w, char **out,
                              size_t *len, tka_error *err)
{
    const char *s;
    tka_status st = tj_get_string(j, key, w, &s, len, err);
    if (st != TKA_OK)
        return st;
    *out = malloc(*len + 1);
    if (!*out)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s: %s", w->file, w->path);
    memcpy(*out, s, *len + 1);
    return TKA_OK;
}

static tka_status get_count(const json_t *j, const char *key, const char *where, size_t *out,
                            tka_error *err)
{
    const json_t *v = json_object_get(j, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return tka_error_set(err, TKA_ERR_FORMAT, "%s.%s: expected a count", where, key);
    *out = (size_t)json_integer_value(v);
    return TKA_OK;
}

static tka_status load(tj_decoder *d, const json_t *j, const char *path, const char *where,
                       int depth, tka_error *err)
{
    if (!json_is_object(j))
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: %s: expected an object", path, where);
    if (depth > 64)
        return tka_error_set(err, TKA_ERR_LIMIT, "%s: %s: decoders nested too deeply", path, where);
    const char *type = json_string_value(json_object_get(j, "type"));
    char w[512];
    snprintf(w, sizeof w, "%s: %s", path, where);
    tj_where tw = {path, {0}}; /* the same place for the tj_json.h readers */
    snprintf(tw.path, sizeof tw.path, "%s", where);
    tka_status st = TKA_OK;
    if (!type)
        return tka_error_set(err, TKA_ERR_FORMAT, "%s.type: expected a decoder name", w);
    if (!strcmp(type, "ByteLevel")) {
        d->kind = D_BYTELEVEL;
    } else if (!strcmp(type, "WordPiece")) {
        d->kind = D_WORDPIECE;
        if (!(st = copy_string(j, "prefix", &tw, &d->a, &d->la, err)))
            st = tj_require_bool(j, "cleanup", &tw, &d->flag, err);
    } else if (!strcmp(type, "Metaspace")) {
        d->kind = D_METASPACE;
        tj_metaspace m;
        if ((st = tj_metaspace_from_json(j, &tw, &m, err)))
            return st;
        d->cp = m.rep_cp;
        d->flag = m.scheme != TJ_PREPEND_NEVER;
    } else if (!strcmp(type, "BPEDecoder")) {
        d->kind = D_BPE;
        st = copy_string(j, "suffix", &tw, &d->a, &d->la, err);
    } else if (!strcmp(type, "ByteFallback")) {
        d->kind = D_BYTEFALLBACK;
    } else if (!strcmp(type, "Fuse")) {
        d->kind = D_FUSE;
    } else if (!strcmp(type, "Strip")) {
        d->kind = D_STRIP;
        if (!(st = tj_get_char(j, "content", &tw, &d->cp, err)) &&
            !(st = get_count(j, "start", w, &d->start, err)))
            st = get_count(j, "stop", w, &d->stop, err);
    } else if (!strcmp(type, "Replace")) {
        d->kind = D_REPLACE;
        if ((st = copy_string(j, "content", &tw, &d->a, &d->la, err)))
            return st;
        st = tj_regex_from_json(j, "pattern", &tw, &d->re, err);
    } else if (!strcmp(type, "CTC")) {
        d->kind = D_CTC;
        if (!(st = copy_string(j, "pad_token", &tw, &d->a, &d->la, err)) &&
            !(st = copy_string(j, "word_delimiter_token", &tw, &d->b, &d->lb, err)))
            st = tj_require_bool(j, "cleanup", &tw, &d->flag, err);
    } else if (!strcmp(type, "Sequence")) {
        d->kind = D_SEQUENCE;
        const json_t *list = json_object_get(j, "decoders");
        if (!json_is_array(list))
            return tka_error_set(err, TKA_ERR_FORMAT, "%s.decoders: expected a list", w);
        size_t n = json_array_size(list);
        d->seq = calloc(n ? n : 1, sizeof(tj_decoder *));
        if (!d->seq)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", w);
        for (size_t i = 0; i < n && st == TKA_OK; i++) {
            d->seq[i] = calloc(1, sizeof *d->seq[i]);
            if (!d->seq[i])
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", w);
            d->n_seq = i + 1;
            char sub[512];
            snprintf(sub, sizeof sub, "%s.decoders[%zu]", where, i);
            st = load(d->seq[i], json_array_get(list, i), path, sub, depth + 1, err);
        }
    } else {
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s.type: unknown decoder \"%.64s\" (expected ByteLevel, WordPiece, "
                             "Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace, CTC or "
                             "Sequence)",
                             w, type);
    }
    return st;
}

tka_status tj_decoder_from_json(const json_t *j, const char *path, tj_decoder **out, tka_error *err)
{
    *out = NULL;
    tj_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    if (j && !json_is_null(j)) {
        tka_status st = load(d, j, path ? path : "tokenizer.json", "decoder", 0, err);
        if (st) {
            tj_decoder_free(d);
            return st;
        }
    }
    *out = d;
    return TKA_OK;
}

void tj_decoder_free(tj_decoder *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_seq; i++)
        tj_decoder_free(d->seq[i]);
    free(d->seq);
    free(d->a);
    free(d->b);
    tj_regex_free(d->re);
    free(d);
}
