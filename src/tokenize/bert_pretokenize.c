/* Text -> words for WordPiece: clean-up, CJK isolation, lower-casing,
 * accent stripping and punctuation splitting, in the order transformers'
 * BertTokenizer (slow) or tokenizers' Rust pipeline (fast) applies them,
 * with code-point offsets into the input; and the ASCII fast path. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"
#include "tokenize/backend.h"
#include "tokenize/bert_model.h"
#include "tokenize/bert_normalize.h"
#include "tokenize/bert_specials.h"
#include "core/try.h"

/* ------------------------------------------------------------ scratch */

/* Per-call working memory: small inline arrays cover ordinary words; a
 * longer whitespace token moves to the heap, freed when the call returns. */
#define INLINE_CHARS 256

typedef struct scratch {
    int32_t *cp;    /* code points of the current whitespace token */
    uint32_t *orig; /* their offsets in the input */
    size_t n, cap;  /* used / capacity of cp and orig */
    int32_t *cp2;   /* second buffer for transformations */
    uint32_t *orig2;
    size_t n2, cap2;
    uint8_t *bytes; /* UTF-8 of one word */
    size_t cap_bytes;
    /* which of the arrays above live on the heap (they start inline and
     * the two character buffers swap roles) */
    bool heap_cp, heap_orig, heap_cp2, heap_orig2, heap_bytes;
    int32_t inline_cp[INLINE_CHARS], inline_cp2[INLINE_CHARS];
    uint32_t inline_orig[INLINE_CHARS], inline_orig2[INLINE_CHARS];
    uint8_t inline_bytes[INLINE_CHARS * 4];
} scratch;

static void scratch_init(scratch *s)
{
    s->cp = s->inline_cp;
    s->orig = s->inline_orig;
    s->cp2 = s->inline_cp2;
    s->orig2 = s->inline_orig2;
    s->bytes = s->inline_bytes;
    s->n = s->n2 = 0;
    s->cap = s->cap2 = INLINE_CHARS;
    s->cap_bytes = sizeof s->inline_bytes;
    s->heap_cp = s->heap_orig = s->heap_cp2 = s->heap_orig2 = s->heap_bytes = false;
}

static void scratch_free(scratch *s)
{
    if (s->heap_cp)
        free(s->cp);
    if (s->heap_orig)
        free(s->orig);
    if (s->heap_cp2)
        free(s->cp2);
    if (s->heap_orig2)
        free(s->orig2);
    if (s->heap_bytes)
        free(s->bytes);
}

static bool reserve_chars(scratch *s, size_t extra)
{
    size_t need = s->n + extra;
    size_t cap = s->cap;
    if (!tka_grow_array_keep((void **)&s->cp, &cap, &s->heap_cp, need, s->n, sizeof *s->cp,
                             INLINE_CHARS))
        return false;
    size_t cap_o = s->cap;
    if (!tka_grow_array_keep((void **)&s->orig, &cap_o, &s->heap_orig, need, s->n, sizeof *s->orig,
                             INLINE_CHARS))
        return false;
    s->cap = cap < cap_o ? cap : cap_o;
    return true;
}

static bool reserve_chars2(scratch *s, size_t extra)
{
    size_t need = s->n2 + extra;
    size_t cap = s->cap2;
    if (!tka_grow_array_keep((void **)&s->cp2, &cap, &s->heap_cp2, need, s->n2, sizeof *s->cp2,
                             INLINE_CHARS))
        return false;
    size_t cap_o = s->cap2;
    if (!tka_grow_array_keep((void **)&s->orig2, &cap_o, &s->heap_orig2, need, s->n2,
                             sizeof *s->orig2, INLINE_CHARS))
        return false;
    s->cap2 = cap < cap_o ? cap : cap_o;
    return true;
}

/* Swaps the two character buffers after a transformation. */
static void swap_buffers(scratch *s)
{
    int32_t *cp = s->cp;
    uint32_t *orig = s->orig;
    size_t cap = s->cap;
    bool hc = s->heap_cp, ho = s->heap_orig;
    s->cp = s->cp2;
    s->orig = s->orig2;
    s->cap = s->cap2;
    s->heap_cp = s->heap_cp2;
    s->heap_orig = s->heap_orig2;
    s->n = s->n2;
    s->cp2 = cp;
    s->orig2 = orig;
    s->cap2 = cap;
    s->heap_cp2 = hc;
    s->heap_orig2 = ho;
    s->n2 = 0;
}

/* ------------------------------------------------------------ words */

typedef struct ctx {
    const bert_model *m;
    unsigned flags;
    tka_tokens *out;
    scratch *s;
    tka_compat compat; /* whose rules apply (normally m->compat) */
    bool slow;         /* compat == TKA_COMPAT_SLOW */
    /* Slow mode, do_lower_case: the whole text was lowered (with special
     * tokens protected) because a special token may occur in it; otherwise
     * each whitespace token is lowered instead, which is the same there. */
    bool text_lowered;
} ctx;

static tka_status nomem(void)
{
    return TKA_ERR_NOMEM;
}

/* Sends cp[first..last) (one word) to WordPiece. */
static tka_status emit_word(ctx *c, size_t first, size_t last)
{
    scratch *s = c->s;
    size_t n = last - first;
    if (n == 0)
        return TKA_OK;
    if (n * 4 > s->cap_bytes && !tka_grow_array_keep((void **)&s->bytes, &s->cap_bytes,
                                                     &s->heap_bytes, n * 4, 0, 1, INLINE_CHARS))
        return nomem();
    size_t nb = 0;
    bool contiguous = true;
    for (size_t k = first; k < last; k++) {
        nb += tka_utf8_encode(s->cp[k], s->bytes + nb);
        if (s->orig[k] != s->orig[first] + (k - first))
            contiguous = false;
    }
    return bert_wordpiece(c->m, s->bytes, nb, n, contiguous ? NULL : s->orig + first,
                          s->orig[first], c->flags, c->out);
}

static int produced_class(int32_t cp, tka_compat compat)
{
    if (cp < 0x80) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
            (cp >= 123 && cp <= 126))
            return BERT_PUNCT;
        if (cp == ' ' || (cp >= 9 && cp <= 13) || (cp >= 0x1C && cp <= 0x1F))
            return BERT_SPACE;
        return BERT_WORD;
    }
    return bert_produced_class(cp, compat);
}

/* Lower-cases cp[0..n) into the second buffer and swaps. */
static tka_status lower_all(ctx *c)
{
    scratch *s = c->s;
    bool ascii = true;
    for (size_t k = 0; k < s->n && ascii; k++)
        ascii = s->cp[k] < 0x80;
    if (ascii) {
        for (size_t k = 0; k < s->n; k++)
            s->cp[k] = c->m->ascii_lower[s->cp[k]];
        return TKA_OK;
    }
    s->n2 = 0;
    for (size_t k = 0; k < s->n; k++) {
        if (!reserve_chars2(s, 4))
            return nomem();
        int32_t low[4];
        int nl = bert_lower(s->cp[k], low);
        for (int i = 0; i < nl; i++) {
            s->cp2[s->n2] = low[i];
            s->orig2[s->n2++] = s->orig[k];
        }
    }
    swap_buffers(s);
    return TKA_OK;
}

/* NFD (decomposition + canonical reordering), then removal of Mn: what
 * _run_strip_accents and the Rust strip_accents do. */
static tka_status strip_accents(ctx *c)
{
    scratch *s = c->s;
    bool ascii = true;
    for (size_t k = 0; k < s->n && ascii; k++)
        ascii = s->cp[k] < 0x80;
    if (ascii)
        return TKA_OK; /* NFD is the identity on ASCII and ASCII has no Mn */
    s->n2 = 0;
    for (size_t k = 0; k < s->n; k++) {
        if (!reserve_chars2(s, 8))
            return nomem();
        int nd = bert_decompose(s->cp[k], s->cp2 + s->n2, 8);
        if (nd < 0) {
            s->cp2[s->n2] = s->cp[k];
            nd = 1;
        }
        for (int i = 0; i < nd; i++)
            s->orig2[s->n2 + (size_t)i] = s->orig[k];
        s->n2 += (size_t)nd;
    }
    /* Canonical ordering: stable sort of each run of non-starters by
     * combining class (insertion sort; runs are short). */
    for (size_t k = 1; k < s->n2; k++) {
        int cc = bert_combining_class(s->cp2[k]);
        if (cc == 0)
            continue;
        size_t j = k;
        int32_t cp = s->cp2[k];
        uint32_t o = s->orig2[k];
        while (j > 0) {
            int pc = bert_combining_class(s->cp2[j - 1]);
            if (pc == 0 || pc <= cc)
                break;
            s->cp2[j] = s->cp2[j - 1];
            s->orig2[j] = s->orig2[j - 1];
            j--;
        }
        s->cp2[j] = cp;
        s->orig2[j] = o;
    }
    size_t w = 0;
    for (size_t k = 0; k < s->n2; k++) {
        if (bert_is_mn(s->cp2[k], c->compat))
            continue;
        s->cp2[w] = s->cp2[k];
        s->orig2[w++] = s->orig2[k];
    }
    s->n2 = w;
    swap_buffers(s);
    return TKA_OK;
}

/* True when cp[0..n) spells special token `sp`. */
static bool equals_special(const scratch *s, const bert_special *sp)
{
    size_t b = 0;
    for (size_t k = 0; k < s->n; k++) {
        uint8_t u[4];
        size_t nu = tka_utf8_encode(s->cp[k], u);
        if (b + nu > sp->len || memcmp(sp->text + b, u, nu) != 0)
            return false;
        b += nu;
    }
    return b == sp->len;
}

/* One whitespace token of the clean text (cp/orig in the scratch). */
static tka_status flush_token(ctx *c)
{
    scratch *s = c->s;
    const bert_model *m = c->m;
    if (s->n == 0)
        return TKA_OK;
    tka_status st;
    if (c->slow) {
        if (m->lower && !c->text_lowered && (st = lower_all(c)) != TKA_OK)
            return st;
        /* COMPAT: BertTokenizer passes never_split=all_special_tokens to
         * BasicTokenizer, which compares each whitespace token after
         * clean_text: "[MASK\u200b]" becomes "[MASK]" and stays whole
         * (cased models), while the Rust tokenizer only matches special
         * tokens on the raw text. */
        uint8_t u[4];
        tka_utf8_encode(s->cp[0], u);
        if (m->whole_first[u[0]]) {
            /* COMPAT: BertTokenizer._tokenize appends a never_split token as
             * it is (its id, or the unknown token's), without WordPiece */
            for (size_t i = 0; i < m->n_never_split; i++) {
                if (equals_special(s, &m->never_split[i])) {
                    uint32_t lo = s->orig[0], hi = s->orig[0];
                    for (size_t k = 1; k < s->n; k++) {
                        lo = s->orig[k] < lo ? s->orig[k] : lo;
                        hi = s->orig[k] > hi ? s->orig[k] : hi;
                    }
                    s->n = 0;
                    return bert_push(m, m->never_split[i].id, lo, hi + 1, c->flags, c->out);
                }
            }
            for (size_t i = 0; i < m->n_specials; i++) {
                if (equals_special(s, &m->specials[i])) {
                    st = emit_word(c, 0, s->n);
                    s->n = 0;
                    return st;
                }
            }
        }
        /* BasicTokenizer lowers each token again: a no-op on lowered text,
         * except for characters the lower-casing regex protected. */
        if (m->lower && c->text_lowered && (st = lower_all(c)) != TKA_OK)
            return st;
        if (m->strip_accents && (st = strip_accents(c)) != TKA_OK)
            return st;
    } else {
        /* COMPAT: the Rust BertNormalizer strips accents before lower-casing. */
        if (m->strip_accents && (st = strip_accents(c)) != TKA_OK)
            return st;
        if (m->lower && (st = lower_all(c)) != TKA_OK)
            return st;
    }
    /* Punctuation splitting; characters produced above may be whitespace
     * (whitespace_tokenize of the joined words) or punctuation. */
    size_t start = 0;
    for (size_t k = 0; k < s->n; k++) {
        int cls = produced_class(s->cp[k], c->compat);
        if (cls == BERT_WORD)
            continue;
        TKA_TRY(emit_word(c, start, k));
        if (cls == BERT_PUNCT && (st = emit_word(c, k, k + 1)) != TKA_OK)
            return st;
        start = k + 1;
    }
    st = emit_word(c, start, s->n);
    s->n = 0;
    return st;
}

/* Clean-up and whitespace/CJK splitting of x[0..len) (no special tokens),
 * whose first character is character number `char_base` of x's text;
 * map (if not NULL) turns those character numbers into input offsets. */
static tka_status tokenize_segment(ctx *c, const uint8_t *x, size_t len, uint32_t char_base,
                                   const uint32_t *map)
{
    scratch *s = c->s;
    const bert_model *m = c->m;
    tka_compat compat = c->compat;
    uint32_t ci = char_base;
    s->n = 0;
    for (size_t i = 0; i < len; ci++) {
        int32_t cp;
        int cls;
        uint8_t b = x[i];
        if (b < 0x80) {
            cp = b;
            i++;
            uint8_t a = m->ascii_class[b];
            cls = a == ASCII_WORD    ? BERT_WORD
                  : a == ASCII_SPACE ? BERT_SPACE
                  : a == ASCII_PUNCT ? BERT_PUNCT
                                     : bert_char_class(cp, compat, m->chinese_chars);
        } else {
            cp = tka_utf8_decode(x, &i);
            cls = bert_char_class(cp, compat, m->chinese_chars);
        }
        switch (cls) {
        case BERT_DROP: break;
        case BERT_SPACE: TKA_TRY(flush_token(c)); break;
        case BERT_CJK:
            TKA_TRY(flush_token(c));
            s->cp[0] = cp;
            s->orig[0] = map ? map[ci] : ci;
            s->n = 1;
            TKA_TRY(flush_token(c));
            break;
        default:
            if (s->n == s->cap && !reserve_chars(s, 1))
                return nomem();
            s->cp[s->n] = cp;
            s->orig[s->n++] = map ? map[ci] : ci;
            break;
        }
    }
    return flush_token(c);
}

static tka_status tokenize_generic_as(const bert_model *m, tka_compat compat, const char *text,
                                      size_t len, unsigned flags, tka_tokens *out, tka_error *err)
{
    const uint8_t *t = (const uint8_t *)text;
    scratch sc; /* about 5 KiB: on the stack, no allocation for ordinary words */
    scratch *s = &sc;
    scratch_init(s);
    ctx c = {m, flags, out, s, compat, compat == TKA_COMPAT_SLOW, false};
    const uint8_t *x = t;
    size_t xlen = len;
    tka_buf lt = {0};
    uint32_t *map = NULL;
    size_t map_cap = 0;
    seglist segs = {0};
    tka_status st = TKA_OK;
    bool specials_possible = bert_has_special_start(m, t, len);

    if (c.slow && m->lower && (m->specials_need_lowered_text || specials_possible)) {
        if (!bert_lower_text(m, t, len, &lt, &map, &map_cap)) {
            st = TKA_ERR_NOMEM;
            goto done;
        }
        x = (const uint8_t *)lt.data;
        xlen = lt.len;
        c.text_lowered = true;
        specials_possible = bert_has_special_start(m, x, xlen);
    }
    if (!specials_possible) {
        st = tokenize_segment(&c, x, xlen, 0, map);
        goto done;
    }
    if (!(c.slow ? bert_split_slow(m, x, xlen, &segs) : bert_split_fast(m, x, xlen, &segs))) {
        st = TKA_ERR_NOMEM;
        goto done;
    }
    uint32_t ci = 0;
    for (size_t k = 0; k < segs.n && st == TKA_OK; k++) {
        segment g = segs.v[k];
        uint32_t nc = (uint32_t)tka_utf8_count((const char *)x + g.start, g.end - g.start);
        if (g.special >= 0) {
            uint32_t a = map ? map[ci] : ci;
            uint32_t e = map ? map[ci + nc - 1] + 1 : ci + nc;
            st = bert_push(m, m->specials[g.special].id, a, e, flags, out);
        } else {
            st = tokenize_segment(&c, x + g.start, g.end - g.start, ci, map);
        }
        ci += nc;
    }
done:
    free(segs.v);
    tka_buf_free(&lt);
    free(map);
    scratch_free(s);
    if (st == TKA_ERR_NOMEM)
        return tka_error_set(err, st, "out of memory tokenizing");
    return st;
}

tka_status bert_tokenize_generic(const bert_model *m, const char *text, size_t len, unsigned flags,
                                 tka_tokens *out, tka_error *err)
{
    return tokenize_generic_as(m, m->compat, text, len, flags, out, err);
}

/* ------------------------------------------------------------ ASCII fast path */

tka_status bert_tokenize(const bert_model *m, const char *text, size_t len, unsigned flags,
                         tka_tokens *out, tka_error *err)
{
    return bert_tokenize_as(m, m->compat, text, len, flags, out, err);
}

/* The ASCII classes were built with m->compat, but no ASCII character's
 * class depends on the compat mode (the modes differ only on Cn and CJK
 * code points, and never_split bytes just send the text to the generic
 * path), so the fast path serves both. */
tka_status bert_tokenize_as(const bert_model *m, tka_compat compat, const char *text, size_t len,
                            unsigned flags, tka_tokens *out, tka_error *err)
{
    if (compat == TKA_COMPAT_SLOW && m->lower && m->specials_need_lowered_text)
        return tokenize_generic_as(m, compat, text, len, flags, out, err);
    const uint8_t *t = (const uint8_t *)text;
    const uint8_t *cls = m->ascii_class;
    /* every token of the fast path consumes at least one input byte */
    tka_status st = tka_tokens_reserve(out, len, flags);
    if (st != TKA_OK)
        return tka_error_set(err, st, "out of memory tokenizing");
    size_t i = 0;
    while (i < len) {
        uint8_t b = t[i];
        if (b >= 0x80)
            goto slow;
        switch (cls[b]) {
        case ASCII_WORD: {
            size_t j = i + 1;
            while (j < len && t[j] < 0x80 && cls[t[j]] == ASCII_WORD)
                j++;
            if (j < len && (t[j] >= 0x80 || cls[t[j]] == ASCII_SLOW))
                goto slow; /* the word continues with something the fast path does not know */
            st = bert_wordpiece_ascii(m, t + i, j - i, (uint32_t)i, flags, out);
            i = j;
            break;
        }
        case ASCII_SPACE: i++; break;
        case ASCII_PUNCT:
            st = bert_wordpiece_ascii(m, t + i, 1, (uint32_t)i, flags, out);
            i++;
            break;
        default: goto slow;
        }
        if (st != TKA_OK)
            return tka_error_set(err, st, "out of memory tokenizing");
    }
    return TKA_OK;
slow:
    tka_tokens_clear(out);
    return tokenize_generic_as(m, compat, text, len, flags, out, err);
}
