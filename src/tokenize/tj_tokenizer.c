/* tokenizer.json: loading the stages and running encode / decode as the Rust tokenizer. */
#include "tokenize/tj_tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/grow.h"
#include "core/json_error.h"
#include "core/lines.h"
#include "core/ref_messages.h"
#include "tokalign/text.h"
#include "tokenize/backend.h"
#include "tokenize/tj_added.h"
#include "tokenize/tj_bulk.h"
#include "tokenize/tj_bytelevel.h"
#include "tokenize/tj_decoder.h"
#include "tokenize/tj_model.h"
#include "tokenize/tj_normalizer.h"
#include "tokenize/tj_pretok.h"
#include "tokenize/tj_regex.h"

/* Scratch of one encoding buffer (a model is shared by threads; each tj_enc brings its own). */
typedef struct tj_state {
    tka_arena *arena;
    tj_ctx cx;
    tj_pretok_work pw;
    tj_work *mw;
    tj_pieces pieces;
    tj_splits s1, s2;
    tj_enc a, b;
    tj_enc w; /* one pre-tokenized word */
    uint32_t *b2c;
    size_t b2c_cap;
    bool ids_only; /* the caller wants ids, type ids and special marks only */
    char *word;    /* the ids-only path's byte-level pre-token */
    size_t word_cap;
} tj_state;

struct tj_tokenizer {
    char *path;
    tj_added added;
    tj_normalizer *norm;
    tj_pretok *pre;
    tj_model *model;
    tj_post *post;
    tj_decoder *dec;
    bool unigram;
    tj_file_options fo;
    /* The ids-only path (encode_ids): set when the pipeline is "no normalizer (or NFC, then
     * for ASCII text), split on a regex, bytes to GPT-2 chars, model", where a text with no
     * byte that starts an added token needs no aligned string at all. */
    const tj_regex *fast_re;
    bool fast_nfc;
    bool added_first[256]; /* some added token (pattern) starts with this byte */
    /* The ids-only path of Metaspace pipelines (encode_seq_meta_ids): the pre-tokenizer's
     * settings when it is one Metaspace ("always" or "never") and the normalizer runs on a
     * string without alignments, else NULL. */
    const tj_metaspace *meta_ids;
};

static void state_free(tj_state *s)
{
    if (!s)
        return;
    tka_arena_free(s->arena);
    free(s->cx.chg);
    tj_regex_work_free(s->pw.rw);
    tj_splits_free(&s->pw.spare);
    tj_splits_free(&s->pw.tmp);
    tj_matches_free(&s->pw.m);
    tj_work_free(s->mw);
    tj_pieces_free(&s->pieces);
    tj_splits_free(&s->s1);
    tj_splits_free(&s->s2);
    tj_enc_free(&s->a);
    tj_enc_free(&s->b);
    tj_enc_free(&s->w);
    free(s->b2c);
    free(s->word);
    free(s);
}

static tj_state *state_get(void)
{
    tj_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->arena = tka_arena_new(1 << 20);
    s->pw.rw = tj_regex_work_new();
    s->mw = tj_work_new();
    if (!s->arena || !s->pw.rw || !s->mw) {
        state_free(s);
        return NULL;
    }
    s->cx.arena = s->arena;
    return s;
}

static void state_release(void *p)
{
    state_free(p);
}

void tj_tokenizer_free(tj_tokenizer *t)
{
    if (!t)
        return;
    tj_added_free(&t->added);
    tj_normalizer_free(t->norm);
    tj_pretok_free(t->pre);
    tj_model_free(t->model);
    tj_post_free(t->post);
    tj_decoder_free(t->dec);
    free(t->path);
    free(t);
}

static tka_status get_int(const json_t *o, const char *key, const tj_where *w, int64_t *v,
                          tka_error *err)
{
    json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j))
        return TKA_OK;
    if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > INT32_MAX) {
        tj_where k = tj_at_key(w, key);
        return tj_bad(err, &k, "expected an integer in [0, 2^31)");
    }
    *v = json_integer_value(j);
    return TKA_OK;
}

/* The "truncation" / "padding" sections (null when unset). */
static tka_status file_options(const json_t *root, const tj_where *w, tj_file_options *fo,
                               tka_error *err)
{
    memset(fo, 0, sizeof *fo);
    fo->pad_fixed = -1;
    json_t *tr = json_object_get(root, "truncation"), *pd = json_object_get(root, "padding");
    tka_status st = TKA_OK;
    if (tr && !json_is_null(tr)) {
        tj_where tw = tj_at_key(w, "truncation");
        fo->truncation = true;
        fo->strategy = TKA_TRUNCATE_LONGEST_FIRST;
        if ((st = get_int(tr, "max_length", &tw, &fo->max_length, err)) != TKA_OK ||
            (st = get_int(tr, "stride", &tw, &fo->stride, err)) != TKA_OK)
            return st;
        const char *s = json_string_value(json_object_get(tr, "strategy"));
        if (s && !strcmp(s, "OnlyFirst"))
            fo->strategy = TKA_TRUNCATE_ONLY_FIRST;
        else if (s && !strcmp(s, "OnlySecond"))
            fo->strategy = TKA_TRUNCATE_ONLY_SECOND;
        else if (s && strcmp(s, "LongestFirst") != 0) {
            tj_where sw = tj_at_key(&tw, "strategy");
            return tj_bad(err, &sw, "expected LongestFirst, OnlyFirst or OnlySecond");
        }
        const char *d = json_string_value(json_object_get(tr, "direction"));
        fo->trunc_left = d && !strcmp(d, "Left");
    }
    if (pd && !json_is_null(pd)) {
        tj_where pw = tj_at_key(w, "padding");
        fo->padding = true;
        json_t *strat = json_object_get(pd, "strategy");
        json_t *fixed = json_object_get(strat, "Fixed");
        if (json_is_integer(fixed) && json_integer_value(fixed) >= 0)
            fo->pad_fixed = json_integer_value(fixed);
        else if (!(json_is_string(strat) && !strcmp(json_string_value(strat), "BatchLongest"))) {
            tj_where sw = tj_at_key(&pw, "strategy");
            return tj_bad(err, &sw, "expected \"BatchLongest\" or {\"Fixed\": N}");
        }
        int64_t id = 0, type = 0;
        if ((st = get_int(pd, "pad_id", &pw, &id, err)) != TKA_OK ||
            (st = get_int(pd, "pad_type_id", &pw, &type, err)) != TKA_OK ||
            (st = get_int(pd, "pad_to_multiple_of", &pw, &fo->pad_to_multiple_of, err)) != TKA_OK)
            return st;
        fo->pad_id = (int32_t)id;
        fo->pad_type_id = (int32_t)type;
        const char *d = json_string_value(json_object_get(pd, "direction"));
        fo->pad_left = d && !strcmp(d, "Left");
    }
    return TKA_OK;
}

const tj_file_options *tj_tokenizer_file_options(const tj_tokenizer *t)
{
    return &t->fo;
}

tka_status tj_tokenizer_from_json(const json_t *root, const char *path, tj_tokenizer **out,
                                  tka_error *err)
{
    return tj_tokenizer_from_json_bulk(root, path, NULL, out, err);
}

tka_status tj_tokenizer_from_json_bulk(const json_t *root, const char *path, tj_bulk *bulk,
                                       tj_tokenizer **out, tka_error *err)
{
    *out = NULL;
    tj_where w = {path, {0}};
    if (!json_is_object(root))
        return tj_bad(err, &w, "expected a JSON object (a tokenizer.json)");
    json_t *model = json_object_get(root, "model");
    if (!json_is_object(model)) {
        tj_where mw = tj_at_key(&w, "model");
        return tj_bad(err, &mw, "missing (every tokenizer.json has a model object)");
    }
    tj_tokenizer *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    }
    tj_where nw = tj_at_key(&w, "normalizer"), pw = tj_at_key(&w, "pre_tokenizer"),
             aw = tj_at_key(&w, "added_tokens"), ppw = tj_at_key(&w, "post_processor");
    tka_status st =
        tj_normalizer_from_json(json_object_get(root, "normalizer"), &nw, &t->norm, err);
    if (st == TKA_OK)
        st = tj_pretok_from_json(json_object_get(root, "pre_tokenizer"), &pw, &t->pre, err);
    if (st == TKA_OK)
        st = tj_model_from_json_bulk(model, path, bulk, &t->model, err);
    if (st == TKA_OK)
        t->unigram = !strcmp(tj_model_type(t->model), "Unigram");
    if (st == TKA_OK)
        st = tj_post_from_json(json_object_get(root, "post_processor"), &ppw, &t->post, err);
    if (st == TKA_OK)
        st = tj_decoder_from_json(json_object_get(root, "decoder"), path, &t->dec, err);
    if (st == TKA_OK)
        st = tj_added_from_json(json_object_get(root, "added_tokens"), &aw, t->norm, t->model,
                                &t->added, err);
    if (st == TKA_OK)
        st = file_options(root, &w, &t->fo, err);
    if (st != TKA_OK) {
        tj_tokenizer_free(t);
        return st;
    }
    const json_t *nj = json_object_get(root, "normalizer");
    const char *ntype = json_string_value(json_object_get(nj, "type"));
    t->fast_nfc = ntype && !strcmp(ntype, "NFC");
    if (!t->norm || t->fast_nfc)
        t->fast_re = tj_pretok_bytelevel_regex(t->pre);
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < 256; c++)
            t->added_first[c] |= t->added.count[k][c] > 0;
    t->meta_ids = tj_normalizer_text_only(t->norm) ? tj_pretok_metaspace(t->pre) : NULL;
    *out = t;
    return TKA_OK;
}

/* 1 GiB: far above any real tokenizer.json (llama3's is 9 MB), bounds hostile input. */
#define TJ_MAX_FILE (1u << 30)

tka_status tj_tokenizer_load(const char *path, tj_tokenizer **out, tka_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tka_error_set(err, TKA_ERR_IO, "%s: cannot open", path);
    /* the whole file read at once, then parsed from memory: json_loadf reads it with one
     * getc per byte (a tenth of llama3's loading time) */
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size > (long)TJ_MAX_FILE) {
            fclose(f);
            return tka_error_set(err, TKA_ERR_LIMIT, "%s: %ld bytes exceeds the 1 GiB limit", path,
                                 size);
        }
        cap = size > 0 ? (size_t)size + 1 : 0;
        rewind(f);
    }
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1u << 16;
            char *p = ncap > (size_t)TJ_MAX_FILE + 1 ? NULL : realloc(buf, ncap);
            if (!p) {
                free(buf);
                fclose(f);
                return tka_error_set(err,
                                     ncap > (size_t)TJ_MAX_FILE + 1 ? TKA_ERR_LIMIT : TKA_ERR_NOMEM,
                                     "%s: cannot hold the file in memory (1 GiB at most)", path);
            }
            buf = p;
            cap = ncap;
        } else if (!buf) {
            buf = malloc(cap);
            if (!buf) {
                fclose(f);
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", path);
            }
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(buf);
        return tka_error_set(err, TKA_ERR_IO, "%s: read error", path);
    }
    tka_status st = tj_tokenizer_from_buffer(buf ? buf : "", n, path, out, err);
    free(buf);
    return st;
}

tka_status tj_tokenizer_from_buffer(const char *buf, size_t n, const char *path, tj_tokenizer **out,
                                    tka_error *err)
{
    *out = NULL;
    json_error_t je;
    tj_bulk bulk;
    if (tj_bulk_scan(buf, n, &bulk)) {
        /* jansson reads the rest; should it refuse it, the whole file goes through jansson
         * below for the message and position of the original */
        size_t sn = 0;
        char *spliced = tj_bulk_splice(buf, n, &bulk, &sn);
        json_t *root = spliced ? json_loadb(spliced, sn, JSON_REJECT_DUPLICATES, &je) : NULL;
        free(spliced);
        if (root) {
            tka_status st = tj_tokenizer_from_json_bulk(root, path, &bulk, out, err);
            json_decref(root);
            tj_bulk_free(&bulk);
            return st;
        }
        tj_bulk_free(&bulk);
    }
    json_t *root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return tka_json_error(err, path, &je, NULL);
    tka_status st = tj_tokenizer_from_json(root, path, out, err);
    json_decref(root);
    return st;
}

/* ------------------------------------------------------------ encode */

static tka_status char_map(tj_state *s, const char *text, size_t len)
{
    if (len >= s->b2c_cap) { /* room for len + 1 */
        uint32_t *p = realloc(s->b2c, (len + 1) * sizeof *p);
        if (!p)
            return TKA_ERR_NOMEM;
        s->b2c = p;
        s->b2c_cap = len + 1;
    }
    uint32_t c = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80 && i > 0)
            c++;
        s->b2c[i] = c;
    }
    return TKA_OK;
}

/* COMPAT: BytesToCharOffsetConverter::convert. */
static void to_chars(const tj_state *s, size_t len, uint32_t *os, uint32_t *oe)
{
    uint32_t a = *os, b = *oe;
    if (a >= len)
        return;
    uint32_t cs = s->b2c[a], ce;
    if (b < len)
        ce = s->b2c[b];
    else
        ce = (b >= 1 && b - 1 < len ? s->b2c[b - 1] : cs) + 1;
    *os = cs;
    *oe = ce;
}

/* The tokens of one pre-token split (an added token, or the model's pieces) into out;
 * `word`: the split's index, their word id (PreTokenizedString::into_encoding). */
static tka_status emit_split(const tj_tokenizer *t, tj_state *s, size_t len, const tj_split *sp,
                             int32_t type_id, int32_t word, tj_enc *out, tka_error *err)
{
    uint32_t os, oe;
    out->word = word;
    if (sp->added >= 0) {
        const tj_added_token *x = &t->added.v[sp->added];
        tj_str_orig(&sp->str, 0, sp->str.len, &os, &oe);
        to_chars(s, len, &os, &oe);
        bool same = sp->str.len == x->len && !memcmp(sp->str.s, x->content, x->len);
        return tj_enc_push(out, x->id, type_id, 0, os, oe, same ? x->content : sp->str.s,
                           sp->str.len);
    }
    s->pieces.count = 0;
    tka_status st = tj_model_tokenize(t->model, s->mw, sp->str.s, sp->str.len, &s->pieces, err);
    for (size_t k = 0; k < s->pieces.count && st == TKA_OK; k++) {
        const tj_piece *p = &s->pieces.items[k];
        tj_str_orig(&sp->str, p->start, p->end, &os, &oe);
        to_chars(s, len, &os, &oe);
        size_t tl = 0;
        const char *tok = NULL;
        /* COMPAT: Unigram's tokens carry the text they cover (an unknown piece too);
         * the other models give the vocabulary string. */
        if (t->unigram) {
            tok = sp->str.s + p->start;
            tl = p->end - p->start;
        } else
            tok = tj_model_id_to_token(t->model, p->id, &tl);
        if (!tok) {
            const tj_added_token *x = tj_added_by_id(&t->added, p->id);
            tok = x ? x->content : "";
            tl = x ? x->len : 0;
        }
        st = tj_enc_push(out, p->id, type_id, 0, os, oe, tok, (uint32_t)tl);
    }
    return st;
}

/* Reverses the tokens [a, b) of e, every field. */
static void enc_reverse(tj_enc *e, size_t a, size_t b)
{
#define SWAP(T, f)         \
    do {                   \
        T x_ = e->f[i];    \
        e->f[i] = e->f[j]; \
        e->f[j] = x_;      \
    } while (0)
    for (size_t i = a, j = b; i + 1 < j; i++) {
        j--;
        SWAP(int32_t, ids);
        SWAP(int32_t, type_ids);
        SWAP(int32_t, special);
        SWAP(uint32_t, s);
        SWAP(uint32_t, e);
        SWAP(const char *, tok);
        SWAP(uint32_t, tok_len);
        SWAP(int32_t, words);
    }
#undef SWAP
}

/* encode_seq for ids only, when the pipeline allows it (t->fast_re) and the text holds no
 * byte that starts an added token (then no added token splits it, and the normalizer --
 * none, or NFC on ASCII -- leaves it as it is): the regex's pieces, mapped to GPT-2 chars,
 * go straight to the model, with no aligned string, offsets or token strings. Sets *done
 * false (and does nothing) when the text needs the full path. */
static tka_status encode_seq_ids(const tj_tokenizer *t, tj_state *s, const char *text, size_t len,
                                 int32_t type_id, size_t limit, bool left, tj_enc *out, bool *done,
                                 tka_error *err)
{
    *done = false;
    if (limit != SIZE_MAX && left)
        return TKA_OK;
    const uint8_t *u = (const uint8_t *)text;
    uint8_t high = 0;
    for (size_t i = 0; i < len; i++) {
        if (t->added_first[u[i]])
            return TKA_OK;
        high |= u[i];
    }
    if (t->fast_nfc && (high & 0x80))
        return TKA_OK;
    *done = true;
    out->n = 0;
    tj_matches *m = &s->pw.m;
    m->n = 0;
    tka_status st = len ? tj_regex_find(t->fast_re, s->pw.rw, text, len, false, m, err) : TKA_OK;
    if (st != TKA_OK)
        return st;
    if (2 * len + 1 > s->word_cap) {
        char *p = realloc(s->word, 2 * len + 1);
        if (!p)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
        s->word = p;
        s->word_cap = 2 * len + 1;
    }
    size_t total = 0;
    for (size_t k = 0; k < m->n; k++) {
        if (m->v[k].s == m->v[k].e)
            continue; /* Isolated splits drop empty pieces */
        size_t wl = 0;
        for (uint32_t i = m->v[k].s; i < m->v[k].e; i++) {
            const char *c = tj_bytelevel_utf8[u[i]];
            s->word[wl++] = c[0];
            if (c[1])
                s->word[wl++] = c[1];
        }
        s->pieces.count = 0;
        if ((st = tj_model_tokenize(t->model, s->mw, s->word, wl, &s->pieces, err)) != TKA_OK)
            return st == TKA_ERR_NOMEM ? tka_error_set(err, st, "out of memory encoding") : st;
        for (size_t q = 0; q < s->pieces.count; q++)
            if (tj_enc_push(out, s->pieces.items[q].id, type_id, 0, 0, 0, NULL, 0) != TKA_OK)
                return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
        total += s->pieces.count;
        if (limit != SIZE_MAX && total >= limit)
            break;
    }
    return TKA_OK;
}

/* The ids of the model's pieces of the word s->word[0..wl) appended to out. */
static tka_status meta_word(const tj_tokenizer *t, tj_state *s, size_t wl, int32_t type_id,
                            tj_enc *out, size_t *total, tka_error *err)
{
    s->pieces.count = 0;
    tka_status st = tj_model_tokenize(t->model, s->mw, s->word, wl, &s->pieces, err);
    for (size_t q = 0; q < s->pieces.count && st == TKA_OK; q++)
        st = tj_enc_push(out, s->pieces.items[q].id, type_id, 0, 0, 0, NULL, 0);
    *total += s->pieces.count;
    return st;
}

/* encode_seq for ids only when the pre-tokenizer is one Metaspace (t->meta_ids) and no added
 * token can start in the text, raw or normalized: the text is normalized without alignments
 * and cut before each space or replacement char (Metaspace turns a space into one, then
 * splits before each, MergedWithNext); each word, the replacement first, goes to the model.
 * Sets *done false when the text needs the full path (which also gives any error the
 * message it has there). */
static tka_status encode_seq_meta_ids(const tj_tokenizer *t, tj_state *s, const char *text,
                                      size_t len, int32_t type_id, size_t limit, bool left,
                                      tj_enc *out, bool *done, tka_error *err)
{
    *done = false;
    if (limit != SIZE_MAX && left)
        return TKA_OK;
    const uint8_t *u = (const uint8_t *)text;
    for (size_t i = 0; i < len; i++)
        if (t->added_first[u[i]])
            return TKA_OK;
    tj_ctx *cx = &s->cx;
    cx->err = err;
    tj_str str = {tka_arena_alloc(s->arena, len + 1, 1), NULL, (uint32_t)len, 0};
    if (!str.s)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    memcpy(str.s, text, len);
    str.s[len] = 0;
    if (t->norm && tj_normalize(t->norm, cx, s->pw.rw, &str) != TKA_OK)
        return TKA_OK;
    u = (const uint8_t *)str.s;
    for (size_t i = 0; i < str.len; i++)
        if (t->added_first[u[i]])
            return TKA_OK;
    const tj_metaspace *m = t->meta_ids;
    const char *rep = m->rep;
    size_t rl = m->rep_len;
    size_t need = rl * ((size_t)str.len + 1) + 1; /* every char a replacement, at worst */
    if (need > s->word_cap) {
        char *p = realloc(s->word, need);
        if (!p)
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
        s->word = p;
        s->word_cap = need;
    }
    out->n = 0;
    size_t wl = 0, total = 0;
    bool starts = str.len && (u[0] == ' ' || (str.len >= rl && !memcmp(str.s, rep, rl)));
    if (str.len && !starts && m->scheme == TJ_PREPEND_ALWAYS) {
        memcpy(s->word, rep, rl);
        wl = rl;
    }
    tka_status st = TKA_OK;
    bool stopped = false; /* the model stops after the word that reaches the limit */
    for (size_t i = 0; i < str.len && !stopped;) {
        size_t adv = tka_utf8_seq_len(u[i]);
        bool cut = u[i] == ' ' ||
                   (u[i] == (uint8_t)rep[0] && str.len - i >= rl && !memcmp(str.s + i, rep, rl));
        if (cut) {
            adv = u[i] == ' ' ? 1 : rl;
            if (wl && m->split) {
                if ((st = meta_word(t, s, wl, type_id, out, &total, err)) != TKA_OK)
                    break;
                wl = 0;
                if ((stopped = limit != SIZE_MAX && total >= limit))
                    break;
            }
        }
        memcpy(s->word + wl, cut ? rep : str.s + i, cut ? rl : adv);
        wl += cut ? rl : adv;
        i += adv;
    }
    if (st == TKA_OK && wl && !stopped)
        st = meta_word(t, s, wl, type_id, out, &total, err);
    if (st == TKA_ERR_NOMEM)
        return tka_error_set(err, st, "out of memory encoding");
    *done = st == TKA_OK; /* else the full path gives the error its message */
    return TKA_OK;
}

/* limit: SIZE_MAX, or the truncation max_length: COMPAT: PreTokenizedString::
 * tokenize_with_limit: the model stops after the pre-token that brings the count to
 * max_length (counted from the end with `left`); added tokens count but never stop it. */
static tka_status encode_seq(const tj_tokenizer *t, tj_state *s, const char *text, size_t len,
                             int32_t type_id, size_t limit, bool left, tj_enc *out, tka_error *err)
{
    if (s->ids_only && t->fast_re) {
        bool done;
        tka_status st = encode_seq_ids(t, s, text, len, type_id, limit, left, out, &done, err);
        if (st != TKA_OK || done)
            return st;
    }
    if (s->ids_only && t->meta_ids) {
        bool done;
        tka_status st = encode_seq_meta_ids(t, s, text, len, type_id, limit, left, out, &done, err);
        if (st != TKA_OK || done)
            return st;
    }
    out->n = 0;
    tj_ctx *cx = &s->cx;
    cx->err = err;
    tka_status st = char_map(s, text, len);
    tj_split whole;
    whole.added = -1;
    if (st == TKA_OK)
        st = tj_str_from(cx, text, (uint32_t)len, 0, &whole.str);
    s->s1.n = s->s2.n = 0;
    if (st == TKA_OK && len)
        st = tj_splits_push(&s->s1, &whole);
    /* AddedVocabulary::extract_and_normalize */
    if (st == TKA_OK)
        st = tj_added_split(&t->added, false, NULL, cx, s->pw.rw, &s->s1, &s->s2);
    s->s1.n = 0;
    if (st == TKA_OK)
        st = tj_added_split(&t->added, true, t->norm, cx, s->pw.rw, &s->s2, &s->s1);
    if (st == TKA_OK)
        st = tj_pretokenize(t->pre, cx, &s->pw, &s->s1);
    if (st == TKA_OK && limit != SIZE_MAX && left) {
        /* Counted from the end: each split's tokens are appended reversed, so reversing
         * the whole once at the end gives them in order (each split is encoded once). */
        size_t total = 0, first = 0;
        for (size_t i = s->s1.n; i-- > 0 && st == TKA_OK;) {
            size_t before = out->n;
            first = i;
            st = emit_split(t, s, len, &s->s1.v[i], type_id, (int32_t)i, out, err);
            enc_reverse(out, before, out->n);
            total += out->n - before;
            if (s->s1.v[i].added < 0 && total >= limit)
                break;
        }
        enc_reverse(out, 0, out->n);
        /* COMPAT: tokenize_with_limit (Left) drains the splits before `first`: the word
         * ids count from the first one kept */
        for (size_t k = 0; k < out->n; k++)
            out->words[k] -= (int32_t)first;
        goto done;
    }
    size_t total = 0;
    for (size_t i = 0; i < s->s1.n && st == TKA_OK; i++) {
        size_t before = out->n;
        st = emit_split(t, s, len, &s->s1.v[i], type_id, (int32_t)i, out, err);
        total += out->n - before;
        if (limit != SIZE_MAX && !left && s->s1.v[i].added < 0 && total >= limit)
            break;
    }
done:
    if (st != TKA_OK && st != TKA_ERR_NOMEM && err && err->status == st)
        return st;
    if (st == TKA_ERR_NOMEM)
        return tka_error_set(err, st, "out of memory encoding");
    if (st != TKA_OK)
        return tka_error_set(err, st, "%s: encoding failed", t->path);
    return TKA_OK;
}

/* COMPAT: truncate_encodings: the length each sequence is truncated to (its own length
 * when untouched); max 0 truncates both to 0, whatever the strategy. */
static tka_status truncate_lengths(size_t la, size_t lb, bool pair, size_t max, tka_truncation how,
                                   size_t *na, size_t *nb, tka_error *err)
{
    *na = la;
    *nb = lb;
    if (max == 0) {
        *na = *nb = 0;
        return TKA_OK;
    }
    size_t total = la + lb;
    if (total <= max)
        return TKA_OK;
    size_t to_remove = total - max;
    if (how == TKA_TRUNCATE_LONGEST_FIRST) {
        if (!pair) {
            *na = max;
            return TKA_OK;
        }
        tka_rust_longest_first_pair(la, lb, max, na, nb);
        return TKA_OK;
    }
    if (how == TKA_TRUNCATE_ONLY_SECOND && !pair)
        return tka_error_set(err, TKA_ERR_REFERENCE, TKA_HF_TRUNCATION_NO_SECOND);
    size_t *x = how == TKA_TRUNCATE_ONLY_FIRST ? na : nb;
    if (*x <= to_remove)
        return tka_error_set(err, TKA_ERR_REFERENCE, TKA_HF_TRUNCATION_TOO_SHORT);
    *x -= to_remove;
    return TKA_OK;
}

typedef struct span {
    size_t s, e;
} span;

/* COMPAT: Encoding::truncate(max_len, stride, direction): windows of max_len tokens every
 * max_len - stride from the start (Right) or the end (Left); the first is kept, the others
 * are the overflow. max_len 0: all of it is one overflow. *out is malloc'd. */
static tka_status windows(size_t len, size_t max_len, size_t stride, bool left, span **out,
                          size_t *n, tka_error *err)
{
    *n = 0;
    if (!(*out = malloc((len + 2) * sizeof **out)))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    span *v = *out;
    if (max_len >= len) {
        v[(*n)++] = (span){0, len};
        return TKA_OK;
    }
    if (max_len == 0) {
        v[(*n)++] = (span){0, 0};
        v[(*n)++] = (span){0, len};
        return TKA_OK;
    }
    if (stride >= max_len)
        return tka_error_set(err, TKA_ERR_ARGUMENT, TKA_RUST_STRIDE_PANIC, stride, max_len);
    size_t step = max_len - stride;
    if (!left) {
        for (size_t start = 0;; start += step) {
            size_t stop = start + max_len < len ? start + max_len : len;
            v[(*n)++] = (span){start, stop};
            if (stop == len)
                break;
        }
    } else {
        for (size_t stop = len;; stop -= step) {
            size_t start = stop > max_len ? stop - max_len : 0;
            v[(*n)++] = (span){start, stop};
            if (start == 0 || stop <= step)
                break;
        }
    }
    return TKA_OK;
}

static tka_status slice_into(tj_enc *dst, const tj_enc *src, span r, bool overflow)
{
    dst->n = 0;
    dst->overflow = overflow;
    tka_status st = tj_enc_reserve(dst, r.e - r.s);
    for (size_t i = r.s; i < r.e && st == TKA_OK; i++) {
        dst->word = src->words[i];
        st = tj_enc_push(dst, src->ids[i], src->type_ids[i], src->special[i], src->s[i], src->e[i],
                         src->tok[i], src->tok_len[i]);
    }
    return st;
}

static void keep_span(tj_enc *e, span r)
{
    if (r.s) {
        size_t n = r.e - r.s;
        /* False positive: r (from windows()) lies within e's tokens, so r.s > 0
         * means e holds tokens and its arrays are allocated.
         * NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
        memmove(e->ids, e->ids + r.s, n * sizeof *e->ids);
        memmove(e->type_ids, e->type_ids + r.s, n * sizeof *e->type_ids);
        memmove(e->special, e->special + r.s, n * sizeof *e->special);
        memmove(e->s, e->s + r.s, n * sizeof *e->s);
        memmove(e->e, e->e + r.s, n * sizeof *e->e);
        memmove(e->tok, e->tok + r.s, n * sizeof *e->tok);
        memmove(e->tok_len, e->tok_len + r.s, n * sizeof *e->tok_len);
        memmove(e->words, e->words + r.s, n * sizeof *e->words);
    }
    e->n = r.e - r.s;
}

void tj_ovf_free(tj_ovf *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->cap; i++)
        tj_enc_free(&o->v[i]);
    free(o->v);
    memset(o, 0, sizeof *o);
}

static tj_enc *ovf_next(tj_ovf *o)
{
    size_t old_cap = o->cap;
    if (!tka_grow_array((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v, 4))
        return NULL;
    memset(o->v + old_cap, 0, (o->cap - old_cap) * sizeof *o->v);
    tj_enc *e = &o->v[o->n++];
    e->n = 0;
    return e;
}

/* One overflow encoding: the post-processed pair of pieces (pb may be NULL). */
static tka_status ovf_push(const tj_tokenizer *t, tj_state *s, tj_ovf *o, span ra, bool oa,
                           const span *rb, bool ob, bool add_special)
{
    tj_enc pa = {0}, pb = {0};
    tj_enc *x = ovf_next(o);
    tka_status st = x ? TKA_OK : TKA_ERR_NOMEM;
    if (st == TKA_OK)
        st = slice_into(&pa, &s->a, ra, oa);
    if (st == TKA_OK && rb)
        st = slice_into(&pb, &s->b, *rb, ob);
    if (st == TKA_OK)
        st = tj_post_process(t->post, &pa, rb ? &pb : NULL, add_special, x);
    tj_enc_free(&pa);
    tj_enc_free(&pb);
    return st;
}

tka_status tj_tokenizer_encode(const tj_tokenizer *t, const char *text, size_t len,
                               const char *pair, size_t pair_len, bool add_special,
                               int64_t max_length, tka_truncation truncation, tj_enc *out,
                               tka_error *err)
{
    return tj_tokenizer_encode_ovf(t, text, len, pair, pair_len, add_special, max_length,
                                   truncation, false, 0, out, NULL, err);
}

tka_status tj_tokenizer_encode_dir(const tj_tokenizer *t, const char *text, size_t len,
                                   const char *pair, size_t pair_len, bool add_special,
                                   int64_t max_length, tka_truncation truncation, bool left,
                                   tj_enc *out, tka_error *err)
{
    return tj_tokenizer_encode_ovf(t, text, len, pair, pair_len, add_special, max_length,
                                   truncation, left, 0, out, NULL, err);
}

/* COMPAT: post_process: truncate (windows and overflow), then the processor on the kept
 * parts and on every overflow combination in Encoding::merge_with's order: each overflow
 * of the text with the pair, then with each overflow of the pair; then the text with each
 * overflow of the pair. */
static tka_status truncate_and_process(const tj_tokenizer *t, tj_state *s, bool pair,
                                       bool add_special, int64_t max_length,
                                       tka_truncation truncation, bool left, size_t stride,
                                       tj_enc *out, tj_ovf *ovf, tka_error *err)
{
    if (ovf)
        ovf->n = 0;
    tj_enc *b = pair ? &s->b : NULL;
    s->a.overflow = false;
    s->b.overflow = false;
    if (truncation == TKA_TRUNCATE_NONE || max_length < 0)
        goto process;
    size_t added = add_special ? tj_post_added(t->post, pair) : 0;
    size_t max = (size_t)max_length > added ? (size_t)max_length - added : 0;
    size_t na, nb;
    tka_status st =
        truncate_lengths(s->a.n, pair ? s->b.n : 0, pair, max, truncation, &na, &nb, err);
    if (st != TKA_OK)
        return st;
    span *wa = NULL, *wb = NULL;
    size_t ka = 0, kb = 0;
    st = windows(s->a.n, na, stride, left, &wa, &ka, err);
    if (st == TKA_OK && pair)
        st = windows(s->b.n, nb, stride, left, &wb, &kb, err);
    if (st == TKA_OK && ovf) {
        for (size_t i = 1; i < ka && st == TKA_OK; i++) {
            st = ovf_push(t, s, ovf, wa[i], true, pair ? &wb[0] : NULL, false, add_special);
            for (size_t j = 1; j < kb && st == TKA_OK; j++)
                st = ovf_push(t, s, ovf, wa[i], true, &wb[j], true, add_special);
        }
        for (size_t j = 1; j < kb && st == TKA_OK; j++)
            st = ovf_push(t, s, ovf, wa[0], false, &wb[j], true, add_special);
        if (st != TKA_OK)
            tka_error_set(err, st, "out of memory encoding");
    }
    if (st == TKA_OK) {
        keep_span(&s->a, wa[0]);
        if (pair)
            keep_span(&s->b, wb[0]);
    }
    free(wa);
    free(wb);
    if (st != TKA_OK)
        return st;
process:
    if (tj_post_process(t->post, &s->a, b, add_special, out) != TKA_OK)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    return TKA_OK;
}

static tka_status encode_impl(const tj_tokenizer *t, const char *text, size_t len, const char *pair,
                              size_t pair_len, bool add_special, int64_t max_length,
                              tka_truncation truncation, bool left, size_t stride, tj_enc *out,
                              tj_ovf *ovf, bool ids_only, tka_error *err);

tka_status tj_tokenizer_encode_ovf(const tj_tokenizer *t, const char *text, size_t len,
                                   const char *pair, size_t pair_len, bool add_special,
                                   int64_t max_length, tka_truncation truncation, bool left,
                                   size_t stride, tj_enc *out, tj_ovf *ovf, tka_error *err)
{
    return encode_impl(t, text, len, pair, pair_len, add_special, max_length, truncation, left,
                       stride, out, ovf, false, err);
}

tka_status tj_tokenizer_encode_ids(const tj_tokenizer *t, const char *text, size_t len,
                                   const char *pair, size_t pair_len, bool add_special,
                                   int64_t max_length, tka_truncation truncation, bool left,
                                   size_t stride, tj_enc *out, tka_error *err)
{
    return encode_impl(t, text, len, pair, pair_len, add_special, max_length, truncation, left,
                       stride, out, NULL, true, err);
}

/* The state that goes with `out` (made on its first use with t). */
static tj_state *out_state(const tj_tokenizer *t, tj_enc *out)
{
    tj_state *s = out->owner_of == t ? out->owner : NULL;
    if (!s) {
        if (out->owner && out->owner_free)
            out->owner_free(out->owner);
        out->owner = NULL;
        out->owner_of = NULL;
        if (!(s = state_get()))
            return NULL;
        out->owner = s;
        out->owner_of = t;
        out->owner_free = state_release;
    }
    tka_arena_reset(s->arena);
    return s;
}

/* COMPAT: encode_single_sequence(PreTokenized): each word alone (its own offsets, added
 * tokens, normalizer, pre-tokenizer, model stopped at `limit`), its tokens with its
 * position as word id, merged as Encoding::merge(.., false) does (offsets not shifted). */
static tka_status encode_words_seq(const tj_tokenizer *t, tj_state *s, const char *const *w,
                                   const size_t *l, size_t n, int32_t type_id, size_t limit,
                                   bool left, tj_enc *out, tka_error *err)
{
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        tka_status st = encode_seq(t, s, w[i], l[i], type_id, limit, left, &s->w, err);
        if (st != TKA_OK) {
            tka_error_prefix(err, "word %zu: ", i);
            return st;
        }
        const tj_enc *x = &s->w;
        out->word = (int32_t)i;
        st = tj_enc_reserve(out, x->n);
        for (size_t k = 0; k < x->n && st == TKA_OK; k++)
            st = tj_enc_push(out, x->ids[k], x->type_ids[k], x->special[k], x->s[k], x->e[k],
                             x->tok[k], x->tok_len[k]);
        if (st != TKA_OK)
            return tka_error_set(err, st, "out of memory encoding");
    }
    return TKA_OK;
}

/* COMPAT: encode_single_sequence: with truncation set, each sequence's model stops at
 * max_length tokens (the first sequence not under OnlySecond); SIZE_MAX: no limit. */
static void model_limits(tka_truncation truncation, int64_t max_length, size_t *first,
                         size_t *second)
{
    bool limited = truncation != TKA_TRUNCATE_NONE && max_length >= 0;
    *second = limited ? (size_t)max_length : SIZE_MAX;
    *first = truncation == TKA_TRUNCATE_ONLY_SECOND ? SIZE_MAX : *second;
}

tka_status tj_tokenizer_encode_words(const tj_tokenizer *t, const tka_word_input *in,
                                     bool add_special, int64_t max_length,
                                     tka_truncation truncation, bool left, size_t stride,
                                     tj_enc *out, tj_ovf *ovf, tka_error *err)
{
    tj_state *s = out_state(t, out);
    if (!s)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    s->ids_only = false;
    size_t limit_a, limit_b;
    model_limits(truncation, max_length, &limit_a, &limit_b);
    bool pair = in->pair_words != NULL;
    tka_status st =
        encode_words_seq(t, s, in->words, in->lens, in->n, 0, limit_a, left, &s->a, err);
    if (st != TKA_OK)
        tka_error_prefix(err, "text: ");
    if (st == TKA_OK && pair &&
        (st = encode_words_seq(t, s, in->pair_words, in->pair_lens, in->pair_n, 1, limit_b, left,
                               &s->b, err)) != TKA_OK)
        tka_error_prefix(err, "text_pair: ");
    if (st == TKA_OK)
        st = truncate_and_process(t, s, pair, add_special, max_length, truncation, left, stride,
                                  out, ovf, err);
    return st;
}

static tka_status encode_impl(const tj_tokenizer *t, const char *text, size_t len, const char *pair,
                              size_t pair_len, bool add_special, int64_t max_length,
                              tka_truncation truncation, bool left, size_t stride, tj_enc *out,
                              tj_ovf *ovf, bool ids_only, tka_error *err)
{
    /* The scratch stays with `out` (token strings of Unigram pieces and stripped added
     * tokens live in its arena) until the next encode into it. */
    tj_state *s = out_state(t, out);
    if (!s)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding");
    s->ids_only = ids_only;
    size_t limit_a, limit_b;
    model_limits(truncation, max_length, &limit_a, &limit_b);
    tka_status st = encode_seq(t, s, text, len, 0, limit_a, left, &s->a, err);
    if (st != TKA_OK)
        tka_error_prefix(err, "text: ");
    if (st == TKA_OK && pair &&
        (st = encode_seq(t, s, pair, pair_len, 1, limit_b, left, &s->b, err)) != TKA_OK)
        tka_error_prefix(err, "text_pair: ");
    if (st == TKA_OK)
        st = truncate_and_process(t, s, pair != NULL, add_special, max_length, truncation, left,
                                  stride, out, ovf, err);
    return st;
}

/* The arena strings of added tokens stay valid until the state is reused: callers copy
 * token strings before the next call on the same thread. */

tka_status tj_tokenizer_decode(const tj_tokenizer *t, const int32_t *ids, size_t n, bool skip,
                               tka_buf *out, tka_error *err)
{
    const char **toks = malloc((n ? n : 1) * sizeof *toks);
    size_t *lens = malloc((n ? n : 1) * sizeof *lens);
    if (!toks || !lens) {
        free(toks);
        free(lens);
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory decoding");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* COMPAT: Tokenizer::decode: added vocabulary first, then the model; unknown ids
         * are dropped; skip_special_tokens drops special added tokens. */
        const tj_added_token *x = tj_added_by_id(&t->added, ids[i]);
        const char *tok;
        size_t tl = 0;
        if (x) {
            tok = x->content;
            tl = x->len;
        } else if (!(tok = tj_model_id_to_token(t->model, ids[i], &tl)))
            continue;
        if (skip) {
            const tj_added_token *y = x ? x : tj_added_by_content(&t->added, tok, tl);
            if (y && y->special)
                continue;
        }
        toks[k] = tok;
        lens[k++] = tl;
    }
    tka_status st = tj_decoder_decode(t->dec, toks, lens, k, out, err);
    free(toks);
    free(lens);
    return st;
}

/* Accessors for the backend. */
const tj_model *tj_tokenizer_model(const tj_tokenizer *t);
const tj_added *tj_tokenizer_added(const tj_tokenizer *t);
const tj_model *tj_tokenizer_model(const tj_tokenizer *t)
{
    return t->model;
}
const tj_added *tj_tokenizer_added(const tj_tokenizer *t)
{
    return &t->added;
}

/* ------------------------------------------------------------ GPT-2 slow files */

static json_t *bytelevel(bool trim)
{
    return json_pack("{s:s, s:b, s:b, s:b}", "type", "ByteLevel", "add_prefix_space", 0,
                     "trim_offsets", trim, "use_regex", 1);
}

tka_status tj_tokenizer_load_gpt2(const char *vocab_json, const char *merges_txt,
                                  tj_tokenizer **out, tka_error *err)
{
    *out = NULL;
    json_error_t je;
    json_t *vocab = json_load_file(vocab_json, JSON_REJECT_DUPLICATES, &je);
    if (!vocab)
        return tka_json_error(err, vocab_json, &je, NULL);
    FILE *f = fopen(merges_txt, "rb");
    if (!f) {
        json_decref(vocab);
        return tka_error_set(err, TKA_ERR_IO, "%s: cannot open", merges_txt);
    }
    json_t *merges = json_array();
    tka_line_reader *r = tka_line_reader_new(f);
    const char *line;
    size_t len;
    tka_status st = r && merges ? TKA_OK : TKA_ERR_NOMEM;
    /* COMPAT: HF's GPT-2 conversion: the first line is a version comment, blank lines are
     * skipped (gpt2_json.py in the oracle). */
    bool first = true;
    while (st == TKA_OK && (st = tka_line_reader_next(r, &line, &len, err)) == TKA_OK) {
        if (first) {
            first = false;
            continue;
        }
        bool blank = true;
        for (size_t i = 0; i < len && blank; i++)
            blank = line[i] == ' ' || line[i] == '\t';
        if (!blank)
            json_array_append_new(merges, json_stringn(line, len));
    }
    if (st == TKA_END)
        st = TKA_OK;
    tka_line_reader_free(r);
    fclose(f);
    json_t *eot = json_object_get(vocab, "<|endoftext|>");
    json_t *added = json_array();
    if (st == TKA_OK && json_is_integer(eot))
        json_array_append_new(added,
                              json_pack("{s:O, s:s, s:b, s:b, s:b, s:b, s:b}", "id", eot, "content",
                                        "<|endoftext|>", "single_word", 0, "lstrip", 0, "rstrip", 0,
                                        "normalized", 1, "special", 1));
    json_t *model = json_pack("{s:s, s:n, s:n, s:s, s:s, s:b, s:b, s:b, s:O, s:O}", "type", "BPE",
                              "dropout", "unk_token", "continuing_subword_prefix", "",
                              "end_of_word_suffix", "", "fuse_unk", 0, "byte_fallback", 0,
                              "ignore_merges", 0, "vocab", vocab, "merges", merges);
    json_t *root = json_pack("{s:o, s:o, s:o, s:o, s:o}", "added_tokens", added, "pre_tokenizer",
                             bytelevel(true), "post_processor", bytelevel(false), "decoder",
                             bytelevel(true), "model", model);
    json_decref(vocab);
    json_decref(merges);
    if (st == TKA_OK && !root)
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory reading %s", vocab_json);
    if (st == TKA_OK)
        st = tj_tokenizer_from_json(root, vocab_json, out, err);
    json_decref(root);
    return st;
}
