/* The alignment-keeping string: Rust NormalizedString's transform / replace / prepend /
 * slice / split, over absolute original byte offsets. */
#include "tokenize/tj_str.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"

static void *alloc(tj_ctx *cx, size_t n, size_t elem)
{
    return tka_arena_alloc(cx->arena, (n ? n : 1) * elem, 8);
}

tka_status tj_str_from(tj_ctx *cx, const char *text, uint32_t len, uint32_t base, tj_str *out)
{
    out->s = alloc(cx, len + 1, 1);
    out->al = alloc(cx, len, sizeof(tj_al));
    if (!out->s || !out->al)
        return TKA_ERR_NOMEM;
    memcpy(out->s, text, len);
    out->s[len] = 0;
    out->len = len;
    out->shift = base;
    /* Every byte of a char aligns to the whole char, as Rust's From<&str>. */
    for (uint32_t i = 0; i < len;) {
        uint32_t n = (uint32_t)tka_utf8_seq_len((uint8_t)text[i]);
        for (uint32_t k = 0; k < n; k++)
            out->al[i + k] = (tj_al){base + i, base + i + n};
        i += n;
    }
    return TKA_OK;
}

tj_str tj_str_slice(const tj_str *str, uint32_t s, uint32_t e)
{
    if (!str->al)
        return (tj_str){str->s + s, NULL, e - s, str->shift};
    tj_str r = {str->s + s, str->al + s, e - s, e > s ? str->al[s].s : str->shift};
    return r;
}

void tj_str_orig(const tj_str *str, uint32_t s, uint32_t e, uint32_t *os, uint32_t *oe)
{
    /* COMPAT: convert_offsets of an empty range returns it unchanged (normalized offsets,
     * then shifted); otherwise expand_alignments: first start .. last end. */
    if (e <= s || e > str->len) {
        *os = str->shift + s;
        *oe = str->shift + e;
        return;
    }
    *os = str->al[s].s;
    *oe = str->al[e - 1].e;
}

tka_status tj_chg_reserve(tj_ctx *cx, size_t n)
{
    return tka_grow_array((void **)&cx->chg, &cx->chg_cap, n, sizeof *cx->chg, 256) ? TKA_OK
                                                                                    : TKA_ERR_NOMEM;
}

tka_status tj_str_transform(tj_ctx *cx, tj_str *str, const tj_chg *ch, size_t n,
                            size_t initial_offset)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += ch[i].cp < 0x80 ? 1 : ch[i].cp < 0x800 ? 2 : ch[i].cp < 0x10000 ? 3 : 4;
    char *s = alloc(cx, cap + 1, 1);
    if (!s)
        return TKA_ERR_NOMEM;
    if (!str->al) { /* no alignments: the chars alone */
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
            o += tka_utf8_encode((int32_t)ch[i].cp, (uint8_t *)s + o);
        s[o] = 0;
        str->s = s;
        str->len = (uint32_t)o;
        return TKA_OK;
    }
    tj_al *al = alloc(cx, cap, sizeof *al);
    if (!al)
        return TKA_ERR_NOMEM;
    const uint8_t *old = (const uint8_t *)str->s;
    size_t idx = 0;
    for (size_t k = 0; k < initial_offset && idx < str->len; k++)
        idx += tka_utf8_seq_len(old[idx]);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        tj_al a;
        /* COMPAT: transform_range: an inserted char shares the alignment of the byte
         * before it ((0, 0) of the slice at its very start); a replacing one takes the
         * alignment of the first byte it replaces. */
        if (ch[i].change > 0)
            a = idx < 1 ? (tj_al){str->shift, str->shift} : str->al[idx - 1];
        else
            a = idx < str->len ? str->al[idx] : (tj_al){str->shift, str->shift};
        if (ch[i].change <= 0) {
            if (idx < str->len)
                idx += tka_utf8_seq_len(old[idx]);
            for (int32_t r = 0; r < -ch[i].change && idx < str->len; r++)
                idx += tka_utf8_seq_len(old[idx]);
        }
        uint8_t buf[4];
        size_t m = tka_utf8_encode((int32_t)ch[i].cp, buf);
        for (size_t b = 0; b < m; b++) {
            s[o] = (char)buf[b];
            al[o++] = a;
        }
    }
    s[o] = 0;
    str->s = s;
    str->al = al;
    str->len = (uint32_t)o;
    return TKA_OK;
}

tka_status tj_str_replace(tj_ctx *cx, tj_str *str, const uint32_t *m, size_t n_matches,
                          const char *content, size_t content_len)
{
    if (n_matches == 0)
        return TKA_OK;
    size_t removed = 0;
    for (size_t k = 0; k < n_matches; k++)
        removed += m[2 * k + 1] - m[2 * k];
    size_t cap = str->len - removed + n_matches * content_len;
    char *s = alloc(cx, cap + 1, 1);
    tj_al *al = str->al ? alloc(cx, cap, sizeof *al) : NULL; /* none without alignments */
    if (!s || (str->al && !al))
        return TKA_ERR_NOMEM;
    size_t o = 0, last = 0;
    for (size_t k = 0; k < n_matches; k++) {
        uint32_t ms = m[2 * k], me = m[2 * k + 1];
        memcpy(s + o, str->s + last, ms - last);
        if (al)
            memcpy(al + o, str->al + last, (ms - last) * sizeof *al);
        o += ms - last;
        memcpy(s + o, content, content_len);
        if (al) {
            /* COMPAT: replace: every char of the content is an insertion after the removed
             * match, so all share the alignment of the match's last byte. */
            tj_al a = me < 1 ? (tj_al){str->shift, str->shift} : str->al[me - 1];
            for (size_t b = 0; b < content_len; b++)
                al[o + b] = a;
        }
        o += content_len;
        last = me;
    }
    memcpy(s + o, str->s + last, str->len - last);
    if (al)
        memcpy(al + o, str->al + last, (str->len - last) * sizeof *al);
    o += str->len - last;
    s[o] = 0;
    str->s = s;
    str->al = al;
    str->len = (uint32_t)o;
    return TKA_OK;
}

tka_status tj_str_prepend(tj_ctx *cx, tj_str *str, const char *p, size_t len)
{
    if (str->len == 0 || len == 0)
        return TKA_OK;
    /* COMPAT: prepend = transform_range(first char, [p's chars (first replacing, others
     * inserted), first char inserted]): p takes the first char's alignment, and so does
     * the first char (its last byte's). */
    uint32_t first = (uint32_t)tka_utf8_seq_len((uint8_t)str->s[0]);
    char *s = alloc(cx, str->len + len + 1, 1);
    tj_al *al = str->al ? alloc(cx, str->len + len, sizeof *al) : NULL;
    if (!s || (str->al && !al))
        return TKA_ERR_NOMEM;
    memcpy(s, p, len);
    memcpy(s + len, str->s, str->len);
    if (al) {
        for (size_t b = 0; b < len; b++)
            al[b] = str->al[0];
        for (uint32_t b = 0; b < first; b++)
            al[len + b] = str->al[first - 1];
        memcpy(al + len + first, str->al + first, (str->len - first) * sizeof *al);
    }
    s[len + str->len] = 0;
    str->s = s;
    str->al = al;
    str->len += (uint32_t)len;
    return TKA_OK;
}

tka_status tj_splits_push(tj_splits *v, const tj_split *sp)
{
    if (!tka_grow_array((void **)&v->v, &v->cap, v->n + 1, sizeof *v->v, 64))
        return TKA_ERR_NOMEM;
    v->v[v->n++] = *sp;
    return TKA_OK;
}

void tj_splits_free(tj_splits *v)
{
    free(v->v);
    memset(v, 0, sizeof *v);
}

tka_status tj_matches_push(tj_matches *m, uint32_t s, uint32_t e, int is_match)
{
    if (!tka_grow_array((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v, 64))
        return TKA_ERR_NOMEM;
    m->v[m->n++] = (tj_match){s, e, is_match};
    return TKA_OK;
}

void tj_matches_free(tj_matches *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

static tka_status emit(const tj_str *str, uint32_t s, uint32_t e, tj_splits *out)
{
    if (e <= s)
        return TKA_OK;
    tj_split sp = {tj_str_slice(str, s, e), -1};
    return tj_splits_push(out, &sp);
}

tka_status tj_split_by(const tj_str *str, tj_matches *m, tj_behavior behavior, tj_splits *out)
{
    tj_match *v = m->v;
    size_t n = m->n, k = 0;
    /* Fold the matches in place into (range, remove) per behaviour, as Rust does. */
    switch (behavior) {
    case TJ_ISOLATED:
        for (size_t i = 0; i < n; i++)
            v[i].is_match = 0;
        k = n;
        break;
    case TJ_REMOVED: k = n; break;
    case TJ_CONTIGUOUS: {
        int prev = 0;
        for (size_t i = 0; i < n; i++) {
            int im = v[i].is_match;
            if (im == prev && k > 0)
                v[k - 1].e = v[i].e;
            else
                v[k++] = (tj_match){v[i].s, v[i].e, 0};
            prev = im;
        }
        break;
    }
    case TJ_MERGED_WITH_PREVIOUS: {
        int prev = 0;
        for (size_t i = 0; i < n; i++) {
            int im = v[i].is_match;
            if (im && !prev && k > 0)
                v[k - 1].e = v[i].e;
            else
                v[k++] = (tj_match){v[i].s, v[i].e, 0};
            prev = im;
        }
        break;
    }
    case TJ_MERGED_WITH_NEXT: {
        /* Folded from the end, kept at the end of the array, then emitted in order. */
        int prev = 0;
        size_t top = n; /* v[top..n) holds the folded list, reversed order of building */
        for (size_t i = n; i-- > 0;) {
            tj_match cur = v[i];
            if (cur.is_match && !prev && top < n)
                v[top].s = cur.s;
            else
                v[--top] = (tj_match){cur.s, cur.e, 0};
            prev = cur.is_match;
        }
        for (size_t i = top; i < n; i++) {
            tka_status st = emit(str, v[i].s, v[i].e, out);
            if (st != TKA_OK)
                return st;
        }
        return TKA_OK;
    }
    }
    for (size_t i = 0; i < k; i++) {
        if (v[i].is_match)
            continue;
        tka_status st = emit(str, v[i].s, v[i].e, out);
        if (st != TKA_OK)
            return st;
    }
    return TKA_OK;
}
