/* Special tokens of BERT texts: split_on_tokens (slow), the Rust added
 * vocabulary (fast), and the per-character lower-casing around them. */
#include "tokenize/bert_specials.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"
#include "tokenize/bert_normalize.h"

static bool seg_push(seglist *l, size_t start, size_t end, int32_t special)
{
    if (!tka_grow_array((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v, 16))
        return false;
    l->v[l->n++] = (segment){start, end, special};
    return true;
}

static const uint8_t *find(const uint8_t *h, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0 || hn < nn)
        return NULL;
    const uint8_t *end = h + (hn - nn) + 1;
    for (const uint8_t *p = h; p < end;) {
        p = memchr(p, (uint8_t)needle[0], (size_t)(end - p));
        if (!p)
            return NULL;
        if (memcmp(p, needle, nn) == 0)
            return p;
        p++;
    }
    return NULL;
}

/* COMPAT: PreTrainedTokenizer.tokenize's split_on_tokens: for each
 * no-split token in sorted order, every remaining piece is split at that
 * token's occurrences (str.split: left to right, non-overlapping). */
bool bert_split_slow(const bert_model *m, const uint8_t *x, size_t len, seglist *out)
{
    seglist a = {0}, b = {0};
    bool ok = seg_push(&a, 0, len, -1);
    for (size_t t = 0; t < m->n_specials && ok; t++) {
        size_t si = m->no_split_order[t];
        const bert_special *sp = &m->specials[si];
        b.n = 0;
        for (size_t k = 0; k < a.n && ok; k++) {
            segment g = a.v[k];
            if (g.special >= 0) {
                ok = seg_push(&b, g.start, g.end, g.special);
                continue;
            }
            size_t p = g.start;
            const uint8_t *hit;
            while (ok && (hit = find(x + p, g.end - p, sp->text, sp->len)) != NULL) {
                size_t h = (size_t)(hit - x);
                if (h > p)
                    ok = seg_push(&b, p, h, -1);
                if (ok)
                    ok = seg_push(&b, h, h + sp->len, (int32_t)si);
                p = h + sp->len;
            }
            if (ok && p < g.end)
                ok = seg_push(&b, p, g.end, -1);
        }
        seglist tmp = a;
        a = b;
        b = tmp;
    }
    free(b.v);
    if (ok) {
        free(out->v);
        *out = a;
    } else {
        free(a.v);
    }
    return ok;
}

/* COMPAT: tokenizers' AddedVocabulary matches special tokens on the raw
 * text, leftmost-longest. */
bool bert_split_fast(const bert_model *m, const uint8_t *x, size_t len, seglist *out)
{
    size_t seg = 0;
    for (size_t p = 0; p < len;) {
        if (!m->special_first[x[p]]) {
            p++;
            continue;
        }
        int32_t best = -1;
        size_t best_len = 0;
        for (size_t i = 0; i < m->n_specials; i++) {
            const bert_special *sp = &m->specials[i];
            if (sp->len > best_len && sp->len <= len - p && memcmp(x + p, sp->text, sp->len) == 0) {
                best = (int32_t)i;
                best_len = sp->len;
            }
        }
        if (best < 0) {
            p++;
            continue;
        }
        if (p > seg && !seg_push(out, seg, p, -1))
            return false;
        if (!seg_push(out, p, p + best_len, best))
            return false;
        p += best_len;
        seg = p;
    }
    return seg >= len || seg_push(out, seg, len, -1);
}

/* Grows the character -> input offset map to hold `need` entries. */
static bool map_reserve(uint32_t **map, size_t *cap, size_t need)
{
    return tka_grow_array((void **)map, cap, need, sizeof **map, 64);
}

/* COMPAT: with do_lower_case, PreTrainedTokenizer.tokenize first lowers the
 * text with re.sub("(" + specials + ")|(.+?)", ...): special tokens are left
 * as they are and every other character is lowered on its own, so a Greek
 * final capital sigma becomes "σ" (not "ς"). Python tries the specials at
 * each position before taking one character, so the spans it protects are
 * exactly the leftmost matches of the specials' alternation, which PCRE2
 * finds here. Builds that text and, per character, its offset in the input. */
bool bert_lower_text(const bert_model *m, const uint8_t *t, size_t len, tka_buf *lt,
                     uint32_t **map_out, size_t *map_cap)
{
    size_t ci = 0, nchar = 0;
    lt->len = 0;
    pcre2_match_data *md =
        m->special_re ? pcre2_match_data_create_from_pattern(m->special_re, NULL) : NULL;
    if (m->special_re && !md)
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < len;) {
        size_t s = len, e = len;
        if (md) {
            int rc = pcre2_match(m->special_re, t, len, i, PCRE2_NO_UTF_CHECK, md, NULL);
            if (rc > 0) {
                const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                s = ov[0];
                e = ov[1];
            } else if (rc != PCRE2_ERROR_NOMATCH) {
                ok = false; /* a matching resource limit: report failure, never guess */
                break;
            }
        }
        while (ok && i < s) { /* the characters before the special, lowered one by one */
            int32_t cp = tka_utf8_decode(t, &i);
            int32_t low[4];
            int nl = bert_lower(cp, low);
            ok = map_reserve(map_out, map_cap, nchar + (size_t)nl);
            for (int k = 0; ok && k < nl; k++) {
                uint8_t u[4];
                size_t nu = tka_utf8_encode(low[k], u);
                ok = tka_buf_append(lt, u, nu) == TKA_OK;
                (*map_out)[nchar++] = (uint32_t)ci;
            }
            ci++;
        }
        if (!ok || s == len)
            break;
        size_t nc = tka_utf8_count((const char *)t + s, e - s); /* the special, verbatim */
        ok =
            tka_buf_append(lt, t + s, e - s) == TKA_OK && map_reserve(map_out, map_cap, nchar + nc);
        for (size_t k = 0; ok && k < nc; k++)
            (*map_out)[nchar++] = (uint32_t)(ci + k);
        ci += nc;
        i = e;
    }
    pcre2_match_data_free(md);
    return ok && tka_buf_reserve(lt, 0) == TKA_OK;
}

bool bert_has_special_start(const bert_model *m, const uint8_t *t, size_t len)
{
    if (m->n_specials == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (m->special_first[t[i]])
            return true;
    return false;
}
