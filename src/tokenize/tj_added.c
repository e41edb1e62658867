/* The added vocabulary of a tokenizer.json: loading, and leftmost-longest matching with
 * the Rust AddedVocabulary's lstrip / rstrip / single_word rules. */
#include "tokenize/tj_added.h"

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "tokenize/tj_model.h"
#include "tokenize/tj_pretok.h"

void tj_added_free(tj_added *a)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].pattern != a->v[i].content)
            free(a->v[i].pattern);
        free(a->v[i].content);
    }
    free(a->v);
    for (int k = 0; k < 2; k++)
        for (int b = 0; b < 256; b++)
            free(a->by_byte[k][b]);
    memset(a, 0, sizeof *a);
}

static const tj_added *sort_ctx;
static int by_len_desc(const void *x, const void *y)
{
    const tj_added_token *a = &sort_ctx->v[*(const uint32_t *)x],
                         *b = &sort_ctx->v[*(const uint32_t *)y];
    if (a->pattern_len != b->pattern_len)
        return a->pattern_len > b->pattern_len ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

tka_status tj_added_from_json(const json_t *list, const tj_where *w, const tj_normalizer *norm,
                              const struct tj_model *model, tj_added *a, tka_error *err)
{
    memset(a, 0, sizeof *a);
    if (!list || json_is_null(list))
        return TKA_OK;
    if (!json_is_array(list))
        return tj_bad(err, w, "expected an array");
    size_t n = json_array_size(list);
    a->v = calloc(n ? n : 1, sizeof *a->v);
    if (!a->v)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = TKA_OK;
    tka_arena *arena = tka_arena_new(0);
    tj_regex_work *rw = tj_regex_work_new();
    tj_ctx cx = {arena, NULL, 0, err};
    if (!arena || !rw)
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    int64_t next_id = (int64_t)tj_model_vocab_size(model);
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        json_t *t = json_array_get(list, i);
        tj_where iw = tj_at_index(w, i);
        tj_added_token *x = &a->v[a->n], tmp;
        memset(&tmp, 0, sizeof tmp);
        /* a content seen before updates that token (same id), as the content-keyed map */
        const char *cs = json_string_value(json_object_get(t, "content"));
        size_t csl = json_string_length(json_object_get(t, "content"));
        bool again = false;
        for (size_t q = 0; cs && q < a->n && !again; q++)
            /* False positive: the entries below a->n have their content (a->n grows
             * after it is set); the analyzer forgets a->n across the calls above.
             * NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
            if (a->v[q].len == csl && !memcmp(a->v[q].content, cs, csl)) {
                tmp.id = a->v[q].id;
                if (a->v[q].pattern != a->v[q].content)
                    free(a->v[q].pattern);
                free(a->v[q].content);
                a->v[q] = a->v[--a->n];
                x = &a->v[a->n];
                again = true;
            }
        const char *c;
        json_t *id = json_object_get(t, "id");
        if (!json_is_object(t))
            st = tj_bad(err, &iw, "expected an object");
        else if (!json_is_integer(id) || json_integer_value(id) < 0 ||
                 json_integer_value(id) > INT32_MAX) {
            tj_where idw = tj_at_key(&iw, "id");
            st = tj_bad(err, &idw, "expected a token id (an integer in [0, 2^31))");
        } else if ((st = tj_get_string(t, "content", &iw, &c, &x->len, err)) == TKA_OK) {
            if (x->len == 0) /* COMPAT: add_tokens ignores an empty token */
                continue;
            /* COMPAT: add_tokens: the content's id when it has one (added map, then the
             * model), else the next free id; the file's id is not used. */
            int32_t mid = tj_model_token_to_id(model, c, x->len);
            if (again)
                x->id = tmp.id;
            else if (mid >= 0)
                x->id = mid;
            else if (next_id > INT32_MAX) {
                st = tj_bad(err, &iw, "too many added tokens");
                break;
            } else
                x->id = (int32_t)next_id++;
            x->normalized = !json_is_true(json_object_get(t, "special"));
            if ((st = tj_get_bool(t, "special", &iw, &x->special, err)) != TKA_OK ||
                (st = tj_get_bool(t, "normalized", &iw, &x->normalized, err)) != TKA_OK ||
                (st = tj_get_bool(t, "lstrip", &iw, &x->lstrip, err)) != TKA_OK ||
                (st = tj_get_bool(t, "rstrip", &iw, &x->rstrip, err)) != TKA_OK ||
                (st = tj_get_bool(t, "single_word", &iw, &x->single_word, err)) != TKA_OK)
                break;
            x->content = malloc(x->len + 1);
            if (!x->content) {
                st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
                break;
            }
            memcpy(x->content, c, x->len + 1);
            a->n++;
            x->pattern = x->content;
            x->pattern_len = x->len;
            if (x->normalized && norm) {
                /* COMPAT: normalized tokens match their normalized form (normalized_cache). */
                tj_str s;
                tka_arena_reset(arena);
                if ((st = tj_str_from(&cx, c, (uint32_t)x->len, 0, &s)) == TKA_OK &&
                    (st = tj_normalize(norm, &cx, rw, &s)) == TKA_OK && s.len) {
                    x->pattern = strndup(s.s, s.len);
                    x->pattern_len = s.len;
                    if (!x->pattern) {
                        x->pattern = x->content;
                        st = TKA_ERR_NOMEM;
                    }
                }
                if (st != TKA_OK)
                    st = tka_error_set(err, st, "%s: %s: cannot normalize the token", iw.file,
                                       iw.path);
            }
        }
    }
    free(cx.chg);
    tka_arena_free(arena);
    tj_regex_work_free(rw);
    for (size_t i = 0; i < a->n && st == TKA_OK; i++) {
        int k = a->v[i].normalized;
        /* False positive, as above: an entry below a->n has a pattern (its content
         * or a normalized copy). NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
        uint8_t b = (uint8_t)a->v[i].pattern[0];
        uint32_t *p = realloc(a->by_byte[k][b], (a->count[k][b] + 1) * sizeof *p);
        if (!p)
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        else {
            a->by_byte[k][b] = p;
            p[a->count[k][b]++] = (uint32_t)i;
            a->any[k] = true;
        }
    }
    sort_ctx = a;
    for (int k = 0; k < 2 && st == TKA_OK; k++)
        for (int b = 0; b < 256; b++)
            if (a->count[k][b] > 1)
                qsort(a->by_byte[k][b], a->count[k][b], sizeof(uint32_t), by_len_desc);
    if (st != TKA_OK)
        tj_added_free(a);
    return st;
}

const tj_added_token *tj_added_by_id(const tj_added *a, int32_t id)
{
    /* the last one wins, as a map keyed by id would keep */
    for (size_t i = a->n; i-- > 0;)
        if (a->v[i].id == id)
            return &a->v[i];
    return NULL;
}

const tj_added_token *tj_added_by_content(const tj_added *a, const char *s, size_t len)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].len == len && !memcmp(a->v[i].content, s, len))
            return &a->v[i];
    return NULL;
}

static uint32_t last_char(const char *s, size_t end)
{
    size_t b = end;
    while (b > 0 && ((unsigned char)s[b - 1] & 0xC0) == 0x80)
        b--;
    if (b > 0)
        b--;
    size_t q = b;
    return (uint32_t)tka_utf8_decode((const uint8_t *)s, &q);
}

/* Leftmost-longest match at or after `from`: returns the token index or -1. */
static long find(const tj_added *a, int k, const char *s, size_t len, size_t from, size_t *at)
{
    for (size_t i = from; i < len; i++) {
        uint8_t b = (uint8_t)s[i];
        for (uint32_t q = 0; q < a->count[k][b]; q++) {
            const tj_added_token *t = &a->v[a->by_byte[k][b][q]];
            if (t->pattern_len <= len - i && !memcmp(s + i, t->pattern, t->pattern_len)) {
                *at = i;
                return (long)a->by_byte[k][b][q];
            }
        }
    }
    return -1;
}

/* find_matches over one string: pushes (range, id or -1) pieces. */
static tka_status split_one(const tj_added *a, int k, const tj_str *str, tj_splits *out)
{
    const char *s = str->s;
    size_t len = str->len, start_offset = 0, from = 0, at;
    tka_status st = TKA_OK;
    long t;
    while (st == TKA_OK && from < len && (t = find(a, k, s, len, from, &at)) >= 0) {
        const tj_added_token *x = &a->v[t];
        size_t start = at, stop = at + x->pattern_len;
        from = stop; /* the matcher resumes after the raw match */
        if (x->single_word) {
            bool start_space = start == 0 || !tj_is_word_char(last_char(s, start));
            size_t q = stop;
            bool stop_space =
                stop == len || !tj_is_word_char((uint32_t)tka_utf8_decode((const uint8_t *)s, &q));
            if (!start_space || !stop_space)
                continue;
        }
        if (x->lstrip) {
            size_t b = start;
            while (b > 0) {
                size_t p = b - 1;
                while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
                    p--;
                size_t q = p;
                if (!tj_is_whitespace((uint32_t)tka_utf8_decode((const uint8_t *)s, &q)))
                    break;
                b = p;
            }
            start = b > start_offset ? b : start_offset;
        }
        if (x->rstrip) {
            while (stop < len) {
                size_t q = stop;
                if (!tj_is_whitespace((uint32_t)tka_utf8_decode((const uint8_t *)s, &q)))
                    break;
                stop = q;
            }
        }
        if (start_offset < start) {
            tj_split sp = {tj_str_slice(str, (uint32_t)start_offset, (uint32_t)start), -1};
            st = tj_splits_push(out, &sp);
        }
        if (st == TKA_OK) {
            tj_split sp = {tj_str_slice(str, (uint32_t)start, (uint32_t)stop), (int32_t)t};
            st = tj_splits_push(out, &sp);
        }
        start_offset = stop;
    }
    if (st == TKA_OK && start_offset < len) {
        tj_split sp = {tj_str_slice(str, (uint32_t)start_offset, (uint32_t)len), -1};
        st = tj_splits_push(out, &sp);
    }
    return st;
}

tka_status tj_added_split(const tj_added *a, bool normalized, const tj_normalizer *norm, tj_ctx *cx,
                          tj_regex_work *rw, tj_splits *in, tj_splits *out)
{
    int k = normalized ? 1 : 0;
    bool any = a->any[k];
    tka_status st = TKA_OK;
    for (size_t i = 0; i < in->n && st == TKA_OK; i++) {
        tj_split *sp = &in->v[i];
        if (sp->added >= 0) {
            st = tj_splits_push(out, sp);
            continue;
        }
        tj_str str = sp->str;
        if (norm && (st = tj_normalize(norm, cx, rw, &str)) != TKA_OK)
            return st;
        if (str.len == 0)
            continue;
        if (!any) {
            /* COMPAT: Rust still slices the whole normalized string (find_matches gives one
             * range), which moves original_shift to where the normalized text starts in
             * the original: Metaspace's prepend_scheme "first" reads it (after a Strip
             * normalizer removed leading spaces, no prepend). */
            tj_split s2 = {tj_str_slice(&str, 0, str.len), -1};
            st = tj_splits_push(out, &s2);
        } else
            st = split_one(a, k, &str, out);
    }
    return st;
}
