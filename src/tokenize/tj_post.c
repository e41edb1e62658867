/* tokenizer.json post-processors: special tokens, type ids and ByteLevel offset trimming,
 * as Rust's PostProcessor::process (process_encodings, then merge). */
#include "tokenize/tj_post.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"
#include "tokenize/tj_normalizer.h"

typedef enum { PP_BERT, PP_ROBERTA, PP_BYTELEVEL, PP_TEMPLATE } pptype;

typedef struct sp_token {
    char *name;
    int32_t *ids;
    char **toks;
    size_t n;
} sp_token;

typedef struct piece {
    int is_seq; /* 1: sequence A/B, 0: special token */
    int seq;    /* 0 = A, 1 = B */
    size_t special_index;
    int32_t type_id;
} piece;

typedef struct ppstep {
    pptype type;
    char *sep, *cls;
    int32_t sep_id, cls_id;
    bool trim_offsets, add_prefix_space;
    piece *single, *pair;
    size_t n_single, n_pair;
    sp_token *sp;
    size_t n_sp;
} ppstep;

struct tj_post {
    ppstep *steps;
    size_t n;
};

tka_status tj_enc_reserve(tj_enc *e, size_t extra)
{
    size_t need = e->n + extra;
    if (need <= e->cap)
        return TKA_OK;
    size_t cap;
    if (!tka_grow_capacity(e->cap, need, sizeof *e->tok, 64, &cap) ||
        !tka_resize_array((void **)&e->ids, cap, sizeof *e->ids) ||
        !tka_resize_array((void **)&e->type_ids, cap, sizeof *e->type_ids) ||
        !tka_resize_array((void **)&e->special, cap, sizeof *e->special) ||
        !tka_resize_array((void **)&e->s, cap, sizeof *e->s) ||
        !tka_resize_array((void **)&e->e, cap, sizeof *e->e) ||
        !tka_resize_array((void **)&e->tok, cap, sizeof *e->tok) ||
        !tka_resize_array((void **)&e->tok_len, cap, sizeof *e->tok_len) ||
        !tka_resize_array((void **)&e->words, cap, sizeof *e->words))
        return TKA_ERR_NOMEM;
    e->cap = cap;
    return TKA_OK;
}

tka_status tj_enc_push(tj_enc *e, int32_t id, int32_t type_id, int32_t special, uint32_t s,
                       uint32_t end, const char *tok, uint32_t tok_len)
{
    if (e->n == e->cap) {
        tka_status st = tj_enc_reserve(e, 1);
        if (st != TKA_OK)
            return st;
    }
    size_t i = e->n++;
    e->ids[i] = id;
    e->type_ids[i] = type_id;
    e->special[i] = special;
    e->s[i] = s;
    e->e[i] = end;
    e->tok[i] = tok;
    e->tok_len[i] = tok_len;
    e->words[i] = e->word;
    return TKA_OK;
}

void tj_enc_free(tj_enc *e)
{
    if (e->owner && e->owner_free)
        e->owner_free(e->owner);
    free(e->ids);
    free(e->type_ids);
    free(e->special);
    free(e->s);
    free(e->e);
    free(e->tok);
    free(e->tok_len);
    free(e->words);
    memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------------ loading */

static tka_status pair_of(const json_t *j, const char *key, const tj_where *w, char **s,
                          int32_t *id, tka_error *err)
{
    json_t *v = json_object_get(j, key);
    tj_where kw = tj_at_key(w, key);
    json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_string(a) || !json_is_integer(b) ||
        json_integer_value(b) < 0 || json_integer_value(b) > INT32_MAX)
        return tj_bad(err, &kw, "expected [\"token\", id]");
    *s = strdup(json_string_value(a));
    *id = (int32_t)json_integer_value(b);
    return *s ? TKA_OK : tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
}

static tka_status template_of(ppstep *s, const json_t *list, const tj_where *w, piece **out,
                              size_t *n, tka_error *err)
{
    if (!json_is_array(list))
        return tj_bad(err, w, "expected an array of pieces");
    *n = json_array_size(list);
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (!*out)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        json_t *p = json_array_get(list, i);
        tj_where iw = tj_at_index(w, i);
        json_t *sq = json_object_get(p, "Sequence"), *st = json_object_get(p, "SpecialToken");
        json_t *o = sq ? sq : st;
        json_t *id = json_object_get(o, "id"), *ty = json_object_get(o, "type_id");
        if (!json_is_object(o) || !json_is_string(id) || !json_is_integer(ty))
            return tj_bad(err, &iw, "expected {\"Sequence\"|\"SpecialToken\": {id, type_id}}");
        piece *x = &(*out)[i];
        x->type_id = (int32_t)json_integer_value(ty);
        const char *name = json_string_value(id);
        if (sq) {
            x->is_seq = 1;
            if (!strcmp(name, "A"))
                x->seq = 0;
            else if (!strcmp(name, "B"))
                x->seq = 1;
            else
                return tj_bad(err, &iw, "a Sequence id must be \"A\" or \"B\"");
        } else {
            size_t k = 0;
            while (k < s->n_sp && strcmp(s->sp[k].name, name) != 0)
                k++;
            if (k == s->n_sp)
                return tj_bad(err, &iw, "special token missing from special_tokens");
            x->special_index = k;
        }
    }
    return TKA_OK;
}

static tka_status parse_step(tj_post *p, const json_t *j, const tj_where *w, tka_error *err);

static void step_free(ppstep *s)
{
    free(s->sep);
    free(s->cls);
    free(s->single);
    free(s->pair);
    for (size_t i = 0; i < s->n_sp; i++) {
        free(s->sp[i].name);
        free(s->sp[i].ids);
        for (size_t k = 0; k < s->sp[i].n; k++)
            free(s->sp[i].toks[k]);
        free(s->sp[i].toks);
    }
    free(s->sp);
}

static tka_status parse_step(tj_post *p, const json_t *j, const tj_where *w, tka_error *err)
{
    const char *type;
    tka_status st = tj_get_type(j, w, &type, err);
    if (st != TKA_OK)
        return st;
    ppstep s;
    memset(&s, 0, sizeof s);
    if (!strcmp(type, "Sequence")) {
        json_t *list = json_object_get(j, "processors");
        tj_where lw = tj_at_key(w, "processors");
        if (!json_is_array(list))
            return tj_bad(err, &lw, "expected an array");
        for (size_t i = 0; i < json_array_size(list); i++) {
            tj_where iw = tj_at_index(&lw, i);
            if ((st = parse_step(p, json_array_get(list, i), &iw, err)) != TKA_OK)
                return st;
        }
        return TKA_OK;
    }
    if (!strcmp(type, "BertProcessing") || !strcmp(type, "RobertaProcessing")) {
        s.type = type[0] == 'B' ? PP_BERT : PP_ROBERTA;
        s.trim_offsets = s.add_prefix_space = true;
        if ((st = pair_of(j, "sep", w, &s.sep, &s.sep_id, err)) == TKA_OK &&
            (st = pair_of(j, "cls", w, &s.cls, &s.cls_id, err)) == TKA_OK && s.type == PP_ROBERTA &&
            (st = tj_get_bool(j, "trim_offsets", w, &s.trim_offsets, err)) == TKA_OK)
            st = tj_get_bool(j, "add_prefix_space", w, &s.add_prefix_space, err);
    } else if (!strcmp(type, "ByteLevel")) {
        s.type = PP_BYTELEVEL;
        s.trim_offsets = s.add_prefix_space = true;
        if ((st = tj_get_bool(j, "trim_offsets", w, &s.trim_offsets, err)) == TKA_OK)
            st = tj_get_bool(j, "add_prefix_space", w, &s.add_prefix_space, err);
    } else if (!strcmp(type, "TemplateProcessing")) {
        s.type = PP_TEMPLATE;
        json_t *sp = json_object_get(j, "special_tokens");
        tj_where sw = tj_at_key(w, "special_tokens");
        if (sp && !json_is_object(sp))
            st = tj_bad(err, &sw, "expected an object");
        const char *key;
        json_t *v;
        s.sp = calloc(json_object_size(sp) + 1, sizeof *s.sp);
        if (!s.sp)
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        json_object_foreach(sp, key, v)
        {
            if (st != TKA_OK)
                break;
            tj_where kw = tj_at_key(&sw, key);
            json_t *ids = json_object_get(v, "ids"), *toks = json_object_get(v, "tokens");
            if (!json_is_array(ids) || !json_is_array(toks) ||
                json_array_size(ids) != json_array_size(toks)) {
                st = tj_bad(err, &kw, "expected ids and tokens of the same length");
                break;
            }
            sp_token *x = &s.sp[s.n_sp++];
            x->name = strdup(key);
            x->n = json_array_size(ids);
            x->ids = calloc(x->n + 1, sizeof *x->ids);
            x->toks = calloc(x->n + 1, sizeof *x->toks);
            if (!x->name || !x->ids || !x->toks) {
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
                break;
            }
            for (size_t k = 0; k < x->n && st == TKA_OK; k++) {
                json_t *id = json_array_get(ids, k), *t = json_array_get(toks, k);
                if (!json_is_integer(id) || json_integer_value(id) < 0 ||
                    json_integer_value(id) > INT32_MAX || !json_is_string(t))
                    st = tj_bad(err, &kw, "ids must be token ids and tokens strings");
                else {
                    x->ids[k] = (int32_t)json_integer_value(id);
                    if (!(x->toks[k] = strdup(json_string_value(t))))
                        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
                }
            }
        }
        tj_where a = tj_at_key(w, "single"), b = tj_at_key(w, "pair");
        if (st == TKA_OK)
            st = template_of(&s, json_object_get(j, "single"), &a, &s.single, &s.n_single, err);
        if (st == TKA_OK)
            st = template_of(&s, json_object_get(j, "pair"), &b, &s.pair, &s.n_pair, err);
    } else
        return tj_unsupported(err, w, type);
    if (st == TKA_OK) {
        ppstep *q = realloc(p->steps, (p->n + 1) * sizeof *q);
        if (!q)
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        else {
            p->steps = q;
            p->steps[p->n++] = s;
            return TKA_OK;
        }
    }
    step_free(&s);
    return st;
}

tka_status tj_post_from_json(const json_t *j, const tj_where *w, tj_post **out, tka_error *err)
{
    *out = NULL;
    if (!j || json_is_null(j))
        return TKA_OK;
    tj_post *p = calloc(1, sizeof *p);
    if (!p)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = parse_step(p, j, w, err);
    if (st != TKA_OK) {
        tj_post_free(p);
        return st;
    }
    *out = p;
    return TKA_OK;
}

void tj_post_free(tj_post *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        step_free(&p->steps[i]);
    free(p->steps);
    free(p);
}

size_t tj_post_added(const tj_post *p, bool pair)
{
    size_t n = 0;
    for (size_t i = 0; p && i < p->n; i++) {
        const ppstep *s = &p->steps[i];
        if (s->type == PP_BERT)
            n += pair ? 3 : 2;
        else if (s->type == PP_ROBERTA)
            n += pair ? 4 : 2;
        else if (s->type == PP_TEMPLATE) {
            const piece *t = pair ? s->pair : s->single;
            size_t m = pair ? s->n_pair : s->n_single;
            for (size_t k = 0; k < m; k++)
                if (!t[k].is_seq)
                    n += s->sp[t[k].special_index].n;
        }
    }
    return n;
}

/* ------------------------------------------------------------ processing */

static bool space_char(uint32_t c)
{
    return c == 0x120 || tj_is_whitespace(c); /* 'Ġ' is the byte-level space */
}

/* COMPAT: byte_level::process_offsets. */
static void trim_offsets(tj_enc *e, bool add_prefix_space)
{
    for (size_t i = 0; i < e->n; i++) {
        const uint8_t *t = (const uint8_t *)e->tok[i];
        size_t len = e->tok_len[i], lead = 0, trail = 0;
        size_t q = 0;
        while (q < len) {
            size_t r = q;
            if (!space_char((uint32_t)tka_utf8_decode(t, &r)))
                break;
            lead++;
            q = r;
        }
        size_t end = len;
        while (end > 0) {
            size_t b = end - 1;
            while (b > 0 && (t[b] & 0xC0) == 0x80)
                b--;
            size_t r = b;
            if (!space_char((uint32_t)tka_utf8_decode(t, &r)))
                break;
            trail++;
            end = b;
        }
        if (lead > 0) {
            bool is_first = i == 0 || e->s[i] == 0;
            if (is_first && add_prefix_space && lead == 1)
                lead = 0;
            uint32_t ns = e->s[i] + (uint32_t)lead;
            e->s[i] = ns < e->e[i] ? ns : e->e[i];
        }
        if (trail > 0 && e->e[i] >= trail) {
            uint32_t ne = e->e[i] - (uint32_t)trail;
            e->e[i] = ne > e->s[i] ? ne : e->s[i];
        }
    }
}

static tka_status append(tj_enc *out, const tj_enc *x, int type_override, int32_t type_id)
{
    tka_status st = tj_enc_reserve(out, x->n);
    for (size_t i = 0; i < x->n && st == TKA_OK; i++) {
        out->word = x->words[i];
        st = tj_enc_push(out, x->ids[i], type_override ? type_id : x->type_ids[i], x->special[i],
                         x->s[i], x->e[i], x->tok[i], x->tok_len[i]);
    }
    return st;
}

static tka_status push_special(tj_enc *out, int32_t id, const char *tok, int32_t type_id)
{
    out->word = -1; /* COMPAT: the processor's special tokens belong to no word */
    return tj_enc_push(out, id, type_id, 1, 0, 0, tok, (uint32_t)strlen(tok));
}

/* One processor over the encodings; result in `out` as one merged encoding unless the
 * processor keeps them apart (then a and b are modified in place and out is untouched:
 * returns 0). Returns 1 when `out` holds the merged result. */
static tka_status step(const ppstep *s, tj_enc *a, tj_enc *b, bool add_special, tj_enc *out,
                       int *merged)
{
    *merged = 0;
    tka_status st = TKA_OK;
    switch (s->type) {
    case PP_BYTELEVEL:
        if (s->trim_offsets) {
            trim_offsets(a, s->add_prefix_space);
            if (b)
                trim_offsets(b, s->add_prefix_space);
        }
        return TKA_OK;
    case PP_BERT:
        if (!add_special)
            return TKA_OK;
        *merged = 1;
        if ((st = push_special(out, s->cls_id, s->cls, 0)) == TKA_OK &&
            (st = append(out, a, 1, 0)) == TKA_OK)
            st = push_special(out, s->sep_id, s->sep, 0);
        if (st == TKA_OK && b && (st = append(out, b, 1, 1)) == TKA_OK)
            st = push_special(out, s->sep_id, s->sep, 1);
        return st;
    case PP_ROBERTA:
        if (s->trim_offsets) {
            trim_offsets(a, s->add_prefix_space);
            if (b)
                trim_offsets(b, s->add_prefix_space);
        }
        if (!add_special) {
            for (size_t i = 0; !a->overflow && i < a->n; i++)
                a->type_ids[i] = 0;
            for (size_t i = 0; b && !b->overflow && i < b->n; i++)
                b->type_ids[i] = 0;
            return TKA_OK;
        }
        for (size_t i = 0; i < a->n; i++)
            a->type_ids[i] = 0;
        for (size_t i = 0; b && i < b->n; i++)
            b->type_ids[i] = 0;
        *merged = 1;
        if ((st = push_special(out, s->cls_id, s->cls, 0)) == TKA_OK &&
            (st = append(out, a, 1, 0)) == TKA_OK)
            st = push_special(out, s->sep_id, s->sep, 0);
        if (st == TKA_OK && b && (st = push_special(out, s->sep_id, s->sep, 0)) == TKA_OK &&
            (st = append(out, b, 1, 0)) == TKA_OK)
            st = push_special(out, s->sep_id, s->sep, 0);
        return st;
    case PP_TEMPLATE: {
        const piece *t = b ? s->pair : s->single;
        size_t m = b ? s->n_pair : s->n_single;
        *merged = 1;
        for (size_t k = 0; k < m && st == TKA_OK; k++) {
            if (t[k].is_seq) {
                const tj_enc *x = t[k].seq == 0 ? a : b;
                if (x)
                    st = append(out, x, !x->overflow, t[k].type_id);
            } else if (add_special) {
                const sp_token *sp = &s->sp[t[k].special_index];
                for (size_t q = 0; q < sp->n && st == TKA_OK; q++)
                    st = push_special(out, sp->ids[q], sp->toks[q], t[k].type_id);
            }
        }
        return st;
    }
    }
    return st;
}

tka_status tj_post_process(const tj_post *p, tj_enc *a, tj_enc *b, bool add_special, tj_enc *out)
{
    out->n = 0;
    tka_status st = TKA_OK;
    /* COMPAT: a Sequence processor runs each step over the list of encodings; the merge
     * happens once at the end. Steps after one that merged see the merged encoding. */
    tj_enc tmp = {0};
    bool single = false;
    for (size_t i = 0; p && i < p->n && st == TKA_OK; i++) {
        int merged = 0;
        tmp.n = 0;
        st = step(&p->steps[i], a, single ? NULL : b, add_special, &tmp, &merged);
        if (st == TKA_OK && merged) {
            a->n = 0;
            st = append(a, &tmp, 0, 0);
            single = true;
        }
    }
    tj_enc_free(&tmp);
    if (st == TKA_OK)
        st = append(out, a, 0, 0);
    if (st == TKA_OK && b && !single)
        st = append(out, b, 0, 0);
    return st;
}
